//! One paragraph as a store returns it: its fields, its entities as facet paths, its date.
//! Both stores read into [`StoredParagraph`], so hits, `show` and the output see one shape.

use serde::Serialize;
use tantivy::schema::Facet;
use tantivy::DateTime;

/// An entity a paragraph was tagged with, as its facet names it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityRef {
    pub kind: String,
    pub name: String,
    pub path: String,
}

/// The stored fields of one paragraph document.
#[derive(Debug, Clone, PartialEq)]
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
