//! How often each gazetteer entity is named (`sitrep entities`).

use serde::Serialize;

use crate::entities::Gazetteer;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct EntityUsage {
    pub kind: String,
    pub name: String,
    pub path: String,
    pub aliases: Vec<String>,
    pub paragraphs: u64,
    pub articles: u64,
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

/// An error naming the kinds there are when `kind` is not one of the gazetteer's.
pub(crate) fn check_kind(gazetteer: &Gazetteer, kind: Option<&str>) -> Result<()> {
    let Some(kind) = kind else {
        return Ok(());
    };
    let known = gazetteer.kinds();
    if known.iter().any(|k| k == kind) {
        Ok(())
    } else {
        Err(Error::UnknownKind {
            kind: kind.to_string(),
            known,
        })
    }
}
