//! `.json` (one article or an array) and `.jsonl` (one article a line) files.

use serde_json::Value;

use super::{
    collapse_whitespace, hash_bytes, parse_date, push_article, push_article_at, skip_warning,
    split_blocks, Article, ParsedFile,
};

pub(super) fn parse_json(path: &str, text: &str, parsed: &mut ParsedFile) {
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

pub(super) fn parse_jsonl(path: &str, text: &str, parsed: &mut ParsedFile) {
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
