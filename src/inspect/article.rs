//! One article's paragraphs, in order, with their entities (`sitrep show`).

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::entities::EntityMatch;
use crate::error::Result;
use crate::snapshot::{Columns, EntityRef, Snapshot, StoredParagraph};

#[derive(Debug, Clone, Serialize)]
pub struct ShownParagraph {
    pub paragraph: u64,
    pub text: String,
    pub entities: Vec<EntityRef>,
    /// Where the paragraph names its entities (byte ranges into `text`); filled for the web
    /// page's article view only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<EntityMatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownArticle {
    pub article_id: String,
    pub title: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub path: String,
    pub paragraphs: Vec<ShownParagraph>,
}

/// An article's paragraphs in order, or `None` when the id is not in the index.
pub fn show_article(
    snapshot: &Snapshot,
    article_id: &str,
    paragraph: Option<u64>,
    with_mentions: bool,
) -> Result<Option<ShownArticle>> {
    let fields = snapshot.fields();
    let searcher = snapshot.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(100_000).order_by_score())?;
    let columns = Columns::new(searcher);
    let mut article: Option<ShownArticle> = None;
    for (_, address) in found {
        let stored = StoredParagraph::fetch(&columns, fields, address)?;
        let shown = article.get_or_insert_with(|| ShownArticle {
            article_id: article_id.to_string(),
            title: stored.title.clone(),
            date: stored.date.clone(),
            url: stored.url.clone(),
            source: stored.source.clone(),
            path: stored.path.clone(),
            paragraphs: Vec::new(),
        });
        if paragraph.is_none_or(|p| p == stored.paragraph) {
            shown.paragraphs.push(ShownParagraph {
                paragraph: stored.paragraph,
                text: stored.text,
                entities: stored.entities,
                mentions: Vec::new(),
            });
        }
    }
    if let Some(article) = &mut article {
        article.paragraphs.sort_by_key(|p| p.paragraph);
        if with_mentions {
            // Read as one article, so its short names and acronyms are found too.
            let texts: Vec<&str> = article.paragraphs.iter().map(|p| p.text.as_str()).collect();
            let mentions = snapshot.gazetteer().find_article_mentions(&texts, None);
            for (shown, mentions) in article.paragraphs.iter_mut().zip(mentions) {
                shown.mentions = mentions;
            }
        }
    }
    Ok(article)
}
