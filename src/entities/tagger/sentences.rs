/*!
Sentence boundaries over the tagger's tokens: the tagger's features stop at a sentence's ends.
*/

use std::ops::Range;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::tagger::tokenize;

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
}
