//! One analysis pass per paragraph: the tokens the sitrep tokenizer makes of it, and the stems
//! of those that are not their own stem, joined into strings that a store indexes as they are.
//!
//! The embedded index's `title`, `text` and `text_stem` fields receive these strings (joined by
//! [`TOKEN_SEPARATOR`], split again by [`JoinedTokenizer`]), and the cluster store sends them
//! joined by spaces; so the words of a paragraph are found, folded and stemmed once, on the
//! thread that tags it, instead of once per field on tantivy's indexing threads.

use std::sync::Mutex;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::stem::StemMemo;
use super::{next_word, push_folded_word, Apostrophes};

/// Between two tokens of a joined field in the embedded index. NUL is never part of a token
/// (not a letter or digit, and no compatibility decomposition yields it), whereas a space is
/// part of a few folded Arabic ligatures (U+FDFA decomposes into four words with spaces).
pub const TOKEN_SEPARATOR: char = '\0';

/// The token a field without words holds (a punctuation-only paragraph, a missing title, a
/// paragraph whose words are all their own stem), so that every paragraph has every indexed
/// field. BM25 counts documents and averages lengths over the documents that have a field in
/// Lucene, over all documents in tantivy; with this token the two stores count the same
/// documents and the same lengths, so a cluster scores exactly as the embedded index does. `_`
/// is never part of an analysed word, so no query produces it.
pub const EMPTY_FIELD_TOKEN: &str = "_";

/// The words and stems of one text, each joined by a separator; a text without words (or
/// without a word that stems to something else) gets the empty-field marker instead.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysed {
    pub words: String,
    pub stems: String,
}

/// Analyses paragraphs for one thread at a time, with the tokenizer's rules and a memo of the
/// stems already computed (news text is a few thousand words over and over, and stemming each occurrence
/// anew was a tenth of indexing time).
#[derive(Clone, Default)]
pub struct ParagraphAnalyser {
    memo: StemMemo,
}

impl ParagraphAnalyser {
    /// The words and stems of `text`, joined by `separator` (which no token may hold).
    ///
    /// ```
    /// use sitrep::analysis::ParagraphAnalyser;
    ///
    /// let analysed = ParagraphAnalyser::default().analyse("Kata’ib militias fought", ' ');
    /// assert_eq!(analysed.words, "kataib militias fought");
    /// assert_eq!(analysed.stems, "militia");
    /// ```
    pub fn analyse(&mut self, text: &str, separator: char) -> Analysed {
        self.memo.bound();
        let mut words = Joined::new(text.len(), separator);
        // About one word in three is not its own stem.
        let mut stems = Joined::new(text.len() / 2, separator);
        for_each_word(text, &mut words, |word| {
            if let Some(stem) = self.memo.stem(word) {
                stems.start_token();
                stems.text.push_str(stem);
            }
        });
        Analysed {
            words: words.finish(),
            stems: stems.finish(),
        }
    }

    /// The words of `text` alone, joined by `separator` (a title, which has no stem field).
    pub fn words(&mut self, text: &str, separator: char) -> String {
        let mut words = Joined::new(text.len(), separator);
        for_each_word(text, &mut words, |_| {});
        words.finish()
    }
}

/// Tokens joined by a separator, as an analysed field receives them: the empty-field marker
/// when there are none.
struct Joined {
    text: String,
    separator: char,
    tokens: usize,
}

impl Joined {
    fn new(capacity: usize, separator: char) -> Joined {
        Joined {
            text: String::with_capacity(capacity),
            separator,
            tokens: 0,
        }
    }

    /// Begins the next token (after a separator, unless it is the first); it is written to
    /// `text` from here on.
    fn start_token(&mut self) -> usize {
        if self.tokens > 0 {
            self.text.push(self.separator);
        }
        self.tokens += 1;
        self.text.len()
    }

    fn finish(mut self) -> String {
        if self.tokens == 0 {
            self.text.push_str(EMPTY_FIELD_TOKEN);
        }
        self.text
    }
}

/// Folds the words of `text` straight into `joined` as the sitrep tokenizer would make its
/// tokens (no token is built and copied), and hands each to `each`.
fn for_each_word(text: &str, joined: &mut Joined, mut each: impl FnMut(&str)) {
    let mut cursor = 0;
    while let Some((span, resume)) = next_word(text, cursor, Apostrophes::Join) {
        cursor = resume;
        let start = joined.start_token();
        push_folded_word(&text[span], &mut joined.text);
        each(&joined.text[start..]);
    }
}

/// Analysers that outlive one parallel job, so their stem memos stay warm across the batches
/// of a sync: a job takes one and gives it back when it ends.
#[derive(Default)]
pub struct AnalyserPool {
    idle: Mutex<Vec<ParagraphAnalyser>>,
}

impl AnalyserPool {
    pub fn take(&self) -> PooledAnalyser<'_> {
        let analyser = self.lock().pop().unwrap_or_default();
        PooledAnalyser {
            pool: self,
            analyser,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ParagraphAnalyser>> {
        // A job that panicked left a whole analyser or none: the list is sound either way.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An analyser on loan from an [`AnalyserPool`]; back in the pool when dropped.
pub struct PooledAnalyser<'p> {
    pool: &'p AnalyserPool,
    analyser: ParagraphAnalyser,
}

impl std::ops::Deref for PooledAnalyser<'_> {
    type Target = ParagraphAnalyser;
    fn deref(&self) -> &ParagraphAnalyser {
        &self.analyser
    }
}

impl std::ops::DerefMut for PooledAnalyser<'_> {
    fn deref_mut(&mut self) -> &mut ParagraphAnalyser {
        &mut self.analyser
    }
}

impl Drop for PooledAnalyser<'_> {
    fn drop(&mut self) {
        let analyser = std::mem::take(&mut self.analyser);
        self.pool.lock().push(analyser);
    }
}

/// Splits a field joined by [`TOKEN_SEPARATOR`] back into its tokens, numbered from 0 as the
/// sitrep tokenizer numbers them: the index-time tokenizer of the fields that receive
/// [`ParagraphAnalyser`]'s output.
#[derive(Clone, Default)]
pub struct JoinedTokenizer {
    token: Token,
}

pub struct JoinedTokenStream<'a> {
    /// What follows the last separator read; `None` once the last token is out.
    rest: Option<&'a str>,
    offset: usize,
    token: &'a mut Token,
}

impl Tokenizer for JoinedTokenizer {
    type TokenStream<'a> = JoinedTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JoinedTokenStream<'a> {
        self.token.reset();
        JoinedTokenStream {
            // A joined field always holds a token; an empty text holds none.
            rest: (!text.is_empty()).then_some(text),
            offset: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for JoinedTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(rest) = self.rest.take() else {
            return false;
        };
        // Tokens are a few bytes long: a plain scan beats setting up a searcher.
        let token = match rest.bytes().position(|b| b == TOKEN_SEPARATOR as u8) {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                &rest[..at]
            }
            None => rest,
        };
        self.token.text.clear();
        self.token.text.push_str(token);
        self.token.offset_from = self.offset;
        self.token.offset_to = self.offset + token.len();
        self.token.position = self.token.position.wrapping_add(1);
        self.offset += token.len() + 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::analysis::{stem_word, token_texts, SitrepTokenizer};

    /// Token texts and positions of an analyser's stream.
    fn stream(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn joined_fields_index_as_the_tokenizer_and_the_stemmer_would() {
        let texts = [
            "Kata’ib Hezbollah's militias fought al-Muhandis’s fighters, 2½ miles away.",
            "The ﷺ ligature folds into words with spaces",
            "oil iran",
        ];
        let mut analyser = ParagraphAnalyser::default();
        let mut joined = TextAnalyzer::from(JoinedTokenizer::default());
        let mut sitrep = TextAnalyzer::from(SitrepTokenizer::default());
        for text in texts {
            let result = analyser.analyse(text, TOKEN_SEPARATOR);
            // Same texts at the same positions as the tokenizer gives the original.
            assert_eq!(
                stream(&mut joined, &result.words),
                stream(&mut sitrep, text),
                "{text}"
            );
            let stems: Vec<String> = token_texts(&mut sitrep, text)
                .into_iter()
                .map(|word| stem_word(&word))
                .zip(token_texts(&mut sitrep, text))
                .filter(|(stem, word)| stem != word)
                .map(|(stem, _)| stem)
                .collect();
            let expected = match stems.is_empty() {
                true => vec![EMPTY_FIELD_TOKEN.to_string()],
                false => stems,
            };
            assert_eq!(token_texts(&mut joined, &result.stems), expected, "{text}");
            assert_eq!(analyser.words(text, TOKEN_SEPARATOR), result.words);
        }
        let ligature = analyser.analyse("ﷺ", TOKEN_SEPARATOR);
        assert_eq!(token_texts(&mut joined, &ligature.words).len(), 1);
        let spaced = analyser.analyse("Kata’ib militias fought", ' ');
        assert_eq!(spaced.words, "kataib militias fought");
        assert_eq!(spaced.stems, "militia");
    }

    #[test]
    fn a_field_without_words_holds_the_marker() {
        let mut analyser = ParagraphAnalyser::default();
        for text in ["— … —", ""] {
            let result = analyser.analyse(text, TOKEN_SEPARATOR);
            assert_eq!((result.words.as_str(), result.stems.as_str()), ("_", "_"));
            assert_eq!(analyser.words(text, TOKEN_SEPARATOR), "_");
        }
        assert_eq!(analyser.analyse("oil iran", ' ').stems, EMPTY_FIELD_TOKEN);
        let mut joined = TextAnalyzer::from(JoinedTokenizer::default());
        assert_eq!(stream(&mut joined, "_"), [("_".to_string(), 0)]);
    }

    #[test]
    fn pooled_analysers_come_back() {
        let pool = AnalyserPool::default();
        {
            let mut first = pool.take();
            let _second = pool.take();
            first.analyse("militias", ' ');
        }
        assert_eq!(pool.lock().len(), 2);
        let _again = pool.take();
        assert_eq!(pool.lock().len(), 1);
    }
}
