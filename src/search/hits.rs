//! From a ranked group of identical paragraphs to a [`SearchHit`]: the stored document read
//! once, highlights, snippet, entities and where else the text appears.

use serde::Serialize;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::highlight::Highlighter;
use super::snippet::make_snippet;
use super::HitGroup;
use crate::error::Result;
use crate::schema::Fields;
use crate::snapshot::{Columns, EntityRef, StoredParagraph};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DuplicateRef {
    pub article_id: String,
    pub paragraph: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub rank: usize,
    pub score: f32,
    pub article_id: String,
    pub title: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub path: String,
    pub paragraph: u64,
    pub text: String,
    pub snippet: String,
    /// Byte ranges into `text`.
    pub highlights: Vec<[usize; 2]>,
    /// Byte ranges into `snippet`.
    pub snippet_highlights: Vec<[usize; 2]>,
    pub entities: Vec<EntityRef>,
    pub duplicates: Vec<DuplicateRef>,
    /// With `--per-article`: the article's paragraphs that match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraphs_matched: Option<u64>,
}

/// What every hit of one search shares.
pub(crate) struct HitContext<'a> {
    pub columns: &'a Columns<'a>,
    pub fields: &'a Fields,
    pub highlighter: Highlighter<'a>,
    /// The corpus folder the index was built from, to show full paths.
    pub corpus: Option<&'a str>,
}

impl HitContext<'_> {
    pub fn hit(&self, group: &HitGroup, rank: usize) -> Result<SearchHit> {
        let stored = StoredParagraph::fetch(self.columns, self.fields, group.address)?;
        let highlights = self.highlighter.ranges(&stored.text);
        let (snippet, snippet_highlights) = make_snippet(&stored.text, &highlights);
        let path = match self.corpus {
            Some(corpus) if !corpus.is_empty() => {
                format!("{}/{}", corpus.trim_end_matches('/'), stored.path)
            }
            _ => stored.path,
        };
        Ok(SearchHit {
            rank,
            score: group.score,
            article_id: stored.article_id,
            title: stored.title,
            date: stored.date,
            url: stored.url,
            path,
            paragraph: stored.paragraph,
            highlights: highlights.iter().map(|r| [r.start, r.end]).collect(),
            snippet,
            snippet_highlights: snippet_highlights
                .iter()
                .map(|r| [r.start, r.end])
                .collect(),
            text: stored.text,
            entities: stored.entities,
            duplicates: self.duplicates(&group.duplicates)?,
            paragraphs_matched: None,
        })
    }

    /// Article and paragraph of the other hits with the same text as a hit (at most 100).
    fn duplicates(&self, addresses: &[DocAddress]) -> Result<Vec<DuplicateRef>> {
        let mut duplicates = Vec::new();
        for &address in addresses.iter().take(100) {
            let doc: TantivyDocument = self.columns.searcher().doc(address)?;
            duplicates.push(DuplicateRef {
                article_id: doc
                    .get_first(self.fields.article_id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                paragraph: self.columns.paragraph(address)?,
            });
        }
        duplicates.sort_by(|a, b| (&a.article_id, a.paragraph).cmp(&(&b.article_id, b.paragraph)));
        Ok(duplicates)
    }
}
