/*!
Reading a corpus folder into [`Article`]s.

This module walks a folder, reads `.txt`, `.md`, `.json` and `.jsonl` files and splits them into
paragraphs, following DESIGN §2. It never fails on one bad file: problems become [`Warning`]s
that name the file (and line for `.jsonl`), and the other articles are still returned. It knows
nothing about tantivy or entities.
*/

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tantivy::DateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

/// Paragraphs longer than this are almost certainly not prose (a dump, a log, a base64 blob);
/// indexing them would bloat the index and every snippet, so their article is skipped.
pub const MAX_PARAGRAPH_BYTES: usize = 1 << 20;

const ARTICLE_EXTENSIONS: [&str; 5] = ["txt", "md", "markdown", "json", "jsonl"];

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

/// Lists the article files under `root`, skipping hidden entries. Unreadable folders and
/// symlink loops become warnings.
pub fn walk_corpus(root: &Path) -> (Vec<CorpusFile>, Vec<Warning>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative_path(root, p))
                    .unwrap_or_else(|| root.display().to_string());
                let message = if err.loop_ancestor().is_some() {
                    "symlink loop; not followed".to_string()
                } else {
                    format!("cannot read: {}", io_message(&err))
                };
                warnings.push(Warning {
                    path,
                    line: None,
                    message,
                    skipped: true,
                });
                continue;
            }
        };
        if !entry.file_type().is_file() || !is_article_file(entry.path()) {
            continue;
        }
        files.push(CorpusFile {
            path: relative_path(root, entry.path()),
            absolute: entry.path().to_path_buf(),
        });
    }
    (files, warnings)
}

fn io_message(err: &walkdir::Error) -> String {
    err.io_error()
        .map(|e| e.to_string())
        .unwrap_or_else(|| err.to_string())
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn is_article_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ARTICLE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Hash of raw bytes, used for articles and files alike.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Parses one file's bytes. `path` is the corpus-relative path used for ids and messages.
pub fn parse_file(path: &str, bytes: &[u8]) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    let text = match decode(path, bytes) {
        Ok(text) => text,
        Err(warning) => {
            parsed.warnings.push(warning);
            return parsed;
        }
    };
    let extension = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "txt" => push_article(&mut parsed, parse_txt(path, text, bytes)),
        "md" | "markdown" => match parse_markdown(path, text, bytes) {
            Ok(article) => push_article(&mut parsed, article),
            Err(message) => parsed.warnings.push(skip_warning(path, None, message)),
        },
        "json" => parse_json(path, text, &mut parsed),
        "jsonl" => parse_jsonl(path, text, &mut parsed),
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

/// `.txt`: the first non-empty line is the title; paragraphs are blank-line blocks, or lines
/// when the file has no blank line after its title. The date comes from a `YYYY-MM-DD` prefix
/// of the file name, the convention of most archive exports.
fn parse_txt(path: &str, text: &str, bytes: &[u8]) -> Article {
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

fn date_from_file_name(path: &str) -> Option<DateTime> {
    let name = path.rsplit('/').next()?;
    parse_date(name.get(..10)?).ok()
}

/// Parses `YYYY-MM-DD` or RFC 3339 (TOML's and YAML's date-times included).
pub fn parse_date(text: &str) -> Result<DateTime, String> {
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

/// Front matter fields we use, from YAML (`---`) or TOML (`+++`).
#[derive(Debug, Default)]
struct FrontMatter {
    title: Option<String>,
    date: Option<String>,
    url: Option<String>,
    source: Option<String>,
}

fn parse_markdown(path: &str, text: &str, bytes: &[u8]) -> Result<Article, String> {
    let (front, body, body_line) = split_front_matter(text)?;
    let mut article = Article {
        id: path.to_string(),
        path: path.to_string(),
        title: front.title.filter(|t| !t.is_empty()),
        date: None,
        url: front.url.filter(|u| !u.is_empty()),
        source: front.source.filter(|s| !s.is_empty()),
        paragraphs: Vec::new(),
        hash: hash_bytes(bytes),
    };
    if let Some(date) = front.date {
        article.date = Some(parse_date(&date).map_err(|e| {
            format!("{e} in front matter (line {body_line} ends it); article skipped")
        })?);
    }
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else if trimmed.starts_with('#') || is_list_item(trimmed) {
            // Headings and list items stand alone: joining them with their neighbours would
            // glue unrelated sentences into one paragraph.
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            blocks.push(vec![line]);
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    for block in blocks {
        let first = block[0].trim_start();
        if article.title.is_none() && first.starts_with("# ") {
            article.title = Some(strip_markdown(first.trim_start_matches('#')));
            continue;
        }
        let joined = block
            .iter()
            .map(|l| strip_line_markers(l.trim()))
            .collect::<Vec<_>>()
            .join(" ");
        let paragraph = strip_markdown(&joined);
        if !paragraph.is_empty() {
            article.paragraphs.push(paragraph);
        }
    }
    Ok(article)
}

fn is_list_item(line: &str) -> bool {
    let mut chars = line.chars();
    match chars.next() {
        Some('-' | '*' | '+') => chars.next() == Some(' '),
        Some(c) if c.is_ascii_digit() => {
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with(". ") || rest.starts_with(") ")
        }
        _ => false,
    }
}

fn strip_line_markers(line: &str) -> &str {
    let line = line
        .trim_start_matches('#')
        .trim_start_matches('>')
        .trim_start();
    if is_list_item(line) {
        let skip = line.find(' ').unwrap_or(0);
        return line[skip..].trim_start();
    }
    line
}

/// Removes inline Markdown: emphasis, code ticks, links and images (keeping their text).
fn strip_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut prev = ' ';
    while let Some((i, c)) = chars.next() {
        match c {
            '*' | '`' => {}
            // An underscore is emphasis only at a word edge; inside a word (snake_case) it stays.
            '_' if !prev.is_alphanumeric()
                || !chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric()) => {}
            '!' if chars.peek().is_some_and(|&(_, n)| n == '[') => {}
            '[' => {
                if let Some((label, consumed)) = link_label(&text[i..]) {
                    out.push_str(label);
                    while chars.peek().is_some_and(|&(j, _)| j < i + consumed) {
                        chars.next();
                    }
                    prev = ')';
                    continue;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        prev = c;
    }
    collapse_whitespace(&out)
}

/// For `[label](target)` at the start of `text`, returns the label and the bytes consumed.
fn link_label(text: &str) -> Option<(&str, usize)> {
    let close = text.find("](")?;
    if text[1..close].contains('[') {
        return None;
    }
    let end = text[close..].find(')')? + close;
    Some((&text[1..close], end + 1))
}

/// Splits front matter off; returns it, the body, and the line number where the body starts.
fn split_front_matter(text: &str) -> Result<(FrontMatter, &str, usize), String> {
    let first_line = text.lines().next().unwrap_or("").trim_end();
    let delimiter = match first_line {
        "---" => "---",
        "+++" => "+++",
        _ => return Ok((FrontMatter::default(), text, 1)),
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    for (line_no, line) in (2..).zip(text[after_open..].split_inclusive('\n')) {
        let trimmed = line.trim_end();
        if trimmed == delimiter || (delimiter == "---" && trimmed == "...") {
            let raw = &text[after_open..offset];
            let front = if delimiter == "+++" {
                parse_toml_front_matter(raw)?
            } else {
                parse_yaml_front_matter(raw)?
            };
            return Ok((front, &text[offset + line.len()..], line_no + 1));
        }
        offset += line.len();
    }
    Err(format!(
        "front matter opened with '{delimiter}' on line 1 is never closed; article skipped"
    ))
}

fn parse_toml_front_matter(raw: &str) -> Result<FrontMatter, String> {
    let table: toml::Table = raw.parse().map_err(|e: toml::de::Error| {
        format!("TOML front matter: {}; article skipped", e.message())
    })?;
    let get = |key: &str| {
        table.get(key).map(|v| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    Ok(FrontMatter {
        title: get("title"),
        date: get("date"),
        url: get("url"),
        source: get("source"),
    })
}

/// A flat YAML subset: `key: value` lines with optional quotes. Lists and nested maps (tags,
/// authors) are skipped, since no field we use needs them.
fn parse_yaml_front_matter(raw: &str) -> Result<FrontMatter, String> {
    let mut front = FrontMatter::default();
    for (n, line) in raw.lines().enumerate() {
        if line.trim().is_empty()
            || line.trim_start().starts_with('#')
            || line.starts_with([' ', '\t', '-'])
        {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!(
                "YAML front matter line {}: expected 'key: value', found '{}'; article skipped",
                n + 2,
                line.trim()
            ));
        };
        let value = unquote_yaml(value.trim());
        match key.trim() {
            "title" => front.title = Some(value),
            "date" => front.date = Some(value),
            "url" => front.url = Some(value),
            "source" => front.source = Some(value),
            _ => {}
        }
    }
    Ok(front)
}

fn unquote_yaml(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 {
        let (first, last) = (bytes[0], bytes[bytes.len() - 1]);
        if first == b'"' && last == b'"' {
            return value[1..value.len() - 1].replace("\\\"", "\"");
        }
        if first == b'\'' && last == b'\'' {
            return value[1..value.len() - 1].replace("''", "'");
        }
    }
    value.to_string()
}

fn parse_json(path: &str, text: &str, parsed: &mut ParsedFile) {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            parsed.warnings.push(skip_warning(
                path,
                Some(err.line()),
                format!("invalid JSON: {err}; file skipped"),
            ));
            return;
        }
    };
    match value {
        Value::Array(records) => {
            for (n, record) in records.iter().enumerate() {
                let fallback_id = format!("{path}#{}", n + 1);
                let record_bytes = record.to_string();
                match article_from_record(path, record, &fallback_id, record_bytes.as_bytes()) {
                    Ok(article) => push_article(parsed, article),
                    Err(message) => parsed.warnings.push(skip_warning(
                        path,
                        None,
                        format!("record {}: {message}", n + 1),
                    )),
                }
            }
        }
        record => match article_from_record(path, &record, path, text.as_bytes()) {
            Ok(article) => push_article(parsed, article),
            Err(message) => parsed.warnings.push(skip_warning(path, None, message)),
        },
    }
}

fn parse_jsonl(path: &str, text: &str, parsed: &mut ParsedFile) {
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record: JsonlRecord = match serde_json::from_str(line) {
            Ok(record) => record,
            Err(err) => {
                // serde_json ends its message with "at line 1 column N", counted within this
                // one line; the file's own line number is the one the warning gives.
                let message = err.to_string();
                let position = format!(" at line {} column {}", err.line(), err.column());
                let message = message.strip_suffix(&position).unwrap_or(&message);
                parsed.warnings.push(skip_warning(
                    path,
                    Some(line_no),
                    format!(
                        "invalid JSON at column {}: {message}; line skipped",
                        err.column()
                    ),
                ));
                continue;
            }
        };
        let fallback_id = format!("{path}#{line_no}");
        match article_from_jsonl(path, record, &fallback_id, line.as_bytes()) {
            Ok(article) => push_article_at(parsed, article, Some(line_no)),
            Err(message) => parsed.warnings.push(skip_warning(
                path,
                Some(line_no),
                format!("{message}; line skipped"),
            )),
        }
    }
}

/// One `.jsonl` line, borrowed from the file's text: wire archives are mostly JSONL, and
/// building a `serde_json::Value` tree per record (with fields we never read) cost more than
/// tagging. Unknown fields are skipped without being built.
#[derive(serde::Deserialize)]
struct JsonlRecord<'a> {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    title: Option<Value>,
    #[serde(default)]
    date: Option<Value>,
    #[serde(default)]
    url: Option<Value>,
    #[serde(default)]
    source: Option<Value>,
    #[serde(default, borrow)]
    paragraphs: Option<Vec<Option<std::borrow::Cow<'a, str>>>>,
    #[serde(default, borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
}

fn article_from_jsonl(
    path: &str,
    record: JsonlRecord,
    fallback_id: &str,
    bytes: &[u8],
) -> Result<Article, String> {
    let string = |value: &Option<Value>| -> Option<String> {
        match value.as_ref()? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let paragraphs = match (&record.paragraphs, &record.text) {
        (Some(items), _) => items
            .iter()
            .flatten()
            .map(|p| collapse_whitespace(p))
            .collect(),
        (None, Some(text)) => split_blocks(text.lines()),
        (None, None) => return Err("no 'paragraphs' array or 'text' string".to_string()),
    };
    let date = match string(&record.date) {
        Some(date) => Some(parse_date(&date)?),
        None => None,
    };
    Ok(Article {
        id: string(&record.id).unwrap_or_else(|| fallback_id.to_string()),
        path: path.to_string(),
        title: string(&record.title),
        date,
        url: string(&record.url),
        source: string(&record.source),
        paragraphs,
        hash: hash_bytes(bytes),
    })
}

fn article_from_record(
    path: &str,
    record: &Value,
    fallback_id: &str,
    bytes: &[u8],
) -> Result<Article, String> {
    let Value::Object(fields) = record else {
        return Err("expected a JSON object with 'paragraphs' or 'text'".to_string());
    };
    let string = |key: &str| -> Option<String> {
        match fields.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let paragraphs = match (fields.get("paragraphs"), fields.get("text")) {
        (Some(Value::Array(items)), _) => items
            .iter()
            .filter_map(|item| item.as_str())
            .map(collapse_whitespace)
            .collect(),
        (_, Some(Value::String(text))) => split_blocks(text.lines()),
        _ => return Err("no 'paragraphs' array or 'text' string".to_string()),
    };
    let date = match string("date") {
        Some(date) => Some(parse_date(&date)?),
        None => None,
    };
    Ok(Article {
        id: string("id").unwrap_or_else(|| fallback_id.to_string()),
        path: path.to_string(),
        title: string("title"),
        date,
        url: string("url"),
        source: string("source"),
        paragraphs,
        hash: hash_bytes(bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(path: &str, text: &str) -> Article {
        let parsed = parse_file(path, text.as_bytes());
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.articles.len(), 1);
        parsed.articles.into_iter().next().unwrap()
    }

    #[test]
    fn txt_blocks_join_lines() {
        let a = one(
            "2020-01-03-x.txt",
            "\u{feff}Title here\r\n\r\nFirst line\r\ncontinues.\r\n\r\nSecond.\r\n",
        );
        assert_eq!(a.title.as_deref(), Some("Title here"));
        assert_eq!(a.paragraphs, ["First line continues.", "Second."]);
        assert_eq!(a.date, Some(parse_date("2020-01-03").unwrap()));
    }

    #[test]
    fn txt_without_blank_lines_has_one_paragraph_per_line() {
        let a = one("seed.txt", "\nTitle\nOne.\nTwo.\nTwo.\n");
        assert_eq!(a.paragraphs, ["One.", "Two.", "Two."]);
        assert_eq!(a.date, None);
    }

    #[test]
    fn markdown_front_matter_and_markup() {
        let a = one(
            "a.md",
            "---\ntitle: \"Kata'ib: a profile\"\ndate: 2020-03-14\ntags: [iraq]\nurl: https://x.org/a\n---\n\n## Origins\n\nThe **group** was *formed* by [Muhandis](https://x.org).\n\n- first point\n- second point\n",
        );
        assert_eq!(a.title.as_deref(), Some("Kata'ib: a profile"));
        assert_eq!(a.url.as_deref(), Some("https://x.org/a"));
        assert_eq!(
            a.paragraphs,
            [
                "Origins",
                "The group was formed by Muhandis.",
                "first point",
                "second point"
            ]
        );
    }

    #[test]
    fn markdown_toml_front_matter_and_heading_title() {
        let a = one(
            "b.md",
            "+++\ntitle = \"T\"\ndate = 2019-06-01\n+++\nBody.\n",
        );
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.date, Some(parse_date("2019-06-01").unwrap()));
        let b = one("c.md", "# The heading\n\nBody text.\n");
        assert_eq!(b.title.as_deref(), Some("The heading"));
        assert_eq!(b.paragraphs, ["Body text."]);
    }

    #[test]
    fn unclosed_front_matter_is_a_warning() {
        let parsed = parse_file("d.md", b"---\ntitle: x\nBody\n");
        assert!(parsed.articles.is_empty());
        assert!(parsed.warnings[0].message.contains("never closed"));
    }

    #[test]
    fn json_array_and_text_field() {
        let parsed = parse_file(
            "a.json",
            br#"[{"id": "x1", "title": "A", "text": "p1\n\np2"}, {"title": "B", "paragraphs": ["q"], "date": "2019-05-14T08:30:00Z"}]"#,
        );
        assert_eq!(parsed.articles.len(), 2);
        assert_eq!(parsed.articles[0].id, "x1");
        assert_eq!(parsed.articles[0].paragraphs, ["p1", "p2"]);
        assert_eq!(parsed.articles[1].id, "a.json#2");
    }

    #[test]
    fn jsonl_bad_line_is_reported_with_its_number() {
        let parsed = parse_file(
            "w.jsonl",
            b"{\"id\": \"a\", \"paragraphs\": [\"x\"]}\n{not json\n{\"id\": \"c\", \"paragraphs\": []}\n",
        );
        assert_eq!(parsed.articles.len(), 1);
        assert_eq!(parsed.warnings.len(), 2);
        assert_eq!(parsed.warnings[0].line, Some(2));
        assert!(parsed.warnings[0]
            .to_string()
            .starts_with("w.jsonl:2: invalid JSON"));
        assert!(!parsed.warnings[0].message.contains("line 1"));
        assert_eq!(parsed.warnings[1].line, Some(3));
        assert!(parsed.warnings[1].message.contains("no text"));
    }

    #[test]
    fn invalid_utf8_and_binary_are_skipped() {
        let parsed = parse_file("bad.txt", b"Title\n\nok \xff\xfe text\n");
        assert!(parsed.articles.is_empty());
        assert_eq!(parsed.warnings[0].line, Some(3));
        assert!(parsed.warnings[0].message.contains("invalid UTF-8"));
        let parsed = parse_file("bin.txt", b"\x00\x01\x02ELF");
        assert!(parsed.warnings[0].message.contains("binary"));
    }

    #[test]
    fn dates_in_both_formats() {
        assert!(parse_date("2019-09-02").is_ok());
        assert!(parse_date("1987-02-26T15:01:01Z").is_ok());
        assert!(parse_date("02/09/2019").is_err());
    }
}
