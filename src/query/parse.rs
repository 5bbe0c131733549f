//! The lexer and parser of the query language, with 1-based columns in every error.

use super::{Atom, Clause, FieldScope, ParsedQuery, QuerySyntaxError};
use crate::analysis::words;

struct Lexer<'a> {
    chars: Vec<(usize, char)>,
    pos: usize,
    text: &'a str,
}

#[derive(Debug)]
enum Item {
    Or {
        column: usize,
    },
    Clause {
        column: usize,
        negated: bool,
        clause: Clause,
    },
}

fn err(column: usize, message: impl Into<String>) -> QuerySyntaxError {
    QuerySyntaxError {
        column,
        message: message.into(),
    }
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            chars: text.char_indices().collect(),
            pos: 0,
            text,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }

    fn byte(&self) -> usize {
        self.chars
            .get(self.pos)
            .map_or(self.text.len(), |&(b, _)| b)
    }

    fn column(&self) -> usize {
        self.pos + 1
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Reads up to whitespace, a quote or the end.
    fn bare(&mut self) -> &'a str {
        let start = self.byte();
        while self
            .peek()
            .is_some_and(|c| !c.is_whitespace() && c != '"' && c != '“' && c != '”')
        {
            self.pos += 1;
        }
        &self.text[start..self.byte()]
    }

    fn items(&mut self) -> Result<Vec<Item>, QuerySyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_spaces();
            let Some(c) = self.peek() else { break };
            let column = self.column();
            if c == '(' || c == ')' {
                return Err(err(
                    column,
                    "parentheses are not supported; OR joins its two neighbours (isis OR isil mosul)",
                ));
            }
            let negated = c == '-'
                && self
                    .chars
                    .get(self.pos + 1)
                    .is_some_and(|&(_, n)| !n.is_whitespace());
            if negated {
                self.pos += 1;
            }
            let clause_column = self.column();
            // A field prefix: letters followed by ':' and something to search.
            let save = self.pos;
            let word = self.bare();
            if !negated && (word == "OR" || word == "AND") {
                if word == "OR" {
                    items.push(Item::Or { column });
                }
                continue;
            }
            if !negated && word == "NOT" {
                self.skip_spaces();
                let Some(item) = self.next_clause(self.column())? else {
                    return Err(err(column, "expected a term or phrase after NOT"));
                };
                items.push(Item::Clause {
                    column,
                    negated: true,
                    clause: item,
                });
                continue;
            }
            // Punctuation pasted with a sentence ("?", " . ", "—") is not a word to search for.
            if !negated
                && !word.is_empty()
                && !word.contains([':', '*'])
                && analyse(word).is_empty()
            {
                continue;
            }
            self.pos = save;
            let Some(clause) = self.next_clause(clause_column)? else {
                return Err(err(clause_column, "expected a term or phrase after '-'"));
            };
            items.push(Item::Clause {
                column: clause_column,
                negated,
                clause,
            });
        }
        Ok(items)
    }

    fn next_clause(&mut self, column: usize) -> Result<Option<Clause>, QuerySyntaxError> {
        let mut scope = FieldScope::Any;
        let start = self.pos;
        let word = self.bare();
        if let Some((field, rest)) = word.split_once(':') {
            if !field.is_empty() && field.chars().all(|c| c.is_ascii_alphabetic()) {
                scope = match field.to_ascii_lowercase().as_str() {
                    "title" => FieldScope::Title,
                    "text" => FieldScope::Text,
                    other => {
                        return Err(err(
                            column,
                            format!("unknown field '{other}'; the fields are title: and text:"),
                        ))
                    }
                };
                self.pos = start + field.chars().count() + 1;
                if rest.is_empty() && !matches!(self.peek(), Some('"' | '“')) {
                    return Err(err(
                        self.column(),
                        format!("expected a term or phrase after '{field}:'"),
                    ));
                }
            } else {
                self.pos = start;
            }
        } else {
            self.pos = start;
        }
        let atom_column = self.column();
        match self.peek() {
            None => Ok(None),
            Some('"' | '“' | '”') => {
                self.pos += 1;
                let body_start = self.byte();
                while self
                    .peek()
                    .is_some_and(|c| c != '"' && c != '”' && c != '“')
                {
                    self.pos += 1;
                }
                if self.peek().is_none() {
                    return Err(err(atom_column, "unclosed quote; expected a closing \""));
                }
                let raw = self.text[body_start..self.byte()].to_string();
                self.pos += 1;
                let mut slop = 0;
                if self.peek() == Some('~') {
                    self.pos += 1;
                    let digits_column = self.column();
                    let digits = self.bare();
                    slop = digits.parse().map_err(|_| {
                        err(
                            digits_column,
                            "expected a number after '~' (\"sadr army\"~3)",
                        )
                    })?;
                }
                let tokens = analyse(&raw);
                if tokens.is_empty() {
                    return Err(err(
                        atom_column,
                        "empty phrase; expected words between the quotes",
                    ));
                }
                Ok(Some(Clause {
                    scope,
                    atom: Atom::Phrase { tokens, slop, raw },
                }))
            }
            Some(_) => {
                let raw = self.bare().to_string();
                if let Some(stem) = raw.strip_suffix('*') {
                    let tokens = analyse(stem);
                    if tokens.is_empty() {
                        return Err(err(atom_column, "expected letters before '*' (militia*)"));
                    }
                    return Ok(Some(Clause {
                        scope,
                        atom: Atom::Prefix { tokens, raw },
                    }));
                }
                let tokens = analyse(&raw);
                if tokens.is_empty() {
                    return Err(err(
                        atom_column,
                        format!("'{raw}' has no letters or digits to search for"),
                    ));
                }
                Ok(Some(Clause {
                    scope,
                    atom: Atom::Word { tokens, raw },
                }))
            }
        }
    }
}

fn analyse(text: &str) -> Vec<String> {
    words(text).into_iter().map(|(w, _)| w).collect()
}

/// Parses our query language: words, "phrases"~slop, OR, -exclusion, field:, prefix*.
pub fn parse_query(text: &str) -> Result<ParsedQuery, QuerySyntaxError> {
    let items = Lexer::new(text).items()?;
    let mut parsed = ParsedQuery::default();
    let mut pending_or: Option<usize> = None;
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Or { column } => {
                let previous_is_positive = matches!(
                    i.checked_sub(1).map(|p| &items[p]),
                    Some(Item::Clause { negated: false, .. })
                );
                if !previous_is_positive {
                    return Err(err(*column, "expected a term or phrase before OR"));
                }
                pending_or = Some(*column);
            }
            Item::Clause {
                column,
                negated,
                clause,
            } => {
                if *negated {
                    if pending_or.is_some() {
                        return Err(err(*column, "an excluded term cannot be one side of OR"));
                    }
                    parsed.excluded.push(clause.clone());
                } else if pending_or.take().is_some() {
                    parsed
                        .required
                        .last_mut()
                        .expect("OR follows a clause")
                        .push(clause.clone());
                } else {
                    parsed.required.push(vec![clause.clone()]);
                }
            }
        }
    }
    if let Some(column) = pending_or {
        return Err(err(column, "expected a term or phrase after OR"));
    }
    if parsed.required.is_empty() {
        return Err(err(
            1,
            if parsed.excluded.is_empty() {
                "empty query; expected a term or phrase"
            } else {
                "only excluded terms; add a term to search for (hezbollah -lebanon)"
            },
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(group: &[Clause]) -> Vec<String> {
        group
            .iter()
            .map(|c| match &c.atom {
                Atom::Word { tokens, .. } => tokens.join(" "),
                Atom::Phrase { tokens, slop, .. } => format!("\"{}\"~{slop}", tokens.join(" ")),
                Atom::Prefix { tokens, .. } => format!("{}*", tokens.join(" ")),
            })
            .collect()
    }

    #[test]
    fn and_or_phrase_slop_prefix_exclusion() {
        let q = parse_query(r#"isis OR isil mosul "sadr army"~3 militia* -"Sadr City" -lebanon"#)
            .unwrap();
        let groups: Vec<Vec<String>> = q.required.iter().map(|g| words_of(g)).collect();
        assert_eq!(
            groups,
            vec![
                vec!["isis".to_string(), "isil".to_string()],
                vec!["mosul".to_string()],
                vec!["\"sadr army\"~3".to_string()],
                vec!["militia*".to_string()],
            ]
        );
        assert_eq!(words_of(&q.excluded), ["\"sadr city\"~0", "lebanon"]);
    }

    #[test]
    fn fields_and_folding() {
        let q = parse_query("title:baghdadi text:Kata’ib al-Muhandis").unwrap();
        assert_eq!(q.required[0][0].scope, FieldScope::Title);
        assert_eq!(q.required[1][0].scope, FieldScope::Text);
        assert_eq!(words_of(&q.required[1]), ["kataib"]);
        assert_eq!(words_of(&q.required[2]), ["al muhandis"]);
    }

    #[test]
    fn syntax_errors_name_the_column() {
        let cases = [
            (r#"sadr "mahdi army"#, 6, "unclosed quote"),
            ("OR sadr", 1, "before OR"),
            ("sadr OR", 6, "after OR"),
            ("author:smith", 1, "unknown field 'author'"),
            ("title: sadr", 7, "after 'title:'"),
            (r#""sadr army"~x"#, 13, "number after '~'"),
            ("-lebanon", 1, "only excluded"),
            ("(isis OR isil)", 1, "parentheses"),
            ("   ", 1, "empty query"),
        ];
        for (query, column, fragment) in cases {
            let e = parse_query(query).unwrap_err();
            assert_eq!(e.column, column, "{query}: {e}");
            assert!(e.message.contains(fragment), "{query}: {e}");
        }
    }
}
