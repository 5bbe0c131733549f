/*!
Which words can start an alias, and which are anchor words of the spelling-variant pass: one
hash lookup per word start decides whether the two automata need to run there at all.

A mention found at a word start must end on a word boundary (see `is_boundary`), so the
first word of the text there, up to its first character that is not a letter or digit, is the
first word of the alias entire; likewise an anchor hit is the whole word. A word that starts no
alias and is no anchor word can only give matches the boundary check rejects, so skipping the
automata there finds exactly what running them would.
*/

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::analysis::packed_word;

/// What a word may be, as bits.
pub(super) const STARTS_ALIAS: u8 = 1;
pub(super) const IS_ANCHOR: u8 = 2;

#[derive(Default)]
pub(super) struct FirstWords {
    /// Packed word → its bits. Words longer than a packed key are not listed; they are
    /// assumed to be anything (and rare).
    words: FxHashMap<u128, u8>,
}

impl FirstWords {
    pub(super) fn insert(&mut self, word: &str, bits: u8) {
        if let Some(key) = packed_word(word) {
            *self.words.entry(key).or_default() |= bits;
        }
    }

    /// The bits of `word`: every bit for a word too long to be listed.
    pub(super) fn of(&self, word: &str) -> u8 {
        match packed_word(word) {
            Some(key) => self.words.get(&key).copied().unwrap_or(0),
            None => STARTS_ALIAS | IS_ANCHOR,
        }
    }
}

/// The runs of letters and digits of normalised text (its words), in one scan that reads
/// ASCII without decoding. Normalised text holds no apostrophe inside a word, so these are the
/// words [`crate::analysis::word_spans`] finds there too.
pub(super) fn word_runs(hay: &str) -> Vec<Range<usize>> {
    let bytes = hay.as_bytes();
    let mut runs = Vec::with_capacity(hay.len() / 4 + 1);
    let mut at = 0;
    while at < bytes.len() {
        let (alphanumeric, len) = match bytes[at] {
            b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
            _ => {
                let c = hay[at..].chars().next().expect("at is a char boundary");
                (c.is_alphanumeric(), c.len_utf8())
            }
        };
        if alphanumeric {
            let end = word_end(hay, at);
            runs.push(at..end);
            at = end;
        } else {
            at += len;
        }
    }
    runs
}

/// Where the run of letters and digits starting at byte `start` ends.
fn word_end(hay: &str, start: usize) -> usize {
    let bytes = hay.as_bytes();
    let mut end = start;
    loop {
        while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
            end += 1;
        }
        // A letter outside ASCII continues the word, and ASCII may follow it again.
        match hay[end..].chars().next() {
            Some(c) if !c.is_ascii() && c.is_alphanumeric() => end += c.len_utf8(),
            _ => return end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_runs_of_letters_and_digits() {
        let hay = "kataib hezbollah's bürgermeister, u.s. 2024—ḥimṣ";
        let words: Vec<&str> = word_runs(hay).into_iter().map(|r| &hay[r]).collect();
        assert_eq!(
            words,
            [
                "kataib",
                "hezbollah",
                "s",
                "bürgermeister",
                "u",
                "s",
                "2024",
                "ḥimṣ"
            ]
        );
        let spans = crate::analysis::word_spans(hay, crate::analysis::Apostrophes::Split);
        assert_eq!(word_runs(hay), spans);
    }

    #[test]
    fn long_words_may_be_anything() {
        let mut words = FirstWords::default();
        words.insert("kataib", STARTS_ALIAS);
        words.insert("hezbollah", IS_ANCHOR);
        words.insert("kataib", IS_ANCHOR);
        assert_eq!(words.of("kataib"), STARTS_ALIAS | IS_ANCHOR);
        assert_eq!(words.of("hezbollah"), IS_ANCHOR);
        assert_eq!(words.of("the"), 0);
        assert_eq!(words.of("internationalization"), STARTS_ALIAS | IS_ANCHOR);
    }
}
