//! The name of every file sitrep or tantivy writes in an index folder. Nothing else in the
//! crate spells a file name: a `--rebuild` that removes "what is ours" and a sync that
//! removes stale side files both go by this list.

use std::path::{Path, PathBuf};

/// Written by tantivy; its presence is what makes a folder an index.
pub const META_FILE: &str = "meta.json";
/// tantivy's list of the files it manages.
const MANAGED_FILE: &str = ".managed.json";
/// Written by tantivy while a writer holds an index.
pub const LOCK_FILE: &str = ".tantivy-writer.lock";
/// What the last sync saw of every corpus file.
pub const FILE_CACHE: &str = "sitrep-files.bin";
/// The JSON file cache of earlier builds; removed when the binary one is written.
pub const OLD_FILE_CACHE: &str = "sitrep-files.json";
/// Each commit saves the gazetteer it tagged with as `sitrep-gazetteer-<hash>.{toml,compiled}`.
pub const GAZETTEER_PREFIX: &str = "sitrep-gazetteer-";
/// One line per commit: its sync number, time and counts. Not an index file: it outlives a
/// rebuild, so sync numbers keep growing and `sitrep new --since DATE` keeps its history.
pub const SYNC_LOG: &str = "sitrep-syncs.jsonl";
/// Held by `sitrep index --watch` while it runs.
pub const WATCH_LOCK: &str = "sitrep-watch.lock";
/// The user's saved searches, and where `sitrep new` last left off. Outlives a rebuild.
pub const SAVED_SEARCHES: &str = "saved.toml";
/// Copy groups, one file per set of segments: `sitrep-copies-v<format>-<key>.bin`.
pub const COPIES_PREFIX: &str = "sitrep-copies-";

/// The gazetteer saved under `hash`, as `toml` or `compiled`.
pub fn saved_gazetteer_file(index: &Path, hash: &str, extension: &str) -> PathBuf {
    index.join(format!("{GAZETTEER_PREFIX}{hash}.{extension}"))
}

/// The copy groups of one set of segments in one state, named by `key` (a hash of the
/// segments' ids and deletion counts). The format is in the name, so an index saved by an
/// older build gets a file it can read at its next sync.
pub fn copies_file(index: &Path, format: u32, key: u64) -> PathBuf {
    index.join(format!("{COPIES_PREFIX}v{format}-{key:016x}.bin"))
}

/// Whether tantivy or sitrep wrote this file of an index folder. Matched by name, not by
/// extension, so other files (a `.gitignore`, the user's own notes) are never taken for ours.
pub fn is_index_file(name: &str) -> bool {
    name == META_FILE
        || name == MANAGED_FILE
        || name == FILE_CACHE
        || name == OLD_FILE_CACHE
        || name.starts_with(GAZETTEER_PREFIX)
        || name.starts_with(COPIES_PREFIX)
        || is_segment_file(name)
}

/// tantivy names every segment file after its segment id, 32 hex digits: `<id>.idx`,
/// `<id>.store.temp`, `<id>.7.del`.
fn is_segment_file(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_tantivy_and_sitrep_write_is_ours() {
        for ours in [
            "meta.json",
            ".managed.json",
            "sitrep-files.bin",
            "sitrep-gazetteer-00ab.toml",
            "sitrep-copies-v2-00ff.bin",
            "0123456789abcdef0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef.7.del",
        ] {
            assert!(is_index_file(ours), "{ours}");
        }
        for theirs in [
            ".gitignore",
            "notes.md",
            "0123.idx",
            "meta.json.bak",
            "saved.toml",
            "sitrep-syncs.jsonl",
            "sitrep-watch.lock",
        ] {
            assert!(!is_index_file(theirs), "{theirs}");
        }
    }
}
