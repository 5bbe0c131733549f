/*!
Name candidates: capitalised word sequences that no gazetteer entry covers, so
`sitrep entities --candidates` can show what to add.
*/

use std::ops::Range;

use crate::analysis::{is_hyphen, NAME_CONNECTIVES};

/// Words that start sentences or headlines without being names.
pub(super) const NOT_NAMES: &[&str] = &[
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
pub(super) fn capitalised_sequences(text: &str) -> Vec<Range<usize>> {
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
            let mut gap = gap.chars();
            let one_joiner = matches!(
                (gap.next(), gap.next()),
                (Some(c), None) if c == ' ' || is_hyphen(c)
            );
            if !one_joiner {
                break;
            }
            let next = &text[words[j].1.clone()];
            if starts_capitalised(next) && !NOT_NAMES.contains(&next) {
                end = j;
                j += 1;
            } else if NAME_CONNECTIVES.contains(&words[j].0.as_str()) && j + 1 < words.len() {
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

pub(super) fn starts_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `at` opens a sentence, where any word is capitalised.
pub(super) fn is_sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches(|c: char| c.is_whitespace() || "\"“‘'(".contains(c));
    before.is_empty() || before.ends_with(['.', '!', '?', ':', ';'])
}
