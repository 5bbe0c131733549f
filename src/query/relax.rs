//! Query understanding for questions and half-remembered sentences.
//!
//! A *plain* query (only words: no quotes, OR, exclusion, field or prefix) with three or more
//! content words may be relaxed when requiring every word finds too little: it becomes a
//! ranked disjunction where at least [`minimum_should_match`] content words must match and stop
//! words (English function and question words) are not required. Explicit syntax is never
//! relaxed.

use super::{Atom, Clause, FieldScope, ParsedQuery};

/// Content words a query needs before it may be relaxed: one or two words are names or
/// precise terms, where a partial match is noise.
pub const RELAX_MIN_WORDS: usize = 3;

/// English function words and question words: not required in a relaxed query, still matched
/// inside quoted phrases.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
    "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
    "our", "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "may",
    "might", "also", "been", "being", "etc", "there", "whether", "within", "without", "upon",
    "onto", "via", "per", "tell", "show", "find", "give", "know",
];

pub fn is_stop_word(token: &str) -> bool {
    STOP_WORDS.contains(&token)
}

/// The words of a plain query, in order, or `None` when the query uses explicit syntax.
pub fn plain_words(parsed: &ParsedQuery) -> Option<Vec<&Atom>> {
    if !parsed.excluded.is_empty() {
        return None;
    }
    parsed
        .required
        .iter()
        .map(|group| match group.as_slice() {
            [Clause {
                scope: FieldScope::Any,
                atom: atom @ Atom::Word { .. },
            }] => Some(atom),
            _ => None,
        })
        .collect()
}

/// Whether a plain word is a stop word (a single token in the list).
pub fn is_stop_atom(atom: &Atom) -> bool {
    matches!(atom, Atom::Word { tokens, .. } if tokens.len() == 1 && is_stop_word(&tokens[0]))
}

/// Content words of a plain query: all its words when every one is a stop word ("the who").
pub fn content_words(words: &[&Atom]) -> usize {
    let content = words.iter().filter(|w| !is_stop_atom(w)).count();
    if content == 0 {
        words.len()
    } else {
        content
    }
}

/// How many of `content` words a relaxed query requires: all but one of three or four,
/// half (rounded up) of five or more — the habit of Lucene's `minimum_should_match`.
pub fn minimum_should_match(content: usize) -> usize {
    match content {
        0..=2 => content,
        3 | 4 => content - 1,
        n => n.div_ceil(2),
    }
}

/// Whether a strict result this small should be relaxed. A query of three or four content
/// words is usually a name or a remembered phrase: relaxed only when nothing has all of them.
/// A longer one is a question or a pasted sentence: relaxed when it fills less than half a page.
pub fn too_few(distinct_hits: u64, wanted: usize, content: usize) -> bool {
    if content < LONG_QUERY_WORDS {
        distinct_hits == 0
    } else {
        distinct_hits < (wanted as u64).div_ceil(2).max(1)
    }
}

/// Content words from which a query counts as a question rather than a name.
const LONG_QUERY_WORDS: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_query;

    #[test]
    fn only_plain_queries_may_be_relaxed() {
        let plain = parse_query("what similarity laws govern aeroelastic models").unwrap();
        let words = plain_words(&plain).unwrap();
        assert_eq!(words.len(), 6);
        assert_eq!(content_words(&words), 5);
        for explicit in [
            "\"aeroelastic models\" laws",
            "laws OR rules",
            "laws -models",
            "title:laws models",
            "law* models",
        ] {
            assert!(
                plain_words(&parse_query(explicit).unwrap()).is_none(),
                "{explicit}"
            );
        }
    }

    #[test]
    fn minimum_falls_with_length() {
        let minimums: Vec<usize> = (1..=10).map(minimum_should_match).collect();
        assert_eq!(minimums, [1, 2, 2, 3, 3, 3, 4, 4, 5, 5]);
        assert!(too_few(0, 10, 3) && !too_few(1, 10, 4));
        assert!(too_few(4, 10, 5) && !too_few(5, 10, 6) && !too_few(1, 1, 9));
    }
}
