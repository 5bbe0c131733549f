/*!
The matcher: every alias in one aho-corasick automaton run anchored at word starts, plus a
spelling-variant pass that anchors on an exact word of a multi-word name and allows one edit
in one long word, and the transliterations no alias spells out.

- `place_index`: generated place names, looked up by hashing rather than in the automaton;
- `variants`: the one-edit spelling variants of multi-word names;
- `name_context`: whether a name found in the text stands there as that name (capitalised,
  alone, not inside a handle or a longer name).
*/

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::ops::Range;

use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};

use super::candidates::starts_capitalised;
use super::translit::{
    first_word_key, last_word_key, must_be_capitalised, NameForm, Transliterations,
};
use super::{Entity, EntityMatch, Gazetteer, Origin};
use crate::analysis::{
    normalize, normalize_name, word_spans, Apostrophes, NormalizedText, NAME_CONNECTIVES,
};

mod first_words;
mod name_context;
mod place_index;
mod variants;

use first_words::{word_runs, FirstWords, IS_ANCHOR, STARTS_ALIAS};
use name_context::{ends_another_name, written_as_place};
pub(super) use name_context::{in_handle, stands_alone};
use place_index::PlaceIndex;
use variants::{COMMON_NAME_WORDS, MIN_VARIANT_WORD_LEN};

/// Finds mentions of a chosen few entities (see [`Gazetteer::mention_finder`]).
pub struct MentionFinder<'a> {
    pub(super) gazetteer: &'a Gazetteer,
    pub(super) matcher: Matcher,
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
    /// An alias that is also a word ("Gulf"): only capitalised and standing alone.
    capitalised_only: bool,
    /// A person's one-word alias (a surname): not where it ends somebody else's full name
    /// ("Rifaat al-Assad" is not Bashar).
    surname: bool,
    /// Words of the normalised alias and the separators between them.
    words: Vec<String>,
    separators: Vec<String>,
}

pub(super) struct Matcher {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    /// The spelling-variant pass starts from an exact word of a multi-word name (the
    /// anchor). One automaton finds anchors in a paragraph in a single scan; `anchor_targets`
    /// lists, per anchor, the (pattern, word index) pairs it may belong to.
    anchor_automaton: Option<AhoCorasick>,
    anchor_targets: Vec<Vec<(usize, usize)>>,
    /// The words that start an alias or are anchor words: where neither automaton can
    /// find anything, neither runs.
    first_words: FirstWords,
    transliterations: Transliterations,
    /// Parents of generated places: the neighbours that give an ambiguous name its context.
    parents: FxHashMap<usize, usize>,
    places: PlaceIndex,
}

/// What a matcher is built for, which decides how its automata are compiled.
#[derive(Clone, Copy)]
pub(super) enum MatcherUse {
    /// Every paragraph indexed: compacted into a contiguous NFA, the faster to run.
    Tagging,
    /// The few aliases a search highlights, run over a handful of paragraphs: the NFA as
    /// first compiled (aho-corasick's own choice for under 100 patterns, a DFA, took a tenth
    /// of a rare search to build).
    Highlighting,
}

impl Matcher {
    pub(super) fn build<'a>(
        entities: impl IntoIterator<Item = (usize, &'a Entity)>,
        purpose: MatcherUse,
    ) -> Matcher {
        let entities: Vec<(usize, &Entity)> = entities.into_iter().collect();
        let mut patterns: Vec<(String, Pattern)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut parents = FxHashMap::default();
        let mut places = PlaceIndex::default();
        for &(id, entity) in &entities {
            let needs_context = match &entity.origin {
                Origin::Hand => &[][..],
                Origin::Generated { needs_context, .. } => needs_context,
            };
            if let (true, Some(parent)) = (entity.is_generated(), entity.parent) {
                parents.insert(id, parent);
            }
            if entity.is_generated() {
                for alias in entity.spellings() {
                    places.insert(normalize_name(alias), id, needs_context.contains(alias));
                }
                continue;
            }
            for alias in entity.spellings() {
                let normalized = normalize_name(alias);
                if let Some(&existing) = seen.get(&normalized) {
                    // "OPEC" alone matches only in capitals; listing "Opec" as well says the
                    // mixed-case spelling is wanted too.
                    patterns[existing].1.capitals_only &= is_short_acronym(alias);
                    continue;
                }
                seen.insert(normalized.clone(), patterns.len());
                let (words, separators) = split_words(&normalized);
                let surname = entity.kind == "person" && words.len() == 1;
                patterns.push((
                    normalized,
                    Pattern {
                        entity: id,
                        capitals_only: is_short_acronym(alias),
                        capitalised_only: entity.capitalised.contains(alias),
                        surname,
                        words,
                        separators,
                    },
                ));
            }
        }
        // Names start at word starts, so the automaton runs anchored there: an unanchored scan
        // stops at every alias inside a longer word ("us" in "business", "iran" in "iranian"),
        // and rejecting those cost more than the matching. No prefilter serves anchored runs,
        // so none is built.
        let kind = match purpose {
            MatcherUse::Tagging => AhoCorasickKind::ContiguousNFA,
            MatcherUse::Highlighting => AhoCorasickKind::NoncontiguousNFA,
        };
        let automaton = AhoCorasickBuilder::new()
            .kind(Some(kind))
            .prefilter(false)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(patterns.iter().map(|(p, _)| p.as_str()))
            .expect("aliases are short literal strings, far below the automaton's limits");
        let mut first_words = FirstWords::default();
        for (normalized, pattern) in &patterns {
            // An alias that does not open with a letter or digit never matches at a word start.
            if normalized.starts_with(|c: char| c.is_alphanumeric()) {
                first_words.insert(&pattern.words[0], STARTS_ALIAS);
            }
        }
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
                    && !NAME_CONNECTIVES.contains(&word_str)
                    && !COMMON_NAME_WORDS.contains(&word_str)
                {
                    anchors.entry(word.clone()).or_default().push((pid, wid));
                }
            }
        }
        let mut anchors: Vec<(String, Vec<(usize, usize)>)> = anchors.into_iter().collect();
        anchors.sort();
        for (word, _) in &anchors {
            first_words.insert(word, IS_ANCHOR);
        }
        let anchor_automaton = (!anchors.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .kind(Some(kind))
                .prefilter(false)
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
            first_words,
            transliterations: Transliterations::build(entities),
            parents,
            places,
        }
    }

    /// (entity, original byte range, is a variant) for every accepted mention, in text order.
    pub(super) fn find(&self, text: &str) -> Vec<(usize, Range<usize>, bool)> {
        self.find_in(&normalize(text), text)
    }

    pub(super) fn find_in(
        &self,
        norm: &NormalizedText,
        text: &str,
    ) -> Vec<(usize, Range<usize>, bool)> {
        let hay = norm.text.as_str();
        // (normalised range, entity, variant)
        let mut found: Vec<(Range<usize>, usize, bool)> = Vec::new();
        let mut variants_tried: Vec<(usize, usize)> = Vec::new();
        let mut needs_neighbour: Vec<Range<usize>> = Vec::new();
        let mut covered_to = 0;
        let words = word_runs(hay);
        for word in &words {
            let (start, first_end) = (word.start, word.end);
            let input = Input::new(hay)
                .span(start..hay.len())
                .anchored(Anchored::Yes);
            let may_be = self.first_words.of(&hay[start..first_end]);
            if start >= covered_to {
                let mut exact = None;
                let found_alias = (may_be & STARTS_ALIAS != 0)
                    .then(|| self.automaton.find(input.clone()))
                    .flatten();
                if let Some(m) = found_alias {
                    let pattern = &self.patterns[m.pattern().as_usize()];
                    let written = norm.original_range(m.range(), text);
                    let ok = is_boundary(hay, m.start(), m.end())
                        && (!pattern.capitals_only || is_all_capitals(&text[written.clone()]))
                        && !(pattern.surname && ends_another_name(text, written.start))
                        && (!pattern.capitalised_only || stands_alone(text, written.clone()));
                    if ok {
                        exact = Some((m.range(), pattern.entity, false));
                    }
                }
                // A generated place only where written as a name, and only if no hand alias
                // at the same start is as long.
                let capitalised = written_capitalised(norm, text, start);
                if let Some((end, entity, needs_context)) = capitalised
                    .then(|| self.places.longest_at(hay, start, first_end))
                    .flatten()
                    .filter(|&(end, _, _)| exact.as_ref().is_none_or(|e| e.0.end < end))
                {
                    let written = norm.original_range(start..end, text);
                    if written_as_place(text, written.clone()) && stands_alone(text, written) {
                        if needs_context {
                            needs_neighbour.push(start..end);
                        }
                        exact = Some((start..end, entity, false));
                    }
                }
                if let Some(mention) = exact {
                    covered_to = mention.0.end;
                    found.push(mention);
                }
            }
            if let Some(anchors) = self
                .anchor_automaton
                .as_ref()
                .filter(|_| may_be & IS_ANCHOR != 0)
            {
                if let Some(hit) = anchors.find(input) {
                    if is_boundary(hay, hit.start(), hit.end()) {
                        self.variants_at(hay, hit, &mut variants_tried, &mut found);
                    }
                }
            }
        }
        self.transliterated(norm, text, &words, &mut found);
        // Longest wins among overlapping mentions, then the leftmost; an exact spelling wins
        // over a variant of the same length.
        found.sort_by(|a, b| {
            (b.0.len(), std::cmp::Reverse(b.0.start), !b.2).cmp(&(
                a.0.len(),
                std::cmp::Reverse(a.0.start),
                !a.2,
            ))
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
        if !needs_neighbour.is_empty() {
            let named: Vec<usize> = accepted.iter().map(|a| a.1).collect();
            accepted.retain(|(range, entity, _)| {
                !needs_neighbour.contains(range) || self.has_named_ancestor(*entity, &named)
            });
        }
        accepted.sort_by_key(|a| a.0.start);
        accepted
            .into_iter()
            .map(|(range, entity, variant)| (entity, norm.original_range(range, text), variant))
            .collect()
    }

    /// The anchored alias automaton run at every word start, with no checks and no other pass.
    pub(super) fn automaton_hits(&self, hay: &str) -> usize {
        word_runs(hay)
            .into_iter()
            .map(|word| word.start)
            .filter(|&start| {
                let input = Input::new(hay)
                    .span(start..hay.len())
                    .anchored(Anchored::Yes);
                self.automaton.find(input).is_some()
            })
            .count()
    }

    /// Whether a region that contains `entity` is named too ("Cambridgeshire" for "March").
    /// Countries do not count: a story that names Britain does not make every "Reading" the
    /// town.
    fn has_named_ancestor(&self, entity: usize, named: &[usize]) -> bool {
        let mut cursor = self.parents.get(&entity);
        while let Some(&parent) = cursor {
            let grandparent = self.parents.get(&parent);
            if grandparent.is_some() && named.contains(&parent) {
                return true;
            }
            cursor = grandparent;
        }
        false
    }

    /// Names of two words or more written in a transliteration no alias spells out
    /// ("Qasim Sulaymani"), starting at a capitalised word.
    fn transliterated(
        &self,
        norm: &NormalizedText,
        text: &str,
        spans: &[Range<usize>],
        found: &mut Vec<(Range<usize>, usize, bool)>,
    ) {
        if self.transliterations.max_words == 0 {
            return;
        }
        let hay = norm.text.as_str();
        let mut key = String::new();
        let capitalised = |span: &Range<usize>| written_capitalised(norm, text, span.start);
        for (i, first) in spans.iter().enumerate() {
            if !capitalised(first) {
                continue;
            }
            let word = &hay[first.clone()];
            if !word.bytes().all(|b| b.is_ascii_lowercase()) {
                continue;
            }
            first_word_key(word, &mut key);
            if !self.transliterations.may_start(&key) {
                continue;
            }
            let longest = self.transliterations.max_words.min(spans.len() - i);
            for n in (1..=longest).rev() {
                let window = &spans[i..i + n];
                // A name's words are separated by spaces (hyphens and apostrophes are folded
                // by now), not by commas or full stops.
                if window.windows(2).any(|w| &hay[w[0].end..w[1].start] != " ")
                    || window
                        .iter()
                        .any(|w| !capitalised(w) && must_be_capitalised(&hay[w.clone()]))
                {
                    continue;
                }
                last_word_key(&hay[window[n - 1].clone()], &mut key);
                if !self.transliterations.may_end(&key) {
                    continue;
                }
                let range = first.start..window[n - 1].end;
                let name = &hay[range.clone()];
                // Most windows have no known key: checked before the vowels are read.
                let resolved = NameForm::key_of(name)
                    .filter(|key| self.transliterations.knows_key(key))
                    .and_then(|_| NameForm::of(name))
                    .and_then(|f| self.transliterations.resolve(&f));
                if let Some(entity) = resolved {
                    found.push((range, entity, true));
                    break;
                }
            }
        }
    }
}

/// The words of a normalised alias and the separators between them.
fn split_words(normalized: &str) -> (Vec<String>, Vec<String>) {
    let spans = word_spans(normalized, Apostrophes::Split);
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

/// Whether the original character behind normalised offset `at` is upper case.
fn written_capitalised(norm: &NormalizedText, text: &str, at: usize) -> bool {
    starts_capitalised(&text[norm.offsets[at] as usize..])
}

fn is_all_capitals(text: &str) -> bool {
    !text.chars().any(char::is_lowercase)
}
