//! Parsed query + filters → tantivy query, with alias expansion and what to highlight.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DateTime, Searcher, Term};

use super::relax::{is_stop_atom, plain_words};
use super::{
    Atom, BuiltQuery, Clause, FieldScope, Filters, HighlightTerms, Matching, ParsedQuery, Ranking,
    FUZZY_MIN_LEN,
};
use crate::analysis::{fold_word, normalize_name, stem_word};
use crate::entities::Gazetteer;
use crate::schema::Fields;

struct Builder<'a> {
    fields: &'a Fields,
    /// Document frequencies, to weigh the two halves of a stem clause.
    searcher: &'a Searcher,
    gazetteer: &'a Gazetteer,
    fuzzy: bool,
    /// Only which documents match counts, not how well.
    counting: bool,
    ranking: Ranking,
    highlight: HighlightTerms,
    expanded: Vec<usize>,
    fuzzy_candidates: Vec<String>,
}

/// How to build a query: which matching, for counting or ranking, with which weights.
#[derive(Debug, Clone, Copy)]
pub struct BuildMode {
    pub matching: Matching,
    /// Only which documents match counts, not how well: no score-only clauses.
    pub counting: bool,
    pub ranking: Ranking,
}

/// Builds the tantivy query, matched as `matching` says. A query built for `counting` matches
/// the same documents with less work: no clauses that only change scores.
pub fn build_query(
    parsed: &ParsedQuery,
    filters: &Filters,
    searcher: &Searcher,
    fields: &Fields,
    gazetteer: &Gazetteer,
    how: BuildMode,
) -> BuiltQuery {
    let BuildMode {
        matching,
        counting,
        ranking,
    } = how;
    let mut builder = Builder {
        fields,
        searcher,
        gazetteer,
        fuzzy: matching == Matching::Fuzzy,
        counting,
        ranking,
        highlight: HighlightTerms::default(),
        expanded: Vec::new(),
        fuzzy_candidates: Vec::new(),
    };
    // Each required group, and whether it is a stop word (left out of a relaxed query).
    let mut required: Vec<(Box<dyn Query>, bool)> = Vec::new();
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
            required.push((query, false));
            i += len;
            continue;
        }
        let group = &groups[i];
        let query: Box<dyn Query> = if group.len() == 1 {
            builder.clause_with_alias(&group[0])
        } else {
            any_of(group.iter().map(|c| builder.clause_with_alias(c)).collect())
        };
        let stop = group.len() == 1 && is_stop_atom(&group[0].atom);
        required.push((query, stop));
        i += 1;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = match matching {
        Matching::Relaxed { minimum } => {
            if required.iter().any(|(_, stop)| !stop) {
                // The stop words are left out of the query, so a hit's "the" and "in" are
                // not what it matched on.
                builder.forget_highlights(groups.iter().filter_map(|group| match &group[..] {
                    [clause] if is_stop_atom(&clause.atom) => Some(&clause.atom),
                    _ => None,
                }));
            }
            relaxed(required, minimum)
        }
        Matching::Strict | Matching::Fuzzy => required
            .into_iter()
            .map(|(q, _)| (Occur::Must, q))
            .collect(),
    };
    if let Some(words) = plain_words(parsed) {
        clauses.extend(builder.proximity(&words));
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
    if let Some(after) = filters.after_sync {
        let lower = Bound::Excluded(Term::from_field_u64(fields.sync, after));
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(RangeQuery::new(lower, Bound::Unbounded)),
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

/// A ranked disjunction needing at least `minimum` of the content words. Stop words are left
/// out (unless the query has nothing else): in BM25 they add next to nothing and cost a posting
/// list each; quoted phrases, never relaxed, still match them.
fn relaxed(required: Vec<(Box<dyn Query>, bool)>, minimum: usize) -> Vec<(Occur, Box<dyn Query>)> {
    let has_content = required.iter().any(|(_, stop)| !stop);
    let content: Vec<(Occur, Box<dyn Query>)> = required
        .into_iter()
        .filter(|(_, stop)| !stop || !has_content)
        .map(|(query, _)| (Occur::Should, query))
        .collect();
    let minimum = minimum.clamp(1, content.len());
    vec![(
        Occur::Must,
        Box::new(BooleanQuery::with_minimum_required_clauses(
            content, minimum,
        )),
    )]
}

impl Builder<'_> {
    fn scoped_fields(&self, scope: FieldScope) -> Vec<(Field, f32)> {
        match scope {
            FieldScope::Any => vec![
                (self.fields.title, self.ranking.title),
                (self.fields.text, 1.0),
            ],
            FieldScope::Title => vec![(self.fields.title, 1.0)],
            FieldScope::Text => vec![(self.fields.text, 1.0)],
        }
    }

    /// Optional sloppy phrases over neighbouring content words of a plain query: paragraphs
    /// where the words sit close together score higher.
    fn proximity(&self, words: &[&Atom]) -> Vec<(Occur, Box<dyn Query>)> {
        if self.ranking.proximity <= 0.0 || self.fuzzy || self.counting {
            return Vec::new();
        }
        let content: Vec<&str> = words
            .iter()
            .filter(|w| !is_stop_atom(w))
            .filter_map(|w| match w {
                Atom::Word { tokens, .. } if tokens.len() == 1 => Some(tokens[0].as_str()),
                _ => None,
            })
            .collect();
        content
            .windows(2)
            .filter(|pair| pair[0] != pair[1])
            .map(|pair| {
                let terms = pair
                    .iter()
                    .map(|t| Term::from_field_text(self.fields.text, t))
                    .collect();
                let mut query = PhraseQuery::new(terms);
                query.set_slop(self.ranking.proximity_slop);
                let boosted: Box<dyn Query> =
                    Box::new(BoostQuery::new(Box::new(query), self.ranking.proximity));
                (Occur::Should, boosted)
            })
            .collect()
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
        let facet = &self.gazetteer.entity(entity).facet;
        let term = Term::from_field_text(self.fields.entity_exact, facet);
        let entity_query = ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            self.ranking.entity_score(),
        );
        any_of(vec![text_query, Box::new(entity_query)])
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
        let stemmed = self.stem_query(clause);
        let mut fields = self.scoped_fields(clause.scope);
        if stemmed.is_some() && self.counting {
            // A paragraph with the word has its stem: the exact text field only adds score.
            fields.retain(|&(field, _)| field != self.fields.text);
        }
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = fields
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
        per_field.extend(stemmed.into_iter().flatten());
        self.note_highlights(&clause.atom);
        any_of(per_field.into_iter().map(|(_, query)| query).collect())
    }

    /// The word's stem in the stemmed text field, at a lower weight: "militias" finds
    /// "militia" while exact spellings keep the higher score. Only single plain words; the
    /// one-edit retry and explicit phrases stay exact.
    fn stem_query(&mut self, clause: &Clause) -> Option<Vec<(Occur, Box<dyn Query>)>> {
        let Atom::Word { tokens, .. } = &clause.atom else {
            return None;
        };
        if tokens.len() != 1
            || self.fuzzy
            || clause.scope == FieldScope::Title
            || self.ranking.stem <= 0.0
        {
            return None;
        }
        // Words that are their own stem are only in the exact field, so a stem is looked up in
        // both. Each half is weighed as if one field held every form, as the stemmed field once
        // did: scored apart, the rarer half's higher idf would rank "militia" alone above
        // "militias" for the query militias.
        let stem = stem_word(&tokens[0]);
        let terms = [self.fields.text_stem, self.fields.text]
            .map(|field| Term::from_field_text(field, &stem));
        if self.counting {
            return Some(
                terms
                    .into_iter()
                    .map(|term| -> (Occur, Box<dyn Query>) {
                        let query = TermQuery::new(term, IndexRecordOption::Basic);
                        (Occur::Should, Box::new(query))
                    })
                    .collect(),
            );
        }
        let frequencies = terms
            .clone()
            .map(|term| self.searcher.doc_freq(&term).unwrap_or(0));
        let docs = self.searcher.num_docs();
        let union_idf = idf(frequencies.iter().sum::<u64>().min(docs), docs);
        let forms: Vec<(Occur, Box<dyn Query>)> = terms
            .into_iter()
            .zip(frequencies)
            .filter(|&(_, frequency)| frequency > 0)
            .map(|(term, frequency)| {
                let query = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                let weight = self.ranking.stem * union_idf / idf(frequency, docs);
                let boosted: Box<dyn Query> = Box::new(BoostQuery::new(query, weight));
                (Occur::Should, boosted)
            })
            .collect();
        Some(forms)
    }

    /// Unmarks the words of atoms that no longer take part in the query.
    fn forget_highlights<'a>(&mut self, atoms: impl Iterator<Item = &'a Atom>) {
        let forgotten: Vec<&String> = atoms
            .flat_map(|atom| match atom {
                Atom::Word { tokens, .. } => tokens.iter(),
                _ => [].iter(),
            })
            .collect();
        self.highlight.exact.retain(|t| !forgotten.contains(&t));
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

/// Documents matching any of `queries`, scored by the sum of those that match, as one flat
/// union: unions inside it are spliced in (the same documents and scores), since a union of
/// unions costs a third more to run than one union of the same terms.
fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for query in queries {
        match query.downcast_ref::<BooleanQuery>() {
            Some(union)
                if union.get_minimum_number_should_match() <= 1
                    && union
                        .clauses()
                        .iter()
                        .all(|(occur, _)| *occur == Occur::Should) =>
            {
                clauses.extend(
                    union
                        .clauses()
                        .iter()
                        .map(|(occur, q)| (*occur, q.box_clone())),
                );
            }
            _ => clauses.push((Occur::Should, query)),
        }
    }
    if clauses.len() == 1 {
        return clauses.pop().expect("one clause").1;
    }
    Box::new(BooleanQuery::new(clauses))
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = (doc_count.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
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
