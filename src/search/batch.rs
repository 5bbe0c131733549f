//! Batch search: a list of names or queries, answered one row each (paragraphs, articles,
//! first and last date, best article), as newsroom tools' batch search does for a list of
//! people to check against an archive.

use serde::Serialize;

use crate::error::{Error, Result};

/// One query of a batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchQuery {
    /// 1-based line in the file, for messages.
    pub line: usize,
    /// The row's label: the CSV `name` column, else the query itself.
    pub name: String,
    pub query: String,
}

/// The answer to one batch query.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BatchRow {
    pub line: usize,
    pub name: String,
    pub query: String,
    /// Matching paragraphs, identical texts counted once (a search's `total_hits`).
    pub paragraphs: u64,
    /// Distinct articles among them.
    pub articles: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// The article of the best-ranked paragraph, and its title.
    pub best_article: Option<String>,
    pub best_title: Option<String>,
}

/// Reads a batch file: CSV with a header row naming `name` and `query` columns (any order,
/// others ignored), or else one query a line, `#` starting a comment. Every line that cannot
/// be read is an error naming it; the others are returned all the same.
///
/// ```
/// use sitrep::search::parse_batch;
///
/// let lines = parse_batch("name,query\nQaani,\"Esmail Qaani\"\nKH,\"\"\"Kataib Hezbollah\"\"\"\n");
/// let queries: Vec<_> = lines.into_iter().map(Result::unwrap).collect();
/// assert_eq!((queries[1].line, queries[1].name.as_str()), (3, "KH"));
/// assert_eq!(queries[1].query, "\"Kataib Hezbollah\"");
/// ```
pub fn parse_batch(text: &str) -> Vec<Result<BatchQuery>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let header: Vec<String> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_lowercase())
        .collect();
    if header.iter().any(|c| c == "name") && header.iter().any(|c| c == "query") {
        parse_csv(text)
    } else {
        parse_lines(text)
    }
}

fn bad_line(line: usize, message: impl Into<String>) -> Error {
    Error::InvalidArgument {
        what: format!("line {line}"),
        message: message.into(),
    }
}

fn parse_lines(text: &str) -> Vec<Result<BatchQuery>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(n, l)| {
            Ok(BatchQuery {
                line: n + 1,
                name: l.trim().to_string(),
                query: l.trim().to_string(),
            })
        })
        .collect()
}

fn parse_csv(text: &str) -> Vec<Result<BatchQuery>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns = match reader.headers() {
        Ok(headers) => {
            let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
            (find("name"), find("query"))
        }
        Err(err) => return vec![Err(bad_line(1, err.to_string()))],
    };
    let (Some(name_at), Some(query_at)) = columns else {
        return vec![Err(bad_line(1, "the header has no name and query columns"))];
    };
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|err| {
                let line = err.position().map_or(0, |p| p.line() as usize);
                bad_line(line, err.to_string())
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let query = record.get(query_at).unwrap_or("").to_string();
            if query.is_empty() {
                return Err(bad_line(line, "no query in the query column"));
            }
            let name = match record.get(name_at) {
                Some(name) if !name.is_empty() => name.to_string(),
                _ => query.clone(),
            };
            Ok(BatchQuery { line, name, query })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_skip_blanks_and_comments_and_keep_line_numbers() {
        let queries: Vec<BatchQuery> = parse_batch("# people\nQaani\n\n  \"Abu Fadak\"  \n")
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let got: Vec<(usize, &str)> = queries.iter().map(|q| (q.line, q.query.as_str())).collect();
        assert_eq!(got, [(2, "Qaani"), (4, "\"Abu Fadak\"")]);
        assert_eq!(queries[1].name, "\"Abu Fadak\"");
    }

    #[test]
    fn csv_rows_with_a_bad_one_in_the_middle() {
        let text = "query,name,notes\nsoleimani,Soleimani,x\n,Empty,\nqaani,,y\n";
        let rows = parse_batch(text);
        assert_eq!(rows.len(), 3);
        let first = rows[0].as_ref().unwrap();
        assert_eq!((first.line, first.name.as_str()), (2, "Soleimani"));
        let err = rows[1].as_ref().unwrap_err().to_string();
        assert_eq!(err, "line 3: no query in the query column");
        let third = rows[2].as_ref().unwrap();
        assert_eq!((third.line, third.name.as_str()), (4, "qaani"));
    }
}
