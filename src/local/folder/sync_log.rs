//! The sync log: one JSON line per commit (its sync number, when, and what changed), kept
//! beside the index and never removed by a rebuild. Sync numbers come from it and the commit
//! payload, so they keep growing; `sitrep new --since DATE` finds the first sync after a date
//! in it.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::files::SYNC_LOG;
use crate::error::Result;

/// One commit, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEntry {
    pub sync: u64,
    /// RFC 3339, UTC.
    pub at: String,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    /// Every article was re-indexed (first build, rebuild, re-tag).
    pub full: bool,
}

/// The commits the log records, oldest first; lines that do not parse (a write cut short) are
/// skipped.
pub fn read_sync_log(index: &Path) -> Vec<SyncEntry> {
    std::fs::read_to_string(index.join(SYNC_LOG))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// Appends one commit to the log.
pub fn append_sync_log(index: &Path, entry: &SyncEntry) -> Result<()> {
    let path = index.join(SYNC_LOG);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    let line = serde_json::to_string(entry).expect("a log entry serialises") + "\n";
    file.write_all(line.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The number the next commit gets: one more than the highest the log or the last commit's
/// payload knows.
pub fn next_sync_number(index: &Path, last_commit: Option<u64>) -> u64 {
    let logged = read_sync_log(index).iter().map(|e| e.sync).max();
    logged.max(last_commit).unwrap_or(0) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_appends_and_numbers_keep_growing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(next_sync_number(dir.path(), None), 1);
        let entry = |sync| SyncEntry {
            sync,
            at: "2026-12-03T08:00:00Z".into(),
            added: 2,
            updated: 0,
            removed: 0,
            full: sync == 1,
        };
        append_sync_log(dir.path(), &entry(1)).unwrap();
        append_sync_log(dir.path(), &entry(2)).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(SYNC_LOG))
            .unwrap()
            .write_all(b"{\"sync\": 3, \"at\"")
            .unwrap();
        assert_eq!(read_sync_log(dir.path()), [entry(1), entry(2)]);
        assert_eq!(next_sync_number(dir.path(), Some(1)), 3);
        assert_eq!(next_sync_number(dir.path(), Some(7)), 8);
    }
}
