/*!
Spelling variants of multi-word names: a name with one long word off by one edit ("Qassem
Soliemani"), found around an exact word of the name (the anchor).
*/

use std::ops::Range;

use super::Matcher;
use crate::analysis::within_one_edit;

/// Ordinary words that many organisation and place names contain. As anchors they would send
/// the variant pass to check most sentences of a news corpus (it cost more than the exact
/// pass); names built only of such words and one misspelt word are rare.
pub(super) const COMMON_NAME_WORDS: [&str; 56] = [
    "state",
    "states",
    "united",
    "forces",
    "force",
    "army",
    "national",
    "islamic",
    "front",
    "party",
    "republic",
    "people",
    "peoples",
    "popular",
    "revolutionary",
    "guard",
    "guards",
    "council",
    "movement",
    "organization",
    "organisation",
    "brigade",
    "brigades",
    "department",
    "ministry",
    "international",
    "new",
    "north",
    "south",
    "east",
    "west",
    "central",
    "great",
    "gulf",
    "sea",
    "city",
    "province",
    "island",
    "union",
    "liberation",
    "resistance",
    "committee",
    "agency",
    "bank",
    "company",
    "group",
    "command",
    "air",
    "navy",
    "security",
    "intelligence",
    "democratic",
    "arab",
    "supreme",
    "general",
    "us",
];

/// Length a word needs before a one-letter difference is read as a variant rather than another
/// word: "Soliemani" is Soleimani, but "Badr" is not "Bakr".
pub(super) const MIN_VARIANT_WORD_LEN: usize = 6;

impl Matcher {
    /// Multi-word names with one long word off by one edit ("Qassem Soliemani"), around an
    /// exact word of the name found at `hit`.
    pub(super) fn variants_at(
        &self,
        hay: &str,
        hit: aho_corasick::Match,
        tried: &mut Vec<(usize, usize)>,
        found: &mut Vec<(Range<usize>, usize, bool)>,
    ) {
        for &(pid, wid) in &self.anchor_targets[hit.pattern().as_usize()] {
            let pattern = &self.patterns[pid];
            let after = pattern.words.len() - wid - 1;
            let Some(window) = words_around(hay, hit.range(), wid, after) else {
                continue;
            };
            if tried.contains(&(pid, window[0].start)) {
                continue;
            }
            tried.push((pid, window[0].start));
            let separators_match = window
                .windows(2)
                .zip(&pattern.separators)
                .all(|(pair, sep)| &hay[pair[0].end..pair[1].start] == sep);
            if !separators_match {
                continue;
            }
            let mut edits = 0;
            for (word, span) in pattern.words.iter().zip(&window) {
                let written = &hay[span.clone()];
                if written == word {
                    continue;
                }
                if word.len() >= MIN_VARIANT_WORD_LEN && within_one_edit(word, written) {
                    edits += 1;
                } else {
                    edits = 2;
                }
                if edits > 1 {
                    break;
                }
            }
            if edits == 1 {
                let n = window.len();
                found.push((window[0].start..window[n - 1].end, pattern.entity, true));
            }
        }
    }
}

/// The word at `anchor` with `before` words to its left and `after` to its right, or `None`
/// when the text runs out first.
fn words_around(
    hay: &str,
    anchor: Range<usize>,
    before: usize,
    after: usize,
) -> Option<Vec<Range<usize>>> {
    let mut left = Vec::with_capacity(before);
    let mut at = anchor.start;
    for _ in 0..before {
        let end = hay[..at]
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .len();
        let start = hay[..end].trim_end_matches(char::is_alphanumeric).len();
        if start == end {
            return None;
        }
        left.push(start..end);
        at = start;
    }
    left.reverse();
    left.push(anchor.clone());
    let mut at = anchor.end;
    for _ in 0..after {
        let start = hay.len()
            - hay[at..]
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let end = hay.len() - hay[start..].trim_start_matches(char::is_alphanumeric).len();
        if start == end {
            return None;
        }
        left.push(start..end);
        at = end;
    }
    Some(left)
}
