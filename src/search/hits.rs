//! From a stored paragraph to a [`SearchHit`]: highlights, snippet, the path under the corpus
//! folder, entities and where else the text appears. Both stores build their hits here.

use serde::Serialize;

use super::highlight::Highlighter;
use super::snippet::make_snippet;
use crate::entities::Gazetteer;
use crate::paragraph::{EntityRef, StoredParagraph};
use crate::query::BuiltQuery;

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

/// What every hit of one search shares, whichever store ran it.
pub(crate) struct HitMaker<'a> {
    highlighter: Highlighter<'a>,
    /// The corpus folder the index was built from, to show full paths.
    corpus: &'a str,
}

impl<'a> HitMaker<'a> {
    /// Highlights what `built` matched, with the gazetteer's mentions of the entities it
    /// expanded to.
    pub fn new(built: &'a BuiltQuery, gazetteer: &'a Gazetteer, corpus: &'a str) -> Self {
        let expanded = &built.expanded_entities;
        let finder = (!expanded.is_empty()).then(|| gazetteer.mention_finder(expanded));
        HitMaker {
            highlighter: Highlighter::new(&built.highlight, finder),
            corpus: corpus.trim_end_matches('/'),
        }
    }

    pub fn hit(
        &self,
        stored: StoredParagraph,
        rank: usize,
        score: f32,
        duplicates: Vec<DuplicateRef>,
    ) -> SearchHit {
        let highlights = self.highlighter.ranges(&stored.text);
        let (snippet, snippet_highlights) = make_snippet(&stored.text, &highlights);
        let path = if self.corpus.is_empty() {
            stored.path
        } else {
            format!("{}/{}", self.corpus, stored.path)
        };
        SearchHit {
            rank,
            score,
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
            duplicates,
            paragraphs_matched: None,
        }
    }
}
