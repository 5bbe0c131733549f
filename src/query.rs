/*!
Our query language (DESIGN §5) → a tantivy [`Query`].

Parsing produces a small AST ([`ParsedQuery`]) with positions, so syntax errors can say where
and what was expected. Building turns it into tantivy queries over `title` (boosted) and `text`,
expands terms that spell a gazetteer alias into a match on the entity facet, and adds the
entity and date filters. Nothing here executes a query.
*/

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DateTime, Term};

use crate::analysis::{fold_word, normalize_name, words};
use crate::entities::Gazetteer;
use crate::schema::Fields;

/// Weight of a title match relative to the paragraph text.
pub const TITLE_BOOST: f32 = 2.0;
/// Score given to a paragraph tagged with an entity the query spells out. Above what a few
/// shared words earn in BM25, so paragraphs that name the entity rank first.
pub const ENTITY_MATCH_SCORE: f32 = 20.0;
/// Terms at least this long are retried with one edit when nothing matches.
pub const FUZZY_MIN_LEN: usize = 5;

/// A query syntax error, with the 1-based character column where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query syntax error at column {column}: {message}")]
pub struct QuerySyntaxError {
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldScope {
    Any,
    Title,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// One typed word; may analyse into several tokens ("al-Muhandis"), then it is a phrase.
    Word { tokens: Vec<String>, raw: String },
    Phrase {
        tokens: Vec<String>,
        slop: u32,
        raw: String,
    },
    /// `militia*`: tokens before the last are exact, the last is a prefix.
    Prefix { tokens: Vec<String>, raw: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub scope: FieldScope,
    pub atom: Atom,
}

/// Top-level: every group must match (AND), excluded clauses must not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// Each group is an OR of clauses; a group of one is a plain required clause.
    pub required: Vec<Vec<Clause>>,
    pub excluded: Vec<Clause>,
}

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

/// Parses the query language of DESIGN §5.
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

/// Filters that restrict hits without changing their ranking.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Facet paths; a paragraph must carry each (or a child of it).
    pub entities: Vec<String>,
    pub since: Option<DateTime>,
    pub until: Option<DateTime>,
}

/// Everything search needs from a built query: the tantivy query and what to highlight.
pub struct BuiltQuery {
    pub query: Box<dyn Query>,
    pub highlight: HighlightTerms,
    /// Entities whose aliases the query spelled, for highlighting their mentions.
    pub expanded_entities: Vec<usize>,
    /// Terms eligible for the one-edit retry, as written (`soleimani`).
    pub fuzzy_candidates: Vec<String>,
}

/// What to highlight in a paragraph.
#[derive(Debug, Clone, Default)]
pub struct HighlightTerms {
    pub exact: Vec<String>,
    pub prefixes: Vec<String>,
    /// Terms matched with one edit (fuzzy retry).
    pub fuzzy: Vec<String>,
}

impl HighlightTerms {
    pub fn matches(&self, token: &str) -> bool {
        self.exact.iter().any(|t| t == token)
            || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || self
                .fuzzy
                .iter()
                .any(|f| crate::entities::within_one_edit(f, token))
    }
}

struct Builder<'a> {
    fields: &'a Fields,
    gazetteer: &'a Gazetteer,
    fuzzy: bool,
    highlight: HighlightTerms,
    expanded: Vec<usize>,
    fuzzy_candidates: Vec<String>,
}

/// Builds the tantivy query. With `fuzzy`, single terms of [`FUZZY_MIN_LEN`]+ letters match
/// within one edit (the retry after zero hits).
pub fn build_query(
    parsed: &ParsedQuery,
    filters: &Filters,
    fields: &Fields,
    gazetteer: &Gazetteer,
    fuzzy: bool,
) -> BuiltQuery {
    let mut builder = Builder {
        fields,
        gazetteer,
        fuzzy,
        highlight: HighlightTerms::default(),
        expanded: Vec::new(),
        fuzzy_candidates: Vec::new(),
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let groups = &parsed.required;
    let mut i = 0;
    while i < groups.len() {
        // Consecutive plain words that together spell an alias ("quds force") are matched as
        // that entity too; the longest run wins.
        if let Some((len, entity)) = builder.alias_run(&groups[i..]) {
            let words_query: Vec<(Occur, Box<dyn Query>)> = groups[i..i + len]
                .iter()
                .map(|g| (Occur::Must, builder.clause(&g[0])))
                .collect();
            let query = builder.with_entity(Box::new(BooleanQuery::new(words_query)), entity);
            clauses.push((Occur::Must, query));
            i += len;
            continue;
        }
        let group = &groups[i];
        let query: Box<dyn Query> = if group.len() == 1 {
            builder.clause_with_alias(&group[0])
        } else {
            Box::new(BooleanQuery::new(
                group
                    .iter()
                    .map(|c| (Occur::Should, builder.clause_with_alias(c)))
                    .collect(),
            ))
        };
        clauses.push((Occur::Must, query));
        i += 1;
    }
    let highlight = std::mem::take(&mut builder.highlight);
    for clause in &parsed.excluded {
        clauses.push((Occur::MustNot, builder.clause(clause)));
    }
    for facet in &filters.entities {
        let term = Term::from_facet(fields.entity, &Facet::from(facet.as_str()));
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                0.0,
            )),
        ));
    }
    if filters.since.is_some() || filters.until.is_some() {
        let bound = |d: Option<DateTime>| match d {
            Some(d) => Bound::Included(Term::from_field_date(fields.date, d)),
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(RangeQuery::new(bound(filters.since), bound(filters.until))),
                0.0,
            )),
        ));
    }
    BuiltQuery {
        query: Box::new(BooleanQuery::new(clauses)),
        highlight,
        expanded_entities: builder.expanded,
        fuzzy_candidates: builder.fuzzy_candidates,
    }
}

impl Builder<'_> {
    fn scoped_fields(&self, scope: FieldScope) -> Vec<(Field, f32)> {
        match scope {
            FieldScope::Any => vec![(self.fields.title, TITLE_BOOST), (self.fields.text, 1.0)],
            FieldScope::Title => vec![(self.fields.title, 1.0)],
            FieldScope::Text => vec![(self.fields.text, 1.0)],
        }
    }

    /// Longest run of plain single-token words at the start of `groups` that spells an alias.
    fn alias_run(&self, groups: &[Vec<Clause>]) -> Option<(usize, usize)> {
        let mut raws = Vec::new();
        for group in groups.iter().take(6) {
            match group.as_slice() {
                [Clause {
                    scope: FieldScope::Any,
                    atom: Atom::Word { raw, .. },
                }] => raws.push(raw.as_str()),
                _ => break,
            }
        }
        (2..=raws.len()).rev().find_map(|len| {
            self.gazetteer
                .lookup_id(&raws[..len].join(" "))
                .map(|e| (len, e))
        })
    }

    fn with_entity(&mut self, text_query: Box<dyn Query>, entity: usize) -> Box<dyn Query> {
        if !self.expanded.contains(&entity) {
            self.expanded.push(entity);
        }
        let facet = &self.gazetteer.entities[entity].facet;
        let term = Term::from_field_text(self.fields.entity_exact, facet);
        let entity_query = ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ENTITY_MATCH_SCORE,
        );
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, text_query),
            (Occur::Should, Box::new(entity_query)),
        ]))
    }

    /// A clause, also matched through the entity facet when it spells an alias.
    fn clause_with_alias(&mut self, clause: &Clause) -> Box<dyn Query> {
        let query = self.clause(clause);
        let raw = match &clause.atom {
            Atom::Word { raw, .. } => raw,
            Atom::Phrase { raw, slop: 0, .. } => raw,
            _ => return query,
        };
        if clause.scope != FieldScope::Any {
            return query;
        }
        match self.gazetteer.lookup_id(raw) {
            Some(entity) if !normalize_name(raw).is_empty() => self.with_entity(query, entity),
            _ => query,
        }
    }

    fn clause(&mut self, clause: &Clause) -> Box<dyn Query> {
        let fields = self.scoped_fields(clause.scope);
        let per_field: Vec<(Occur, Box<dyn Query>)> = fields
            .iter()
            .map(|&(field, boost)| {
                let query = self.atom_query(&clause.atom, field);
                let query: Box<dyn Query> = if boost != 1.0 {
                    Box::new(BoostQuery::new(query, boost))
                } else {
                    query
                };
                (Occur::Should, query)
            })
            .collect();
        self.note_highlights(&clause.atom);
        if per_field.len() == 1 {
            per_field.into_iter().next().expect("one field").1
        } else {
            Box::new(BooleanQuery::new(per_field))
        }
    }

    fn note_highlights(&mut self, atom: &Atom) {
        match atom {
            Atom::Word { tokens, raw } => {
                if tokens.len() == 1 && tokens[0].chars().count() >= FUZZY_MIN_LEN {
                    let folded = fold_word(raw);
                    if !self.fuzzy_candidates.contains(&folded) {
                        self.fuzzy_candidates.push(folded);
                    }
                    if self.fuzzy {
                        self.highlight.fuzzy.push(tokens[0].clone());
                        return;
                    }
                }
                self.highlight.exact.extend(tokens.iter().cloned());
            }
            Atom::Phrase { tokens, .. } => self.highlight.exact.extend(tokens.iter().cloned()),
            Atom::Prefix { tokens, .. } => {
                let (last, rest) = tokens.split_last().expect("non-empty");
                self.highlight.exact.extend(rest.iter().cloned());
                self.highlight.prefixes.push(last.clone());
            }
        }
    }

    fn atom_query(&self, atom: &Atom, field: Field) -> Box<dyn Query> {
        let term = |t: &str| Term::from_field_text(field, t);
        match atom {
            Atom::Word { tokens, .. } if tokens.len() == 1 => {
                if self.fuzzy && tokens[0].chars().count() >= FUZZY_MIN_LEN {
                    Box::new(FuzzyTermQuery::new(term(&tokens[0]), 1, true))
                } else {
                    Box::new(TermQuery::new(
                        term(&tokens[0]),
                        IndexRecordOption::WithFreqs,
                    ))
                }
            }
            Atom::Word { tokens, .. } => phrase(tokens.iter().map(|t| term(t)).collect(), 0),
            Atom::Phrase { tokens, slop, .. } => {
                phrase(tokens.iter().map(|t| term(t)).collect(), *slop)
            }
            Atom::Prefix { tokens, .. } => {
                if tokens.len() == 1 {
                    let pattern = format!("{}.*", regex_escape(&tokens[0]));
                    match RegexQuery::from_pattern(&pattern, field) {
                        Ok(query) => Box::new(query),
                        Err(_) => {
                            Box::new(TermQuery::new(term(&tokens[0]), IndexRecordOption::Basic))
                        }
                    }
                } else {
                    Box::new(PhrasePrefixQuery::new(
                        tokens.iter().map(|t| term(t)).collect(),
                    ))
                }
            }
        }
    }
}

fn phrase(terms: Vec<Term>, slop: u32) -> Box<dyn Query> {
    if terms.len() == 1 {
        return Box::new(TermQuery::new(
            terms.into_iter().next().expect("one term"),
            IndexRecordOption::WithFreqs,
        ));
    }
    let mut query = PhraseQuery::new(terms);
    query.set_slop(slop);
    Box::new(query)
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
