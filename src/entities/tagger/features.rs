/*!
The tagger's features: every token hashed once into the values the feature templates need,
the templates hashed into `u64` keys, and the greedy left-to-right pass that training and
tagging share.
*/

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::classes::{allowed, type_of, N, START};
use super::conll::Sentence;
use crate::analysis::{is_apostrophe, is_dash, is_hyphen};

/// FxHash's step: cheap, and the keys get a proper finish in [`finish`].
pub(super) fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// MurmurHash3's finaliser, so the low bits can index the lookup table.
pub(super) fn finish(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// Curly quotes, apostrophes, hyphens and dashes as CoNLL's ASCII, digits as 0, letters
/// lower-cased. ASCII is CoNLL's own alphabet and stays as it is (its few backticks too), so
/// only characters the training data never holds are folded: the model's features for the text
/// it was trained on do not depend on which marks [`crate::analysis`] counts.
fn fold(c: char) -> char {
    match c {
        c if c.is_ascii() => {
            if c.is_ascii_digit() {
                '0'
            } else {
                c.to_ascii_lowercase()
            }
        }
        c if is_apostrophe(c) => '\'',
        c if is_hyphen(c) || is_dash(c) => '-',
        '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => '"',
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

const CAP: u8 = 1;
const ALL_CAPS: u8 = 2;
const DIGIT: u8 = 4;
const HYPHEN: u8 = 8;
const NO_LETTER: u8 = 16;
const PERIOD: u8 = 32;

/// What the features need of one token, hashed once.
#[derive(Clone, Copy)]
struct Token {
    lower: u64,
    exact: u64,
    shape: u64,
    short: u64,
    prefix: [u64; 4],
    suffix: [u64; 4],
    flags: u8,
}

impl Token {
    fn new(word: &str) -> Token {
        let mut t = Token {
            lower: 1,
            exact: 2,
            shape: 3,
            short: 4,
            prefix: [0; 4],
            suffix: [0; 4],
            flags: 0,
        };
        let (mut last, mut run, mut upper, mut letters) = ('\0', 0, 0, 0);
        for (n, c) in word.chars().enumerate() {
            let f = fold(c);
            t.lower = mix(t.lower, f as u64);
            t.exact = mix(t.exact, c as u64);
            if n < 4 {
                t.prefix[n] = t.lower;
            }
            let s = if c.is_uppercase() {
                'X'
            } else if c.is_alphabetic() {
                'x'
            } else if c.is_numeric() {
                'd'
            } else {
                f
            };
            if c.is_alphabetic() {
                letters += 1;
                upper += usize::from(c.is_uppercase());
            }
            if n == 0 && c.is_uppercase() {
                t.flags |= CAP;
            }
            t.flags |= match s {
                'd' => DIGIT,
                '-' => HYPHEN,
                '.' => PERIOD,
                _ => 0,
            };
            run = if s == last { run + 1 } else { 1 };
            if run == 1 {
                t.short = mix(t.short, s as u64);
            }
            if run <= 4 {
                t.shape = mix(t.shape, s as u64);
            }
            last = s;
        }
        let mut h = 5;
        for (n, c) in word.chars().rev().take(4).enumerate() {
            h = mix(h, fold(c) as u64);
            t.suffix[n] = h;
        }
        if letters == 0 {
            t.flags |= NO_LETTER;
        } else if upper == letters && letters > 1 {
            t.flags |= ALL_CAPS;
        }
        t
    }
}

/// The hashes of the positions outside a sentence.
const OUTSIDE: Token = Token {
    lower: 11,
    exact: 12,
    shape: 13,
    short: 14,
    prefix: [0; 4],
    suffix: [0; 4],
    flags: 0,
};

/// Feature templates; each key hashes the template with its values.
#[derive(Clone, Copy)]
enum F {
    Bias = 1,
    Lower = 2, // +offset 0..=4 for -2..+2
    Exact = 7,
    Shape = 8,
    Short = 9, // +offset 0..=2 for -1..+1
    ShortPrev = 12,
    ShortNext = 13,
    Prefix = 14, // +length - 1
    Suffix = 18, // +length - 1
    BigramPrev = 22,
    BigramNext = 23,
    Flags = 24,
    ShortWordPrev = 25,
    ShortWordNext = 26,
    ShortTrigram = 28,
    Tag = 40,
    Tags = 41,
    TagWord = 42,
    TagShort = 43,
    History = 44,
}

fn key(template: F, values: &[u64]) -> u64 {
    finish(values.iter().fold(template as u64, |h, &v| mix(h, v)))
}

/// A document ready for tagging.
pub(super) struct Doc {
    tokens: Vec<Token>,
    sentences: Vec<Range<usize>>,
}

impl Doc {
    pub(super) fn new<S: AsRef<str>>(words: &[S], sentences: Vec<Range<usize>>) -> Doc {
        Doc {
            tokens: words.iter().map(|w| Token::new(w.as_ref())).collect(),
            sentences,
        }
    }

    /// Features that do not depend on earlier decisions.
    fn static_features(&self, i: usize, s: &Range<usize>, out: &mut Vec<u64>) {
        let at = |o: isize| {
            let j = i as isize + o;
            if j < s.start as isize || j >= s.end as isize {
                &OUTSIDE
            } else {
                &self.tokens[j as usize]
            }
        };
        let t = &self.tokens[i];
        let (p, n) = (at(-1), at(1));
        out.push(key(F::Bias, &[]));
        for o in -2..=2 {
            out.push(key(F::Lower, &[o as u64, at(o).lower]));
        }
        out.push(key(F::Exact, &[t.exact]));
        out.push(key(F::Shape, &[t.shape]));
        for o in -1..=1 {
            out.push(key(F::Short, &[o as u64, at(o).short]));
        }
        out.push(key(F::ShortPrev, &[p.short, t.short]));
        out.push(key(F::ShortNext, &[t.short, n.short]));
        out.push(key(F::ShortTrigram, &[p.short, t.short, n.short]));
        for k in 0..4 {
            if t.prefix[k] != 0 {
                out.push(key(F::Prefix, &[k as u64, t.prefix[k]]));
            }
            if t.suffix[k] != 0 {
                out.push(key(F::Suffix, &[k as u64, t.suffix[k]]));
            }
        }
        out.push(key(F::BigramPrev, &[p.lower, t.lower]));
        out.push(key(F::BigramNext, &[t.lower, n.lower]));
        let first = u64::from(i == s.start);
        out.push(key(F::Flags, &[t.flags as u64, first]));
        out.push(key(F::ShortWordPrev, &[t.short, p.lower]));
        out.push(key(F::ShortWordNext, &[t.short, n.lower]));
    }
}

/// Features of the decisions so far: the previous two classes and the types this word got
/// earlier in the document.
fn dynamic_features(
    t: &Token,
    prev: u8,
    prev2: u8,
    history: Option<&[u16; 4]>,
    out: &mut Vec<u64>,
) {
    out.push(key(F::Tag, &[prev as u64]));
    out.push(key(F::Tags, &[prev as u64, prev2 as u64]));
    out.push(key(F::TagWord, &[prev as u64, t.lower]));
    out.push(key(F::TagShort, &[prev as u64, t.short]));
    if let Some(counts) = history {
        let best = (0..4).max_by_key(|&k| (counts[k], 4 - k)).unwrap_or(0);
        out.push(key(F::History, &[best as u64, (t.flags & CAP) as u64]));
    }
}

/// The left-to-right pass shared by training and tagging: `choose` gets the token index, its
/// feature keys and the classes allowed there, and returns the class.
pub(super) fn greedy(
    doc: &Doc,
    mut choose: impl FnMut(usize, &[u64], &[bool; N]) -> u8,
) -> Vec<u8> {
    let mut classes = vec![0; doc.tokens.len()];
    let mut history: FxHashMap<u64, [u16; 4]> = FxHashMap::default();
    let mut keys = Vec::with_capacity(48);
    for s in &doc.sentences {
        let (mut prev, mut prev2) = (START, START);
        for i in s.clone() {
            let t = &doc.tokens[i];
            keys.clear();
            doc.static_features(i, s, &mut keys);
            dynamic_features(t, prev, prev2, history.get(&t.lower), &mut keys);
            let c = choose(i, &keys, &allowed(prev, i + 1 == s.end));
            classes[i] = c;
            if let Some(ty) = type_of(c) {
                let counts = history.entry(t.lower).or_default();
                counts[ty] = counts[ty].saturating_add(1);
            }
            (prev2, prev) = (prev, c);
        }
    }
    classes
}

pub(super) fn best<T: PartialOrd + Copy>(scores: &[T; N], allowed: &[bool; N]) -> u8 {
    let mut best: Option<usize> = None;
    for c in 0..N {
        if allowed[c] && best.is_none_or(|b| scores[c] > scores[b]) {
            best = Some(c);
        }
    }
    best.unwrap_or(0) as u8
}

pub(super) fn doc_of(sentences: &[Sentence]) -> Doc {
    let mut words = Vec::new();
    let mut ranges = Vec::new();
    for s in sentences {
        ranges.push(words.len()..words.len() + s.words.len());
        words.extend(s.words.iter().map(String::as_str));
    }
    Doc::new(&words, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_apostrophe_and_dash_folds_to_conlls_ascii_and_ascii_stays() {
        let marks = (0x80..0x3000).filter_map(char::from_u32);
        for c in marks {
            if is_apostrophe(c) {
                assert_eq!(fold(c), '\'', "{c}");
            } else if is_hyphen(c) || is_dash(c) {
                assert_eq!(fold(c), '-', "{c}");
            }
        }
        for (c, folded) in [('\'', '\''), ('`', '`'), ('-', '-'), ('Q', 'q'), ('7', '0')] {
            assert_eq!(fold(c), folded, "{c}");
        }
    }
}
