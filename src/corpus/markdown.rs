//! `.md` articles: YAML or TOML front matter, a `# heading` title, markup stripped.

use super::{collapse_whitespace, hash_bytes, parse_date, Article};

/// Front matter fields we use, from YAML (`---`) or TOML (`+++`).
#[derive(Debug, Default)]
struct FrontMatter {
    title: Option<String>,
    date: Option<String>,
    url: Option<String>,
    source: Option<String>,
}

pub(super) fn parse_markdown(path: &str, text: &str, bytes: &[u8]) -> Result<Article, String> {
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
