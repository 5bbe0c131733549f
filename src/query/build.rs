//! Parsed query + filters → tantivy query, with alias expansion and what to highlight.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DateTime, Term};

use super::{
    Atom, BuiltQuery, Clause, FieldScope, Filters, HighlightTerms, ParsedQuery, ENTITY_MATCH_SCORE,
    FUZZY_MIN_LEN, TITLE_BOOST,
};
use crate::analysis::{fold_word, normalize_name};
use crate::entities::Gazetteer;
use crate::schema::Fields;

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
            Atom::Phrase {
                tokens, slop: 0, ..
            }
            | Atom::Word { tokens, .. }
                if tokens.len() > 1 =>
            {
                self.highlight.phrases.push(tokens.clone());
                self.highlight.exact.extend(tokens.iter().cloned());
            }
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
