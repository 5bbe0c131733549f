//! The English Snowball stemmer (the one tantivy's `Stemmer` runs), with a memo of the stems
//! already computed.

use rustc_hash::FxHashMap;

use super::packed_word;

/// Distinct words remembered before the memo starts over; bounds its memory (~10 MB).
const STEM_MEMO_LIMIT: usize = 100_000;

/// Stems already computed, by word. A word of up to 16 bytes (nearly every word) is its own
/// key packed into an integer, so a lookup hashes and compares one number instead of a string.
#[derive(Clone, Default)]
pub(super) struct StemMemo {
    short: FxHashMap<u128, Option<Box<str>>>,
    long: FxHashMap<Box<str>, Option<Box<str>>>,
}

impl StemMemo {
    /// The stem of `word`, or `None` when it is its own stem.
    pub(super) fn stem(&mut self, word: &str) -> Option<&str> {
        let compute = || {
            let stem = stem_word(word);
            (stem != word).then(|| stem.into_boxed_str())
        };
        let stem = match packed_word(word) {
            Some(key) => self.short.entry(key).or_insert_with(compute),
            None => self.long.entry(word.into()).or_insert_with(compute),
        };
        stem.as_deref()
    }

    /// Starts over once the memo holds [`STEM_MEMO_LIMIT`] words.
    pub(super) fn bound(&mut self) {
        if self.short.len() + self.long.len() > STEM_MEMO_LIMIT {
            self.short.clear();
            self.long.clear();
        }
    }
}

/// The stem of one analysed token (folded, lower-case), as the stemmed field holds it. The
/// token is stemmed as it is, not analysed again: folding can leave characters in a token that
/// a second pass would split on ("2½" is the token "21⁄2").
pub fn stem_word(word: &str) -> String {
    frostem::Stemmer::new(frostem::Algorithm::English)
        .stem(word)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer};

    use super::*;
    use crate::analysis::{token_texts, SitrepTokenizer};

    #[test]
    fn memoised_stems_are_tantivys_stems_the_second_time_too() {
        // "internationalizations" is longer than a packed memo key.
        let text = "Militias wings fighting Kata’ib militias fought; militias, wings and \
                    al-Muhandis’s generously fighting internationalizations internationalizations oil";
        let mut tantivy = TextAnalyzer::builder(SitrepTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let words = token_texts(&mut TextAnalyzer::from(SitrepTokenizer::default()), text);
        let stems = token_texts(&mut tantivy, text);
        let mut memo = StemMemo::default();
        for _ in 0..2 {
            for (word, stem) in words.iter().zip(&stems) {
                let expected = (stem != word).then_some(stem.as_str());
                assert_eq!(memo.stem(word), expected, "{word}");
            }
        }
        assert_eq!(memo.stem("militias"), Some("militia"));
        assert_eq!(memo.stem("oil"), None);
    }
}
