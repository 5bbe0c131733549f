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

- `tokens` and `sentences` turn raw text into CoNLL-like tokens and sentences;
- `features` hashes a token's features, and `classes` is the BILOU class set and its decoding
  into spans;
- `conll`, `training` and `scores` are the training side: reading CoNLL files, the averaged
  perceptron, and conlleval-style scores;
- `model` is the file embedded in the binary ([`Tagger::to_bytes`] / [`Tagger::from_bytes`]):
  a header, sorted 64-bit feature hashes, a class mask per feature, i16 weights, a checksum.

Features are hashed into `u64` straight from the characters, so tagging allocates per call,
never per token or feature.

This file holds the [`Tagger`] itself: its lookup table and what it finds in raw text.
*/

use std::ops::Range;

mod classes;
mod conll;
mod features;
mod model;
mod scores;
mod sentences;
mod tokens;
mod training;

use classes::{spans, N};
pub use conll::{read_conll, EntityType, Sentence};
use features::{best, greedy, Doc};
pub use scores::{Prf, Scores};
pub use sentences::sentences;
pub use tokens::tokenize;
pub use training::{train, train_on_conll};

/// What [`Tagger::find`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Person,
    Org,
    Place,
}

/// A trained model: sorted feature keys, `N` weights per key, and an open-addressing table
/// from key to row.
pub struct Tagger {
    keys: Vec<u64>,
    weights: Vec<i16>,
    slots: Vec<u32>,
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

    /// The classes of a document's tokens, decoded greedily.
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
}

/// A model trained in a blink on four made-up sentences, for the tests of the tagger's parts.
#[cfg(test)]
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
