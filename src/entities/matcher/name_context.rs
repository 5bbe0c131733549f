/*!
Whether a name found in the text stands there as that name: written capitalised and on its
own, not as one word of a longer name ("David Cameron" is no Cameron, Louisiana), not inside a
handle, and not as the person a speech verb follows.
*/

use std::ops::Range;

use crate::analysis::{is_apostrophe, is_hyphen, is_word_char, name_parts, NAME_JOINERS};
use crate::entities::candidates::{is_sentence_start, starts_capitalised, NOT_NAMES};
use crate::entities::TITLES;

/// A generated place name written as a name of its own: capitalised, and not one word of a
/// longer capitalised name ("David Cameron", "National Bank of Kuwait", "Haj Omran"), which
/// names something else that happens to contain it.
pub(in crate::entities) fn stands_alone(text: &str, written: Range<usize>) -> bool {
    if !starts_capitalised(&text[written.clone()]) {
        return false;
    }
    let joined = |gap: &str| !gap.is_empty() && gap.chars().all(|c| c == ' ' || is_hyphen(c));
    // The word before, looking past a particle ("Saad al-Abdulla", "Bank of Kuwait"). Even at
    // a sentence start, "Scott Lucas" is one name, and a title ("Mr Florin") makes it a
    // person's; "In Mosul" is a place.
    if let Some((_, word)) = word_before(text, written.start, |w| NAME_JOINERS.contains(&w)) {
        if TITLES.contains(&word) || (starts_capitalised(word) && !NOT_NAMES.contains(&word)) {
            return false;
        }
    }
    // The word after, looking past a joiner ("Center for Strategic Studies").
    let mut start = written.end;
    for _ in 0..2 {
        let after = &text[start..];
        let next = after.trim_start_matches(|c: char| c == ' ' || is_hyphen(c));
        if !joined(&after[..after.len() - next.len()]) {
            break;
        }
        let word_len = next.len() - next.trim_start_matches(is_word_char).len();
        let word = &next[..word_len];
        if NAME_JOINERS.contains(&word) || word == "for" {
            start = text.len() - next.len() + word_len;
            continue;
        }
        if starts_capitalised(word) {
            return false;
        }
        break;
    }
    true
}

/// A generated name as a place is written: every word but the joiners capitalised ("The
/// bank" is not the Bank), no apostrophe ("I've" is not IVe), not as an acronym ("SANA"), not
/// inside a handle ("@David_Cameron"), and not as the subject of a speech verb ("Carson said").
pub(super) fn written_as_place(text: &str, written: Range<usize>) -> bool {
    let word = &text[written.clone()];
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let shouted = letters >= 2 && !word.chars().any(char::is_lowercase);
    let words_capitalised = name_parts(word)
        .filter(|w| !NAME_JOINERS.contains(w))
        .all(starts_capitalised);
    let after = &text[written.end..];
    let after = after.strip_prefix(' ').unwrap_or("");
    let speaks = SPEECH_VERBS.iter().any(|verb| {
        after
            .strip_prefix(verb)
            .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
    });
    !shouted
        && words_capitalised
        && !word.contains(is_apostrophe)
        && !speaks
        && !in_handle(text, written)
}

/// Verbs that follow a person, not a place.
const SPEECH_VERBS: [&str; 12] = [
    "said",
    "says",
    "told",
    "added",
    "noted",
    "stated",
    "wrote",
    "argued",
    "explained",
    "insisted",
    "who",
    "whose",
];

/// Inside "@David_Cameron" or "#Iraq": a handle or a hashtag, not prose.
pub(in crate::entities) fn in_handle(text: &str, written: Range<usize>) -> bool {
    let glued = |c: Option<char>| c.is_some_and(|c| matches!(c, '_' | '@' | '#'));
    glued(text[..written.start].chars().next_back()) || glued(text[written.end..].chars().next())
}

/// Whether the word before `at` (past "al-") is a capitalised given name, not a title:
/// "Rifaat al-Assad", where a surname alias would otherwise tag his brother.
pub(super) fn ends_another_name(text: &str, at: usize) -> bool {
    let joiner = |w: &str| NAME_JOINERS.contains(&w.to_lowercase().as_str());
    word_before(text, at, joiner).is_some_and(|(start, word)| {
        starts_capitalised(word) && !TITLES.contains(&word) && !is_sentence_start(text, start)
    })
}

/// The word right before `at`, joined to it by spaces or hyphens only, looking past one word
/// for which `skip` holds ("al-", "of"): its start and text.
fn word_before(text: &str, at: usize, skip: impl Fn(&str) -> bool) -> Option<(usize, &str)> {
    let mut end = at;
    for _ in 0..2 {
        let before = &text[..end];
        let word_end = before
            .trim_end_matches(|c: char| c == ' ' || is_hyphen(c))
            .len();
        if word_end == before.len() {
            return None;
        }
        let word_start = before[..word_end]
            .trim_end_matches(|c: char| is_word_char(c) || c == '.')
            .len();
        let word = &text[word_start..word_end];
        if !skip(word) {
            return Some((word_start, word));
        }
        end = word_start;
    }
    None
}
