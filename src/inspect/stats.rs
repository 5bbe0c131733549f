//! How big the index is and when it was last synced (`sitrep stats`).

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    pub index: String,
    pub corpus: Option<String>,
    pub articles: u64,
    pub paragraphs: u64,
    pub distinct_terms: u64,
    pub size_bytes: u64,
    pub segments: usize,
    pub last_sync: Option<String>,
    /// The number of the last sync (`sitrep new --since-sync N` counts from these).
    pub last_sync_number: u64,
    pub gazetteer_entities: usize,
}
