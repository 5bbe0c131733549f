//! `.txt` articles: the first non-empty line is the title, paragraphs are blank-line blocks.

use tantivy::DateTime;

use super::{collapse_whitespace, hash_bytes, parse_date, split_blocks, Article};

fn date_from_file_name(path: &str) -> Option<DateTime> {
    let name = path.rsplit('/').next()?;
    parse_date(name.get(..10)?).ok()
}

/// `.txt`: the first non-empty line is the title; paragraphs are blank-line blocks, or lines
/// when the file has no blank line after its title. The date comes from a `YYYY-MM-DD` prefix
/// of the file name, the convention of most archive exports.
pub(super) fn parse_txt(path: &str, text: &str, bytes: &[u8]) -> Article {
    let mut lines = text
        .lines()
        .map(str::trim_end)
        .skip_while(|l| l.trim().is_empty());
    let title = lines.next().map(collapse_whitespace);
    let body: Vec<&str> = lines.collect();
    let first = body.iter().position(|l| !l.trim().is_empty());
    let last = body.iter().rposition(|l| !l.trim().is_empty());
    let body = match (first, last) {
        (Some(first), Some(last)) => &body[first..=last],
        _ => &[][..],
    };
    let has_blocks = body.iter().any(|l| l.trim().is_empty());
    let paragraphs = if has_blocks {
        split_blocks(body.iter().copied())
    } else {
        body.iter().map(|l| collapse_whitespace(l)).collect()
    };
    Article {
        id: path.to_string(),
        path: path.to_string(),
        title,
        date: date_from_file_name(path),
        url: None,
        source: None,
        paragraphs,
        hash: hash_bytes(bytes),
    }
}
