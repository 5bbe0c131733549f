//! The watcher's lock: `sitrep index --watch` holds it for as long as it runs, so another
//! sync of the same index is refused with a message that names the watcher, instead of
//! racing it for tantivy's writer lock between two of its syncs.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::files::WATCH_LOCK;
use crate::error::{Error, Result};

/// Held while a watcher runs; released when dropped (or when the process dies, as an flock
/// is).
#[derive(Debug)]
pub struct WatchLock {
    _file: File,
    path: PathBuf,
}

impl WatchLock {
    /// Takes the lock of the index folder `index`, or says that another watcher has it.
    pub fn acquire(index: &Path) -> Result<WatchLock> {
        std::fs::create_dir_all(index)
            .with_context(|| format!("creating index folder {}", index.display()))?;
        let path = index.join(WATCH_LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(WatchLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Watched {
                path: index.to_path_buf(),
            }),
            Err(std::fs::TryLockError::Error(err)) => Err(anyhow::Error::new(err)
                .context(format!("locking {}", path.display()))
                .into()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Whether a watcher holds the lock of `index` now.
pub fn is_watched(index: &Path) -> bool {
    let Ok(file) = File::options().write(true).open(index.join(WATCH_LOCK)) else {
        return false;
    };
    matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_watcher_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_watched(dir.path()));
        let lock = WatchLock::acquire(dir.path()).unwrap();
        assert!(is_watched(dir.path()));
        let second = WatchLock::acquire(dir.path()).unwrap_err();
        assert!(matches!(second, Error::Watched { .. }), "{second}");
        drop(lock);
        assert!(!is_watched(dir.path()));
        WatchLock::acquire(dir.path()).unwrap();
    }
}
