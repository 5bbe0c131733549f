/*!
Entity-level scores of a tagger on annotated sentences, conlleval style: a span counts as
correct only with its exact extent and type.
*/

use std::fmt;

use super::conll::{documents, EntityType, Sentence, TYPES};
use super::features::doc_of;
use super::{spans, Tagger};

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

impl Tagger {
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
    use crate::entities::tagger::{read_conll, tiny_model};

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
}
