/*!
Mentions in the context of one article. Reporters name a person in full once and then by one
name ("Saddam Hussein ... Hussein warned"), and define an acronym once ("Islamic Revolutionary
Guard Corps (IRGC)"); neither short form is safe to tag outside the article that set it up, so
these bindings live for one article only.

- after a full mention of a person (two words or more), a later capitalised first or last word
  alone names the same person, unless the article has named two people with that word;
- an all-capitals acronym in parentheses right after a mention, whose letters are initials of
  the mention's words in order, names that entity for the rest of the article.
*/

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::candidates::{starts_capitalised, NOT_NAMES};
use super::entity::Found;
use super::unlisted::is_demonym;
use super::{EntityRef, Gazetteer};
use crate::analysis::{name_parts, written_words, Apostrophes, WordSpans, NAME_CONNECTIVES};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Binding {
    To(EntityRef),
    /// Two entities claimed the word: it names neither.
    Ambiguous,
}

/// Short names and acronyms an article has set up so far.
#[derive(Debug, Default)]
pub(crate) struct ArticleContext {
    /// Lower-cased first and last words of people named in full.
    short_names: FxHashMap<String, Binding>,
    /// Acronyms as written ("IRGC").
    acronyms: FxHashMap<String, Binding>,
}

/// Words that are never a person's short name on their own.
const NOT_SHORT_NAMES: [&str; 14] = [
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "sheikh",
    "sayyid",
    "sayyed",
    "haj",
    "hajj",
    "general",
    "president",
    "king",
    "prince",
];

impl ArticleContext {
    /// Adds the mentions the article's own bindings give to `found` (one paragraph's mentions,
    /// sorted by start), and learns the bindings those mentions set up, in text order.
    pub(crate) fn resolve(&mut self, gazetteer: &Gazetteer, text: &str, found: &mut Vec<Found>) {
        let mut added = Vec::new();
        let mut next_mention = 0;
        let mut words = WordSpans::new(text, Apostrophes::Join);
        loop {
            // Until the article binds a name, a word matters only as the place where the
            // next mention is learned: most paragraphs are skipped from mention to mention.
            if self.acronyms.is_empty() && self.short_names.is_empty() {
                match found.get(next_mention) {
                    Some(mention) => words.skip_to(mention.range.start),
                    None => break,
                }
            }
            let Some(word) = words.next() else {
                break;
            };
            // Mentions that end before this word set up their bindings first.
            while next_mention < found.len() && found[next_mention].range.end <= word.start {
                let mention = found[next_mention].clone();
                self.learn(gazetteer, text, &mention, &mut added);
                next_mention += 1;
            }
            let inside = found
                .iter()
                .chain(&added)
                .find(|m| m.range.start < word.end && word.start < m.range.end);
            let written = &text[word.clone()];
            if let Some(existing) = inside {
                // A bare acronym the gazetteer gives to another entity is this article's, and a
                // one-word name the tagger found is whoever the article bound that word to.
                if existing.range == word {
                    let unlisted = matches!(existing.entity, EntityRef::Unlisted { .. });
                    let binding = self.acronyms.get(written).or_else(|| {
                        unlisted
                            .then(|| self.short_names.get(&written.to_lowercase()))
                            .flatten()
                    });
                    if let Some(Binding::To(entity)) = binding {
                        if *entity != existing.entity {
                            let entity = entity.clone();
                            if let Some(m) = found.iter_mut().find(|m| m.range == word) {
                                m.entity = entity;
                            }
                        }
                    }
                }
                continue;
            }
            let binding = self.binding(written);
            if let Some(Binding::To(entity)) = binding {
                added.push(Found {
                    entity: entity.clone(),
                    range: word,
                    variant: false,
                });
            }
        }
        while next_mention < found.len() {
            let mention = found[next_mention].clone();
            self.learn(gazetteer, text, &mention, &mut added);
            next_mention += 1;
        }
        // "(PMF)" right after the name it abbreviates names that entity, whatever the gazetteer
        // gives the acronym to elsewhere.
        found.retain(|m| !added.iter().any(|a| a.range == m.range));
        found.append(&mut added);
        found.sort_by_key(|m| m.range.start);
    }

    /// What the article bound a capitalised word to, if anything.
    fn binding(&self, written: &str) -> Option<&Binding> {
        if !starts_capitalised(written) {
            return None;
        }
        let acronym = match self.acronyms.is_empty() {
            true => None,
            false => self.acronyms.get(written),
        };
        acronym.or_else(|| match self.short_names.is_empty() {
            true => None,
            false => self.short_names.get(&written.to_lowercase()),
        })
    }

    fn learn(
        &mut self,
        gazetteer: &Gazetteer,
        text: &str,
        mention: &Found,
        added: &mut Vec<Found>,
    ) {
        let written = &text[mention.range.clone()];
        if gazetteer.kind_of(&mention.entity) == "person" {
            // Split as `resolve` splits the words it looks these up by.
            let parts: Vec<&str> = written_words(written, Apostrophes::Join)
                .filter(|w| {
                    let lower = w.to_lowercase();
                    w.chars().count() >= 3
                        && !NAME_CONNECTIVES.contains(&lower.as_str())
                        && !NOT_SHORT_NAMES.contains(&lower.as_str())
                        && !NOT_NAMES.contains(w)
                })
                .collect();
            if parts.len() >= 2 {
                for part in [parts[0], parts[parts.len() - 1]] {
                    // "Israeli" in a misread "Another Israeli" must not bind every "Israeli".
                    if is_demonym(gazetteer, part) {
                        continue;
                    }
                    let key = part.to_lowercase();
                    // A word the gazetteer gives to somebody else keeps that meaning.
                    let owner = gazetteer.lookup_id(part);
                    if owner.is_some_and(|id| EntityRef::Listed(id) != mention.entity) {
                        continue;
                    }
                    bind(&mut self.short_names, key, &mention.entity);
                }
            }
        }
        if let Some((acronym, range)) = acronym_after(text, mention.range.end) {
            if initials_fit(acronym, written) {
                bind(&mut self.acronyms, acronym.to_string(), &mention.entity);
                added.push(Found {
                    entity: mention.entity.clone(),
                    range,
                    variant: false,
                });
            }
        }
    }
}

fn bind(table: &mut FxHashMap<String, Binding>, key: String, entity: &EntityRef) {
    match table.get(&key) {
        Some(Binding::To(existing)) if existing != entity => {
            table.insert(key, Binding::Ambiguous);
        }
        Some(_) => {}
        None => {
            table.insert(key, Binding::To(entity.clone()));
        }
    }
}

/// "IRGC" and its byte range when `text[at..]` reads " (IRGC)".
fn acronym_after(text: &str, at: usize) -> Option<(&str, Range<usize>)> {
    let rest = &text[at..];
    let open = rest.len() - rest.trim_start_matches(' ').len();
    let inner = rest[open..].strip_prefix('(')?;
    let len = inner.find(')')?;
    let acronym = &inner[..len];
    let letters = acronym.chars().filter(char::is_ascii_alphabetic).count();
    let shaped = (2..=8).contains(&letters)
        && acronym.starts_with(|c: char| c.is_ascii_uppercase())
        && acronym
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    let start = at + open + 1;
    shaped.then_some((acronym, start..start + len))
}

/// The acronym's letters are initials of the name's words, in order, starting with the
/// first: "Popular Mobilization Forces" fits PMF, "Iraq" does not fit AFP.
fn initials_fit(acronym: &str, name: &str) -> bool {
    let initials: Vec<char> = name_parts(name)
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let mut letters = acronym.chars().filter(char::is_ascii_alphabetic).peekable();
    if letters.peek() != initials.first() {
        return false;
    }
    let mut rest = initials.iter();
    letters.all(|letter| rest.any(|&initial| initial == letter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::word_spans;

    #[test]
    fn acronyms_need_parentheses_and_fitting_initials() {
        let text = "Islamic Revolutionary Guard Corps (IRGC) said";
        assert_eq!(acronym_after(text, 33), Some(("IRGC", 35..39)));
        assert!(initials_fit("IRGC", "Islamic Revolutionary Guard Corps"));
        assert!(initials_fit("ISIL", "Islamic State of Iraq and the Levant"));
        assert!(initials_fit("HTS", "Hayat Tahrir al-Sham"));
        assert!(!initials_fit("AFP", "Iraq"));
        assert!(!initials_fit("PMF", "Forces"));
        assert_eq!(acronym_after("Iraq (in 2003)", 4), None);
    }

    #[test]
    fn words_keep_inner_apostrophes_and_drop_possessives() {
        let text = "Kata’ib Hezbollah's leader, Hussein.";
        let found: Vec<&str> = word_spans(text, Apostrophes::Join)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["Kata’ib", "Hezbollah", "leader", "Hussein"]);
    }
}
