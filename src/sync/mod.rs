/*!
Syncing a corpus folder into a store, the parts every store shares: how far a sync has come
([`Progress`]), what it did ([`SyncReport`]), when it must re-index everything
([`full_sync_reason`]), the one hash that names how paragraphs were tagged
([`tagging_hash`]), and the chunked read and parse of the files it looks at ([`chunks`]).
Each store plans its own diff and writes its own way (`local::indexer`, `remote`); paragraphs
are built for both by [`crate::paragraph::build_article`].
*/

use std::fmt::Display;
use std::time::Duration;

use crate::corpus::Warning;
use crate::schema::SCHEMA_VERSION;

pub mod chunks;

/// How far a sync has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Files read and hashed.
    Reading { files: u64, total_files: u64 },
    /// Bytes of changed files parsed, tagged and handed to the writer.
    Indexing { bytes: u64, total_bytes: u64 },
    /// Committing and merging segments.
    Committing,
}

#[derive(Debug, Default)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Articles or files left out because of bad input (see `warnings`).
    pub skipped: usize,
    pub paragraphs_written: usize,
    pub bytes_parsed: u64,
    pub elapsed: Duration,
    /// Why everything was re-indexed, when it was.
    pub full_reason: Option<String>,
    pub warnings: Vec<Warning>,
    /// The sync number of the commit made, when one was.
    pub committed: Option<u64>,
}

impl SyncReport {
    pub fn megabytes_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64().max(1e-6);
        self.bytes_parsed as f64 / 1e6 / secs
    }
}
/// Marks, in a sync's tagging hash, an index tagged with the learned tagger too.
pub const UNLISTED_SUFFIX: &str = "+unlisted";

/// The tagging set-up as one hash: a change of gazetteer, or turning the learned tagger on or
/// off, changes it, and a sync that sees it changed re-tags every paragraph.
pub fn tagging_hash(gazetteer_hash: u64, tag_entities: bool, unlisted: bool) -> String {
    if !tag_entities {
        "none".to_string()
    } else if unlisted {
        format!("{gazetteer_hash:016x}{UNLISTED_SUFFIX}")
    } else {
        format!("{gazetteer_hash:016x}")
    }
}

/// Whether the last sync tagged names no gazetteer entry holds (`index --unlisted`), which
/// later syncs keep doing unless told otherwise.
pub fn tagged_unlisted(last_tagging_hash: &str) -> bool {
    last_tagging_hash.ends_with(UNLISTED_SUFFIX)
}

/// What the last sync into a store recorded, as far as re-indexing goes.
pub struct LastSync<'a> {
    pub schema_version: u32,
    pub tagging_hash: &'a str,
}

/// Why this sync must re-index every article, if it must: asked to, a new schema, or paragraphs
/// tagged another way (`gazetteer` names the gazetteer now in use).
pub fn full_sync_reason(
    rebuild: bool,
    last: Option<LastSync>,
    tagging_hash: &str,
    gazetteer: &dyn Display,
) -> Option<String> {
    if rebuild {
        return Some("a rebuild was asked for".to_string());
    }
    let last = last?;
    if last.schema_version != SCHEMA_VERSION {
        return Some(format!(
            "the index schema changed (version {} → {SCHEMA_VERSION})",
            last.schema_version
        ));
    }
    if last.tagging_hash == tagging_hash {
        return None;
    }
    let plain = |hash: &str| hash.trim_end_matches(UNLISTED_SUFFIX).to_string();
    if plain(last.tagging_hash) == plain(tagging_hash) {
        let turned = if tagged_unlisted(tagging_hash) {
            "on"
        } else {
            "off"
        };
        return Some(format!(
            "tagging of unlisted names was turned {turned}, so every paragraph is re-tagged"
        ));
    }
    Some(format!(
        "the gazetteer changed ({gazetteer}), so every paragraph is re-tagged"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_sync_says_why() {
        let last = |hash| {
            Some(LastSync {
                schema_version: SCHEMA_VERSION,
                tagging_hash: hash,
            })
        };
        let hash = tagging_hash(0xab, true, false);
        let reason = |last, now: &str| full_sync_reason(false, last, now, &"entities.toml");
        assert_eq!(reason(last(&hash), &hash), None);
        assert_eq!(reason(None, &hash), None);
        assert_eq!(
            full_sync_reason(true, last(&hash), &hash, &"entities.toml").as_deref(),
            Some("a rebuild was asked for")
        );
        assert_eq!(
            reason(last(&hash), &tagging_hash(0xab, true, true)).as_deref(),
            Some("tagging of unlisted names was turned on, so every paragraph is re-tagged")
        );
        assert_eq!(
            reason(last(&hash), &tagging_hash(0xcd, true, false)).as_deref(),
            Some("the gazetteer changed (entities.toml), so every paragraph is re-tagged")
        );
        let old_schema = Some(LastSync {
            schema_version: SCHEMA_VERSION - 1,
            tagging_hash: &hash,
        });
        assert_eq!(
            reason(old_schema, &hash),
            Some(format!(
                "the index schema changed (version {} → {SCHEMA_VERSION})",
                SCHEMA_VERSION - 1
            ))
        );
    }
}
