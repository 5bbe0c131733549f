//! How often each gazetteer entity is named (`sitrep entities`).

use serde::Serialize;
use tantivy::query::AllQuery;

use crate::entities::Gazetteer;
use crate::error::Result;
use crate::snapshot::{FacetCounts, Snapshot};

#[derive(Debug, Clone, Serialize)]
pub struct EntityUsage {
    pub kind: String,
    pub name: String,
    pub path: String,
    pub aliases: Vec<String>,
    pub paragraphs: u64,
    pub articles: u64,
}

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

/// Every gazetteer entity of `kind` (or all) with the (paragraphs, articles) `counts` gives
/// its facet path, most named first.
pub fn rank_usage(
    gazetteer: &Gazetteer,
    kind: Option<&str>,
    counts: impl Fn(&str) -> (u64, u64),
) -> Vec<EntityUsage> {
    let mut usage: Vec<EntityUsage> = gazetteer
        .entities()
        .map(|(_, e)| e)
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .filter_map(|e| {
            let (paragraphs, articles) = counts(&e.facet);
            // Tens of thousands of generated places: list those the corpus names.
            if paragraphs == 0 && e.is_generated() {
                return None;
            }
            Some(EntityUsage {
                kind: e.kind.clone(),
                name: e.name.clone(),
                path: e.facet.clone(),
                aliases: e.aliases.clone(),
                paragraphs,
                articles,
            })
        })
        .collect();
    usage.sort_by(|a, b| {
        b.paragraphs
            .cmp(&a.paragraphs)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.name.cmp(&b.name))
    });
    usage
}
