//! Reading one paragraph document of the index into the stores' shared [`StoredParagraph`].

use tantivy::schema::{Facet, Field, Value};
use tantivy::{DocAddress, TantivyDocument};

use super::Columns;
use crate::error::Result;
use crate::paragraph::{entity_ref, format_date, StoredParagraph};
use crate::schema::Fields;

/// Reads one paragraph document: its stored fields, and its number and date from the fast
/// columns.
pub fn fetch_paragraph(
    columns: &Columns,
    fields: &Fields,
    address: DocAddress,
) -> Result<StoredParagraph> {
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
