//! One cluster document per paragraph, with the same tokens, stems, entities and hashes the
//! embedded index gets for it.

use serde_json::{json, Value};
use tantivy::schema::Facet;

use super::mapping::*;
use crate::analysis::{normalize, NormalizedText, ParagraphAnalyser};
use crate::corpus::{self, Article};
use crate::entities::Gazetteer;
use crate::local::indexer::paragraph_text_hash;
use crate::paragraph::facet_path;

/// Between the tokens of an analysed field: the cluster's analyser splits on whitespace.
const SEPARATOR: char = ' ';

/// The id of a paragraph's document: the article's key and the paragraph number, so that a
/// changed article's paragraphs overwrite the old ones in place.
pub fn paragraph_id(article_key: u64, paragraph: usize) -> String {
    format!("{article_key:016x}-{paragraph}")
}

pub fn article_key(article_id: &str) -> u64 {
    corpus::hash_bytes(article_id.as_bytes())
}

/// A facet path and every ancestor of it (`/place`, `/place/Iraq`, `/place/Iraq/Mosul`).
fn with_ancestors(path: &str) -> Vec<String> {
    let facet = Facet::from(path);
    let steps: Vec<&str> = facet.encoded_str().split('\0').collect();
    (1..=steps.len())
        .map(|n| facet_path(&Facet::from_path(&steps[..n])))
        .collect()
}

/// The documents of one article, tagged with `gazetteer`, as (id, source) pairs.
pub fn article_documents(
    article: &Article,
    gazetteer: &Gazetteer,
    analyser: &mut ParagraphAnalyser,
    sync: u64,
) -> Vec<(String, Value)> {
    let norms: Vec<NormalizedText> = article.paragraphs.iter().map(|p| normalize(p)).collect();
    let pairs: Vec<(&NormalizedText, &str)> = norms
        .iter()
        .zip(article.paragraphs.iter().map(String::as_str))
        .collect();
    let tags = gazetteer.tag_article(&pairs, None);
    let key = article_key(&article.id);
    let title = article.title.as_deref().unwrap_or("");
    let title_tokens = analyser.words(title, SEPARATOR);
    let date = article.date.map(|date| {
        date.into_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    });
    article
        .paragraphs
        .iter()
        .zip(&norms)
        .zip(&tags)
        .enumerate()
        .map(|(n, ((text, norm), tags))| {
            let entities: Vec<String> = tags.iter().map(|e| gazetteer.facet_of(e)).collect();
            let mut paths: Vec<String> = entities.iter().flat_map(|e| with_ancestors(e)).collect();
            paths.sort();
            paths.dedup();
            let analysed = analyser.analyse(text, SEPARATOR);
            let source = json!({
                ARTICLE_ID: article.id,
                PARAGRAPH: n + 1,
                TITLE: title,
                TEXT: text,
                TITLE_TOKENS: title_tokens,
                TEXT_TOKENS: analysed.words,
                TEXT_STEM: analysed.stems,
                DATE: date,
                URL: article.url,
                PATH: article.path,
                SOURCE: article.source,
                ENTITY: entities,
                ENTITY_PATH: paths,
                ARTICLE_KEY: format!("{key:016x}"),
                TEXT_HASH: format!("{:016x}", paragraph_text_hash(&norm.text)),
                SYNC: sync,
            });
            (paragraph_id(key, n + 1), source)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::GazetteerSource;

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
        let docs = article_documents(&article, &gazetteer, &mut ParagraphAnalyser::default(), 3);
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
