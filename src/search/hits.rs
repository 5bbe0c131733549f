//! From a ranked group of identical paragraphs to a [`SearchHit`]: the stored document read
//! once, highlights, snippet, entities and where else the text appears.

use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use tantivy::schema::{Facet, Field, Value};

use tantivy::columnar::Column;
use tantivy::{DateTime, DocAddress, Searcher, TantivyDocument};

use super::highlight::Highlighter;
use super::snippet::make_snippet;
use super::HitGroup;
use crate::error::Result;
use crate::schema::{names, Fields};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityRef {
    pub kind: String,
    pub name: String,
    pub path: String,
}

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

/// The stored fields of one paragraph document.
pub(crate) struct StoredParagraph {
    pub article_id: String,
    pub paragraph: u64,
    pub title: String,
    pub text: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    /// Relative to the corpus folder.
    pub path: String,
    pub entities: Vec<EntityRef>,
}

/// The fast columns of a searcher's segments, each opened once: opening one looks its name up
/// in the segment's column directory, which costs more than reading a few values from it.
pub(crate) struct Columns<'a> {
    searcher: &'a Searcher,
    u64s: RefCell<HashMap<(u32, &'static str), Column<u64>>>,
    dates: RefCell<HashMap<u32, Column<DateTime>>>,
}

impl<'a> Columns<'a> {
    pub fn new(searcher: &'a Searcher) -> Self {
        Columns {
            searcher,
            u64s: RefCell::default(),
            dates: RefCell::default(),
        }
    }

    pub fn u64(&self, segment: u32, name: &'static str) -> Result<Column<u64>> {
        let fast = || {
            self.searcher
                .segment_reader(segment)
                .fast_fields()
                .u64(name)
        };
        Ok(cached(&self.u64s, (segment, name), fast)?)
    }

    fn date(&self, segment: u32) -> Result<Column<DateTime>> {
        let fast = || {
            self.searcher
                .segment_reader(segment)
                .fast_fields()
                .date(names::DATE)
        };
        Ok(cached(&self.dates, segment, fast)?)
    }

    pub fn paragraph(&self, address: DocAddress) -> Result<u64> {
        let column = self.u64(address.segment_ord, names::PARAGRAPH)?;
        Ok(column.first(address.doc_id).unwrap_or(0))
    }
}

/// The column under `key`, opened on first use (a column is a cheap handle to clone).
fn cached<K: std::hash::Hash + Eq, C: Clone>(
    opened: &RefCell<HashMap<K, C>>,
    key: K,
    open: impl FnOnce() -> tantivy::Result<C>,
) -> tantivy::Result<C> {
    if let Some(column) = opened.borrow().get(&key) {
        return Ok(column.clone());
    }
    let column = open()?;
    opened.borrow_mut().insert(key, column.clone());
    Ok(column)
}

impl StoredParagraph {
    pub fn fetch(columns: &Columns, fields: &Fields, address: DocAddress) -> Result<Self> {
        let doc: TantivyDocument = columns.searcher.doc(address)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        Ok(StoredParagraph {
            article_id: text(fields.article_id).unwrap_or_default(),
            paragraph: columns.paragraph(address)?,
            title: text(fields.title).unwrap_or_default(),
            text: text(fields.text).unwrap_or_default(),
            date: columns
                .date(address.segment_ord)?
                .first(address.doc_id)
                .map(format_date),
            url: text(fields.url),
            source: text(fields.source),
            path: text(fields.path).unwrap_or_default(),
            entities: doc
                .get_all(fields.entity)
                .filter_map(|v| {
                    v.as_facet()
                        .and_then(|s| Facet::from_encoded(s.as_bytes().to_vec()).ok())
                })
                .map(|facet| entity_ref(&facet))
                .collect(),
        })
    }
}

pub(crate) fn entity_ref(facet: &Facet) -> EntityRef {
    let path = facet.to_path();
    EntityRef {
        kind: path.first().map(|s| s.to_string()).unwrap_or_default(),
        name: path.last().map(|s| s.to_string()).unwrap_or_default(),
        path: facet_path(facet),
    }
}

/// The facet's path as `Facet::to_path_string` writes it, without the regex that function
/// runs on every step (a third of a `--facets` search's time).
pub(crate) fn facet_path(facet: &Facet) -> String {
    let encoded = facet.encoded_str();
    let mut path = String::with_capacity(encoded.len() + 1);
    for step in encoded.split('\0') {
        path.push('/');
        for c in step.chars() {
            // tantivy escapes both characters as "\/".
            if c == '/' || c == '\\' {
                path.push_str("\\/");
            } else {
                path.push(c);
            }
        }
    }
    path
}

/// `YYYY-MM-DD` for dates at midnight (most articles), RFC 3339 otherwise.
pub fn format_date(date: DateTime) -> String {
    let utc = date.into_utc();
    if utc.time() == time::Time::MIDNIGHT {
        format!(
            "{:04}-{:02}-{:02}",
            utc.year(),
            u8::from(utc.month()),
            utc.day()
        )
    } else {
        utc.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
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
            let doc: TantivyDocument = self.columns.searcher.doc(address)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_paths_are_written_as_tantivy_writes_them() {
        let paths = [
            "/org/Hezbollah",
            "/place/Iraq/Kurdistan Region/Erbil",
            "/org/AC\\/DC",
            "/person/unlisted/Karim Nouri",
        ];
        for path in paths {
            let facet = Facet::from(path);
            assert_eq!(facet_path(&facet), facet.to_path_string(), "{path}");
        }
    }
}
