//! The gazetteer a commit saved beside the index (TOML and compiled), read back. Search-time
//! alias expansion must agree with how paragraphs were tagged, whatever the corpus holds now.

use std::path::Path;
use std::sync::Arc;

use super::{Gazetteer, GazetteerSource, BUILTIN_GAZETTEER};
use crate::error::Result;
use crate::store::{saved_gazetteer_file, CommitPayload, FileBytes};

impl Gazetteer {
    /// The compiled gazetteer in `file`, mapped, if there is one this build reads.
    pub fn map_compiled(file: &Path) -> Option<Gazetteer> {
        let data = FileBytes::map(file).ok()?;
        Gazetteer::from_compiled_data(Arc::new(data)).ok()
    }

    /// The compiled gazetteer saved under `hash`, if there is one this build reads (with its
    /// TOML copy beside it, which a sync that rewrites the compiled file needs).
    pub fn saved_compiled(index: &Path, hash: &str) -> Option<Gazetteer> {
        if !saved_gazetteer_file(index, hash, "toml").is_file() {
            return None;
        }
        compiled(index, hash)
    }

    /// The gazetteer the last commit was tagged with: the compiled copy if readable, else the
    /// saved TOML, else (an index from before copies were saved) the built-in one.
    pub fn saved(index: &Path, payload: Option<&CommitPayload>) -> Result<Gazetteer> {
        let Some(hash) = payload.map(|p| p.gazetteer_hash.as_str()) else {
            return Gazetteer::parse(BUILTIN_GAZETTEER, GazetteerSource::BuiltIn);
        };
        if let Some(gazetteer) = compiled(index, hash) {
            return Ok(gazetteer);
        }
        let toml = saved_gazetteer_file(index, hash, "toml");
        if toml.is_file() {
            return Gazetteer::from_file(&toml);
        }
        Gazetteer::parse(BUILTIN_GAZETTEER, GazetteerSource::BuiltIn)
    }
}

/// The compiled gazetteer saved under `hash`, if this build reads it.
fn compiled(index: &Path, hash: &str) -> Option<Gazetteer> {
    Gazetteer::map_compiled(&saved_gazetteer_file(index, hash, "compiled"))
}
