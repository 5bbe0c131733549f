/*!
Reading a corpus folder into [`Article`]s.

This module walks a folder, reads `.txt`, `.md`, `.json` and `.jsonl` files, saved web pages
(`.html`, `.htm`, `.xhtml`: the article alone), PDF reports and Word files (`.docx`), and splits
them into paragraphs. It never fails on one bad file: problems become [`Warning`]s that name the
file (and line for `.jsonl`), and the other articles are still returned. It knows nothing about
tantivy or entities.
*/

use std::fmt;
use std::path::{Path, PathBuf};

use tantivy::DateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::error::{Error, Result};

mod docx;
mod html;
mod json;
mod markdown;
mod pdf;
#[cfg(test)]
mod tests;
mod txt;
mod walk;

pub use walk::{is_article_name, tree_order, walk_corpus, Fingerprint, WalkedFile};

/// Paragraphs longer than this are almost certainly not prose (a dump, a log, a base64 blob);
/// indexing them would bloat the index and every snippet, so their article is skipped.
pub const MAX_PARAGRAPH_BYTES: usize = 1 << 20;

const ARTICLE_EXTENSIONS: [&str; 10] = [
    "txt", "md", "markdown", "json", "jsonl", "html", "htm", "xhtml", "pdf", "docx",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Stable id: the relative path, `path#N` for the N-th record of a JSON file, or the
    /// record's own `id`.
    pub id: String,
    /// Path of the file relative to the corpus folder, with `/` separators.
    pub path: String,
    pub title: Option<String>,
    pub date: Option<DateTime>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub paragraphs: Vec<String>,
    /// Hash of the bytes this article was read from; a change means re-indexing.
    pub hash: u64,
}

/// An article as `sitrep read` shows it: what the indexer will take from the file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReadArticle {
    /// The file as the user named it.
    pub path: String,
    pub title: Option<String>,
    /// The article's day, `YYYY-MM-DD` (UTC).
    pub date: Option<String>,
    pub url: Option<String>,
    pub paragraphs: Vec<String>,
}

impl From<Article> for ReadArticle {
    fn from(article: Article) -> ReadArticle {
        let date = article.date.map(|date| {
            let day = date.into_utc().date();
            format!(
                "{:04}-{:02}-{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            )
        });
        ReadArticle {
            path: article.path,
            title: article.title,
            date,
            url: article.url,
            paragraphs: article.paragraphs,
        }
    }
}

/// A problem with one file or one record, reported to the user without stopping the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
    /// Whether the article (or the whole file) was left out of the index because of it.
    pub skipped: bool,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A file of the corpus found by the walk, not yet parsed.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Relative to the corpus folder, `/`-separated.
    pub path: String,
    pub absolute: PathBuf,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub articles: Vec<Article>,
    pub warnings: Vec<Warning>,
}

/// Hash of raw bytes, used for articles and files alike.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Parses one file's bytes. `path` is the corpus-relative path used for ids and messages.
pub fn parse_file(path: &str, bytes: &[u8]) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    let extension = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    // Pages, reports and Word files carry their own encodings; the plain-text formats are
    // UTF-8 by contract.
    let binary = match extension.as_str() {
        "html" | "htm" | "xhtml" => Some(html::parse_html(path, bytes)),
        "pdf" => Some(pdf::parse_pdf(path, bytes)),
        "docx" => Some(docx::parse_docx(path, bytes)),
        _ => None,
    };
    if let Some(read) = binary {
        match read {
            Ok(article) => push_article(&mut parsed, article),
            Err(message) => parsed.warnings.push(skip_warning(path, None, message)),
        }
        return parsed;
    }
    let text = match decode(path, bytes) {
        Ok(text) => text,
        Err(warning) => {
            parsed.warnings.push(warning);
            return parsed;
        }
    };
    match extension.as_str() {
        "txt" => push_article(&mut parsed, txt::parse_txt(path, text, bytes)),
        "md" | "markdown" => match markdown::parse_markdown(path, text, bytes) {
            Ok(article) => push_article(&mut parsed, article),
            Err(message) => parsed.warnings.push(skip_warning(path, None, message)),
        },
        "json" => json::parse_json(path, text, &mut parsed),
        "jsonl" => json::parse_jsonl(path, text, &mut parsed),
        _ => {}
    }
    parsed
}

fn skip_warning(path: &str, line: Option<usize>, message: String) -> Warning {
    Warning {
        path: path.to_string(),
        line,
        message,
        skipped: true,
    }
}

fn decode<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Warning> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let line = bytes[..err.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        let message = if bytes.iter().take(8192).any(|&b| b == 0) {
            "binary file (contains NUL bytes); skipped".to_string()
        } else {
            format!(
                "invalid UTF-8 at byte {}; skipped (convert the file to UTF-8)",
                err.valid_up_to()
            )
        };
        skip_warning(path, Some(line), message)
    })?;
    if text.contains('\0') {
        return Err(skip_warning(
            path,
            None,
            "binary file (contains NUL bytes); skipped".to_string(),
        ));
    }
    Ok(text)
}

/// Adds an article after the checks every format shares (not empty, no giant paragraph).
fn push_article(parsed: &mut ParsedFile, article: Article) {
    push_article_at(parsed, article, None)
}

fn push_article_at(parsed: &mut ParsedFile, mut article: Article, line: Option<usize>) {
    article.paragraphs.retain(|p| !p.is_empty());
    if article.paragraphs.is_empty() {
        parsed.warnings.push(skip_warning(
            &article.path,
            line,
            format!("article '{}' has no text; skipped", article.id),
        ));
        return;
    }
    if let Some((n, p)) = article
        .paragraphs
        .iter()
        .enumerate()
        .find(|(_, p)| p.len() > MAX_PARAGRAPH_BYTES)
    {
        parsed.warnings.push(skip_warning(
            &article.path,
            line,
            format!(
                "paragraph {} is {:.1} MB, over the 1 MB limit for one paragraph; article skipped \
                 (separate its paragraphs with blank lines)",
                n + 1,
                p.len() as f64 / 1e6
            ),
        ));
        return;
    }
    parsed.articles.push(article);
}

fn collapse_whitespace(text: &str) -> String {
    let clean = !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
        && !text
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_whitespace() && (w[1].is_ascii_whitespace() || w[0] != b' '));
    if clean && text.is_ascii() {
        return text.to_string();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Paragraphs of a text whose paragraphs are separated by blank lines; lines within one are
/// joined with a space.
fn split_blocks<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&collapse_whitespace(line));
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// Parses `YYYY-MM-DD` or RFC 3339 (TOML's and YAML's date-times included).
pub(crate) fn parse_date(text: &str) -> std::result::Result<DateTime, String> {
    let text = text.trim().trim_matches(|c| c == '"' || c == '\'');
    if let Ok(datetime) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(DateTime::from_utc(datetime));
    }
    if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Ok(DateTime::from_primitive(PrimitiveDateTime::new(
            date,
            Time::MIDNIGHT,
        )));
    }
    if let Ok(datetime) = PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second]"),
    ) {
        return Ok(DateTime::from_primitive(datetime));
    }
    Err(format!("date '{text}' is neither YYYY-MM-DD nor RFC 3339"))
}

/// The articles of one file given by path (every article of a `.jsonl`), as the indexer
/// reads them: for `sitrep read` and `sitrep extract`. A file that yields no article is an
/// error naming it, with the reason the indexer would give; warnings about some of its
/// records are returned for the caller to show.
///
/// ```
/// use sitrep::corpus::{read_article_file, ReadArticle};
///
/// let path = std::path::Path::new("tests/fixtures/formats/briefing.docx");
/// let parsed = read_article_file(path)?;
/// let article = ReadArticle::from(parsed.articles.into_iter().next().unwrap());
/// assert_eq!(article.title.as_deref(), Some("Militia briefing: the PMF after 2020"));
/// assert_eq!(article.date.as_deref(), Some("2021-03-14"));
/// assert_eq!(article.paragraphs[0], "Militia briefing: the PMF after 2020");
/// # Ok::<(), sitrep::Error>(())
/// ```
pub fn read_article_file(path: &Path) -> Result<ParsedFile> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let parsed = parse_file(&name, &bytes);
    if parsed.articles.is_empty() {
        let detail = match parsed.warnings.first() {
            Some(warning) => warning.to_string(),
            None => format!(
                "{name}: not an article file (.{})",
                ARTICLE_EXTENSIONS.join(", .")
            ),
        };
        return Err(Error::NotAnArticle {
            path: path.to_path_buf(),
            detail,
        });
    }
    Ok(parsed)
}

/// The paragraphs of one article file (every article of a `.jsonl`), for `sitrep extract`.
pub fn read_paragraphs(path: &Path) -> Result<(Vec<String>, Vec<Warning>)> {
    let parsed = read_article_file(path)?;
    let paragraphs = parsed
        .articles
        .into_iter()
        .flat_map(|a| a.paragraphs)
        .collect();
    Ok((paragraphs, parsed.warnings))
}
