//! An article's paragraphs as both stores index them: normalised, tagged with the gazetteer
//! (and, when asked, the learned tagger), analysed into words and stems, and hashed. The stores
//! only encode the result: a tantivy document (`local::indexer`) or a bulk line (`remote`).

use crate::analysis::{normalize, NormalizedText, ParagraphAnalyser};
use crate::corpus::{self, Article};
use crate::entities::{Gazetteer, Tagger};

/// Hash under which identical paragraphs collapse: equal after normalisation.
pub fn paragraph_text_hash(normalized: &str) -> u64 {
    corpus::hash_bytes(normalized.trim().as_bytes())
}

/// The key an article's paragraphs share: a hash of its id.
pub fn article_key(article_id: &str) -> u64 {
    corpus::hash_bytes(article_id.as_bytes())
}

/// One article ready to be written to a store.
pub struct BuiltArticle<'a> {
    pub article: &'a Article,
    pub key: u64,
    pub title: &'a str,
    /// The title's words, joined by the separator the store splits on.
    pub title_words: String,
    pub paragraphs: Vec<BuiltParagraph<'a>>,
}

/// One paragraph ready to be written to a store.
pub struct BuiltParagraph<'a> {
    /// From 1, in article order.
    pub number: u64,
    pub text: &'a str,
    /// Its words and their stems, joined by the separator the store splits on.
    pub words: String,
    pub stems: String,
    /// The facet paths of the entities it names.
    pub entities: Vec<String>,
    pub text_hash: u64,
}

/// Builds every paragraph of `article`. Without a gazetteer nothing is tagged (`index
/// --no-entities`); with `tagger`, names no entry holds are tagged too.
pub fn build_article<'a>(
    article: &'a Article,
    gazetteer: Option<&Gazetteer>,
    tagger: Option<&Tagger>,
    analyser: &mut ParagraphAnalyser,
    separator: char,
) -> BuiltArticle<'a> {
    let norms: Vec<NormalizedText> = article.paragraphs.iter().map(|p| normalize(p)).collect();
    let tags = gazetteer.map(|gazetteer| {
        let pairs: Vec<(&NormalizedText, &str)> = norms
            .iter()
            .zip(article.paragraphs.iter().map(String::as_str))
            .collect();
        gazetteer.tag_article(&pairs, tagger)
    });
    let title = article.title.as_deref().unwrap_or("");
    let paragraphs = article
        .paragraphs
        .iter()
        .zip(&norms)
        .enumerate()
        .map(|(n, (text, norm))| {
            let analysed = analyser.analyse(text, separator);
            let entities = match (gazetteer, &tags) {
                (Some(gazetteer), Some(tags)) => {
                    tags[n].iter().map(|e| gazetteer.facet_of(e)).collect()
                }
                _ => Vec::new(),
            };
            BuiltParagraph {
                number: n as u64 + 1,
                text,
                words: analysed.words,
                stems: analysed.stems,
                entities,
                text_hash: paragraph_text_hash(&norm.text),
            }
        })
        .collect();
    BuiltArticle {
        article,
        key: article_key(&article.id),
        title,
        title_words: analyser.words(title, separator),
        paragraphs,
    }
}
