//! One paragraph document as stored: its fields, its entities as facet paths, its date.

use serde::Serialize;
use tantivy::schema::{Facet, Field, Value};
use tantivy::{DateTime, DocAddress, TantivyDocument};

use super::Columns;
use crate::error::Result;
use crate::schema::Fields;

/// An entity a paragraph was tagged with, as its facet names it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityRef {
    pub kind: String,
    pub name: String,
    pub path: String,
}

/// The stored fields of one paragraph document.
pub struct StoredParagraph {
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

impl StoredParagraph {
    pub fn fetch(columns: &Columns, fields: &Fields, address: DocAddress) -> Result<Self> {
        let doc: TantivyDocument = columns.searcher().doc(address)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        Ok(StoredParagraph {
            article_id: text(fields.article_id).unwrap_or_default(),
            paragraph: columns.paragraph(address)?,
            title: text(fields.stored_title).unwrap_or_default(),
            text: text(fields.stored_text).unwrap_or_default(),
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

pub fn entity_ref(facet: &Facet) -> EntityRef {
    let path = facet.to_path();
    EntityRef {
        kind: path.first().map(|s| s.to_string()).unwrap_or_default(),
        name: path.last().map(|s| s.to_string()).unwrap_or_default(),
        path: facet_path(facet),
    }
}

/// The facet's path as `Facet::to_path_string` writes it, without the regex that function
/// runs on every step (a third of a `--facets` search's time).
pub fn facet_path(facet: &Facet) -> String {
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
