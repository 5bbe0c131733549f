/*!
Loading `entities.toml` and checking it: kinds, names, parents and aliases that two
entities both claim are errors that name the line or the entities involved.
*/

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use xxhash_rust::xxh3::xxh3_64;

use super::places::{self, BUILTIN_PLACES, GEONAMES};
use super::{
    AliasIndex, AliasLookup, Entity, EntityTable, Gazetteer, GazetteerSource, Origin,
    BUILTIN_GAZETTEER,
};
use crate::analysis::normalize_name;
use crate::error::{Error, Result};

/// A gazetteer file: `places = "geonames"` at the top merges the built-in places; every other
/// top-level key is a kind holding an array of entries.
#[derive(Debug, Deserialize)]
struct RawGazetteer {
    #[serde(default)]
    places: Option<String>,
    #[serde(flatten)]
    kinds: BTreeMap<String, Vec<RawEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    /// Aliases that are also ordinary words: matched only where written capitalised.
    #[serde(default)]
    capitalised: Vec<String>,
}

/// A gazetteer file read and checked as TOML but not yet built. Its hash decides whether
/// anything must be re-tagged, and building it (normalising tens of thousands of place
/// aliases) costs more than a sync that has nothing to do.
pub struct GazetteerSpec {
    pub source: GazetteerSource,
    pub hash: u64,
    toml: String,
}

impl GazetteerSpec {
    /// `--entities FILE`, else `entities.toml` in the corpus folder, else the built-in one.
    pub fn resolve(explicit: Option<&Path>, corpus: &Path) -> Result<GazetteerSpec> {
        let in_corpus = corpus.join("entities.toml");
        let (toml, source) = match explicit {
            Some(path) => (
                read_gazetteer(path)?,
                GazetteerSource::File(path.to_path_buf()),
            ),
            None if in_corpus.is_file() => (
                read_gazetteer(&in_corpus)?,
                GazetteerSource::File(in_corpus),
            ),
            None => (BUILTIN_GAZETTEER.to_string(), GazetteerSource::BuiltIn),
        };
        let raw = parse_toml(&toml, &source)?;
        let places = places_of(&raw, &source)?;
        Ok(GazetteerSpec {
            hash: hash_of(&toml, places),
            source,
            toml,
        })
    }

    /// The TOML text, as saved beside the index.
    pub fn toml(&self) -> &str {
        &self.toml
    }

    pub fn build(&self) -> Result<Gazetteer> {
        Gazetteer::parse(&self.toml, self.source.clone())
    }
}

fn read_gazetteer(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A gazetteer that fails a check no line number belongs to.
fn invalid(source: &GazetteerSource, detail: String) -> Error {
    Error::Gazetteer {
        path: source.to_string(),
        line: None,
        column: None,
        detail,
    }
}

fn parse_toml(toml_text: &str, source: &GazetteerSource) -> Result<RawGazetteer> {
    toml::from_str(toml_text).map_err(|err| {
        let (line, column) = err
            .span()
            .map(|span| line_column(toml_text, span.start))
            .unzip();
        Error::Gazetteer {
            path: source.to_string(),
            line,
            column,
            detail: err.message().to_string(),
        }
    })
}

fn places_of(raw: &RawGazetteer, source: &GazetteerSource) -> Result<Option<&'static str>> {
    match raw.places.as_deref() {
        None => Ok(None),
        Some(GEONAMES) => Ok(Some(BUILTIN_PLACES)),
        Some(other) => Err(invalid(
            source,
            format!("places = '{other}' is not known; the one set of places is \"{GEONAMES}\""),
        )),
    }
}

/// The TOML's hash, and the places file's when it is merged: either changing re-tags. Saved
/// gazetteers are named after it, so it must stay the same function of the same bytes.
fn hash_of(toml_text: &str, places: Option<&str>) -> u64 {
    let hash = xxh3_64(toml_text.as_bytes());
    match places {
        Some(places) => hash ^ xxh3_64(places.as_bytes()).rotate_left(1),
        None => hash,
    }
}

impl Gazetteer {
    /// `--entities FILE`, else `entities.toml` in the corpus folder, else the built-in one.
    pub fn resolve(explicit: Option<&Path>, corpus: &Path) -> Result<Gazetteer> {
        GazetteerSpec::resolve(explicit, corpus)?.build()
    }

    pub fn from_file(path: &Path) -> Result<Gazetteer> {
        Gazetteer::parse(
            &read_gazetteer(path)?,
            GazetteerSource::File(path.to_path_buf()),
        )
    }

    pub fn parse(toml_text: &str, source: GazetteerSource) -> Result<Gazetteer> {
        let raw = parse_toml(toml_text, &source)?;
        let places = places_of(&raw, &source)?;
        let hash = hash_of(toml_text, places);
        let mut entities = Vec::new();
        let mut parents = Vec::new();
        let mut by_kind_name: HashMap<(String, String), usize> = HashMap::new();
        for (kind, entries) in raw.kinds {
            if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase()) {
                return Err(invalid(
                    &source,
                    format!("kind '{kind}' must be a lower-case word such as person, org or place"),
                ));
            }
            for entry in entries {
                let name = entry.name.trim().to_string();
                if name.is_empty() || name.contains('/') || name.contains(char::is_control) {
                    return Err(invalid(&source, format!("{kind} name '{name}' must be non-empty and contain no '/' or control characters")));
                }
                let key = (kind.clone(), name.clone());
                if by_kind_name.insert(key, entities.len()).is_some() {
                    return Err(invalid(
                        &source,
                        format!("{kind} '{name}' is defined twice"),
                    ));
                }
                parents.push(entry.parent);
                entities.push(Entity {
                    kind: kind.clone(),
                    name,
                    parent: None,
                    aliases: entry
                        .aliases
                        .iter()
                        .chain(&entry.capitalised)
                        .map(|a| a.trim().to_string())
                        .collect(),
                    facet: String::new(),
                    origin: Origin::Hand,
                    capitalised: entry
                        .capitalised
                        .iter()
                        .map(|a| a.trim().to_string())
                        .collect(),
                });
            }
        }
        for (id, parent) in parents.into_iter().enumerate() {
            if let Some(parent) = parent {
                let entity = &entities[id];
                let key = (entity.kind.clone(), parent.trim().to_string());
                let Some(&parent_id) = by_kind_name.get(&key) else {
                    return Err(invalid(
                        &source,
                        format!(
                            "{} '{}' has parent '{}', which is not a {} in the gazetteer",
                            entity.kind, entity.name, parent, entity.kind
                        ),
                    ));
                };
                entities[id].parent = Some(parent_id);
            }
        }
        for id in 0..entities.len() {
            let mut chain = vec![entities[id].name.clone()];
            let mut cursor = entities[id].parent;
            while let Some(parent) = cursor {
                if parent == id || chain.len() > entities.len() {
                    return Err(invalid(
                        &source,
                        format!(
                            "parent cycle through {} '{}'",
                            entities[id].kind, entities[id].name
                        ),
                    ));
                }
                chain.push(entities[parent].name.clone());
                cursor = entities[parent].parent;
            }
            chain.push(entities[id].kind.clone());
            chain.reverse();
            entities[id].facet = format!("/{}", chain.join("/"));
        }
        let mut lookup: FxHashMap<String, usize> = FxHashMap::default();
        for (id, entity) in entities.iter().enumerate() {
            for alias in std::iter::once(&entity.name).chain(&entity.aliases) {
                let key = normalize_name(alias);
                if key.is_empty() {
                    return Err(invalid(
                        &source,
                        format!("{} '{}' has an empty alias", entity.kind, entity.name),
                    ));
                }
                match lookup.get(&key) {
                    Some(&other) if other != id => {
                        return Err(invalid(
                            &source,
                            format!(
                                "alias '{}' is claimed by both {} '{}' and {} '{}'",
                                alias,
                                entities[other].kind,
                                entities[other].name,
                                entity.kind,
                                entity.name
                            ),
                        ))
                    }
                    _ => {
                        lookup.insert(key, id);
                    }
                }
            }
        }
        if let Some(places) = places {
            let hand = entities.len();
            places::merge(places, &mut entities, &lookup)
                .map_err(|err| invalid(&source, format!("built-in places: {err}")))?;
            for (id, entity) in entities.iter().enumerate().skip(hand) {
                for alias in entity.spellings() {
                    lookup.insert(normalize_name(alias), id);
                }
            }
        }
        Ok(Gazetteer::assemble(
            EntityTable::Loaded(entities),
            source,
            hash,
            toml_text.to_string(),
            AliasLookup::Table(AliasIndex::from_pairs(lookup)),
        ))
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
