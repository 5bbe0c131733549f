/*!
Text analysis shared by the index and the entity matcher.

Two views of the same rules live here: [`SitrepTokenizer`], the tokenizer that makes the
indexed words of a paragraph ([`ParagraphAnalyser`], one pass for the words and their stems)
and the words of a query (`Kata’ib` → `kataib`, `al-Muhandis` → `al` `muhandis`), and
[`normalize`], which produces one normalised string with a map back to the original bytes, for
the gazetteer matcher and for snippets. Keeping them in one module means "Kataib finds Kata’ib"
holds for search and for tagging alike.

The text rules both views rest on are defined here once, and the entity code asks here too:
what an apostrophe, a hyphen and a dash are ([`is_apostrophe`], [`is_hyphen`], [`is_dash`]),
where a word starts and ends ([`word_spans`], [`written_words`], [`name_parts`]), and which
lower-case words are particles of a name ([`ARABIC_NAME_PARTICLES`], [`NAME_JOINERS`],
[`NAME_CONNECTIVES`]).
*/

mod analysed;
mod boundaries;
mod stem;

pub use analysed::{
    Analysed, AnalyserPool, JoinedTokenizer, ParagraphAnalyser, PooledAnalyser, EMPTY_FIELD_TOKEN,
    TOKEN_SEPARATOR,
};
use boundaries::{is_possessive, next_word};
pub use boundaries::{is_word_char, name_parts, word_spans, written_words, Apostrophes, WordSpans};
pub use stem::stem_word;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Name under which the index-time tokenizer of the analysed fields (title, text, and the
/// stems of the text) is registered in every index we open: [`JoinedTokenizer`], since they
/// receive the output of [`ParagraphAnalyser`], not the text itself.
pub const JOINED_TOKENIZER_NAME: &str = "sitrep_joined";

/// Apostrophes and the transliteration marks for ʿayn and hamza. Inside a word they vanish
/// (Kata’ib = Kata'ib = Kataib = Hayʼat's "hayat"); elsewhere they separate words. The index,
/// the gazetteer matcher, the article's short names and the learned tagger's tokenizer all ask
/// here, so a name is one word (or not) for all of them alike.
#[inline]
pub fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | '‘' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '`' | '´' | '′' | 'ʹ'
    )
}

/// Hyphens: marks that join the parts of one compound word or name ("al-Sadr", "IRGC-QF",
/// "Mosul-based"), including the Unicode hyphen (U+2010) and the non-breaking one (U+2011).
/// Dashes are not hyphens: "Mosul–Baghdad road" names two places, not one (see [`is_dash`]).
pub fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑')
}

/// Dashes and the minus sign: punctuation between words or numbers (figure dash U+2012, en
/// dash U+2013, em dash U+2014, horizontal bar U+2015, minus U+2212), never part of a name.
pub fn is_dash(c: char) -> bool {
    matches!(c, '‒' | '–' | '—' | '―' | '−')
}

/// What [`normalize`] turns into a space between words: hyphens and dashes, and the `_` and
/// `/` of handles and pairs ("Iran/Iraq"), so an alias matches however its words are joined.
fn separates_words(c: char) -> bool {
    c.is_whitespace() || is_hyphen(c) || is_dash(c) || matches!(c, '_' | '/')
}

/// Lower-case particles of Arabic names: the article and the words for "father of", "son of"
/// and "daughter of" ("Muqtada al-Sadr", "Abu Mahdi al-Muhandis", "Osama bin Laden"). They
/// join the parts of one person's name and are never a name, or a short name, on their own.
pub const ARABIC_NAME_PARTICLES: [&str; 7] = ["al", "el", "ul", "abu", "bin", "ibn", "bint"];

/// Lower-case words that join the parts of a longer name ("Bank of Kuwait", "Saad
/// al-Abdulla", "Banque du Liban"): a word beside a name across one of these may belong to
/// the same name.
pub const NAME_JOINERS: [&str; 10] = concat_words(ARABIC_NAME_PARTICLES, ["of", "de", "du"]);

/// Lower-case words that may sit inside a multi-word name without being a name themselves
/// ("Islamic State of Iraq and the Levant", "Center for Strategic Studies"): the joiners, and
/// the connecting words a name's title may hold. Too common to anchor a spelling variant on.
pub const NAME_CONNECTIVES: [&str; 13] = concat_words(NAME_JOINERS, ["the", "and", "for"]);

/// `a` followed by `b`, for building one word list on another at compile time.
const fn concat_words<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "the list's length is the sum of its parts");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
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
    push_folded_word(word, &mut out);
    out
}

/// Appends the folded form of `word`, leaving out the apostrophes inside it.
fn push_folded_word(word: &str, out: &mut String) {
    for c in word.chars() {
        if !is_apostrophe(c) {
            push_folded(c, out);
        }
    }
}

/// The token texts an analyser makes of `text`, for the analysers' tests.
#[cfg(test)]
pub(crate) fn token_texts(
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    text: &str,
) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The bytes of a word of 1 to 16 bytes as one integer, so that a table of words hashes and
/// compares one number instead of a string. Words hold no NUL byte, so the zero padding cannot
/// make two words one key.
///
/// Every indexed word is packed once or twice (its stem, the tagger's word table), so the
/// bytes are read with at most two overlapping loads instead of copied into a buffer: a
/// copy of a length known only at run time is a library call.
#[inline]
pub fn packed_word(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    let len = bytes.len();
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    // The loads overlap where the word is shorter than they are; the overlapping bytes are
    // the same bytes at the same places, so OR-ing them changes nothing.
    let (low, high) = match len {
        0 => (0, 0),
        1..=3 => {
            let low = u64::from(bytes[0])
                | u64::from(bytes[len / 2]) << (8 * (len / 2))
                | u64::from(bytes[len - 1]) << (8 * (len - 1));
            (low, 0)
        }
        4..=7 => {
            let low = u64::from(u32_at(0)) | u64::from(u32_at(len - 4)) << (8 * (len - 4));
            (low, 0)
        }
        8 => (u64_at(0), 0),
        9..=16 => (u64_at(0), u64_at(len - 8) >> (8 * (16 - len))),
        _ => return None,
    };
    Some(u128::from(low) | u128::from(high) << 64)
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
        let Some((span, resume)) = next_word(self.text, self.cursor, Apostrophes::Join) else {
            self.cursor = self.text.len();
            return false;
        };
        push_folded_word(&self.text[span.clone()], &mut self.token.text);
        self.cursor = resume;
        self.token.offset_from = span.start;
        self.token.offset_to = span.end;
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
        } else if separates_words(c) {
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
    // Tagging asks this for every word beside an anchor word: normalised text is nearly all
    // ASCII, compared as bytes without collecting characters.
    if a.is_ascii() && b.is_ascii() {
        return one_edit_apart(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    one_edit_apart(&a, &b)
}

fn one_edit_apart<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
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
    fn apostrophes_and_ayn_marks_are_one_rule() {
        for mark in ['\'', '’', '‘', 'ʼ', 'ʿ', 'ʾ', '´', '`'] {
            assert!(is_apostrophe(mark), "{mark}");
            let name = format!("Kata{mark}ib");
            assert_eq!(tokens(&name), ["kataib"], "{name}");
            let spans = word_spans(&name, Apostrophes::Join);
            assert_eq!(spans.len(), 1, "{name}");
            assert_eq!(&name[spans[0].clone()], name);
            assert_eq!(normalize_name(&name), "kataib", "{name}");
        }
        // ʿayn opening a word is no part of it, and hamza inside one joins it.
        assert_eq!(tokens("ʿAli Saʾid"), ["ali", "said"]);
        assert_eq!(normalize_name("ʿAli Saʾid"), "'ali said");
        assert!(!is_word_char('ʿ') && is_word_char('a'));
    }

    #[test]
    fn hyphens_join_names_and_dashes_separate_them() {
        for hyphen in ['-', '\u{2010}', '\u{2011}'] {
            assert!(is_hyphen(hyphen) && !is_dash(hyphen));
            let name = format!("al{hyphen}Muhandis");
            assert_eq!(normalize_name(&name), "al muhandis", "{name}");
            assert_eq!(tokens(&name), ["al", "muhandis"], "{name}");
        }
        assert_eq!(normalize_name("al Muhandis"), "al muhandis");
        for dash in ['\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}'] {
            assert!(is_dash(dash) && !is_hyphen(dash));
            assert_eq!(
                normalize_name(&format!("Mosul{dash}Baghdad")),
                "mosul baghdad"
            );
        }
        assert_eq!(normalize_name("Iran/Iraq al_Sadr"), "iran iraq al sadr");
    }

    #[test]
    fn particle_lists_build_on_each_other() {
        assert_eq!(
            NAME_JOINERS[..ARABIC_NAME_PARTICLES.len()],
            ARABIC_NAME_PARTICLES
        );
        assert_eq!(NAME_CONNECTIVES[..NAME_JOINERS.len()], NAME_JOINERS);
        assert!(NAME_JOINERS.contains(&"of") && !NAME_JOINERS.contains(&"and"));
        assert!(NAME_CONNECTIVES.contains(&"and") && NAME_CONNECTIVES.contains(&"bin"));
    }

    #[test]
    fn packed_words_are_their_bytes_zero_padded() {
        let text = "abcdefghijklmnopq";
        for len in 0..=17 {
            let word = &text[..len];
            let expected = (len <= 16).then(|| {
                let mut key = [0u8; 16];
                key[..len].copy_from_slice(word.as_bytes());
                u128::from_le_bytes(key)
            });
            assert_eq!(packed_word(word), expected, "{word}");
        }
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
