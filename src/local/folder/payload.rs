//! The commit payload: what each commit records about the index beyond its documents.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schema::SCHEMA_VERSION;

/// What the last commit says about the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitPayload {
    pub schema_version: u32,
    /// Hex hash of the gazetteer used for tagging, or "none" when tagging was off.
    pub gazetteer_hash: String,
    pub corpus: String,
    pub synced_at: String,
    /// This commit's sync number: one more than the sync before it, across rebuilds.
    #[serde(default)]
    pub sync: u64,
}

impl CommitPayload {
    /// The payload of a commit this build makes now.
    pub fn new(gazetteer_hash: &str, corpus: &Path, sync: u64) -> CommitPayload {
        CommitPayload {
            schema_version: SCHEMA_VERSION,
            gazetteer_hash: gazetteer_hash.to_string(),
            corpus: corpus.display().to_string(),
            synced_at: now_rfc3339(),
            sync,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a payload of strings serialises")
    }
}

/// The payload of the commit `metas` describes, if it has one this build reads.
pub fn payload_of(metas: &tantivy::IndexMeta) -> Option<CommitPayload> {
    metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
}

/// A payload written by another schema version means the index cannot be searched as is.
pub fn check_payload(payload: Option<&CommitPayload>, path: &Path) -> Result<()> {
    match payload {
        Some(p) if p.schema_version != SCHEMA_VERSION => Err(Error::Incompatible {
            path: path.to_path_buf(),
            detail: format!(
                "schema version {}, this build uses {SCHEMA_VERSION}",
                p.schema_version
            ),
        }),
        _ => Ok(()),
    }
}

/// Now, in RFC 3339 to the second, UTC.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_round_trips_and_another_schema_is_incompatible() {
        let payload = CommitPayload::new("00ab", Path::new("corpus"), 3);
        let metas = tantivy::IndexMeta {
            payload: Some(payload.to_json()),
            ..tantivy::IndexMeta::with_schema(crate::schema::build_schema().0)
        };
        assert_eq!(payload_of(&metas), Some(payload.clone()));
        assert!(check_payload(Some(&payload), Path::new("index")).is_ok());
        let older = CommitPayload {
            schema_version: SCHEMA_VERSION - 1,
            ..payload
        };
        let err = check_payload(Some(&older), Path::new("index")).unwrap_err();
        assert!(matches!(err, Error::Incompatible { .. }), "{err}");
        let garbled = tantivy::IndexMeta {
            payload: Some("{".into()),
            ..metas
        };
        assert_eq!(payload_of(&garbled), None);
    }
}
