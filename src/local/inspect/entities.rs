//! How often each gazetteer entity is named (`sitrep entities`).

use tantivy::query::AllQuery;

use crate::error::Result;
use crate::inspect::{rank_usage, EntityUsage};
use crate::local::snapshot::{FacetCounts, Snapshot};

/// Every gazetteer entity of `kind` (or all) with the paragraphs and articles naming it, most
/// named first.
pub fn entity_usage(snapshot: &Snapshot, kind: Option<&str>) -> Result<Vec<EntityUsage>> {
    let counts = snapshot
        .searcher()
        .search(&AllQuery, &FacetCounts { articles: true })?;
    Ok(rank_usage(snapshot.gazetteer(), kind, |facet| {
        counts
            .get(facet)
            .map_or((0, 0), |(p, a)| (*p, a.len() as u64))
    }))
}
