/*!
Named entities: the gazetteer (`entities.toml`), the matcher that tags text with it, and the
name candidates that the gazetteer does not cover yet.

- `entity`: the entity types ([`Entity`], [`EntityRef`], [`EntityMatch`]);
- `gazetteer`: loading `entities.toml` and checking it (kinds, parents, clashing aliases),
  with `places` merging the built-in GeoNames places;
- `compiled`: the line format saved with the index, so a search does not parse TOML;
- `aliases`: looking an entity up by a normalised alias;
- `matcher`: exact aliases in one aho-corasick pass (leftmost-longest, word boundaries) and
  spelling variants of multi-word names ("Qassem Soliemani"), on normalised text with
  offsets mapped back to the original bytes; `translit` the transliteration normal form;
- `mentions`: the gazetteer's mention-finding API, with `article` binding the short names and
  acronyms one article sets up, and `unlisted` the learned `tagger`'s names no entry holds;
- `candidates`: capitalised names that no entry covers; `titles`: words before a name.

This file holds the [`Gazetteer`] itself: its entities, lookups and facets.

This module knows nothing about tantivy beyond the facet path string each entity is stored under.
*/

use std::path::PathBuf;

use crate::analysis::normalize_name;

mod aliases;
mod article;
mod candidates;
mod compiled;
mod entity;
mod gazetteer;
mod matcher;
mod mentions;
mod places;
pub mod tagger;
#[cfg(test)]
mod tests;
mod titles;
mod translit;
mod unlisted;

use aliases::sorted_words_contain;
pub(crate) use aliases::{AliasIndex, AliasLookup};
pub use entity::{Entity, EntityMatch, EntityRef, Origin};
pub use gazetteer::GazetteerSpec;
pub use matcher::MentionFinder;
use matcher::{Matcher, MatcherUse};
pub use tagger::Tagger;
use titles::TITLES;
use translit::{NameForm, Transliterations};

/// The repository's own gazetteer, so any folder of articles gets the field's names tagged.
pub const BUILTIN_GAZETTEER: &str = include_str!("../../corpus/entities.toml");

/// The learned tagger trained on CoNLL-2003 (`sitrep train-tagger` rebuilds it), embedded in
/// the binary and loaded on first use (about 4 ms).
pub fn builtin_tagger() -> &'static Tagger {
    static TAGGER: std::sync::OnceLock<Tagger> = std::sync::OnceLock::new();
    TAGGER.get_or_init(|| {
        Tagger::from_bytes(include_bytes!("tagger/tagger.bin"))
            .expect("the embedded tagger model was checked when it was trained")
    })
}

/// The branch of each kind's facet tree that holds names no gazetteer entry covers.
pub const UNLISTED: &str = "unlisted";
/// The kinds the learned tagger files unlisted names under.
pub const UNLISTED_KINDS: [&str; 3] = ["person", "org", "place"];

const BUILTIN_LABEL: &str = "built-in (corpus/entities.toml of sitrep)";

/// Where the gazetteer in use came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GazetteerSource {
    File(PathBuf),
    BuiltIn,
}

impl std::fmt::Display for GazetteerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GazetteerSource::File(path) => write!(f, "{}", path.display()),
            GazetteerSource::BuiltIn => write!(f, "{BUILTIN_LABEL}"),
        }
    }
}

pub struct Gazetteer {
    entities: EntityTable,
    /// Entities `0..hand` are the hand-written ones; generated places follow.
    hand: usize,
    kinds: Vec<String>,
    pub source: GazetteerSource,
    /// Hash of the TOML text (and places); stored in the index so a change triggers re-tagging.
    pub hash: u64,
    /// The TOML it was parsed from (empty when loaded from the compiled form).
    pub toml: String,
    lookup: AliasLookup,
    /// Built on first use: a search that tags nothing (most of them) should not pay for
    /// compiling the automaton of every alias at process start.
    matcher: std::sync::OnceLock<Matcher>,
    /// Built on the first lookup that no alias answers.
    transliterations: std::sync::OnceLock<Transliterations>,
    /// First-word keys of the transliteration table, saved in the compiled form: a query word
    /// that starts no name ("tanker") is answered without building the table.
    first_keys: Option<String>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("source", &self.source)
            .field("entities", &self.len())
            .finish()
    }
}

/// The entities of a gazetteer: all in memory when parsed from TOML; from the compiled form,
/// each parsed when first asked for.
pub(crate) enum EntityTable {
    Loaded(Vec<Entity>),
    Compiled {
        hand: compiled::LazyEntities,
        generated: Option<compiled::LazyEntities>,
    },
}

impl Gazetteer {
    fn assemble(
        entities: EntityTable,
        source: GazetteerSource,
        hash: u64,
        toml: String,
        lookup: AliasLookup,
    ) -> Gazetteer {
        let (hand, kinds) = match &entities {
            EntityTable::Loaded(all) => {
                let hand = all.iter().take_while(|e| !e.is_generated()).count();
                let mut kinds: Vec<String> = all.iter().map(|e| e.kind.clone()).collect();
                kinds.sort();
                kinds.dedup();
                (hand, kinds)
            }
            // The compiled header carries the kinds.
            EntityTable::Compiled { hand, .. } => (hand.len(), Vec::new()),
        };
        Gazetteer {
            entities,
            hand,
            kinds,
            source,
            hash,
            toml,
            lookup,
            matcher: std::sync::OnceLock::new(),
            transliterations: std::sync::OnceLock::new(),
            first_keys: None,
        }
    }

    /// How many entities, generated places included.
    pub fn len(&self) -> usize {
        match &self.entities {
            EntityTable::Loaded(all) => all.len(),
            EntityTable::Compiled { hand, generated } => {
                hand.len() + generated.as_ref().map_or(0, |g| g.len())
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn entity(&self, id: usize) -> &Entity {
        match &self.entities {
            EntityTable::Loaded(all) => &all[id],
            EntityTable::Compiled { hand, generated } if id >= hand.len() => generated
                .as_ref()
                .expect("entity ids come from this gazetteer")
                .get(id),
            EntityTable::Compiled { hand, .. } => hand.get(id),
        }
    }

    /// Every entity with its id (parses every generated place of a compiled gazetteer).
    pub fn entities(&self) -> impl Iterator<Item = (usize, &Entity)> {
        (0..self.len()).map(|id| (id, self.entity(id)))
    }

    /// The hand-written entities: people and organisations are only ever among these.
    fn hand_entities(&self) -> impl Iterator<Item = (usize, &Entity)> {
        (0..self.hand).map(|id| (id, self.entity(id)))
    }

    fn matcher(&self) -> &Matcher {
        self.matcher
            .get_or_init(|| Matcher::build(self.entities(), MatcherUse::Tagging))
    }

    /// Finds the entity a name or alias refers to, ignoring case, apostrophes and hyphens.
    pub fn lookup(&self, name: &str) -> Option<&Entity> {
        self.lookup_id(name).map(|id| self.entity(id))
    }

    /// The entity `name` spells: an alias, or a transliteration of a multi-word person or
    /// organisation name that agrees with exactly one entity's ("Qasim Sulaymani").
    pub fn lookup_id(&self, name: &str) -> Option<usize> {
        let normalized = normalize_name(name);
        self.lookup.get(&normalized).or_else(|| {
            let form = NameForm::of(&normalized)?;
            if let Some(keys) = &self.first_keys {
                if !sorted_words_contain(keys, form.first_key()) {
                    return None;
                }
            }
            self.transliterations().resolve(&form)
        })
    }

    fn transliterations(&self) -> &Transliterations {
        self.transliterations
            .get_or_init(|| Transliterations::build(self.hand_entities()))
    }

    /// Pairs of entities with names that agree in transliteration: a spelling that fits both
    /// names neither, so each pair must be known and accepted (see the tests).
    pub fn transliteration_collisions(&self) -> Vec<(usize, usize)> {
        Transliterations::build(self.hand_entities()).collisions()
    }

    /// The canonical names closest to `name` (of `kind` when given), best first.
    pub fn suggest(&self, name: &str, kind: Option<&str>) -> Vec<String> {
        let wanted = normalize_name(name);
        let mut scored: Vec<(f64, usize)> = self
            .lookup
            .iter()
            .filter(|&(_, id)| kind.is_none_or(|k| self.entity(id).kind == k))
            .map(|(alias, id)| {
                let mut score = strsim::jaro_winkler(&wanted, alias);
                // A part of a name typed ("sadr") is a good sign; a short alias inside what
                // was typed ("Soli" in "Soliemani") is not.
                let alias_inside = wanted.contains(alias) && alias.chars().count() >= 5;
                if alias.contains(&wanted) || alias_inside {
                    score += 0.2;
                }
                (score, id)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut names = Vec::new();
        for (_, id) in scored {
            let name = &self.entity(id).name;
            if !names.contains(name) {
                names.push(name.clone());
            }
            if names.len() == 3 {
                break;
            }
        }
        names
    }

    pub fn kind_of<'a>(&'a self, entity: &'a EntityRef) -> &'a str {
        match entity {
            EntityRef::Listed(id) => &self.entity(*id).kind,
            EntityRef::Unlisted { kind, .. } => kind,
        }
    }

    pub fn name_of<'a>(&'a self, entity: &'a EntityRef) -> &'a str {
        match entity {
            EntityRef::Listed(id) => &self.entity(*id).name,
            EntityRef::Unlisted { name, .. } => name,
        }
    }

    /// The facet path an entity is indexed under.
    pub fn facet_of(&self, entity: &EntityRef) -> String {
        match entity {
            EntityRef::Listed(id) => self.entity(*id).facet.clone(),
            EntityRef::Unlisted { kind, name } => format!("/{kind}/{UNLISTED}/{name}"),
        }
    }
    pub fn by_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Entity> {
        self.entities()
            .map(|(_, e)| e)
            .filter(move |e| e.kind == kind)
    }

    pub fn kinds(&self) -> Vec<String> {
        self.kinds.clone()
    }
}
