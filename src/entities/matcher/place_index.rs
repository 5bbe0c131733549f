/*!
Generated place names (tens of thousands of them), looked up by hashing at capitalised word
starts instead of through the alias automaton.
*/

use rustc_hash::FxHashMap;

use crate::analysis::{word_spans, Apostrophes};

/// Generated place names, looked up by hashing at capitalised word starts. Tens of thousands
/// of names made the automaton slow to build (half a second, on every sync that tags), and a
/// generated name only counts where it is capitalised, so most words need no lookup at all.
#[derive(Default)]
pub(super) struct PlaceIndex {
    /// Normalised name → (entity, needs context).
    names: FxHashMap<String, (usize, bool)>,
    /// First word of a name → the most words a name starting with it has.
    first_words: FxHashMap<String, usize>,
}

impl PlaceIndex {
    pub(super) fn insert(&mut self, normalized: String, entity: usize, needs_context: bool) {
        let spans = word_spans(&normalized, Apostrophes::Split);
        let Some(first) = spans.first() else {
            return;
        };
        let longest = self
            .first_words
            .entry(normalized[first.clone()].to_string())
            .or_default();
        *longest = (*longest).max(spans.len());
        self.names
            .entry(normalized)
            .or_insert((entity, needs_context));
    }

    /// The longest name starting at `start`, whose first word ends at `first_end`: (end,
    /// entity, needs context).
    pub(super) fn longest_at(
        &self,
        hay: &str,
        start: usize,
        first_end: usize,
    ) -> Option<(usize, usize, bool)> {
        let &most = self.first_words.get(&hay[start..first_end])?;
        // Names are a few words long: the ends fit on the stack.
        let mut ends = [0usize; 8];
        ends[0] = first_end;
        let mut count = 1;
        while count < most.min(ends.len()) {
            let at = ends[count - 1];
            let rest = &hay[at..];
            let Some(next) = rest.find(|c: char| c.is_alphanumeric()) else {
                break;
            };
            // A name does not run across a sentence or a clause.
            if rest[..next].contains([',', ';', ':', '(', ')', '"']) || rest[..next].len() > 2 {
                break;
            }
            let word_start = at + next;
            let word_end = word_start
                + hay[word_start..]
                    .find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(hay.len() - word_start);
            ends[count] = word_end;
            count += 1;
        }
        ends[..count].iter().rev().find_map(|&end| {
            self.names
                .get(&hay[start..end])
                .map(|&(entity, needs_context)| (end, entity, needs_context))
        })
    }
}
