//! Snippets: the part of a long paragraph around its densest cluster of highlights.

use std::ops::Range;

/// Paragraphs up to this many bytes are shown whole; longer ones are cut around the matches.
const SNIPPET_BYTES: usize = 280;

/// The part of `text` around its densest cluster of highlights, cut at word boundaries, with
/// `…` where it was cut; highlight ranges are returned relative to the snippet.
pub fn make_snippet(text: &str, highlights: &[Range<usize>]) -> (String, Vec<Range<usize>>) {
    if text.len() <= SNIPPET_BYTES {
        return (text.to_string(), highlights.to_vec());
    }
    let anchor = highlights
        .iter()
        .enumerate()
        .max_by_key(|(i, h)| {
            let covered = highlights[*i..]
                .iter()
                .take_while(|o| o.end <= h.start + SNIPPET_BYTES - 40)
                .count();
            (covered, std::cmp::Reverse(h.start))
        })
        .map_or(0, |(_, h)| h.start);
    let mut start = floor_char(text, anchor.saturating_sub(40));
    if start > 0 {
        start = text[..start]
            .rfind(char::is_whitespace)
            .map_or(0, |i| i + 1);
        if anchor.saturating_sub(start) > 80 {
            start = floor_char(text, anchor.saturating_sub(40));
        }
    }
    if start + SNIPPET_BYTES > text.len() {
        // Near the end: use the room before the match instead of wasting it.
        start = floor_char(text, text.len().saturating_sub(SNIPPET_BYTES));
        start = text[start..]
            .find(char::is_whitespace)
            .map_or(start, |i| start + i + 1)
            .min(anchor);
    }
    let mut end = floor_char(text, (start + SNIPPET_BYTES).min(text.len()));
    if end < text.len() {
        end = text[..end]
            .rfind(char::is_whitespace)
            .filter(|&i| i > start)
            .unwrap_or(end);
    }
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let snippet = format!("{prefix}{}{suffix}", text[start..end].trim_end());
    let shift = prefix.len();
    let inner_end = start + text[start..end].trim_end().len();
    let ranges = highlights
        .iter()
        .filter(|h| h.start >= start && h.end <= inner_end)
        .map(|h| h.start - start + shift..h.end - start + shift)
        .collect();
    (snippet, ranges)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paragraphs_are_their_own_snippet() {
        let (snippet, ranges) = make_snippet("Short text here.", &[Range { start: 6, end: 10 }]);
        assert_eq!(snippet, "Short text here.");
        assert_eq!(ranges, [Range { start: 6, end: 10 }]);
    }

    #[test]
    fn long_paragraphs_are_cut_around_matches() {
        let text = format!(
            "{} Soleimani was killed. {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let at = text.find("Soleimani").unwrap();
        let (snippet, ranges) = make_snippet(
            &text,
            &[Range {
                start: at,
                end: at + 9,
            }],
        );
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert_eq!(&snippet[ranges[0].clone()], "Soleimani");
        assert!(snippet.len() <= SNIPPET_BYTES + 8);
    }
}
