/*!
A statistical named-entity tagger (people, organisations, places) for raw English news.

Why: the gazetteer only finds names somebody listed; this tagger finds the others, so that new
commanders, militias and villages become searchable before anyone adds them to
`entities.toml`.

What: an averaged perceptron over hashed sparse features (word forms at -2..+2, shapes,
affixes, the two previous predicted tags, and the types the same word got earlier in the
document), decoded greedily left to right with BILOU tags. It is trained
on CoNLL-2003 English with MISC as a fourth type, because separating nationalities and events
from the other types makes them cleaner, but [`Tagger::find`] reports PER/ORG/LOC only.

- [`tokenize`] and [`sentences`] turn raw text into CoNLL-like tokens and sentences;
- [`read_conll`], [`train`] and [`Tagger::evaluate`] are the training side;
- [`Tagger::to_bytes`] / [`Tagger::from_bytes`] give the file that is embedded in the binary:
  a header, sorted 64-bit feature hashes, a class mask per feature, i16 weights, a checksum.

Features are hashed into `u64` straight from the characters, so tagging allocates per call,
never per token or feature.
*/

use std::fmt;
use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::analysis::{is_apostrophe, is_hyphen, ARABIC_NAME_PARTICLES};

/// Trains on `dir/train.txt` for `epochs` passes and scores the result on `dir/valid.txt`.
pub fn train_on_conll(dir: &std::path::Path, epochs: usize) -> anyhow::Result<(Tagger, Scores)> {
    let read = |name: &str| -> anyhow::Result<Vec<Sentence>> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        read_conll(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let tagger = train(&read("train.txt")?, epochs, TRAINING_SEED);
    let scores = tagger.evaluate(&read("valid.txt")?);
    Ok((tagger, scores))
}

/// Fixed, so training twice gives the same model byte for byte.
const TRAINING_SEED: u64 = 0x5eed;

/// What [`Tagger::find`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Person,
    Org,
    Place,
}

/// The CoNLL-2003 entity types, in the order of the model's classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    Per,
    Org,
    Loc,
    Misc,
}

const TYPES: [EntityType; 4] = [
    EntityType::Per,
    EntityType::Org,
    EntityType::Loc,
    EntityType::Misc,
];

impl EntityType {
    fn parse(s: &str) -> Option<EntityType> {
        TYPES.into_iter().find(|t| t.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Org => "ORG",
            EntityType::Loc => "LOC",
            EntityType::Misc => "MISC",
        }
    }

    fn label(self) -> Option<Label> {
        match self {
            EntityType::Per => Some(Label::Person),
            EntityType::Org => Some(Label::Org),
            EntityType::Loc => Some(Label::Place),
            EntityType::Misc => None,
        }
    }
}

/// One annotated sentence. Sentences of the same document share `doc`, which matters because
/// the tagger reads a document as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub doc: usize,
    pub words: Vec<String>,
    /// Entity spans over `words`, in order.
    pub entities: Vec<(Range<usize>, EntityType)>,
}

/// Reads CoNLL text: `TOKEN [columns...] TAG` per line, blank lines between sentences,
/// `-DOCSTART-` lines between documents, IOB1 or IOB2 tags (spans decoded as conlleval does).
pub fn read_conll(text: &str) -> Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    let mut doc = 0;
    let mut words = Vec::new();
    let mut entities: Vec<(Range<usize>, EntityType)> = Vec::new();
    let mut open: Option<EntityType> = None;
    // The extra empty line ends the last sentence.
    for (n, line) in text.lines().chain([""]).enumerate() {
        let mut cols = line.split_whitespace();
        let first = cols.next();
        let Some(word) = first.filter(|&w| w != "-DOCSTART-") else {
            let seen_any = !out.is_empty() || !words.is_empty();
            if !words.is_empty() {
                out.push(Sentence {
                    doc,
                    words: std::mem::take(&mut words),
                    entities: std::mem::take(&mut entities),
                });
            }
            open = None;
            if first.is_some() && seen_any {
                doc += 1;
            }
            continue;
        };
        let tag = cols
            .last()
            .ok_or_else(|| format!("line {}: expected `TOKEN TAG`, got {line:?}", n + 1))?;
        let bad_tag = || format!("line {}: bad tag {tag:?}", n + 1);
        let i = words.len();
        if tag == "O" {
            open = None;
        } else {
            let (prefix, name) = tag.split_once('-').ok_or_else(bad_tag)?;
            let ty = EntityType::parse(name).ok_or_else(bad_tag)?;
            match (prefix, open) {
                ("I", Some(prev)) if prev == ty => {
                    if let Some(last) = entities.last_mut() {
                        last.0.end = i + 1;
                    }
                }
                ("B" | "I", _) => {
                    entities.push((i..i + 1, ty));
                    open = Some(ty);
                }
                _ => return Err(bad_tag()),
            }
        }
        words.push(word.to_string());
    }
    Ok(out)
}

/// Counts for one type (or for PER+ORG+LOC together), conlleval style: exact span and type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prf {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    pub fn f1(&self) -> f64 {
        ratio(2 * self.correct, self.gold + self.predicted)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Entity-level scores: one [`Prf`] per CoNLL type and `overall` over PER+ORG+LOC (the types
/// [`Tagger::find`] reports; MISC is shown for reference only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scores {
    pub per_type: [Prf; 4],
    pub overall: Prf,
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = TYPES.iter().map(|t| t.name()).zip(self.per_type.iter());
        for (name, p) in rows.chain([("PER+ORG+LOC", &self.overall)]) {
            writeln!(
                f,
                "{name:<12} P {:.4}  R {:.4}  F1 {:.4}  (gold {}, predicted {}, correct {})",
                p.precision(),
                p.recall(),
                p.f1(),
                p.gold,
                p.predicted,
                p.correct
            )?;
        }
        Ok(())
    }
}

/// Splits raw text into CoNLL/PTB-like tokens, as byte ranges: words with inner hyphens and
/// inner apostrophes ("al-Sadr", "Kata’ib"), numbers with inner `.`/`,`, abbreviations with
/// their periods ("U.S.", "Mr."), clitics split ("Iraq" "’s", "do" "n't"), every other
/// character a token of its own (runs of one character, like "...", stay together).
pub fn tokenize(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let next = i + c.len_utf8();
        if c.is_whitespace() {
            i = next;
        } else if c.is_alphanumeric() {
            i = word(text, i, &mut out);
        } else if let Some(end) = clitic(text, i).filter(|_| out.last().map(|r| r.end) == Some(i)) {
            out.push(i..end);
            i = end;
        } else {
            let end = next + text[next..].chars().take_while(|&d| d == c).count() * c.len_utf8();
            out.push(i..end);
            i = end;
        }
    }
    out
}

/// Words whose period belongs to them (CoNLL keeps "Mr." and "Corp." whole).
const ABBREVIATIONS: [&str; 41] = [
    "Adm", "Apr", "Aug", "Bros", "Capt", "Co", "Col", "Corp", "Dec", "Dr", "Feb", "Fri", "Ft",
    "Gen", "Gov", "Inc", "Jan", "Jr", "Jul", "Jun", "Lt", "Ltd", "Maj", "Mar", "Messrs", "Mon",
    "Mr", "Mrs", "Ms", "Mt", "No", "Nov", "Oct", "Prof", "Rep", "Rev", "Sen", "Sep", "Sept", "Sgt",
    "St",
];

/// The end of an English clitic ("'s", "’ll", ...) starting with the apostrophe at `i`, if it
/// is one: the apostrophe, 1–2 letters, then no more letters.
fn clitic(text: &str, i: usize) -> Option<usize> {
    let apostrophe = text[i..].chars().next().filter(|&c| is_apostrophe(c))?;
    let rest = &text[i + apostrophe.len_utf8()..];
    let len = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    ["s", "ll", "re", "ve", "m", "d"]
        .iter()
        .any(|c| c.eq_ignore_ascii_case(&rest[..len]))
        .then_some(i + apostrophe.len_utf8() + len)
}

/// Scans one word starting at `start`, pushes it (and a split-off "n't"), returns its end.
fn word(text: &str, start: usize, out: &mut Vec<Range<usize>>) -> usize {
    let at = |i: usize| text[i..].chars().next();
    let mut i = start;
    let mut run_start = start;
    loop {
        while let Some(c) = at(i).filter(|c| c.is_alphanumeric()) {
            i += c.len_utf8();
        }
        let Some(c) = at(i) else { break };
        let after = i + c.len_utf8();
        let next = at(after);
        let next_alnum = next.is_some_and(char::is_alphanumeric);
        let prev = text[..i].chars().next_back();
        let digits_around =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let joins = (is_hyphen(c) && next_alnum)
            || (matches!(c, '.' | ',') && digits_around)
            || (c == '&'
                && prev.is_some_and(char::is_uppercase)
                && next.is_some_and(char::is_uppercase));
        if joins {
            i = after;
            run_start = i;
        } else if c == '.' {
            let run = &text[run_start..i];
            let initial = run.chars().count() == 1 && run.chars().all(char::is_alphabetic);
            if initial || ABBREVIATIONS.contains(&&text[start..i]) {
                i = after;
                run_start = i;
                if (initial && next_alnum) || next.is_some_and(is_hyphen) {
                    continue;
                }
            }
            break;
        } else if is_apostrophe(c) && next_alnum {
            let before = &text[start..i];
            let n_t = matches!(prev, Some('n' | 'N'))
                && matches!(next, Some('t' | 'T'))
                && !at(after + 1).is_some_and(char::is_alphanumeric);
            // "’s" always splits; the other clitics only after a lower-case word or "I", so
            // that names such as "Sa'd" stay whole.
            let splits = clitic(text, i).is_some_and(|end| {
                (end - after == 1 && matches!(next, Some('s' | 'S')))
                    || before == "I"
                    || before.chars().all(char::is_lowercase)
            });
            if n_t || splits {
                break;
            }
            i = after;
            run_start = i;
        } else {
            break;
        }
    }
    // "don't" -> "do" "n't": the "n" goes with the clitic, as in the Penn Treebank.
    let word = &text[start..i];
    if let Some(c) = at(i).filter(|&c| is_apostrophe(c)) {
        let t_end = i + c.len_utf8() + 1;
        let ends_nt = word.len() > 1
            && word.ends_with(['n', 'N'])
            && matches!(at(i + c.len_utf8()), Some('t' | 'T'))
            && !at(t_end).is_some_and(char::is_alphanumeric);
        if ends_nt {
            out.push(start..i - 1);
            out.push(i - 1..t_end);
            return t_end;
        }
    }
    out.push(start..i);
    i
}

/// Groups tokens into sentences (ranges of token indices): a sentence ends at a line break, or
/// after `.`/`!`/`?`/`…` (and any closing quotes or brackets attached to it) when the next token
/// starts with a capital, a digit or an opening quote or bracket.
pub fn sentences(text: &str, tokens: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        let token = &text[tokens[i].clone()];
        let mut end = i + 1;
        let mut ends = false;
        if matches!(token.chars().next(), Some('.' | '!' | '?' | '\u{2026}')) {
            while end < tokens.len()
                && tokens[end].start == tokens[end - 1].end
                && matches!(
                    &text[tokens[end].clone()],
                    "\"" | "'" | "\u{201d}" | "\u{2019}" | ")" | "]"
                )
            {
                end += 1;
            }
            ends = tokens.get(end).is_none_or(|next| {
                text[next.clone()].chars().next().is_some_and(|c| {
                    c.is_uppercase() || c.is_ascii_digit() || "\"\u{201c}\u{2018}'([".contains(c)
                })
            });
        }
        let line_break = tokens
            .get(end)
            .is_some_and(|next| text[tokens[end - 1].end..next.start].contains('\n'));
        if ends || line_break || end == tokens.len() {
            out.push(start..end);
            start = end;
        }
        i = end;
    }
    out
}

const N: usize = 17;
/// The "class" of the positions before a sentence, for the previous-tag features.
const START: u8 = N as u8;

/// Classes: 0 is O; type `t` has 1 + 4t + (0 B, 1 I, 2 L, 3 U).
fn class(ty: usize, part: u8) -> u8 {
    1 + 4 * ty as u8 + part
}

fn type_of(class: u8) -> Option<usize> {
    (1..N as u8)
        .contains(&class)
        .then(|| (class as usize - 1) / 4)
}

fn part_of(class: u8) -> u8 {
    (class - 1) % 4
}

/// The classes that may follow `prev` (B and I must be continued by I or L of their type, and
/// the last token of a sentence cannot be B or I).
fn allowed(prev: u8, last: bool) -> [bool; N] {
    let mut ok = [false; N];
    match type_of(prev).filter(|_| part_of(prev) < 2) {
        Some(ty) => {
            ok[class(ty, 2) as usize] = true;
            ok[class(ty, 1) as usize] = !last;
        }
        None => {
            ok[0] = true;
            for ty in 0..4 {
                ok[class(ty, 3) as usize] = true;
                ok[class(ty, 0) as usize] = !last;
            }
        }
    }
    ok
}

fn classes_of(len: usize, entities: &[(Range<usize>, EntityType)]) -> Vec<u8> {
    let mut classes = vec![0; len];
    for (range, ty) in entities {
        let ty = TYPES.iter().position(|t| t == ty).unwrap_or(0);
        if range.len() == 1 {
            classes[range.start] = class(ty, 3);
        } else {
            classes[range.clone()].fill(class(ty, 1));
            classes[range.start] = class(ty, 0);
            classes[range.end - 1] = class(ty, 2);
        }
    }
    classes
}

/// Entity spans of a decoded class sequence (which [`allowed`] keeps well formed). CoNLL has
/// almost no lower-case name particles, so the model splits "Muqtada al Sadr" at "al"; a
/// person span is joined across a particle to the next span or capitalised word.
fn spans<S: AsRef<str>>(words: &[S], classes: &[u8]) -> Vec<(Range<usize>, EntityType)> {
    let mut out: Vec<(Range<usize>, EntityType)> = Vec::new();
    let mut start = 0;
    for (i, &c) in classes.iter().enumerate() {
        let Some(ty) = type_of(c) else { continue };
        let span = match part_of(c) {
            0 => {
                start = i;
                continue;
            }
            2 => (start..i + 1, TYPES[ty]),
            3 => (i..i + 1, TYPES[ty]),
            _ => continue,
        };
        match out.last_mut() {
            Some(last)
                if span.0.start == last.0.end + 1
                    && ARABIC_NAME_PARTICLES.contains(&words[last.0.end].as_ref())
                    && (last.1 == EntityType::Per || span.1 == EntityType::Per) =>
            {
                *last = (last.0.start..span.0.end, EntityType::Per);
            }
            _ => out.push(span),
        }
    }
    for (range, ty) in &mut out {
        let (Some(particle), Some(name)) = (words.get(range.end), words.get(range.end + 1)) else {
            continue;
        };
        let capitalised = name.as_ref().chars().next().is_some_and(char::is_uppercase);
        let free = classes[range.end + 1] == 0;
        if *ty == EntityType::Per
            && ARABIC_NAME_PARTICLES.contains(&particle.as_ref())
            && capitalised
            && free
        {
            range.end += 2;
        }
    }
    out
}

/// FxHash's step: cheap, and the keys get a proper finish in [`finish`].
fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// MurmurHash3's finaliser, so the low bits can index the lookup table.
fn finish(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// Curly quotes and dashes as CoNLL's ASCII, digits as 0, letters lower-cased.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02bc}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' => '-',
        c if c.is_ascii() => {
            if c.is_ascii_digit() {
                '0'
            } else {
                c.to_ascii_lowercase()
            }
        }
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
struct Doc {
    tokens: Vec<Token>,
    sentences: Vec<Range<usize>>,
}

impl Doc {
    fn new<S: AsRef<str>>(words: &[S], sentences: Vec<Range<usize>>) -> Doc {
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
fn greedy(doc: &Doc, mut choose: impl FnMut(usize, &[u64], &[bool; N]) -> u8) -> Vec<u8> {
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

fn best<T: PartialOrd + Copy>(scores: &[T; N], allowed: &[bool; N]) -> u8 {
    let mut best: Option<usize> = None;
    for c in 0..N {
        if allowed[c] && best.is_none_or(|b| scores[c] > scores[b]) {
            best = Some(c);
        }
    }
    best.unwrap_or(0) as u8
}

/// Groups consecutive sentences of one document.
fn documents(sentences: &[Sentence]) -> Vec<&[Sentence]> {
    sentences
        .chunk_by(|a, b| a.doc == b.doc)
        .collect::<Vec<_>>()
}

fn doc_of(sentences: &[Sentence]) -> Doc {
    let mut words = Vec::new();
    let mut ranges = Vec::new();
    for s in sentences {
        ranges.push(words.len()..words.len() + s.words.len());
        words.extend(s.words.iter().map(String::as_str));
    }
    Doc::new(&words, ranges)
}

/// Features seen fewer times than this in training (with gold history) are dropped: they
/// barely generalise and would triple the model.
const MIN_COUNT: u32 = 2;

/// Trains on `sentences` for `epochs` passes over the documents, shuffled with `seed`: the same
/// input gives the same bytes.
pub fn train(sentences: &[Sentence], epochs: usize, seed: u64) -> Tagger {
    let docs: Vec<(Doc, Vec<u8>)> = documents(sentences)
        .into_iter()
        .map(|d| {
            let gold = d
                .iter()
                .flat_map(|s| classes_of(s.words.len(), &s.entities))
                .collect();
            (doc_of(d), gold)
        })
        .collect();

    let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
    for (doc, gold) in &docs {
        greedy(doc, |i, keys, _| {
            for &k in keys {
                *counts.entry(k).or_default() += 1;
            }
            gold[i]
        });
    }
    let mut kept: Vec<u64> = counts
        .into_iter()
        .filter(|&(_, n)| n >= MIN_COUNT)
        .map(|(k, _)| k)
        .collect();
    kept.sort_unstable();
    let index: FxHashMap<u64, usize> = kept.iter().enumerate().map(|(i, &k)| (k, i)).collect();

    // Averaging as in Daumé's thesis: `total` accumulates each update times its time step, so the
    // average is `w - total / steps`, all in exact integers.
    let mut w = vec![0i32; kept.len() * N];
    let mut total = vec![0i64; kept.len() * N];
    let mut step: i64 = 1;
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut rng = seed;
    let mut ids: Vec<usize> = Vec::with_capacity(64);
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            rng = finish(rng.wrapping_add(0x9e37_79b9_7f4a_7c15));
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &d in &order {
            let (doc, gold) = &docs[d];
            greedy(doc, |i, keys, allowed| {
                ids.clear();
                ids.extend(keys.iter().filter_map(|k| index.get(k)));
                let mut scores = [0i32; N];
                for &f in &ids {
                    for (s, x) in scores.iter_mut().zip(&w[f * N..f * N + N]) {
                        *s += x;
                    }
                }
                let guess = best(&scores, allowed);
                let truth = gold[i];
                if guess != truth {
                    for &f in &ids {
                        for (c, delta) in [(truth, 1), (guess, -1)] {
                            w[f * N + c as usize] += delta;
                            total[f * N + c as usize] += step * delta as i64;
                        }
                    }
                }
                step += 1;
                guess
            });
        }
    }

    let averaged: Vec<i64> = w
        .iter()
        .zip(&total)
        .map(|(&w, &t)| w as i64 * step - t)
        .collect();
    let max = averaged
        .iter()
        .map(|x| x.unsigned_abs())
        .max()
        .unwrap_or(1)
        .max(1);
    let weights: Vec<i16> = averaged
        .iter()
        .map(|&x| (x as i128 * i16::MAX as i128 / max as i128) as i16)
        .collect();
    let mut keys = Vec::new();
    let mut dense = Vec::new();
    for (k, row) in kept.iter().zip(weights.chunks_exact(N)) {
        if row.iter().any(|&x| x != 0) {
            keys.push(*k);
            dense.extend_from_slice(row);
        }
    }
    Tagger::new(keys, dense)
}

/// A trained model: sorted feature keys, `N` weights per key, and an open-addressing table
/// from key to row.
pub struct Tagger {
    keys: Vec<u64>,
    weights: Vec<i16>,
    slots: Vec<u32>,
}

const MAGIC: &[u8; 8] = b"SITRNER\0";
const VERSION: u32 = 1;

fn checksum(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut h = bytes.len() as u64;
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes(c.try_into().unwrap_or_default()));
    }
    for &b in chunks.remainder() {
        h = mix(h, b as u64);
    }
    finish(h)
}

impl Tagger {
    fn new(keys: Vec<u64>, weights: Vec<i16>) -> Tagger {
        let size = (keys.len() * 2).next_power_of_two().max(2);
        let mut slots = vec![0u32; size];
        for (i, &k) in keys.iter().enumerate() {
            let mut s = k as usize & (size - 1);
            while slots[s] != 0 {
                s = (s + 1) & (size - 1);
            }
            slots[s] = i as u32 + 1;
        }
        Tagger {
            keys,
            weights,
            slots,
        }
    }

    fn row(&self, key: u64) -> Option<&[i16]> {
        let mask = self.slots.len() - 1;
        let mut s = key as usize & mask;
        loop {
            let i = self.slots[s].checked_sub(1)? as usize;
            if self.keys[i] == key {
                return Some(&self.weights[i * N..i * N + N]);
            }
            s = (s + 1) & mask;
        }
    }

    /// The file format: magic, version, class count, feature count, the sorted keys (u64), one
    /// mask per key of its non-zero classes (u32), those weights (i16), then a checksum of all
    /// of it (u64). Little-endian throughout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(N as u32).to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        let rows = self.weights.chunks_exact(N);
        for row in rows.clone() {
            let mask = row
                .iter()
                .enumerate()
                .fold(0u32, |m, (c, &x)| m | (u32::from(x != 0) << c));
            out.extend_from_slice(&mask.to_le_bytes());
        }
        for x in rows.flatten().filter(|&&x| x != 0) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&checksum(&out).to_le_bytes());
        out
    }

    /// Parses [`Tagger::to_bytes`] output; a truncated, corrupt or foreign file is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, String> {
        let body_len = bytes
            .len()
            .checked_sub(8)
            .filter(|&n| n >= 20 && bytes.starts_with(MAGIC))
            .ok_or("not a sitrep tagger model (bad magic or too short)")?;
        let (body, sum) = bytes.split_at(body_len);
        if checksum(body).to_le_bytes() != sum {
            return Err("tagger model is corrupt (checksum mismatch)".into());
        }
        let u32_at =
            |at: usize| u32::from_le_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
        let version = u32_at(8);
        if version != VERSION {
            return Err(format!(
                "tagger model version {version}, expected {VERSION}"
            ));
        }
        if u32_at(12) != N as u32 {
            return Err(format!(
                "tagger model has {} classes, expected {N}",
                u32_at(12)
            ));
        }
        let n = u32_at(16) as usize;
        let masks_at = 20 + n * 8;
        let values_at = masks_at + n * 4;
        if body.len() < values_at {
            return Err("tagger model is truncated".into());
        }
        let keys: Vec<u64> = body[20..masks_at]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        if keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err("tagger model keys are not sorted".into());
        }
        let mut weights = vec![0i16; n * N];
        let mut values = body[values_at..].chunks_exact(2);
        for (row, mask) in weights
            .chunks_exact_mut(N)
            .zip(body[masks_at..values_at].chunks_exact(4))
        {
            let mask = u32::from_le_bytes(mask.try_into().unwrap_or_default());
            if mask >> N != 0 {
                return Err("tagger model has a bad class mask".into());
            }
            for (c, x) in row.iter_mut().enumerate() {
                if mask & (1 << c) != 0 {
                    let v = values.next().ok_or("tagger model is truncated")?;
                    *x = i16::from_le_bytes([v[0], v[1]]);
                }
            }
        }
        if values.next().is_some() || !values.remainder().is_empty() {
            return Err("tagger model has trailing bytes".into());
        }
        Ok(Tagger::new(keys, weights))
    }

    fn decode(&self, doc: &Doc) -> Vec<u8> {
        greedy(doc, |_, keys, allowed| {
            let mut scores = [0i32; N];
            for row in keys.iter().filter_map(|&k| self.row(k)) {
                for (s, &x) in scores.iter_mut().zip(row) {
                    *s += x as i32;
                }
            }
            best(&scores, allowed)
        })
    }

    /// People, organisations and places in raw text, as byte ranges. The whole text is read as
    /// one document: passing a whole article lets a name's clear mentions help its unclear ones.
    pub fn find(&self, text: &str) -> Vec<(Range<usize>, Label)> {
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|r| &text[r.clone()]).collect();
        let doc = Doc::new(&words, sentences(text, &tokens));
        spans(&words, &self.decode(&doc))
            .into_iter()
            .filter_map(|(r, ty)| Some((tokens[r.start].start..tokens[r.end - 1].end, ty.label()?)))
            .collect()
    }

    /// Tags `sentences` document by document and scores the spans against theirs.
    pub fn evaluate(&self, sentences: &[Sentence]) -> Scores {
        let mut scores = Scores::default();
        for d in documents(sentences) {
            let classes = self.decode(&doc_of(d));
            let mut offset = 0;
            for s in d {
                let found = spans(&s.words, &classes[offset..offset + s.words.len()]);
                offset += s.words.len();
                let slot = |ty: &EntityType| TYPES.iter().position(|t| t == ty).unwrap_or(0);
                for (_, ty) in &s.entities {
                    scores.per_type[slot(ty)].gold += 1;
                }
                for e in &found {
                    scores.per_type[slot(&e.1)].predicted += 1;
                    if s.entities.contains(e) {
                        scores.per_type[slot(&e.1)].correct += 1;
                    }
                }
            }
        }
        for p in &scores.per_type[..3] {
            scores.overall.gold += p.gold;
            scores.overall.predicted += p.predicted;
            scores.overall.correct += p.correct;
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn tokenizes_like_conll() {
        assert_eq!(
            words("The U.S.-led force hit Kata’ib Hezbollah's base, Mr. al-Sadr didn't say."),
            [
                "The",
                "U.S.-led",
                "force",
                "hit",
                "Kata’ib",
                "Hezbollah",
                "'s",
                "base",
                ",",
                "Mr.",
                "al-Sadr",
                "did",
                "n't",
                "say",
                "."
            ]
        );
        assert_eq!(
            words("Iraq’s “1,200.5” rockets... (AT&T) I'm Sa'd’s son – in 1996-08-22."),
            [
                "Iraq",
                "’s",
                "“",
                "1,200.5",
                "”",
                "rockets",
                "...",
                "(",
                "AT&T",
                ")",
                "I",
                "'m",
                "Sa'd",
                "’s",
                "son",
                "–",
                "in",
                "1996-08-22",
                "."
            ]
        );
        assert_eq!(
            words("U.N. envoy J. Smith.\n"),
            ["U.N.", "envoy", "J.", "Smith", "."]
        );
        assert_eq!(tokenize("  é-b ,"), [2..6, 7..8]);
    }

    #[test]
    fn splits_sentences() {
        let text = "He left Basra. “Why?” he asked. The U.S. Army stayed\nNew line";
        let tokens = tokenize(text);
        let got: Vec<Vec<&str>> = sentences(text, &tokens)
            .into_iter()
            .map(|s| tokens[s].iter().map(|r| &text[r.clone()]).collect())
            .collect();
        assert_eq!(
            got,
            [
                vec!["He", "left", "Basra", "."],
                vec!["“", "Why", "?", "”", "he", "asked", "."],
                vec!["The", "U.S.", "Army", "stayed"],
                vec!["New", "line"],
            ]
        );
    }

    #[test]
    fn joins_names_across_particles() {
        let (per, loc) = (class(0, 3), class(2, 3));
        let words = [
            "Muqtada", "al", "Sadr", "met", "Abu", "Mahdi", "al", "Muhandis", "al", "x",
        ];
        let classes = [loc, 0, per, 0, class(0, 0), class(0, 2), 0, 0, 0, 0];
        assert_eq!(
            spans(&words, &classes),
            [(0..3, EntityType::Per), (4..8, EntityType::Per)]
        );
    }

    const CONLL: &str = "-DOCSTART- O\n\nEU B-ORG\nrejects O\nGerman I-MISC\n\n\
        Peter B-PER\nBlackburn I-PER\nLondon B-LOC\n\n-DOCSTART- O\n\nX NNP I-PER\n";

    #[test]
    fn reads_conll() {
        let s = read_conll(CONLL).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].words, ["EU", "rejects", "German"]);
        assert_eq!(
            s[0].entities,
            [(0..1, EntityType::Org), (2..3, EntityType::Misc)]
        );
        assert_eq!(
            s[1].entities,
            [(0..2, EntityType::Per), (2..3, EntityType::Loc)]
        );
        assert_eq!((s[0].doc, s[1].doc, s[2].doc), (0, 0, 1));
        assert_eq!(s[2].entities, [(0..1, EntityType::Per)]);
    }

    #[test]
    fn conll_errors_name_the_line() {
        assert_eq!(
            read_conll("EU B-ORG\nrejects\n").unwrap_err(),
            "line 2: expected `TOKEN TAG`, got \"rejects\""
        );
        assert_eq!(
            read_conll("EU B-ORG\n\nx B-FOO\n").unwrap_err(),
            "line 3: bad tag \"B-FOO\""
        );
    }

    fn tiny_model() -> Tagger {
        let mut text = String::new();
        for (who, org, place) in [
            ("Ali", "Hamas", "Gaza"),
            ("Omar", "Fatah", "Jenin"),
            ("Sara", "Hamas", "Rafah"),
            ("Ali", "Fatah", "Gaza"),
        ] {
            text += &format!(
                "{who} B-PER\nHassan I-PER\nof O\n{org} B-ORG\nwent O\nto O\n{place} B-LOC\n. O\n\n"
            );
        }
        train(&read_conll(&text).unwrap(), 10, 1)
    }

    #[test]
    fn learns_a_tiny_set() {
        let text = "Omar Hassan of Hamas went to Rafah.";
        assert_eq!(
            tiny_model().find(text),
            [
                (0..11, Label::Person),
                (15..20, Label::Org),
                (29..34, Label::Place)
            ]
        );
    }

    #[test]
    fn scores_tiny_set() {
        let data = read_conll("Ali B-PER\nHassan I-PER\nwent O\nto O\nGaza B-ORG\n").unwrap();
        let scores = tiny_model().evaluate(&data);
        let one = |gold, predicted, correct| Prf {
            gold,
            predicted,
            correct,
        };
        assert_eq!(scores.per_type[0], one(1, 1, 1));
        assert_eq!(scores.per_type[1], one(1, 0, 0));
        assert_eq!(scores.per_type[2], one(0, 1, 0));
        assert_eq!(scores.overall, one(2, 2, 1));
        assert_eq!(scores.overall.f1(), 0.5);
    }

    #[test]
    fn round_trips_and_rejects_corrupt_bytes() {
        let model = tiny_model();
        let bytes = model.to_bytes();
        let again = Tagger::from_bytes(&bytes).unwrap();
        assert_eq!(again.to_bytes(), bytes);
        let text = "Sara Hassan of Fatah went to Jenin.";
        assert_eq!(again.find(text), model.find(text));
        assert_eq!(
            train(&read_conll(CONLL).unwrap(), 3, 7).to_bytes(),
            train(&read_conll(CONLL).unwrap(), 3, 7).to_bytes()
        );

        let mut flipped = bytes.clone();
        flipped[40] ^= 1;
        assert_eq!(
            Tagger::from_bytes(&flipped).err().unwrap(),
            "tagger model is corrupt (checksum mismatch)"
        );
        assert!(Tagger::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(
            Tagger::from_bytes(b"PK\x03\x04 not a model at all")
                .err()
                .unwrap(),
            "not a sitrep tagger model (bad magic or too short)"
        );
    }
}
