//! Byte ranges to highlight in a paragraph: the query's words and phrases, and mentions of
//! the entities the query was expanded to (so "Quds Force" lights up "IRGC-QF").

use std::collections::HashSet;
use std::ops::Range;

use crate::analysis::{within_one_edit, words};
use crate::entities::MentionFinder;
use crate::query::HighlightTerms;

/// What one search highlights, built once and applied to each hit.
pub struct Highlighter<'a> {
    terms: &'a HighlightTerms,
    mentions: Option<MentionFinder<'a>>,
}

impl<'a> Highlighter<'a> {
    pub fn new(terms: &'a HighlightTerms, mentions: Option<MentionFinder<'a>>) -> Self {
        Highlighter { terms, mentions }
    }

    /// Sorted, non-overlapping byte ranges in `text`.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let terms = self.terms;
        let tokens = words(text);
        let mut ranges: Vec<Range<usize>> = Vec::new();
        let in_phrase: HashSet<&str> = terms
            .phrases
            .iter()
            .flat_map(|p| p.iter().map(String::as_str))
            .collect();
        for (i, (token, range)) in tokens.iter().enumerate() {
            for phrase in &terms.phrases {
                let n = phrase.len();
                if i + n <= tokens.len()
                    && tokens[i..i + n]
                        .iter()
                        .zip(phrase.iter())
                        .all(|(t, p)| &t.0 == p)
                {
                    ranges.push(range.start..tokens[i + n - 1].1.end);
                }
            }
            // Words that occur only inside a phrase are highlighted only where the phrase is.
            let standalone = terms.prefixes.iter().any(|p| token.starts_with(p.as_str()))
                || terms.fuzzy.iter().any(|f| within_one_edit(f, token))
                || (terms.exact.iter().any(|t| t == token) && !in_phrase.contains(token.as_str()));
            if standalone || (terms.phrases.is_empty() && matches_any(terms, token)) {
                ranges.push(range.clone());
            }
        }
        if let Some(finder) = &self.mentions {
            for mention in finder.find_mentions(text) {
                ranges.push(mention.range[0]..mention.range[1]);
            }
        }
        merge_ranges(text, ranges)
    }
}

fn matches_any(terms: &HighlightTerms, token: &str) -> bool {
    terms.exact.iter().any(|t| t == token)
        || terms.prefixes.iter().any(|p| token.starts_with(p.as_str()))
        || terms.fuzzy.iter().any(|f| within_one_edit(f, token))
}

/// Sorted ranges, with those that overlap, touch or stand apart only by spaces made one: a
/// name matched word by word ("Yahya", "Sinwar") and as an entity mention is one mark.
fn merge_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last)
                if range.start <= last.end
                    || text
                        .get(last.end..range.start)
                        .is_some_and(|gap| gap.chars().all(|c| c == ' ')) =>
            {
                last.end = last.end.max(range.end)
            }
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_touching_and_space_separated_ranges_merge() {
        let text = "abcd efghijkl, mn";
        assert_eq!(
            merge_ranges(text, vec![5..9, 0..3, 2..4, 9..12]),
            vec![0..12]
        );
        // Punctuation between two matches keeps them apart.
        assert_eq!(merge_ranges(text, vec![5..13, 15..17]), [5..13, 15..17]);
        // A mention nested in a word run is one mark.
        assert_eq!(merge_ranges(text, vec![0..13, 5..9]), vec![0..13]);
    }
}
