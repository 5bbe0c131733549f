/*!
Named entities: the gazetteer (`entities.toml`), the matcher that tags text with it, and the
name candidates that the gazetteer does not cover yet.

The matcher works on [`normalize`]d text and maps every mention back to the original bytes.
Exact matching is one aho-corasick pass (leftmost-longest, then word boundaries); spelling
variants of multi-word names ("Qassem Soliemani") come from a second pass that anchors on an
exact word of the name and allows one edit in one long word. This module knows nothing about
tantivy beyond the facet path string each entity is stored under.
*/

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use anyhow::{bail, Context};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::analysis::{normalize, normalize_name, NormalizedText};

/// The repository's own gazetteer, so any folder of articles gets the field's names tagged.
pub const BUILTIN_GAZETTEER: &str = include_str!("../corpus/entities.toml");

const COMPILED_HEADER: &str = "sitrep compiled gazetteer 1";
const BUILTIN_LABEL: &str = "built-in (corpus/entities.toml of sitrep)";

/// Words that join the parts of a name without being a name themselves. They are never used
/// as anchors for spelling variants (too common), and may sit inside a name candidate.
const NAME_PARTICLES: [&str; 12] = [
    "al", "el", "ul", "abu", "bin", "ibn", "bint", "of", "the", "and", "de", "for",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: String,
    pub name: String,
    pub parent: Option<usize>,
    pub aliases: Vec<String>,
    /// Facet path, e.g. `/org/Islamic Revolutionary Guard Corps/Qods Force`.
    pub facet: String,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

/// One mention of an entity in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityMatch {
    #[serde(skip)]
    pub entity: usize,
    pub kind: String,
    pub name: String,
    /// The text as written in the original.
    pub text: String,
    /// Byte range in the original text.
    pub range: [usize; 2],
    /// True when the mention differs from every alias by one edit (a variant or a typo).
    pub variant: bool,
}

pub struct Gazetteer {
    pub entities: Vec<Entity>,
    pub source: GazetteerSource,
    /// Hash of the TOML text; stored in the index so a change triggers re-tagging.
    pub hash: u64,
    /// The TOML it was parsed from (empty when loaded from the compiled form).
    pub toml: String,
    lookup: FxHashMap<String, usize>,
    /// Built on first use: a search that tags nothing (most of them) should not pay for
    /// compiling the automaton of every alias at process start.
    matcher: std::sync::OnceLock<Matcher>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("source", &self.source)
            .field("entities", &self.entities.len())
            .finish()
    }
}

impl Gazetteer {
    /// `--entities FILE`, else `entities.toml` in the corpus folder, else the built-in one.
    pub fn resolve(explicit: Option<&Path>, corpus: &Path) -> anyhow::Result<Gazetteer> {
        if let Some(path) = explicit {
            return Gazetteer::from_file(path);
        }
        let in_corpus = corpus.join("entities.toml");
        if in_corpus.is_file() {
            return Gazetteer::from_file(&in_corpus);
        }
        Gazetteer::parse(BUILTIN_GAZETTEER, GazetteerSource::BuiltIn)
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Gazetteer> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading gazetteer {}", path.display()))?;
        Gazetteer::parse(&text, GazetteerSource::File(path.to_path_buf()))
    }

    pub fn parse(toml_text: &str, source: GazetteerSource) -> anyhow::Result<Gazetteer> {
        let raw: BTreeMap<String, Vec<RawEntry>> = toml::from_str(toml_text).map_err(|err| {
            let location = err
                .span()
                .map(|span| {
                    let (line, column) = line_column(toml_text, span.start);
                    format!(" at line {line}, column {column}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("gazetteer {source}{location}: {}", err.message())
        })?;
        let mut entities = Vec::new();
        let mut parents = Vec::new();
        let mut by_kind_name: HashMap<(String, String), usize> = HashMap::new();
        for (kind, entries) in raw {
            if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase()) {
                bail!("gazetteer {source}: kind '{kind}' must be a lower-case word such as person, org or place");
            }
            for entry in entries {
                let name = entry.name.trim().to_string();
                if name.is_empty() || name.contains('/') || name.contains(char::is_control) {
                    bail!("gazetteer {source}: {kind} name '{name}' must be non-empty and contain no '/' or control characters");
                }
                let key = (kind.clone(), name.clone());
                if by_kind_name.insert(key, entities.len()).is_some() {
                    bail!("gazetteer {source}: {kind} '{name}' is defined twice");
                }
                parents.push(entry.parent);
                entities.push(Entity {
                    kind: kind.clone(),
                    name,
                    parent: None,
                    aliases: entry
                        .aliases
                        .into_iter()
                        .map(|a| a.trim().to_string())
                        .collect(),
                    facet: String::new(),
                });
            }
        }
        for (id, parent) in parents.into_iter().enumerate() {
            if let Some(parent) = parent {
                let entity = &entities[id];
                let key = (entity.kind.clone(), parent.trim().to_string());
                let Some(&parent_id) = by_kind_name.get(&key) else {
                    bail!(
                        "gazetteer {source}: {} '{}' has parent '{}', which is not a {} in the gazetteer",
                        entity.kind, entity.name, parent, entity.kind
                    );
                };
                entities[id].parent = Some(parent_id);
            }
        }
        for id in 0..entities.len() {
            let mut chain = vec![entities[id].name.clone()];
            let mut cursor = entities[id].parent;
            while let Some(parent) = cursor {
                if parent == id || chain.len() > entities.len() {
                    bail!(
                        "gazetteer {source}: parent cycle through {} '{}'",
                        entities[id].kind,
                        entities[id].name
                    );
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
                    bail!(
                        "gazetteer {source}: {} '{}' has an empty alias",
                        entity.kind,
                        entity.name
                    );
                }
                match lookup.get(&key) {
                    Some(&other) if other != id => bail!(
                        "gazetteer {source}: alias '{}' is claimed by both {} '{}' and {} '{}'",
                        alias,
                        entities[other].kind,
                        entities[other].name,
                        entity.kind,
                        entity.name
                    ),
                    _ => {
                        lookup.insert(key, id);
                    }
                }
            }
        }
        Ok(Gazetteer {
            entities,
            source,
            hash: crate::corpus::hash_bytes(toml_text.as_bytes()),
            toml: toml_text.to_string(),
            lookup,
            matcher: std::sync::OnceLock::new(),
        })
    }

    /// A line format that loads without TOML parsing or normalising aliases: every search
    /// opens the gazetteer, and parsing the TOML took longer than the search itself.
    pub fn to_compiled(&self) -> String {
        let mut out = format!("{COMPILED_HEADER}\t{:016x}\t{}\n", self.hash, self.source);
        for e in &self.entities {
            let parent = e.parent.map(|p| p.to_string()).unwrap_or_default();
            let aliases = e.aliases.join("\u{1f}");
            out.push_str(&format!(
                "e\t{}\t{}\t{parent}\t{}\t{aliases}\n",
                e.kind, e.name, e.facet
            ));
        }
        let mut keys: Vec<(&String, &usize)> = self.lookup.iter().collect();
        keys.sort();
        for (key, id) in keys {
            out.push_str(&format!("a\t{key}\t{id}\n"));
        }
        out
    }

    /// Reads what [`Gazetteer::to_compiled`] wrote.
    pub fn from_compiled(text: &str) -> anyhow::Result<Gazetteer> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let [COMPILED_HEADER, hash, source] = header[..] else {
            bail!("not a compiled sitrep gazetteer");
        };
        let bad = |n: usize| anyhow::anyhow!("compiled gazetteer line {}: malformed", n + 2);
        let mut entities = Vec::new();
        let mut lookup = FxHashMap::with_capacity_and_hasher(text.len() / 24, Default::default());
        for (n, line) in lines.enumerate() {
            // Alias lines are nine in ten: parse them without collecting fields.
            if let Some(rest) = line.strip_prefix("a\t") {
                let (key, id) = rest.rsplit_once('\t').ok_or_else(|| bad(n))?;
                lookup.insert(key.to_string(), id.parse().map_err(|_| bad(n))?);
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[..] {
                ["e", kind, name, parent, facet, aliases] => entities.push(Entity {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    parent: if parent.is_empty() {
                        None
                    } else {
                        Some(parent.parse().map_err(|_| bad(n))?)
                    },
                    aliases: aliases
                        .split('\u{1f}')
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                        .collect(),
                    facet: facet.to_string(),
                }),
                _ => return Err(bad(n)),
            }
        }
        Ok(Gazetteer {
            entities,
            source: if source == BUILTIN_LABEL {
                GazetteerSource::BuiltIn
            } else {
                GazetteerSource::File(PathBuf::from(source))
            },
            hash: u64::from_str_radix(hash, 16)?,
            toml: String::new(),
            lookup,
            matcher: std::sync::OnceLock::new(),
        })
    }

    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| Matcher::build(&self.entities))
    }

    /// Finds the entity a name or alias refers to, ignoring case, apostrophes and hyphens.
    pub fn lookup(&self, name: &str) -> Option<&Entity> {
        self.lookup_id(name).map(|id| &self.entities[id])
    }

    pub fn lookup_id(&self, name: &str) -> Option<usize> {
        self.lookup.get(&normalize_name(name)).copied()
    }

    /// The canonical names closest to `name` (of `kind` when given), best first.
    pub fn suggest(&self, name: &str, kind: Option<&str>) -> Vec<String> {
        let wanted = normalize_name(name);
        let mut scored: Vec<(f64, usize)> = self
            .lookup
            .iter()
            .filter(|(_, &id)| kind.is_none_or(|k| self.entities[id].kind == k))
            .map(|(alias, &id)| {
                let mut score = strsim::jaro_winkler(&wanted, alias);
                if alias.contains(&wanted) || wanted.contains(alias.as_str()) {
                    score += 0.2;
                }
                (score, id)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut names = Vec::new();
        for (_, id) in scored {
            let name = &self.entities[id].name;
            if !names.contains(name) {
                names.push(name.clone());
            }
            if names.len() == 3 {
                break;
            }
        }
        names
    }

    /// Every mention of a gazetteer entity in `text`, in text order.
    pub fn find_mentions(&self, text: &str) -> Vec<EntityMatch> {
        self.mentions_with(self.matcher(), text)
    }

    /// A matcher for a few entities only: what search needs to highlight the entities a query
    /// was expanded to, at a fraction of the cost of compiling every alias.
    pub fn mention_finder(&self, entities: &[usize]) -> MentionFinder<'_> {
        MentionFinder {
            gazetteer: self,
            matcher: Matcher::build_subset(&self.entities, Some(entities)),
        }
    }

    fn mentions_with(&self, matcher: &Matcher, text: &str) -> Vec<EntityMatch> {
        matcher
            .find(text)
            .into_iter()
            .map(|(entity, range, variant)| EntityMatch {
                entity,
                kind: self.entities[entity].kind.clone(),
                name: self.entities[entity].name.clone(),
                text: text[range.clone()].to_string(),
                range: [range.start, range.end],
                variant,
            })
            .collect()
    }

    /// The distinct entities named in `text`, in order of first mention.
    pub fn tag(&self, text: &str) -> Vec<usize> {
        self.tag_normalized(&normalize(text), text)
    }

    /// [`Gazetteer::tag`] for a text the caller has already normalised (the indexer needs the
    /// normalised form for its duplicate hash too).
    pub fn tag_normalized(&self, norm: &NormalizedText, text: &str) -> Vec<usize> {
        let mut seen = Vec::new();
        for (entity, _, _) in self.matcher().find_in(norm, text) {
            if !seen.contains(&entity) {
                seen.push(entity);
            }
        }
        seen
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
        self.entities.iter().filter(move |e| e.kind == kind)
    }

    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.entities.iter().map(|e| e.kind.clone()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Finds mentions of a chosen few entities (see [`Gazetteer::mention_finder`]).
pub struct MentionFinder<'a> {
    gazetteer: &'a Gazetteer,
    matcher: Matcher,
}

impl MentionFinder<'_> {
    pub fn find_mentions(&self, text: &str) -> Vec<EntityMatch> {
        self.gazetteer.mentions_with(&self.matcher, text)
    }
}

/// One normalised alias as the matcher sees it.
struct Pattern {
    entity: usize,
    /// Short all-capitals acronyms (IRGC, PMF, KH) match only when written in capitals, or
    /// "kh" and "aah" would turn up inside ordinary prose.
    capitals_only: bool,
    /// Words of the normalised alias and the separators between them.
    words: Vec<String>,
    separators: Vec<String>,
}

struct Matcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    /// The spelling-variant pass starts from an exact word of a multi-word name (the
    /// anchor). One automaton finds anchors in a paragraph in a single scan; `anchor_targets`
    /// lists, per anchor, the (pattern, word index) pairs it may belong to.
    anchor_automaton: Option<AhoCorasick>,
    anchor_targets: Vec<Vec<(usize, usize)>>,
}

/// Ordinary words that many organisation and place names contain. As anchors they would send
/// the variant pass to check most sentences of a news corpus (it cost more than the exact
/// pass); names built only of such words and one misspelt word are rare.
const COMMON_NAME_WORDS: [&str; 56] = [
    "state",
    "states",
    "united",
    "forces",
    "force",
    "army",
    "national",
    "islamic",
    "front",
    "party",
    "republic",
    "people",
    "peoples",
    "popular",
    "revolutionary",
    "guard",
    "guards",
    "council",
    "movement",
    "organization",
    "organisation",
    "brigade",
    "brigades",
    "department",
    "ministry",
    "international",
    "new",
    "north",
    "south",
    "east",
    "west",
    "central",
    "great",
    "gulf",
    "sea",
    "city",
    "province",
    "island",
    "union",
    "liberation",
    "resistance",
    "committee",
    "agency",
    "bank",
    "company",
    "group",
    "command",
    "air",
    "navy",
    "security",
    "intelligence",
    "democratic",
    "arab",
    "supreme",
    "general",
    "us",
];

/// Length a word needs before a one-letter difference is read as a variant rather than another
/// word: "Soliemani" is Soleimani, but "Badr" is not "Bakr".
const MIN_VARIANT_WORD_LEN: usize = 6;

impl Matcher {
    fn build(entities: &[Entity]) -> Matcher {
        Matcher::build_subset(entities, None)
    }

    fn build_subset(entities: &[Entity], only: Option<&[usize]>) -> Matcher {
        let mut patterns: Vec<(String, Pattern)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (id, entity) in entities.iter().enumerate() {
            if only.is_some_and(|ids| !ids.contains(&id)) {
                continue;
            }
            for alias in std::iter::once(&entity.name).chain(&entity.aliases) {
                let normalized = normalize_name(alias);
                if let Some(&existing) = seen.get(&normalized) {
                    // "OPEC" alone matches only in capitals; listing "Opec" as well says the
                    // mixed-case spelling is wanted too.
                    patterns[existing].1.capitals_only &= is_short_acronym(alias);
                    continue;
                }
                seen.insert(normalized.clone(), patterns.len());
                let (words, separators) = split_words(&normalized);
                patterns.push((
                    normalized,
                    Pattern {
                        entity: id,
                        capitals_only: is_short_acronym(alias),
                        words,
                        separators,
                    },
                ));
            }
        }
        // Names start at word starts, so the automaton runs anchored there: an unanchored scan
        // stops at every alias inside a longer word ("us" in "business", "iran" in "iranian"),
        // and rejecting those cost more than the matching.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(patterns.iter().map(|(p, _)| p.as_str()))
            .expect("aliases are short literal strings, far below the automaton's limits");
        let patterns: Vec<Pattern> = patterns.into_iter().map(|(_, p)| p).collect();
        let mut anchors: FxHashMap<String, Vec<(usize, usize)>> = FxHashMap::default();
        for (pid, pattern) in patterns.iter().enumerate() {
            if pattern.words.len() < 2 || pattern.capitals_only {
                continue;
            }
            for (wid, word) in pattern.words.iter().enumerate() {
                // An anchor is worth checking only if another word of the name is long enough
                // to be the misspelt one.
                let other_long_word = pattern
                    .words
                    .iter()
                    .enumerate()
                    .any(|(i, w)| i != wid && w.len() >= MIN_VARIANT_WORD_LEN);
                let word_str = word.as_str();
                if other_long_word
                    && word.len() >= 2
                    && !NAME_PARTICLES.contains(&word_str)
                    && !COMMON_NAME_WORDS.contains(&word_str)
                {
                    anchors.entry(word.clone()).or_default().push((pid, wid));
                }
            }
        }
        let mut anchors: Vec<(String, Vec<(usize, usize)>)> = anchors.into_iter().collect();
        anchors.sort();
        let anchor_automaton = (!anchors.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(StartKind::Anchored)
                .build(anchors.iter().map(|(w, _)| w.as_str()))
                .expect("anchor words are short literal strings")
        });
        let anchor_targets = anchors.into_iter().map(|(_, targets)| targets).collect();
        Matcher {
            automaton,
            patterns,
            anchor_automaton,
            anchor_targets,
        }
    }

    /// (entity, original byte range, is a variant) for every accepted mention, in text order.
    fn find(&self, text: &str) -> Vec<(usize, Range<usize>, bool)> {
        self.find_in(&normalize(text), text)
    }

    fn find_in(&self, norm: &NormalizedText, text: &str) -> Vec<(usize, Range<usize>, bool)> {
        let hay = norm.text.as_str();
        // (normalised range, pattern, variant)
        let mut found: Vec<(Range<usize>, usize, bool)> = Vec::new();
        let mut variants_tried: Vec<(usize, usize)> = Vec::new();
        let mut covered_to = 0;
        for start in word_starts(hay) {
            let input = Input::new(hay)
                .span(start..hay.len())
                .anchored(Anchored::Yes);
            if start >= covered_to {
                if let Some(m) = self.automaton.find(input.clone()) {
                    let pattern = &self.patterns[m.pattern().as_usize()];
                    let ok = is_boundary(hay, m.start(), m.end())
                        && (!pattern.capitals_only
                            || is_all_capitals(&text[norm.original_range(m.range(), text)]));
                    if ok {
                        found.push((m.range(), m.pattern().as_usize(), false));
                        covered_to = m.end();
                    }
                }
            }
            if let Some(anchors) = &self.anchor_automaton {
                if let Some(hit) = anchors.find(input) {
                    if is_boundary(hay, hit.start(), hit.end()) {
                        self.variants_at(hay, hit, &mut variants_tried, &mut found);
                    }
                }
            }
        }
        // Longest wins among overlapping mentions, then the leftmost.
        found.sort_by(|a, b| {
            (b.0.len(), std::cmp::Reverse(b.0.start))
                .cmp(&(a.0.len(), std::cmp::Reverse(a.0.start)))
        });
        let mut accepted: Vec<(Range<usize>, usize, bool)> = Vec::new();
        for candidate in found {
            if accepted
                .iter()
                .all(|a| a.0.end <= candidate.0.start || candidate.0.end <= a.0.start)
            {
                accepted.push(candidate);
            }
        }
        accepted.sort_by_key(|a| a.0.start);
        accepted
            .into_iter()
            .map(|(range, pid, variant)| {
                (
                    self.patterns[pid].entity,
                    norm.original_range(range, text),
                    variant,
                )
            })
            .collect()
    }

    /// Multi-word names with one long word off by one edit ("Qassem Soliemani"), around an
    /// exact word of the name found at `hit`.
    fn variants_at(
        &self,
        hay: &str,
        hit: aho_corasick::Match,
        tried: &mut Vec<(usize, usize)>,
        found: &mut Vec<(Range<usize>, usize, bool)>,
    ) {
        for &(pid, wid) in &self.anchor_targets[hit.pattern().as_usize()] {
            let pattern = &self.patterns[pid];
            let after = pattern.words.len() - wid - 1;
            let Some(window) = words_around(hay, hit.range(), wid, after) else {
                continue;
            };
            if tried.contains(&(pid, window[0].start)) {
                continue;
            }
            tried.push((pid, window[0].start));
            let separators_match = window
                .windows(2)
                .zip(&pattern.separators)
                .all(|(pair, sep)| &hay[pair[0].end..pair[1].start] == sep);
            if !separators_match {
                continue;
            }
            let mut edits = 0;
            for (word, span) in pattern.words.iter().zip(&window) {
                let written = &hay[span.clone()];
                if written == word {
                    continue;
                }
                if word.len() >= MIN_VARIANT_WORD_LEN && within_one_edit(word, written) {
                    edits += 1;
                } else {
                    edits = 2;
                }
                if edits > 1 {
                    break;
                }
            }
            if edits == 1 {
                let n = window.len();
                found.push((window[0].start..window[n - 1].end, pid, true));
            }
        }
    }
}

/// Byte offsets where a word starts: a letter or digit after anything else.
fn word_starts(hay: &str) -> impl Iterator<Item = usize> + '_ {
    let mut previous_is_word = false;
    hay.char_indices().filter_map(move |(i, c)| {
        let is_word = c.is_alphanumeric();
        let starts = is_word && !previous_is_word;
        previous_is_word = is_word;
        starts.then_some(i)
    })
}

/// The word at `anchor` with `before` words to its left and `after` to its right, or `None`
/// when the text runs out first.
fn words_around(
    hay: &str,
    anchor: Range<usize>,
    before: usize,
    after: usize,
) -> Option<Vec<Range<usize>>> {
    let mut left = Vec::with_capacity(before);
    let mut at = anchor.start;
    for _ in 0..before {
        let end = hay[..at]
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .len();
        let start = hay[..end].trim_end_matches(char::is_alphanumeric).len();
        if start == end {
            return None;
        }
        left.push(start..end);
        at = start;
    }
    left.reverse();
    left.push(anchor.clone());
    let mut at = anchor.end;
    for _ in 0..after {
        let start = hay.len()
            - hay[at..]
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let end = hay.len() - hay[start..].trim_start_matches(char::is_alphanumeric).len();
        if start == end {
            return None;
        }
        left.push(start..end);
        at = end;
    }
    Some(left)
}

fn split_words(normalized: &str) -> (Vec<String>, Vec<String>) {
    let spans = word_spans(normalized);
    let words = spans
        .iter()
        .map(|s| normalized[s.clone()].to_string())
        .collect();
    let separators = spans
        .windows(2)
        .map(|pair| normalized[pair[0].end..pair[1].start].to_string())
        .collect();
    (words, separators)
}

fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(s..text.len());
    }
    spans
}

fn is_boundary(hay: &str, start: usize, end: usize) -> bool {
    let before = hay[..start].chars().next_back();
    let after = hay[end..].chars().next();
    let first = hay[start..].chars().next();
    let last = hay[..end].chars().next_back();
    // A boundary is needed only where the alias itself starts or ends with a word character
    // ("U.S." may be followed by a letter-less "-backed", already a space after normalising).
    let open =
        !(first.is_some_and(char::is_alphanumeric) && before.is_some_and(char::is_alphanumeric));
    let close =
        !(last.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric));
    open && close
}

fn is_short_acronym(alias: &str) -> bool {
    let letters: Vec<char> = alias.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.len() <= 5 && letters.iter().all(|c| c.is_uppercase())
}

fn is_all_capitals(text: &str) -> bool {
    !text.chars().any(char::is_lowercase)
}

/// Optimal string alignment distance ≤ 1: one insertion, deletion, substitution or swap of
/// neighbours ("Soliemani" for "Soleimani" is one swap).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() && prefix == b.len() {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Greater => ra[1..] == *rb,
        std::cmp::Ordering::Less => *ra == rb[1..],
    }
}

/// Words that start sentences or headlines without being names.
const NOT_NAMES: &[&str] = &[
    "A",
    "An",
    "The",
    "In",
    "On",
    "At",
    "As",
    "By",
    "For",
    "From",
    "Of",
    "To",
    "With",
    "But",
    "And",
    "Or",
    "If",
    "It",
    "Its",
    "He",
    "She",
    "They",
    "We",
    "I",
    "His",
    "Her",
    "Their",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "After",
    "When",
    "While",
    "Since",
    "Although",
    "Then",
    "However",
    "Following",
    "Meanwhile",
    "Both",
    "Several",
    "Some",
    "Many",
    "During",
    "Under",
    "Despite",
    "Last",
    "Earlier",
    "Later",
    "According",
    "Also",
    "Yet",
    "So",
    "Such",
    "Other",
    "Each",
    "Every",
    "All",
    "No",
    "Not",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Most",
    "More",
    "Before",
    "Until",
    "Once",
    "Now",
    "Today",
    "Yesterday",
    "What",
    "Who",
    "Why",
    "How",
    "Where",
    "Which",
    "Our",
    "Your",
    "You",
];

/// Byte ranges of runs of capitalised words ("Harakat al Nujaba", "Abu Fadak"); a single
/// capitalised word that opens a sentence is left out, since nothing tells it from a name.
fn capitalised_sequences(text: &str) -> Vec<Range<usize>> {
    let words = crate::analysis::words(text);
    let mut runs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (_, range) = &words[i];
        let written = &text[range.clone()];
        if !starts_capitalised(written) || NOT_NAMES.contains(&written) {
            i += 1;
            continue;
        }
        let sentence_start = is_sentence_start(text, range.start);
        let mut j = i + 1;
        let mut end = i;
        while j < words.len() {
            let gap = &text[words[j - 1].1.end..words[j].1.start];
            if !(gap == " " || gap == "-") {
                break;
            }
            let next = &text[words[j].1.clone()];
            if starts_capitalised(next) && !NOT_NAMES.contains(&next) {
                end = j;
                j += 1;
            } else if NAME_PARTICLES.contains(&words[j].0.as_str()) && j + 1 < words.len() {
                j += 1;
            } else {
                break;
            }
        }
        let single = end == i;
        let has_letters = written.chars().filter(|c| c.is_alphabetic()).count() >= 2;
        if has_letters && !(single && sentence_start) {
            runs.push(range.start..words[end].1.end);
        }
        i = end + 1;
    }
    runs
}

fn starts_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches(|c: char| c.is_whitespace() || "\"“‘'(".contains(c));
    before.is_empty() || before.ends_with(['.', '!', '?', ':', ';'])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[org]]
name = "Islamic Revolutionary Guard Corps"
aliases = ["IRGC", "Revolutionary Guards"]

[[org]]
name = "Qods Force"
parent = "Islamic Revolutionary Guard Corps"
aliases = ["Quds Force", "IRGC-QF"]

[[org]]
name = "Kata'ib Hezbollah"
aliases = ["Hezbollah Brigades", "KH"]

[[org]]
name = "Hezbollah"

[[person]]
name = "Qassem Soleimani"
aliases = ["Qasem Soleimani", "Soleimani", "Suleimani"]

[[person]]
name = "Abu Mahdi al-Muhandis"

[[person]]
name = "Muqtada al-Sadr"
aliases = ["Sadr"]

[[place]]
name = "Iraq"

[[place]]
name = "Baghdad"
parent = "Iraq"

[[place]]
name = "Sadr City"
parent = "Baghdad"

[[place]]
name = "United States"
aliases = ["U.S.", "US"]
"#;

    fn gazetteer() -> Gazetteer {
        Gazetteer::parse(SAMPLE, GazetteerSource::BuiltIn).unwrap()
    }

    fn names(text: &str) -> Vec<(String, String)> {
        gazetteer()
            .find_mentions(text)
            .into_iter()
            .map(|m| (m.name, m.text))
            .collect()
    }

    #[test]
    fn compiled_form_round_trips() {
        let g = gazetteer();
        let back = Gazetteer::from_compiled(&g.to_compiled()).unwrap();
        assert_eq!(back.entities, g.entities);
        assert_eq!(back.hash, g.hash);
        assert_eq!(back.source, GazetteerSource::BuiltIn);
        assert_eq!(back.lookup("IRGC-QF").unwrap().name, "Qods Force");
        assert_eq!(back.find_mentions("Qassem Soliemani").len(), 1);
        assert!(Gazetteer::from_compiled("[[org]]").is_err());
    }

    #[test]
    fn facets_follow_parents() {
        let g = gazetteer();
        assert_eq!(
            g.lookup("IRGC-QF").unwrap().facet,
            "/org/Islamic Revolutionary Guard Corps/Qods Force"
        );
        assert_eq!(
            g.lookup("sadr city").unwrap().facet,
            "/place/Iraq/Baghdad/Sadr City"
        );
        assert_eq!(
            g.lookup("kataib hezbollah").unwrap().name,
            "Kata'ib Hezbollah"
        );
    }

    #[test]
    fn apostrophes_hyphens_and_longest_match() {
        assert_eq!(
            names("Kata’ib Hezbollah and al Muhandis: Abu Mahdi al Muhandis in Sadr City."),
            [
                ("Kata'ib Hezbollah".into(), "Kata’ib Hezbollah".into()),
                (
                    "Abu Mahdi al-Muhandis".into(),
                    "Abu Mahdi al Muhandis".into()
                ),
                ("Sadr City".into(), "Sadr City".into()),
            ]
        );
    }

    #[test]
    fn word_boundaries_are_required() {
        assert!(names("Iraqis and Iraqi militias; Sadrists").is_empty());
        assert_eq!(names("the U.S.-backed forces")[0].0, "United States");
    }

    #[test]
    fn short_acronyms_match_only_in_capitals() {
        assert_eq!(names("KH fired rockets")[0].0, "Kata'ib Hezbollah");
        assert!(names("the kh sound; us and them").is_empty());
        assert_eq!(names("US troops")[0].0, "United States");
    }

    #[test]
    fn a_listed_mixed_case_spelling_lifts_the_capitals_rule() {
        let toml = "[[org]]\nname = \"OPEC\"\naliases = [\"Opec\"]\n[[org]]\nname = \"Kata'ib Hezbollah\"\naliases = [\"KH\"]\n";
        let g = Gazetteer::parse(toml, GazetteerSource::BuiltIn).unwrap();
        assert_eq!(g.find_mentions("Opec ministers").len(), 1);
        assert_eq!(g.find_mentions("opec ministers").len(), 1);
        assert!(g.find_mentions("kh sound").is_empty());
    }

    #[test]
    fn one_edit_variants_of_multiword_names() {
        assert_eq!(
            names("Qods Force commander Qassem Soliemani and Qasem Suleimani"),
            [
                ("Qods Force".into(), "Qods Force".into()),
                ("Qassem Soleimani".into(), "Qassem Soliemani".into()),
                ("Qassem Soleimani".into(), "Qasem Suleimani".into()),
            ]
        );
        // A single word needs an exact match.
        assert!(names("Soliemani").is_empty());
    }

    #[test]
    fn mentions_point_into_the_original_text() {
        let text = "“IRGC-QF” chief";
        let m = &gazetteer().find_mentions(text)[0];
        assert_eq!(&text[m.range[0]..m.range[1]], "IRGC-QF");
    }

    #[test]
    fn duplicate_alias_names_both_entities() {
        let bad = format!("{SAMPLE}\n[[org]]\nname = \"Other\"\naliases = [\"Quds  force\"]\n");
        let err = Gazetteer::parse(&bad, GazetteerSource::BuiltIn)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'Quds  force' is claimed by both org 'Qods Force' and org 'Other'"),
            "{err}"
        );
    }

    #[test]
    fn missing_parent_and_toml_errors() {
        let err = Gazetteer::parse(
            "[[place]]\nname = \"Mosul\"\nparent = \"Nineveh\"\n",
            GazetteerSource::BuiltIn,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("parent 'Nineveh', which is not a place"),
            "{err}"
        );
        let err = Gazetteer::parse("[[place]]\nname = Mosul\n", GazetteerSource::BuiltIn)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2, column"), "{err}");
    }

    #[test]
    fn suggestions_and_candidates() {
        let g = gazetteer();
        assert_eq!(
            g.suggest("Soleimany", Some("person"))[0],
            "Qassem Soleimani"
        );
        assert_eq!(
            g.name_candidates(
                "Then Harakat al Nujaba met Akram Kaabi in Baghdad. Following that, nothing."
            ),
            ["Harakat al Nujaba", "Akram Kaabi"]
        );
    }

    #[test]
    fn edit_distance_one() {
        assert!(within_one_edit("soleimani", "soliemani"));
        assert!(within_one_edit("soleimani", "suleimani"));
        assert!(within_one_edit("muhandis", "muhandes"));
        assert!(!within_one_edit("soleimani", "sulaimani"));
        assert!(!within_one_edit("badr", "bakri"));
    }
}
