/*!
The index folder on disk, as both sides see it: what makes a folder an index, opening it with
our schema and analyser, the commit payload, and the gazetteer saved beside each commit.

The engine (read side) and the indexer (write side) both go through here, so they agree on what
makes an index usable; neither reaches into the other.
*/

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::entities::{Gazetteer, GazetteerSource, BUILTIN_GAZETTEER};
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
    let metas = index.load_metas().map_err(|e| Error::corrupt(path, e))?;
    Ok(payload_of(&metas))
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

/// The gazetteer the last commit was tagged with: the compiled copy if readable, else the
/// saved TOML, else (an index from before copies were saved) the built-in one. Search-time
/// alias expansion must agree with how paragraphs were tagged, whatever the corpus holds now.
pub fn saved_gazetteer(index: &Path, payload: Option<&CommitPayload>) -> Result<Gazetteer> {
    let saved = |extension: &str| {
        payload
            .map(|p| saved_gazetteer_file(index, &p.gazetteer_hash, extension))
            .filter(|file| file.is_file())
    };
    let compiled = saved("compiled")
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| Gazetteer::from_compiled(text).ok());
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
            entities: gazetteer.entities.len(),
            saved_in: Some(index.display().to_string()),
            corpus: Some(payload.map(|p| p.corpus.clone()).unwrap_or_default()),
            hash: format!("{:016x}", gazetteer.hash),
        }
    }

    pub fn unsaved(gazetteer: &Gazetteer) -> Self {
        GazetteerInfo {
            source: gazetteer.source.to_string(),
            entities: gazetteer.entities.len(),
            saved_in: None,
            corpus: None,
            hash: format!("{:016x}", gazetteer.hash),
        }
    }
}

/// Appends an xxh3 checksum of `bytes`: the side files sitrep writes beside an index are
/// read back only if intact.
pub(crate) fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let checksum = xxhash_rust::xxh3::xxh3_64(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// The bytes [`seal`] was given, if the checksum still matches.
pub(crate) fn unseal(bytes: &[u8]) -> Option<&[u8]> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    (xxhash_rust::xxh3::xxh3_64(body) == u64::from_le_bytes(checksum.try_into().ok()?))
        .then_some(body)
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
