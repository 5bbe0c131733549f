/*!
The index folder on disk, as both sides see it: what makes a folder an index, opening it with
our schema and analyser, the name of every file in it, the commit payload, and the framing of
the side files saved beside each commit.

The engine (read side) and the indexer (write side) both go through here, so they agree on what
makes an index usable; neither reaches into the other. This module knows files and bytes, not
what they mean: the gazetteer and the copy groups read their own payloads from the bytes it
hands them.
*/

use std::path::Path;

use anyhow::Context;
use tantivy::Index;

use crate::error::{Error, Result};
use crate::schema::{self, Fields};

mod files;
mod payload;
mod saved_gazetteer;
mod stale;
mod sync_log;
mod watch_lock;

pub use crate::files::write_atomically;
pub use files::{
    copies_file, saved_gazetteer_file, COPIES_PREFIX, FILE_CACHE, GAZETTEER_PREFIX, LOCK_FILE,
    META_FILE, OLD_FILE_CACHE, SAVED_SEARCHES, SYNC_LOG,
};
pub use payload::{check_payload, now_rfc3339, payload_of, CommitPayload};
pub use saved_gazetteer::{saved_compiled_gazetteer, saved_gazetteer};
pub use stale::remove_stale;
pub use sync_log::{append_sync_log, next_sync_number, read_sync_log, SyncEntry};
pub use watch_lock::{is_watched, WatchLock};

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

/// Creates an empty index with this build's schema in `path` (created if missing).
pub fn create_tantivy(path: &Path) -> Result<(Index, Fields)> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("creating index folder {}", path.display()))?;
    let (schema, fields) = schema::build_schema();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::index_settings())
        .create_in_dir(path)
        .with_context(|| format!("creating an index in {}", path.display()))?;
    schema::register_tokenizer(&index);
    Ok((index, fields))
}

/// A writer-lock failure as the error that says who holds the lock.
pub fn locked(path: &Path) -> Error {
    Error::Locked {
        path: path.to_path_buf(),
        lock_file: path.join(LOCK_FILE),
    }
}

/// Removes what tantivy and sitrep wrote in an index folder (for an explicit rebuild of an
/// index this build cannot read), and nothing else.
pub fn remove_index_files(path: &Path) -> Result<()> {
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if files::is_index_file(&name) && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Removes the gazetteer copies saved by commits other than the one tagged with `keep_hash`.
pub fn remove_stale_gazetteers(index: &Path, keep_hash: &str) {
    let keep = format!("{GAZETTEER_PREFIX}{keep_hash}.");
    remove_stale(index, GAZETTEER_PREFIX, |name| name.starts_with(&keep));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_an_index_once_created_and_opens_with_this_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        assert!(!index_exists(&path));
        assert!(matches!(open_tantivy(&path), Err(Error::IndexMissing(_))));
        create_tantivy(&path).unwrap();
        assert!(index_exists(&path));
        let (index, _) = open_tantivy(&path).unwrap();
        assert_eq!(read_payload(&index, &path).unwrap(), None);
        assert!(folder_size(&path) > 0);
    }

    #[test]
    fn a_file_is_not_an_index_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("index");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(check_index_path(&file), Err(Error::NotAFolder(_))));
        assert!(matches!(open_tantivy(&file), Err(Error::NotAFolder(_))));
    }

    #[test]
    fn a_rebuild_removes_only_index_files() {
        let dir = tempfile::tempdir().unwrap();
        create_tantivy(dir.path()).unwrap();
        std::fs::write(dir.path().join(".gitignore"), "*\n").unwrap();
        std::fs::write(dir.path().join(FILE_CACHE), "x").unwrap();
        remove_index_files(dir.path()).unwrap();
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [".gitignore"]);
    }
}
