//! From a ranked group of identical paragraphs to a [`SearchHit`]: the stored document read
//! once, and where else the text appears.

use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::HitGroup;
use crate::error::Result;
use crate::local::snapshot::{fetch_paragraph, Columns};
use crate::schema::Fields;
use crate::search::{DuplicateRef, HitMaker, SearchHit};

/// What every hit of one search over the index shares.
pub(super) struct HitContext<'a> {
    pub columns: &'a Columns<'a>,
    pub fields: &'a Fields,
    pub maker: HitMaker<'a>,
}

impl HitContext<'_> {
    pub fn hit(&self, group: &HitGroup, rank: usize) -> Result<SearchHit> {
        let stored = fetch_paragraph(self.columns, self.fields, group.address)?;
        let duplicates = self.duplicates(&group.duplicates)?;
        Ok(self.maker.hit(stored, rank, group.score, duplicates))
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
