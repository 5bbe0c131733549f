//! The gazetteer a commit saved beside the index (TOML and compiled), read back. Search-time
//! alias expansion must agree with how paragraphs were tagged, whatever the corpus holds now.

use std::path::Path;

use super::{saved_gazetteer_file, CommitPayload};
use crate::entities::{Gazetteer, GazetteerSource, BUILTIN_GAZETTEER};
use crate::error::Result;

/// The compiled gazetteer saved under `hash`, if there is one this build reads (with its
/// TOML copy beside it, which a sync that rewrites the compiled file needs).
pub fn saved_compiled_gazetteer(index: &Path, hash: &str) -> Option<Gazetteer> {
    if !saved_gazetteer_file(index, hash, "toml").is_file() {
        return None;
    }
    compiled(index, hash)
}

/// The gazetteer the last commit was tagged with: the compiled copy if readable, else the
/// saved TOML, else (an index from before copies were saved) the built-in one.
pub fn saved_gazetteer(index: &Path, payload: Option<&CommitPayload>) -> Result<Gazetteer> {
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

/// The compiled gazetteer saved under `hash`, if this build reads it.
fn compiled(index: &Path, hash: &str) -> Option<Gazetteer> {
    Gazetteer::map_compiled(&saved_gazetteer_file(index, hash, "compiled"))
}
