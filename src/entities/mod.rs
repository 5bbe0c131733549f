/*!
Named entities: the gazetteer (`entities.toml`), the matcher that tags text with it, and the
name candidates that the gazetteer does not cover yet.

- `gazetteer`: loading `entities.toml` and checking it (kinds, parents, clashing aliases);
- `compiled`: the line format saved with the index, so a search does not parse TOML;
- `matcher`: exact aliases in one aho-corasick pass (leftmost-longest, word boundaries) and
  spelling variants of multi-word names ("Qassem Soliemani"), on [`normalize`]d text with
  offsets mapped back to the original bytes;
- `candidates`: capitalised names that no entry covers.

This module knows nothing about tantivy beyond the facet path string each entity is stored under.
*/

use std::ops::Range;
use std::path::PathBuf;

use serde::Serialize;

use crate::analysis::{normalize, normalize_name, NormalizedText};

mod article;
mod candidates;
mod compiled;
mod gazetteer;
pub use gazetteer::GazetteerSpec;
mod matcher;
mod places;
pub mod tagger;
#[cfg(test)]
mod tests;
mod translit;
mod unlisted;

use article::{ArticleContext, Found};
use candidates::capitalised_sequences;
pub use compiled::Data;
pub use matcher::MentionFinder;
use matcher::{Matcher, MatcherUse};
pub use tagger::Tagger;
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

const BUILTIN_LABEL: &str = "built-in (corpus/entities.toml of sitrep)";

/// Words written before a name that are not part of it ("President Assad", "Mr Mittal").
const TITLES: [&str; 40] = [
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Mr.",
    "Mrs.",
    "Dr.",
    "Brigadier",
    "General",
    "Gen.",
    "Colonel",
    "Col.",
    "Major",
    "Captain",
    "Lieutenant",
    "Sheikh",
    "President",
    "Minister",
    "Commander",
    "Ayatollah",
    "Imam",
    "King",
    "Prince",
    "Foreign",
    "Undersecretary",
    "Adm.",
    "Admiral",
    "Emir",
    "Sayyed",
    "Sayyid",
    "Haj",
    "Hajj",
    "Prime",
    "Leader",
    "Supreme",
    "Crown",
    "Chief",
    "Secretary",
    "Cleric",
    "Senator",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: String,
    pub name: String,
    pub parent: Option<usize>,
    pub aliases: Vec<String>,
    /// Facet path, e.g. `/org/Islamic Revolutionary Guard Corps/Qods Force`.
    pub facet: String,
    pub origin: Origin,
    /// Aliases that are also ordinary words ("Gulf"): they match only where written
    /// capitalised and standing alone, as generated names do.
    pub capitalised: Vec<String>,
}

/// Whether an entity was written by hand or generated from a dataset (places from GeoNames).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Hand,
    /// Generated names match only where written capitalised, and take no spelling variants.
    Generated {
        /// Names that are also common words or people's names ("Split", "Florence"): they
        /// count only where they cannot open a sentence, or beside a place that contains them.
        needs_context: Vec<String>,
        /// The name itself belongs to another entry (a bigger place of the same name).
        name_taken: bool,
    },
}

impl Entity {
    /// The name and aliases this entity is matched and looked up by.
    pub fn spellings(&self) -> impl Iterator<Item = &String> {
        let name_taken = matches!(
            self.origin,
            Origin::Generated {
                name_taken: true,
                ..
            }
        );
        (!name_taken)
            .then_some(&self.name)
            .into_iter()
            .chain(&self.aliases)
    }

    pub fn is_generated(&self) -> bool {
        matches!(self.origin, Origin::Generated { .. })
    }
}

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

/// Who a mention names: a gazetteer entry, or a name no entry holds that the learned tagger
/// found (stored under the kind's `unlisted` branch of the facet tree).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityRef {
    Listed(usize),
    Unlisted { kind: String, name: String },
}

impl EntityRef {
    /// A name no entry holds, spelt as the index stores it (straight apostrophes, single
    /// spaces).
    pub fn unlisted(kind: &str, written: &str) -> EntityRef {
        EntityRef::Unlisted {
            kind: kind.to_string(),
            name: unlisted::display_name(written),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityMatch {
    #[serde(skip)]
    pub entity: EntityRef,
    pub kind: String,
    pub name: String,
    /// The text as written in the original.
    pub text: String,
    /// Byte range in the original text.
    pub range: [usize; 2],
    /// True when the mention differs from every alias by one edit (a variant or a typo) or is
    /// a transliteration no alias spells out.
    pub variant: bool,
    /// True for a name no gazetteer entry holds, found by the learned tagger.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unlisted: bool,
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

/// Normalised alias → entity id.
pub(crate) enum AliasLookup {
    Table(AliasIndex),
    /// Sorted alias lines of a compiled gazetteer, searched in place.
    Sorted {
        data: std::sync::Arc<compiled::Data>,
        section: Range<usize>,
    },
}

impl AliasLookup {
    fn get(&self, key: &str) -> Option<usize> {
        match self {
            AliasLookup::Table(index) => index.get(key),
            AliasLookup::Sorted { data, section } => {
                compiled::find_sorted(&data[section.clone()], key)
            }
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (&str, usize)> + '_> {
        match self {
            AliasLookup::Table(index) => Box::new(index.iter()),
            AliasLookup::Sorted { data, section } => Box::new(
                data[section.clone()]
                    .split(|&b| b == b'\n')
                    .filter_map(compiled::split_alias_line)
                    .filter_map(|(key, id)| {
                        let key = std::str::from_utf8(key).ok()?;
                        let id = std::str::from_utf8(id).ok()?.parse().ok()?;
                        Some((key, id))
                    }),
            ),
        }
    }
}

/// Whether `word` is one of the space-separated, sorted words of `line`, by binary search: a
/// query word that starts no transliterated name is turned away here, and scanning the
/// compiled gazetteer's 266 keys in order was a sixth of counting a medium term.
fn sorted_words_contain(line: &str, word: &str) -> bool {
    compiled::find_record(line.as_bytes(), b' ', word.as_bytes(), Some).is_some()
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
                if alias.contains(&wanted) || wanted.contains(alias) {
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

    /// Every mention of an entity in `text`, read as an article of one paragraph, in text order.
    pub fn find_mentions(&self, text: &str) -> Vec<EntityMatch> {
        self.find_article_mentions(&[text], None)
            .pop()
            .unwrap_or_default()
    }

    /// Every mention in each paragraph of one article, with the short names and acronyms the
    /// article sets up (see [`article`]).
    /// With a `tagger`, names no entry holds are found too.
    pub fn find_article_mentions(
        &self,
        paragraphs: &[&str],
        tagger: Option<&Tagger>,
    ) -> Vec<Vec<EntityMatch>> {
        let norms: Vec<NormalizedText> = paragraphs.iter().map(|p| normalize(p)).collect();
        let pairs: Vec<(&NormalizedText, &str)> =
            norms.iter().zip(paragraphs.iter().copied()).collect();
        self.article_mentions(&pairs, tagger)
            .into_iter()
            .zip(paragraphs)
            .map(|(found, text)| found.into_iter().map(|f| self.to_match(f, text)).collect())
            .collect()
    }

    /// A matcher for a few entities only: what search needs to highlight the entities a query
    /// was expanded to, at a fraction of the cost of compiling every alias.
    pub fn mention_finder(&self, entities: &[usize]) -> MentionFinder<'_> {
        MentionFinder {
            gazetteer: self,
            matcher: Matcher::build(
                entities.iter().map(|&id| (id, self.entity(id))),
                MatcherUse::Highlighting,
            ),
        }
    }

    fn mentions_with(&self, matcher: &Matcher, text: &str) -> Vec<EntityMatch> {
        matcher
            .find(text)
            .into_iter()
            .map(|(entity, range, variant)| {
                let found = Found {
                    entity: EntityRef::Listed(entity),
                    range,
                    variant,
                };
                self.to_match(found, text)
            })
            .collect()
    }

    fn to_match(&self, found: Found, text: &str) -> EntityMatch {
        EntityMatch {
            kind: self.kind_of(&found.entity).to_string(),
            name: self.name_of(&found.entity).to_string(),
            text: text[found.range.clone()].to_string(),
            range: [found.range.start, found.range.end],
            variant: found.variant,
            unlisted: matches!(found.entity, EntityRef::Unlisted { .. }),
            entity: found.entity,
        }
    }

    /// Mentions per paragraph of one article whose paragraphs the caller has normalised (the
    /// indexer needs the normalised form for its duplicate hash too).
    fn article_mentions(
        &self,
        paragraphs: &[(&NormalizedText, &str)],
        tagger: Option<&Tagger>,
    ) -> Vec<Vec<Found>> {
        let mut listed: Vec<Vec<Found>> = paragraphs
            .iter()
            .map(|&(norm, text)| {
                self.matcher()
                    .find_in(norm, text)
                    .into_iter()
                    .map(|(entity, range, variant)| Found {
                        entity: EntityRef::Listed(entity),
                        range,
                        variant,
                    })
                    .collect()
            })
            .collect();
        if let Some(tagger) = tagger {
            let texts: Vec<&str> = paragraphs.iter().map(|&(_, text)| text).collect();
            let more = unlisted::unlisted_mentions(self, tagger, &texts, &listed);
            for (found, more) in listed.iter_mut().zip(more) {
                found.extend(more);
                found.sort_by_key(|m| m.range.start);
            }
        }
        let mut context = ArticleContext::default();
        for (found, &(_, text)) in listed.iter_mut().zip(paragraphs) {
            context.resolve(self, text, found);
        }
        listed
    }

    /// The distinct entities each paragraph of an article names, in order of first mention;
    /// with a `tagger`, names no entry holds too.
    pub fn tag_article(
        &self,
        paragraphs: &[(&NormalizedText, &str)],
        tagger: Option<&Tagger>,
    ) -> Vec<Vec<EntityRef>> {
        self.article_mentions(paragraphs, tagger)
            .into_iter()
            .map(|found| {
                let mut seen: Vec<EntityRef> = Vec::new();
                for f in found {
                    if !seen.contains(&f.entity) {
                        seen.push(f.entity);
                    }
                }
                seen
            })
            .collect()
    }

    /// The distinct entities named in `text`, in order of first mention.
    pub fn tag(&self, text: &str) -> Vec<EntityRef> {
        self.tag_article(&[(&normalize(text), text)], None)
            .pop()
            .unwrap_or_default()
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

    /// Capitalised word sequences in `text` that no gazetteer entry covers.
    pub fn name_candidates(&self, text: &str) -> Vec<String> {
        let covered: Vec<Range<usize>> =
            self.matcher().find(text).into_iter().map(|m| m.1).collect();
        capitalised_sequences(text)
            .into_iter()
            .filter(|range| {
                !covered
                    .iter()
                    .any(|c| c.start < range.end && range.start < c.end)
            })
            .map(|range| text[range].split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
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

/// Normalised alias → entity id, as a sorted table of ranges into one string. The compiled
/// gazetteer keeps its alias lines sorted, so loading it (every search does) needs no
/// allocation or hashing per alias: the table points into the file's own text.
#[derive(Debug, Default)]
pub(crate) struct AliasIndex {
    text: String,
    /// (start, end, entity id), sorted by the key they delimit.
    entries: Vec<(u32, u32, u32)>,
}

impl AliasIndex {
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (String, usize)>) -> AliasIndex {
        let mut pairs: Vec<(String, usize)> = pairs.into_iter().collect();
        pairs.sort_unstable();
        let mut index = AliasIndex::default();
        for (key, id) in pairs {
            let start = index.text.len() as u32;
            index.text.push_str(&key);
            index
                .entries
                .push((start, index.text.len() as u32, id as u32));
        }
        index
    }

    fn key(&self, &(start, end, _): &(u32, u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    pub(crate) fn get(&self, key: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|entry| self.key(entry).cmp(key))
            .ok()
            .map(|at| self.entries[at].2 as usize)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.entries.iter().map(|e| (self.key(e), e.2 as usize))
    }
}
