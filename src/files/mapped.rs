//! The bytes of a side file of the index folder (a compiled gazetteer, the copy groups):
//! mapped from disk, or owned (freshly computed, or built into the binary).

use std::path::Path;

use crate::error::{Error, Result};

/// The bytes of a side file of the index folder (a compiled gazetteer, the copy groups):
/// mapped, or owned.
pub enum FileBytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Owned(bytes) => bytes,
        }
    }
}

impl FileBytes {
    /// Maps `path`; side files are written once under a new name and never changed in place,
    /// so the mapping cannot change under a reader.
    pub fn map(path: &Path) -> Result<FileBytes> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: see above: sitrep never writes to a published side file, and writes new
        // ones under a temporary name first.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        Ok(FileBytes::Mapped(map))
    }
}
