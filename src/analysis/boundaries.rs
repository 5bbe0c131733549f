/*!
Where a word starts and ends in written text: runs of letters and digits ([`is_word_char`]),
with apostrophes inside them or not ([`Apostrophes`]), and the parts of a name between its
spaces and hyphens ([`name_parts`]). The index's tokenizer, [`super::normalize`] and the
entity code all split words here, so a word is the same word for each of them.
*/

use super::{is_apostrophe, is_hyphen};

/// `'s` closing a word ("Iraq’s", "IRGC's"): the apostrophe ends the name rather than
/// joining "s" to it, or "Iraq’s" would become the unknown word "iraqs".
pub(super) fn is_possessive(after_apostrophe: &str) -> bool {
    let mut rest = after_apostrophe.chars();
    matches!(rest.next(), Some('s' | 'S')) && !rest.next().is_some_and(is_word_char)
}

/// A letter or digit that is not an apostrophe (ʼ, ʻ, ʿ and ʾ are letters to Unicode).
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() && !is_apostrophe(c)
}

/// Whether apostrophes may sit inside a word, for [`word_spans`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apostrophes {
    /// An apostrophe between two word characters stays inside the word ("Kata’ib"), except
    /// the one of a closing possessive ("Iraq’s" is the word "Iraq"): written text.
    Join,
    /// Every apostrophe ends a word: [`normalize`]d text, whose inner apostrophes are gone
    /// already and whose possessives must stay visible as words of their own.
    Split,
}

/// The character at byte `at` and its length; ASCII without decoding, since news text is
/// nearly all ASCII and every indexed byte passes through here.
#[inline]
fn char_at(text: &str, at: usize) -> (char, usize) {
    let byte = text.as_bytes()[at];
    if byte.is_ascii() {
        return (byte as char, 1);
    }
    let c = text[at..].chars().next().expect("at is a char boundary");
    (c, c.len_utf8())
}

/// The first word at or after byte `from`, and where the next search resumes (past a
/// possessive "’s", which is no word).
pub(super) fn next_word(
    text: &str,
    from: usize,
    apostrophes: Apostrophes,
) -> Option<(std::ops::Range<usize>, usize)> {
    let mut at = from;
    loop {
        if at >= text.len() {
            return None;
        }
        let (c, len) = char_at(text, at);
        if is_word_char(c) {
            break;
        }
        at += len;
    }
    let start = at;
    let mut end = start;
    while at < text.len() {
        let (c, len) = char_at(text, at);
        if is_word_char(c) {
            at += len;
            end = at;
        } else if apostrophes == Apostrophes::Join
            && is_apostrophe(c)
            && at + len < text.len()
            && is_word_char(char_at(text, at + len).0)
        {
            let after = at + len;
            if is_possessive(&text[after..]) {
                return Some((start..end, after + 1));
            }
            at = after;
        } else {
            break;
        }
    }
    Some((start..end, end))
}

/// The words of `text` one at a time, as [`word_spans`] lists them; [`WordSpans::skip_to`]
/// jumps over text the caller has no use for.
pub struct WordSpans<'a> {
    text: &'a str,
    cursor: usize,
    apostrophes: Apostrophes,
}

impl<'a> WordSpans<'a> {
    pub fn new(text: &'a str, apostrophes: Apostrophes) -> WordSpans<'a> {
        WordSpans {
            text,
            cursor: 0,
            apostrophes,
        }
    }

    /// Resumes at byte `at` (a char boundary) if that is further on.
    pub fn skip_to(&mut self, at: usize) {
        self.cursor = self.cursor.max(at);
    }
}

impl Iterator for WordSpans<'_> {
    type Item = std::ops::Range<usize>;

    fn next(&mut self) -> Option<std::ops::Range<usize>> {
        let (span, resume) = next_word(self.text, self.cursor, self.apostrophes)?;
        self.cursor = resume;
        Some(span)
    }
}

/// Byte ranges of the words of `text`: runs of letters and digits, with apostrophes inside
/// them as `apostrophes` says. The index's tokenizer splits text the same way.
pub fn word_spans(text: &str, apostrophes: Apostrophes) -> Vec<std::ops::Range<usize>> {
    // Room for a word every four bytes (English averages one every six), so that a paragraph's
    // list is allocated once, not grown four or five times.
    let mut spans = Vec::with_capacity(text.len() / 4 + 1);
    spans.extend(WordSpans::new(text, apostrophes));
    spans
}

/// The words of `text` as written, one at a time, as [`word_spans`] finds them.
pub fn written_words(text: &str, apostrophes: Apostrophes) -> impl Iterator<Item = &str> {
    WordSpans::new(text, apostrophes).map(move |span| &text[span])
}

/// The parts of a written name between its spaces and hyphens, as written ("Hayat Tahrir
/// al-Sham": "Hayat", "Tahrir", "al", "Sham"; "U.S." stays whole): what a name's initials and
/// its capitalised words are read from.
pub fn name_parts(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| c.is_whitespace() || is_hyphen(c))
        .filter(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_spans_join_or_split_apostrophes() {
        let text = "Kata’ib Hezbollah's al-Sadr";
        let join: Vec<&str> = written_words(text, Apostrophes::Join).collect();
        assert_eq!(join, ["Kata’ib", "Hezbollah", "al", "Sadr"]);
        let split: Vec<&str> = written_words(text, Apostrophes::Split).collect();
        assert_eq!(split, ["Kata", "ib", "Hezbollah", "s", "al", "Sadr"]);
    }

    #[test]
    fn name_parts_lie_between_spaces_and_hyphens() {
        let parts: Vec<&str> = name_parts("Hayat  Tahrir al\u{2011}Sham, U.S.").collect();
        assert_eq!(parts, ["Hayat", "Tahrir", "al", "Sham,", "U.S."]);
    }
}
