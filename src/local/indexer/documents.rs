//! One tantivy document per paragraph, tagged with the entities it names.

use tantivy::schema::Facet;
use tantivy::TantivyDocument;

use crate::analysis::{normalize, NormalizedText, ParagraphAnalyser, TOKEN_SEPARATOR};
use crate::corpus::{self, Article};
use crate::entities::{Gazetteer, Tagger};
use crate::schema::Fields;

/// Hash under which identical paragraphs collapse: equal after normalisation.
pub fn paragraph_text_hash(normalized: &str) -> u64 {
    corpus::hash_bytes(normalized.trim().as_bytes())
}

/// One tantivy document per paragraph, tagged with the entities it names, its words and stems
/// analysed by `analyser`; `sync_of` gives the sync number of a paragraph by its text hash.
pub fn article_documents(
    article: &Article,
    fields: &Fields,
    gazetteer: Option<&Gazetteer>,
    tagger: Option<&Tagger>,
    analyser: &mut ParagraphAnalyser,
    sync_of: &dyn Fn(u64) -> u64,
) -> Vec<TantivyDocument> {
    let norms: Vec<NormalizedText> = article.paragraphs.iter().map(|p| normalize(p)).collect();
    let tags = gazetteer.map(|gazetteer| {
        let pairs: Vec<(&NormalizedText, &str)> = norms
            .iter()
            .zip(article.paragraphs.iter().map(String::as_str))
            .collect();
        gazetteer.tag_article(&pairs, tagger)
    });
    let title = article.title.as_deref().unwrap_or("");
    let title_words = analyser.words(title, TOKEN_SEPARATOR);
    article
        .paragraphs
        .iter()
        .zip(&norms)
        .enumerate()
        .map(|(n, (text, norm))| {
            let analysed = analyser.analyse(text, TOKEN_SEPARATOR);
            // Room for every value, so that the document is not grown as they are added.
            let mut doc = TantivyDocument::with_capacity(
                2 * (text.len() + title.len()) + analysed.stems.len() + article.path.len() + 256,
            );
            doc.add_text(fields.article_id, &article.id);
            doc.add_u64(fields.paragraph, n as u64 + 1);
            doc.add_text(fields.stored_title, title);
            doc.add_text(fields.stored_text, text);
            doc.add_text(fields.title, &title_words);
            doc.add_text(fields.text, analysed.words);
            doc.add_text(fields.text_stem, analysed.stems);
            if let Some(date) = article.date {
                doc.add_date(fields.date, date);
            }
            if let Some(url) = &article.url {
                doc.add_text(fields.url, url);
            }
            if let Some(source) = &article.source {
                doc.add_text(fields.source, source);
            }
            doc.add_text(fields.path, &article.path);
            if let (Some(gazetteer), Some(tags)) = (gazetteer, &tags) {
                for entity in &tags[n] {
                    let facet = gazetteer.facet_of(entity);
                    doc.add_facet(fields.entity, Facet::from(facet.as_str()));
                    doc.add_text(fields.entity_exact, &facet);
                }
            }
            if n == 0 {
                doc.add_u64(fields.article_hash, article.hash);
            }
            doc.add_u64(
                fields.article_key,
                corpus::hash_bytes(article.id.as_bytes()),
            );
            let text_hash = paragraph_text_hash(&norm.text);
            doc.add_u64(fields.text_hash, text_hash);
            doc.add_u64(fields.sync, sync_of(text_hash));
            doc
        })
        .collect()
}
