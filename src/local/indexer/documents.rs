//! One tantivy document per paragraph: the shared paragraph builder's output, encoded.

use tantivy::schema::Facet;
use tantivy::TantivyDocument;

use crate::analysis::{ParagraphAnalyser, TOKEN_SEPARATOR};
use crate::corpus::Article;
use crate::entities::{Gazetteer, Tagger};
use crate::paragraph::build_article;
use crate::schema::Fields;

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
    let built = build_article(article, gazetteer, tagger, analyser, TOKEN_SEPARATOR);
    built
        .paragraphs
        .into_iter()
        .map(|paragraph| {
            // Room for every value, so that the document is not grown as they are added.
            let mut doc = TantivyDocument::with_capacity(
                2 * (paragraph.text.len() + built.title.len())
                    + paragraph.stems.len()
                    + article.path.len()
                    + 256,
            );
            doc.add_text(fields.article_id, &article.id);
            doc.add_u64(fields.paragraph, paragraph.number);
            doc.add_text(fields.stored_title, built.title);
            doc.add_text(fields.stored_text, paragraph.text);
            doc.add_text(fields.title, &built.title_words);
            doc.add_text(fields.text, paragraph.words);
            doc.add_text(fields.text_stem, paragraph.stems);
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
            for facet in &paragraph.entities {
                doc.add_facet(fields.entity, Facet::from(facet.as_str()));
                doc.add_text(fields.entity_exact, facet);
            }
            if paragraph.number == 1 {
                doc.add_u64(fields.article_hash, article.hash);
            }
            doc.add_u64(fields.article_key, built.key);
            doc.add_u64(fields.text_hash, paragraph.text_hash);
            doc.add_u64(fields.sync, sync_of(paragraph.text_hash));
            doc
        })
        .collect()
}
