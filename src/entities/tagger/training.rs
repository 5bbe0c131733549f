/*!
Training: an averaged perceptron over the features of [`super::features`], on CoNLL-2003
sentences, deterministic for a given seed.
*/

use rustc_hash::FxHashMap;

use super::classes::{classes_of, N};
use super::conll::{documents, read_conll, Sentence};
use super::features::{best, doc_of, finish, greedy, Doc};
use super::{Scores, Tagger};
use crate::error::{Error, Result};

/// Trains on `dir/train.txt` for `epochs` passes and scores the result on `dir/valid.txt`.
pub fn train_on_conll(dir: &std::path::Path, epochs: usize) -> Result<(Tagger, Scores)> {
    let read = |name: &str| -> Result<Vec<Sentence>> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        read_conll(&text).map_err(|err| match err {
            Error::TrainingData { line, detail, .. } => Error::TrainingData { path, line, detail },
            other => other,
        })
    };
    let tagger = train(&read("train.txt")?, epochs, TRAINING_SEED);
    let scores = tagger.evaluate(&read("valid.txt")?);
    Ok((tagger, scores))
}

/// Fixed, so training twice gives the same model byte for byte.
const TRAINING_SEED: u64 = 0x5eed;

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

#[cfg(test)]
mod tests {
    use crate::entities::tagger::{tiny_model, Label};

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
}
