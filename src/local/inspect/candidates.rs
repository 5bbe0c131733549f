//! Names the gazetteer does not cover, for the user to add (`sitrep entities --candidates`).

use std::collections::{HashMap, HashSet};

use tantivy::query::AllQuery;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::entities::UNLISTED;
use crate::error::Result;
use crate::inspect::Candidate;
use crate::local::snapshot::{FacetCounts, Snapshot};
use crate::schema::names;

/// Names the gazetteer does not cover, most frequent first: those the learned tagger indexed
/// (`index --unlisted`), else capitalised word sequences read from the stored paragraphs.
pub fn name_candidates(snapshot: &Snapshot, limit: usize) -> Result<Vec<Candidate>> {
    let counts = snapshot
        .searcher()
        .search(&AllQuery, &FacetCounts { articles: false })?;
    let mut candidates: Vec<Candidate> = counts
        .into_iter()
        .filter_map(|(path, (paragraphs, _))| {
            let parts: Vec<&str> = path.trim_start_matches('/').splitn(3, '/').collect();
            match parts[..] {
                [kind, UNLISTED, name] => Some(Candidate {
                    name: name.to_string(),
                    kind: Some(kind.to_string()),
                    count: paragraphs,
                }),
                _ => None,
            }
        })
        .collect();
    if candidates.is_empty() {
        return capitalised_candidates(snapshot, limit);
    }
    candidates.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    candidates.truncate(limit);
    Ok(candidates)
}

/// Capitalised names in the indexed paragraphs that the gazetteer does not cover. Identical
/// paragraphs are read once, so a repeated teaser does not inflate its names.
fn capitalised_candidates(snapshot: &Snapshot, limit: usize) -> Result<Vec<Candidate>> {
    let searcher = snapshot.searcher();
    let mut seen_texts = HashSet::new();
    let mut counts: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(64)?;
        let hashes = segment.fast_fields().u64(names::TEXT_HASH)?;
        for doc in segment.doc_ids_alive() {
            if !seen_texts.insert(hashes.first(doc).unwrap_or(0)) {
                continue;
            }
            let stored: TantivyDocument = store.get(doc)?;
            let Some(text) = stored
                .get_first(snapshot.fields().stored_text)
                .and_then(|v| v.as_str())
            else {
                continue;
            };
            let mut in_paragraph = HashSet::new();
            for name in snapshot.gazetteer().name_candidates(text) {
                if in_paragraph.insert(name.clone()) {
                    *counts.entry(name).or_default() += 1;
                }
            }
        }
    }
    let mut candidates: Vec<Candidate> = counts
        .into_iter()
        .map(|(name, count)| Candidate {
            name,
            kind: None,
            count,
        })
        .collect();
    candidates.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    candidates.truncate(limit);
    Ok(candidates)
}
