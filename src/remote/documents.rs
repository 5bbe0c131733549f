//! One cluster document per paragraph, with the same tokens, stems, entities and hashes the
//! embedded index gets for it.

use serde_json::{json, Value};
use tantivy::schema::Facet;

use super::mapping::*;
use crate::analysis::ParagraphAnalyser;
use crate::corpus::Article;
use crate::entities::{Gazetteer, Tagger};
use crate::paragraph::{build_article, facet_path};

/// Between the tokens of an analysed field: the cluster's analyser splits on whitespace.
const SEPARATOR: char = ' ';

/// The id of a paragraph's document: the article's key and the paragraph number, so that a
/// changed article's paragraphs overwrite the old ones in place.
pub fn paragraph_id(article_key: u64, paragraph: u64) -> String {
    format!("{article_key:016x}-{paragraph}")
}

/// A facet path and every ancestor of it (`/place`, `/place/Iraq`, `/place/Iraq/Mosul`).
fn with_ancestors(path: &str) -> Vec<String> {
    let facet = Facet::from(path);
    let steps: Vec<&str> = facet.encoded_str().split('\0').collect();
    (1..=steps.len())
        .map(|n| facet_path(&Facet::from_path(&steps[..n])))
        .collect()
}

/// The documents of one article, tagged with `gazetteer` (and `tagger`), as (id, source)
/// pairs.
pub fn article_documents(
    article: &Article,
    gazetteer: &Gazetteer,
    tagger: Option<&Tagger>,
    analyser: &mut ParagraphAnalyser,
    sync: u64,
) -> Vec<(String, Value)> {
    let built = build_article(article, Some(gazetteer), tagger, analyser, SEPARATOR);
    let date = article.date.map(|date| {
        date.into_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    });
    built
        .paragraphs
        .into_iter()
        .map(|paragraph| {
            let mut paths: Vec<String> = paragraph
                .entities
                .iter()
                .flat_map(|e| with_ancestors(e))
                .collect();
            paths.sort();
            paths.dedup();
            let source = json!({
                ARTICLE_ID: article.id,
                PARAGRAPH: paragraph.number,
                TITLE: built.title,
                TEXT: paragraph.text,
                TITLE_TOKENS: built.title_words,
                TEXT_TOKENS: paragraph.words,
                TEXT_STEM: paragraph.stems,
                DATE: date,
                URL: article.url,
                PATH: article.path,
                SOURCE: article.source,
                ENTITY: paragraph.entities,
                ENTITY_PATH: paths,
                ARTICLE_KEY: format!("{:016x}", built.key),
                TEXT_HASH: format!("{:016x}", paragraph.text_hash),
                SYNC: sync,
            });
            (paragraph_id(built.key, paragraph.number), source)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::GazetteerSource;
    use crate::paragraph::article_key;

    #[test]
    fn a_facet_path_brings_its_ancestors() {
        assert_eq!(
            with_ancestors("/place/Iraq/Mosul"),
            ["/place", "/place/Iraq", "/place/Iraq/Mosul"]
        );
    }

    #[test]
    fn documents_carry_the_embedded_analysers_tokens_and_the_tagged_entities() {
        let gazetteer = Gazetteer::parse(
            "[[org]]\nname = \"Kata'ib Hezbollah\"\naliases = [\"Hezbollah Brigades\"]\n",
            GazetteerSource::BuiltIn,
        )
        .unwrap();
        let article = Article {
            id: "a.txt".into(),
            path: "a.txt".into(),
            title: Some("Drone strikes".into()),
            date: None,
            url: None,
            source: None,
            paragraphs: vec!["The Hezbollah Brigades\u{2019} militias struck al-Qaim.".into()],
            hash: 1,
        };
        let docs = article_documents(
            &article,
            &gazetteer,
            None,
            &mut ParagraphAnalyser::default(),
            3,
        );
        assert_eq!(docs.len(), 1);
        let (id, doc) = &docs[0];
        assert_eq!(id, &paragraph_id(article_key("a.txt"), 1));
        assert_eq!(doc[TITLE_TOKENS], "drone strikes");
        assert_eq!(
            doc[TEXT_TOKENS],
            "the hezbollah brigades militias struck al qaim"
        );
        assert_eq!(doc[TEXT_STEM], "brigad militia");
        assert_eq!(doc[ENTITY], json!(["/org/Kata'ib Hezbollah"]));
        assert_eq!(doc[ENTITY_PATH], json!(["/org", "/org/Kata'ib Hezbollah"]));
        assert_eq!(doc[SYNC], 3);
    }
}
