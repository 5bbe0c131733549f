//! The stemmed field's analyser: the English Snowball stemmer behind the sitrep tokenizer,
//! with a memo of the stems already computed.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

use super::{MarkEmpty, SitrepTokenizer};

/// The stemmed field's analyser: stems of the words that are not their own stem, or the
/// empty-field marker when there are none.
pub fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SitrepTokenizer::default())
        .filter(MemoStemmer)
        .filter(MarkEmpty)
        .build()
}

/// The analyser of the text and title fields: the sitrep tokenizer, with the empty-field
/// marker for a field without words.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SitrepTokenizer::default())
        .filter(MarkEmpty)
        .build()
}

/// The English Snowball stemmer (the one tantivy's `Stemmer` runs) with a memo of the stems
/// already computed. News text is a few thousand words over and over, and stemming each
/// occurrence anew was a tenth of indexing time. Each indexing thread has its own copy of the
/// analyser, so the memo needs no lock.
#[derive(Clone, Copy)]
pub struct MemoStemmer;

/// Distinct words remembered before the memo starts over; bounds its memory (~10 MB).
const STEM_MEMO_LIMIT: usize = 100_000;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter {
            inner: tokenizer,
            memo: StemMemo::default(),
        }
    }
}

#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
    memo: StemMemo,
}

/// Stems already computed, by word. A word of up to 16 bytes (nearly every word) is its own
/// key packed into an integer, so a lookup hashes and compares one number instead of a string.
#[derive(Clone, Default)]
struct StemMemo {
    short: FxHashMap<u128, Option<Box<str>>>,
    long: FxHashMap<Box<str>, Option<Box<str>>>,
}

impl StemMemo {
    /// The stem of `word`, or `None` when it is its own stem.
    fn stem(&mut self, word: &str) -> Option<&str> {
        let compute = || {
            let stem = stem_word(word);
            (stem != word).then(|| stem.into_boxed_str())
        };
        let stem = match packed(word) {
            Some(key) => self.short.entry(key).or_insert_with(compute),
            None => self.long.entry(word.into()).or_insert_with(compute),
        };
        stem.as_deref()
    }

    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }
}

/// The bytes of a word of 1 to 16 bytes as one integer; tokens hold no NUL byte, so the
/// zero padding cannot make two words one key.
fn packed(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    let mut key = [0u8; 16];
    key[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(key))
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.memo.len() > STEM_MEMO_LIMIT {
            self.memo.clear();
        }
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
        }
    }
}

pub struct MemoStemmerStream<'a, T> {
    tail: T,
    memo: &'a mut StemMemo,
}

impl<T: TokenStream> TokenStream for MemoStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            // None: the word is its own stem.
            let stem = self.memo.stem(&token.text);
            if let Some(stem) = stem {
                token.text.clear();
                token.text.push_str(stem);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
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
    use tantivy::tokenizer::{Language, Stemmer};

    use super::*;
    use crate::analysis::analysed as tokens;

    #[test]
    fn memoised_stems_are_tantivys_stems_of_words_they_change_the_second_time_too() {
        // "internationalizations" is longer than a packed memo key.
        let text = "Militias wings fighting Kata’ib militias fought; militias, wings and \
                    al-Muhandis’s generously fighting internationalizations internationalizations";
        let mut plain = TextAnalyzer::builder(SitrepTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let surface = tokens(
            &mut TextAnalyzer::builder(SitrepTokenizer::default()).build(),
            text,
        );
        let expected: Vec<String> = tokens(&mut plain, text)
            .into_iter()
            .zip(surface)
            .filter(|(stem, word)| stem != word)
            .map(|(stem, _)| stem)
            .collect();
        assert_eq!(expected[..3], ["militia", "wing", "fight"]);
        let mut memo = stem_analyzer();
        for _ in 0..2 {
            assert_eq!(tokens(&mut memo, text), expected);
        }
    }
}
