//! Our cache of file hashes: lets a no-change sync skip parsing. Only an optimisation (the
//! article hashes in the index are the truth), so a stale or missing cache is harmless.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::writer::write_atomically;
use crate::error::Result;

pub const FILE_CACHE: &str = "sitrep-files.json";

/// What the file cache remembers of a file that was indexed cleanly.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedFile {
    pub hash: u64,
    pub articles: usize,
}

pub fn load_file_cache(index: &Path) -> HashMap<String, CachedFile> {
    std::fs::read(index.join(FILE_CACHE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

pub fn save_file_cache(index: &Path, cache: &HashMap<String, CachedFile>) -> Result<()> {
    let bytes = serde_json::to_vec(cache).map_err(anyhow::Error::from)?;
    write_atomically(&index.join(FILE_CACHE), &bytes)
}
