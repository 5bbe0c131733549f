/*!
The tokenizer of the learned tagger: raw text split the way the CoNLL-2003 training data is,
so that the features it was trained on mean the same at tagging time. It asks
[`crate::analysis`] what an apostrophe and a hyphen are, like the rest of sitrep.
*/

use std::ops::Range;

use crate::analysis::{is_apostrophe, is_hyphen};

/// Splits raw text into CoNLL/PTB-like tokens, as byte ranges: words with inner hyphens and
/// inner apostrophes ("al-Sadr", "Kata’ib"), numbers with inner `.`/`,`, abbreviations with
/// their periods ("U.S.", "Mr."), clitics split ("Iraq" "’s", "do" "n't"), every other
/// character a token of its own (runs of one character, like "...", stay together).
pub fn tokenize(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let next = i + c.len_utf8();
        if c.is_whitespace() {
            i = next;
        } else if c.is_alphanumeric() {
            i = word(text, i, &mut out);
        } else if let Some(end) = clitic(text, i).filter(|_| out.last().map(|r| r.end) == Some(i)) {
            out.push(i..end);
            i = end;
        } else {
            let end = next + text[next..].chars().take_while(|&d| d == c).count() * c.len_utf8();
            out.push(i..end);
            i = end;
        }
    }
    out
}

/// Words whose period belongs to them (CoNLL keeps "Mr." and "Corp." whole).
const ABBREVIATIONS: [&str; 41] = [
    "Adm", "Apr", "Aug", "Bros", "Capt", "Co", "Col", "Corp", "Dec", "Dr", "Feb", "Fri", "Ft",
    "Gen", "Gov", "Inc", "Jan", "Jr", "Jul", "Jun", "Lt", "Ltd", "Maj", "Mar", "Messrs", "Mon",
    "Mr", "Mrs", "Ms", "Mt", "No", "Nov", "Oct", "Prof", "Rep", "Rev", "Sen", "Sep", "Sept", "Sgt",
    "St",
];

/// The end of an English clitic ("'s", "’ll", ...) starting with the apostrophe at `i`, if it
/// is one: the apostrophe, 1–2 letters, then no more letters.
fn clitic(text: &str, i: usize) -> Option<usize> {
    let apostrophe = text[i..].chars().next().filter(|&c| is_apostrophe(c))?;
    let rest = &text[i + apostrophe.len_utf8()..];
    let len = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    ["s", "ll", "re", "ve", "m", "d"]
        .iter()
        .any(|c| c.eq_ignore_ascii_case(&rest[..len]))
        .then_some(i + apostrophe.len_utf8() + len)
}

/// Scans one word starting at `start`, pushes it (and a split-off "n't"), returns its end.
fn word(text: &str, start: usize, out: &mut Vec<Range<usize>>) -> usize {
    let at = |i: usize| text[i..].chars().next();
    let mut i = start;
    let mut run_start = start;
    loop {
        while let Some(c) = at(i).filter(|c| c.is_alphanumeric()) {
            i += c.len_utf8();
        }
        let Some(c) = at(i) else { break };
        let after = i + c.len_utf8();
        let next = at(after);
        let next_alnum = next.is_some_and(char::is_alphanumeric);
        let prev = text[..i].chars().next_back();
        let digits_around =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let joins = (is_hyphen(c) && next_alnum)
            || (matches!(c, '.' | ',') && digits_around)
            || (c == '&'
                && prev.is_some_and(char::is_uppercase)
                && next.is_some_and(char::is_uppercase));
        if joins {
            i = after;
            run_start = i;
        } else if c == '.' {
            let run = &text[run_start..i];
            let initial = run.chars().count() == 1 && run.chars().all(char::is_alphabetic);
            if initial || ABBREVIATIONS.contains(&&text[start..i]) {
                i = after;
                run_start = i;
                if (initial && next_alnum) || next.is_some_and(is_hyphen) {
                    continue;
                }
            }
            break;
        } else if is_apostrophe(c) && next_alnum {
            let before = &text[start..i];
            let n_t = matches!(prev, Some('n' | 'N'))
                && matches!(next, Some('t' | 'T'))
                && !at(after + 1).is_some_and(char::is_alphanumeric);
            // "’s" always splits; the other clitics only after a lower-case word or "I", so
            // that names such as "Sa'd" stay whole.
            let splits = clitic(text, i).is_some_and(|end| {
                (end - after == 1 && matches!(next, Some('s' | 'S')))
                    || before == "I"
                    || before.chars().all(char::is_lowercase)
            });
            if n_t || splits {
                break;
            }
            i = after;
            run_start = i;
        } else {
            break;
        }
    }
    // "don't" -> "do" "n't": the "n" goes with the clitic, as in the Penn Treebank.
    let word = &text[start..i];
    if let Some(c) = at(i).filter(|&c| is_apostrophe(c)) {
        let t_end = i + c.len_utf8() + 1;
        let ends_nt = word.len() > 1
            && word.ends_with(['n', 'N'])
            && matches!(at(i + c.len_utf8()), Some('t' | 'T'))
            && !at(t_end).is_some_and(char::is_alphanumeric);
        if ends_nt {
            out.push(start..i - 1);
            out.push(i - 1..t_end);
            return t_end;
        }
    }
    out.push(start..i);
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn tokenizes_like_conll() {
        assert_eq!(
            words("The U.S.-led force hit Kata’ib Hezbollah's base, Mr. al-Sadr didn't say."),
            [
                "The",
                "U.S.-led",
                "force",
                "hit",
                "Kata’ib",
                "Hezbollah",
                "'s",
                "base",
                ",",
                "Mr.",
                "al-Sadr",
                "did",
                "n't",
                "say",
                "."
            ]
        );
        assert_eq!(
            words("Iraq’s “1,200.5” rockets... (AT&T) I'm Sa'd’s son – in 1996-08-22."),
            [
                "Iraq",
                "’s",
                "“",
                "1,200.5",
                "”",
                "rockets",
                "...",
                "(",
                "AT&T",
                ")",
                "I",
                "'m",
                "Sa'd",
                "’s",
                "son",
                "–",
                "in",
                "1996-08-22",
                "."
            ]
        );
        assert_eq!(
            words("U.N. envoy J. Smith.\n"),
            ["U.N.", "envoy", "J.", "Smith", "."]
        );
        assert_eq!(tokenize("  é-b ,"), [2..6, 7..8]);
    }
}
