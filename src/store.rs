/*!
The index folder on disk, as both sides see it: what makes a folder an index, opening it with
our schema and analyser, the commit payload, and the gazetteer saved beside each commit.

The engine (read side) and the indexer (write side) both go through here, so they agree on what
makes an index usable; neither reaches into the other.
*/

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::entities::{Data, Gazetteer, GazetteerSource, BUILTIN_GAZETTEER};
use crate::error::{Error, Result};
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// Written by tantivy; its presence is what makes a folder an index.
pub const META_FILE: &str = "meta.json";
/// Each commit saves the gazetteer it tagged with as `sitrep-gazetteer-<hash>.{toml,compiled}`.
pub const GAZETTEER_PREFIX: &str = "sitrep-gazetteer-";

/// What the last commit says about the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitPayload {
    pub schema_version: u32,
    /// Hex hash of the gazetteer used for tagging, or "none" when tagging was off.
    pub gazetteer_hash: String,
    pub corpus: String,
    pub synced_at: String,
}

pub fn index_exists(path: &Path) -> bool {
    path.join(META_FILE).is_file()
}

pub fn check_index_path(path: &Path) -> Result<()> {
    if path.is_file() {
        return Err(Error::NotAFolder(path.to_path_buf()));
    }
    Ok(())
}

/// Opens an existing index and checks that its schema is this build's.
pub fn open_tantivy(path: &Path) -> Result<(Index, Fields)> {
    check_index_path(path)?;
    if !index_exists(path) {
        return Err(Error::IndexMissing(path.to_path_buf()));
    }
    let index = Index::open_in_dir(path).map_err(|e| match e {
        tantivy::TantivyError::SchemaError(detail) => Error::Incompatible {
            path: path.to_path_buf(),
            detail,
        },
        other => Error::corrupt(path, other),
    })?;
    let fields = schema::fields_of(&index.schema()).map_err(|e| Error::Incompatible {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    if index.schema() != schema::build_schema().0 {
        return Err(Error::Incompatible {
            path: path.to_path_buf(),
            detail: "its fields differ from this build's".to_string(),
        });
    }
    schema::register_tokenizer(&index);
    Ok((index, fields))
}

pub fn read_payload(index: &Index, path: &Path) -> Result<Option<CommitPayload>> {
    Ok(payload_of(&load_metas(index, path)?))
}

/// What `meta.json` says of the last commit: segments, opstamp, payload.
pub fn load_metas(index: &Index, path: &Path) -> Result<tantivy::IndexMeta> {
    index.load_metas().map_err(|e| Error::corrupt(path, e))
}

/// A searcher that stays on the last commit, for work done against one commit.
pub fn committed_searcher(index: &Index, path: &Path) -> Result<tantivy::Searcher> {
    index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map(|reader: tantivy::IndexReader| reader.searcher())
        .map_err(|e| Error::corrupt(path, e))
}

/// Writes a file beside the index so that readers see the old bytes or the new, never a
/// part. The temporary name is per process: a sync that found nothing to do runs without the
/// writer lock.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Removes the side files named `prefix…` that `keep` does not want (an older commit's).
pub fn remove_stale(index: &Path, prefix: &str, keep: impl Fn(&str) -> bool) {
    if let Ok(entries) = std::fs::read_dir(index) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) && !keep(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

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

pub fn saved_gazetteer_file(index: &Path, hash: &str, extension: &str) -> PathBuf {
    index.join(format!("{GAZETTEER_PREFIX}{hash}.{extension}"))
}

/// The compiled gazetteer saved under `hash`, if there is one this build reads (with its TOML
/// copy beside it).
pub fn saved_gazetteer_file_current(index: &Path, hash: &str) -> Option<Gazetteer> {
    if !saved_gazetteer_file(index, hash, "toml").is_file() {
        return None;
    }
    compiled_gazetteer(index, hash)
}

/// The compiled gazetteer saved under `hash`, if this build reads it.
fn compiled_gazetteer(index: &Path, hash: &str) -> Option<Gazetteer> {
    let data = Data::map(&saved_gazetteer_file(index, hash, "compiled")).ok()?;
    Gazetteer::from_compiled_data(std::sync::Arc::new(data)).ok()
}

/// The gazetteer the last commit was tagged with: the compiled copy if readable, else the
/// saved TOML, else (an index from before copies were saved) the built-in one. Search-time
/// alias expansion must agree with how paragraphs were tagged, whatever the corpus holds now.
pub fn saved_gazetteer(index: &Path, payload: Option<&CommitPayload>) -> Result<Gazetteer> {
    let saved = |extension: &str| {
        payload
            .map(|p| saved_gazetteer_file(index, &p.gazetteer_hash, extension))
            .filter(|file| file.is_file())
    };
    let compiled = payload.and_then(|p| compiled_gazetteer(index, &p.gazetteer_hash));
    Ok(match (compiled, saved("toml")) {
        (Some(gazetteer), _) => gazetteer,
        (None, Some(file)) => Gazetteer::from_file(&file)?,
        (None, None) => Gazetteer::parse(BUILTIN_GAZETTEER, GazetteerSource::BuiltIn)?,
    })
}

/// Total bytes of the files in an index folder.
pub fn folder_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Which gazetteer is in use, for `sitrep entities --gazetteer`.
#[derive(Debug, Clone, Serialize)]
pub struct GazetteerInfo {
    /// The file it was read from, or the built-in label.
    pub source: String,
    pub entities: usize,
    /// The index folder holding the copy searches use, when there is an index.
    pub saved_in: Option<String>,
    /// The corpus folder that was indexed with it.
    pub corpus: Option<String>,
    pub hash: String,
}

impl GazetteerInfo {
    pub fn saved(gazetteer: &Gazetteer, index: &Path, payload: Option<&CommitPayload>) -> Self {
        GazetteerInfo {
            source: gazetteer.source.to_string(),
            entities: gazetteer.len(),
            saved_in: Some(index.display().to_string()),
            corpus: Some(payload.map(|p| p.corpus.clone()).unwrap_or_default()),
            hash: format!("{:016x}", gazetteer.hash),
        }
    }

    pub fn unsaved(gazetteer: &Gazetteer) -> Self {
        GazetteerInfo {
            source: gazetteer.source.to_string(),
            entities: gazetteer.len(),
            saved_in: None,
            corpus: None,
            hash: format!("{:016x}", gazetteer.hash),
        }
    }
}

/// The start of a binary side file written beside the index: its magic and format version.
/// The body follows, then [`seal`].
pub(crate) fn side_file(magic: &[u8; 4], format: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(magic);
    out.extend_from_slice(&format.to_le_bytes());
    out
}

/// Appends an xxh3 checksum of `bytes`: side files are read back only if intact.
pub(crate) fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let checksum = xxhash_rust::xxh3::xxh3_64(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// The body of a side file, if its checksum matches and it has this magic and format.
pub(crate) fn unseal<'a>(bytes: &'a [u8], magic: &[u8; 4], format: u32) -> Option<ByteReader<'a>> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(checksum.try_into().ok()?) {
        return None;
    }
    let mut reader = ByteReader(body);
    (reader.take(4)? == magic && reader.u32()? == format).then_some(reader)
}

/// Little-endian fields read off the front of a byte slice.
pub(crate) struct ByteReader<'a>(pub &'a [u8]);

impl<'a> ByteReader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}
