/*!
Spelling variants of multi-word names: a name with one long word off by one edit ("Qassem
Soliemani"), found around an exact word of the name (the anchor).
*/

use std::ops::Range;

use super::{Matcher, Pattern};
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
            let Some(range) = variant_around(hay, hit.range(), pattern, wid) else {
                continue;
            };
            // Two anchor words of one name find the same variant.
            if !tried.contains(&(pid, range.start)) {
                tried.push((pid, range.start));
                found.push((range, pattern.entity, true));
            }
        }
    }
}

/// The range of `pattern` written with exactly one long word off by one edit, reading the
/// words around `anchor` (word `wid` of the pattern, written exactly), or `None`. Words are
/// compared as they are read, so a name the neighbours do not fit (nearly every name an
/// anchor word belongs to) costs one word's comparison.
fn variant_around(
    hay: &str,
    anchor: Range<usize>,
    pattern: &Pattern,
    wid: usize,
) -> Option<Range<usize>> {
    let mut edits = 0;
    let mut fits = |written: &str, word: &str| {
        if written == word {
            return true;
        }
        if word.len() >= MIN_VARIANT_WORD_LEN && within_one_edit(word, written) {
            edits += 1;
        } else {
            edits = 2;
        }
        edits <= 1
    };
    let mut start = anchor.start;
    for k in (0..wid).rev() {
        let end = hay[..start]
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .len();
        let word_start = hay[..end].trim_end_matches(char::is_alphanumeric).len();
        if word_start == end
            || hay[end..start] != pattern.separators[k]
            || !fits(&hay[word_start..end], &pattern.words[k])
        {
            return None;
        }
        start = word_start;
    }
    let mut end = anchor.end;
    for k in wid + 1..pattern.words.len() {
        let word_start = hay.len()
            - hay[end..]
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let word_end = hay.len()
            - hay[word_start..]
                .trim_start_matches(char::is_alphanumeric)
                .len();
        if word_start == word_end
            || hay[end..word_start] != pattern.separators[k - 1]
            || !fits(&hay[word_start..word_end], &pattern.words[k])
        {
            return None;
        }
        end = word_end;
    }
    (edits == 1).then_some(start..end)
}
