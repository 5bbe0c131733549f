/*!
Text analysis shared by the index and the entity matcher.

Two views of the same rules live here: [`SitrepTokenizer`], the tantivy tokenizer used for
indexing and querying (`Kata’ib` → `kataib`, `al-Muhandis` → `al` `muhandis`), and
[`normalize`], which produces one normalised string with a map back to the original bytes, for
the gazetteer matcher and for snippets. Keeping them in one module means "Kataib finds Kata’ib"
holds for search and for tagging alike.
*/

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Name under which the analyser is registered in every index we open.
pub const TOKENIZER_NAME: &str = "sitrep";
/// The same analyser followed by the English Snowball stemmer, for the word-form field
/// ("militias" → "militia", "wings" → "wing"). Names suffer from stemming, so it only ever adds
/// matches beside the exact field, at a lower weight. A word that is its own stem ("oil",
/// "iran": seven postings in ten) is left out: the exact field already holds it, so a stem
/// is looked up in both fields, and the stemmed field stays a quarter of its size.
pub const STEM_TOKENIZER_NAME: &str = "sitrep_stem";

pub fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SitrepTokenizer::default())
        .filter(MemoStemmer)
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
            memo: FxHashMap::default(),
        }
    }
}

#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
    memo: FxHashMap<String, Option<String>>,
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
    memo: &'a mut FxHashMap<String, Option<String>>,
}

impl<T: TokenStream> TokenStream for MemoStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            // None: the word is its own stem.
            let stem = match self.memo.get(&token.text) {
                Some(stem) => stem,
                None => {
                    let stem = stem_word(&token.text);
                    let stem = (stem != token.text).then_some(stem);
                    self.memo.entry(token.text.clone()).or_insert(stem)
                }
            };
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

/// Apostrophes and the transliteration marks for ʿayn and hamza. Inside a word they vanish
/// (Kata’ib = Kata'ib = Kataib = Hayʼat's "hayat"); elsewhere they separate words.
pub fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | '‘' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '`' | '´' | '′' | 'ʹ'
    )
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '_' | '/')
}

/// `'s` closing a word ("Iraq’s", "IRGC's"): the apostrophe ends the name rather than
/// joining "s" to it, or "Iraq’s" would become the unknown word "iraqs".
fn is_possessive(after_apostrophe: &str) -> bool {
    let mut rest = after_apostrophe.chars();
    matches!(rest.next(), Some('s' | 'S')) && !rest.next().is_some_and(is_word_char)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_apostrophe(c)
}

/// Appends the folded (lower-case, diacritic-free, compatibility-decomposed) form of `c`.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    decompose_compatible(c, |d| {
        if !is_combining_mark(d) {
            for lower in d.to_lowercase() {
                out.push(lower);
            }
        }
    });
}

/// Folds a single word (already free of separators) the way the tokenizer does.
pub fn fold_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !is_apostrophe(c) {
            push_folded(c, &mut out);
        }
    }
    out
}

/// Splits text into folded words with their byte ranges in the original text.
pub fn words(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut tokenizer = SitrepTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.text.clone(), token.offset_from..token.offset_to));
    }
    out
}

/// Splits on anything that is not a letter or digit, keeping apostrophes that sit between two
/// word characters inside the word (and dropping them from the token text), then folds case and
/// diacritics. Token offsets point into the original text, so snippets can highlight it.
#[derive(Clone, Default)]
pub struct SitrepTokenizer {
    token: Token,
}

pub struct SitrepTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    token: &'a mut Token,
}

impl Tokenizer for SitrepTokenizer {
    type TokenStream<'a> = SitrepTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SitrepTokenStream<'a> {
        self.token.reset();
        SitrepTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for SitrepTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        let rest = &self.text[self.cursor..];
        let Some((start_rel, _)) = rest.char_indices().find(|&(_, c)| is_word_char(c)) else {
            self.cursor = self.text.len();
            return false;
        };
        let start = self.cursor + start_rel;
        let mut end = start;
        let mut resume = None;
        let mut chars = self.text[start..].char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            if is_word_char(c) {
                push_folded(c, &mut self.token.text);
                end = start + offset + c.len_utf8();
            } else if is_apostrophe(c) && chars.peek().is_some_and(|&(_, next)| is_word_char(next))
            {
                let after = start + offset + c.len_utf8();
                if is_possessive(&self.text[after..]) {
                    resume = Some(after + 1);
                    break;
                }
                continue;
            } else {
                break;
            }
        }
        self.cursor = resume.unwrap_or(end);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Text normalised for matching, with the original byte offset of every normalised byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    pub text: String,
    /// `offsets[i]` is the original byte offset of normalised byte `i`; one extra entry at the
    /// end holds the original length, so `offsets[end]` is a valid exclusive end. `u32` halves
    /// the map's memory against `usize`; paragraphs are far below 4 GB.
    pub offsets: Vec<u32>,
}

impl NormalizedText {
    /// Maps a normalised byte range back to a byte range of the original text.
    pub fn original_range(
        &self,
        range: std::ops::Range<usize>,
        original: &str,
    ) -> std::ops::Range<usize> {
        let start = self.offsets[range.start] as usize;
        // The end maps to the end of the original character that produced the last byte.
        let last = self.offsets[range.end - 1] as usize;
        let end = original[last..]
            .chars()
            .next()
            .map_or(original.len(), |c| last + c.len_utf8());
        start..end.max(start)
    }
}

/// Normalises text for gazetteer matching: compatibility decomposition with diacritics removed,
/// lower case, curly quotes made straight, apostrophes inside words removed, hyphens and runs of
/// whitespace turned into one space.
pub fn normalize(text: &str) -> NormalizedText {
    let mut out = String::with_capacity(text.len());
    let mut offsets: Vec<u32> = Vec::with_capacity(text.len() + 1);
    let mut prev: Option<char> = None;
    for (offset, c) in text.char_indices() {
        let at = offset as u32;
        // Plain ASCII letters and digits are most of any English text: handle them first.
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            offsets.push(at);
        } else if is_apostrophe(c) {
            let rest = &text[offset + c.len_utf8()..];
            let inside_word = prev.is_some_and(is_word_char)
                && rest.chars().next().is_some_and(is_word_char)
                && !is_possessive(rest);
            if !inside_word {
                out.push('\'');
                offsets.push(at);
            }
        } else if c.is_whitespace() || is_hyphen(c) {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
                offsets.push(at);
            }
        } else if matches!(c, '“' | '”' | '„' | '«' | '»') {
            out.push('"');
            offsets.push(at);
        } else {
            push_folded(c, &mut out);
            offsets.resize(out.len(), at);
        }
        prev = Some(c);
    }
    offsets.push(text.len() as u32);
    NormalizedText { text: out, offsets }
}

/// Normalises a name or alias from the gazetteer or a query; no offsets needed.
pub fn normalize_name(name: &str) -> String {
    normalize(name).text.trim().to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        words(text).into_iter().map(|(w, _)| w).collect()
    }

    #[test]
    fn apostrophes_inside_words_are_folded() {
        assert_eq!(tokens("Kata’ib Hezbollah"), ["kataib", "hezbollah"]);
        assert_eq!(tokens("Kata'ib"), ["kataib"]);
        assert_eq!(tokens("Hayʼat Tahrir"), ["hayat", "tahrir"]);
        assert_eq!(tokens("jihadists’ physical"), ["jihadists", "physical"]);
        assert_eq!(tokens("‘quoted’"), ["quoted"]);
        assert_eq!(tokens("Iraq’s IRGC's Shi'ism"), ["iraq", "irgc", "shiism"]);
    }

    #[test]
    fn hyphens_split_and_diacritics_fold() {
        assert_eq!(tokens("al-Muhandis"), ["al", "muhandis"]);
        assert_eq!(tokens("Nūri al-Mālikī"), ["nuri", "al", "maliki"]);
        assert_eq!(tokens("IRGC-QF, 2020"), ["irgc", "qf", "2020"]);
    }

    #[test]
    fn token_offsets_point_into_the_original() {
        let text = "The Kata’ib base";
        let (word, range) = &words(text)[1];
        assert_eq!(word, "kataib");
        assert_eq!(&text[range.clone()], "Kata’ib");
    }

    #[test]
    fn normalize_keeps_an_offset_map() {
        let text = "Abu Mahdi al‑Muhandis and Kata’ib  Hezbollah";
        let norm = normalize(text);
        assert_eq!(norm.text, "abu mahdi al muhandis and kataib hezbollah");
        let start = norm.text.find("kataib hezbollah").unwrap();
        let range = norm.original_range(start..start + "kataib hezbollah".len(), text);
        assert_eq!(&text[range], "Kata’ib  Hezbollah");
    }

    #[test]
    fn normalize_folds_quotes_and_diacritics() {
        assert_eq!(normalize("“Deir ez-Zōr”").text, "\"deir ez zor\"");
        assert_eq!(normalize_name("  Qassem   Soleimani "), "qassem soleimani");
        assert_eq!(normalize("Iraq’s").text, "iraq's");
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

#[cfg(test)]
mod stem_tests {
    use tantivy::tokenizer::{Language, Stemmer};

    use super::*;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn memoised_stems_are_tantivys_stems_of_words_they_change_the_second_time_too() {
        let text = "Militias wings fighting Kata’ib militias fought; militias, wings and \
                    al-Muhandis’s generously fighting";
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
