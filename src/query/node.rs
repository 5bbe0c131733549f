//! The built query as plain data: what to match where, with which weights. The embedded
//! engine turns it into tantivy queries ([`QueryNode::to_tantivy`]), the cluster store into
//! Query DSL; both read the same tree, so the two stores cannot expand or weigh a query
//! differently.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DateTime, Term};

use crate::schema::Fields;

/// The fields a query matches terms in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryField {
    Title,
    Text,
    /// Stems of words that are not their own stem.
    TextStem,
    /// The exact facet path of each tagged entity.
    EntityExact,
}

/// Whether a clause must, may or must not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Must {
    Must,
    Should,
    MustNot,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QueryNode {
    /// One analysed token; `scored` terms are ranked by BM25, others only match.
    Term {
        field: QueryField,
        token: String,
        scored: bool,
    },
    Phrase {
        field: QueryField,
        tokens: Vec<String>,
        slop: u32,
    },
    /// Tokens in a row, the last one a prefix.
    PhrasePrefix {
        field: QueryField,
        tokens: Vec<String>,
    },
    /// Any token starting with `prefix`, at a constant score of 1.
    Prefix {
        field: QueryField,
        prefix: String,
    },
    /// Any token within one edit (a transposition counts as one), at a constant score of 1.
    Fuzzy {
        field: QueryField,
        token: String,
    },
    /// `minimum` of the `Should` clauses must match (0: any, when there is no `Must`).
    Bool {
        clauses: Vec<(Must, QueryNode)>,
        minimum: usize,
    },
    Boost(Box<QueryNode>, f32),
    /// Matches as the inner query, scored `score` whatever it matched on.
    ConstScore(Box<QueryNode>, f32),
    /// Paragraphs tagged with this facet path or one below it.
    EntityFacet(String),
    DateRange {
        since: Option<DateTime>,
        until: Option<DateTime>,
    },
    /// Paragraphs added or changed by a sync numbered above this one.
    SyncAfter(u64),
    /// Every paragraph: a query of filters alone, or of nothing (a network of the archive).
    All,
}

impl QueryNode {
    pub fn bool(clauses: Vec<(Must, QueryNode)>) -> QueryNode {
        QueryNode::Bool {
            clauses,
            minimum: 0,
        }
    }

    /// Documents matching any of `nodes`, scored by the sum of those that match, as one flat
    /// union: unions inside it are spliced in (the same documents and scores), since a union of
    /// unions costs a third more to run than one union of the same terms.
    pub fn any_of(nodes: Vec<QueryNode>) -> QueryNode {
        let mut clauses: Vec<(Must, QueryNode)> = Vec::new();
        for node in nodes {
            match node {
                QueryNode::Bool {
                    clauses: inner,
                    minimum,
                } if minimum <= 1 && inner.iter().all(|(must, _)| *must == Must::Should) => {
                    clauses.extend(inner)
                }
                node => clauses.push((Must::Should, node)),
            }
        }
        if clauses.len() == 1 {
            return clauses.pop().expect("one clause").1;
        }
        QueryNode::bool(clauses)
    }

    /// A phrase of one token is that token.
    pub fn phrase(field: QueryField, mut tokens: Vec<String>, slop: u32) -> QueryNode {
        if tokens.len() == 1 {
            return QueryNode::Term {
                field,
                token: tokens.pop().expect("one token"),
                scored: true,
            };
        }
        QueryNode::Phrase {
            field,
            tokens,
            slop,
        }
    }

    pub fn to_tantivy(&self, fields: &Fields) -> Box<dyn Query> {
        let field_of = |field: QueryField| -> Field { self::field_of(fields, field) };
        let terms = |field: QueryField, tokens: &[String]| -> Vec<Term> {
            tokens
                .iter()
                .map(|t| Term::from_field_text(field_of(field), t))
                .collect()
        };
        match self {
            QueryNode::Term {
                field,
                token,
                scored,
            } => {
                let record = if *scored {
                    IndexRecordOption::WithFreqs
                } else {
                    IndexRecordOption::Basic
                };
                let term = Term::from_field_text(field_of(*field), token);
                Box::new(TermQuery::new(term, record))
            }
            QueryNode::Phrase {
                field,
                tokens,
                slop,
            } => {
                let mut query = PhraseQuery::new(terms(*field, tokens));
                query.set_slop(*slop);
                Box::new(query)
            }
            QueryNode::PhrasePrefix { field, tokens } => {
                Box::new(PhrasePrefixQuery::new(terms(*field, tokens)))
            }
            QueryNode::Prefix { field, prefix } => {
                let pattern = format!("{}.*", regex_escape(prefix));
                match RegexQuery::from_pattern(&pattern, field_of(*field)) {
                    Ok(query) => Box::new(query),
                    Err(_) => Box::new(TermQuery::new(
                        Term::from_field_text(field_of(*field), prefix),
                        IndexRecordOption::Basic,
                    )),
                }
            }
            QueryNode::Fuzzy { field, token } => Box::new(FuzzyTermQuery::new(
                Term::from_field_text(field_of(*field), token),
                1,
                true,
            )),
            QueryNode::Bool { clauses, minimum } => {
                let clauses: Vec<(Occur, Box<dyn Query>)> = clauses
                    .iter()
                    .map(|(must, node)| {
                        let occur = match must {
                            Must::Must => Occur::Must,
                            Must::Should => Occur::Should,
                            Must::MustNot => Occur::MustNot,
                        };
                        (occur, node.to_tantivy(fields))
                    })
                    .collect();
                if *minimum > 0 {
                    Box::new(BooleanQuery::with_minimum_required_clauses(
                        clauses, *minimum,
                    ))
                } else {
                    Box::new(BooleanQuery::new(clauses))
                }
            }
            QueryNode::Boost(inner, boost) => {
                Box::new(BoostQuery::new(inner.to_tantivy(fields), *boost))
            }
            QueryNode::ConstScore(inner, score) => {
                Box::new(ConstScoreQuery::new(inner.to_tantivy(fields), *score))
            }
            QueryNode::EntityFacet(path) => {
                let term = Term::from_facet(fields.entity, &Facet::from(path.as_str()));
                Box::new(TermQuery::new(term, IndexRecordOption::Basic))
            }
            QueryNode::DateRange { since, until } => {
                let bound = |d: &Option<DateTime>| match d {
                    Some(d) => Bound::Included(Term::from_field_date(fields.date, *d)),
                    None => Bound::Unbounded,
                };
                Box::new(RangeQuery::new(bound(since), bound(until)))
            }
            QueryNode::SyncAfter(after) => {
                let lower = Bound::Excluded(Term::from_field_u64(fields.sync, *after));
                Box::new(RangeQuery::new(lower, Bound::Unbounded))
            }
            QueryNode::All => Box::new(tantivy::query::AllQuery),
        }
    }
}

/// The embedded index's field a query clause names.
pub fn field_of(fields: &Fields, field: QueryField) -> Field {
    match field {
        QueryField::Title => fields.title,
        QueryField::Text => fields.text,
        QueryField::TextStem => fields.text_stem,
        QueryField::EntityExact => fields.entity_exact,
    }
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

/// Document frequencies, for the weights a built query carries (the two halves of a stem
/// clause) and for filters on names the learned tagger indexed.
pub trait TermStatistics {
    /// Paragraphs holding `token` in `field`.
    fn doc_freq(&self, field: QueryField, token: &str) -> u64;
    /// Paragraphs in the index.
    fn num_docs(&self) -> u64;
}

/// The embedded index's statistics.
pub struct SearcherStatistics<'a> {
    pub searcher: &'a tantivy::Searcher,
    pub fields: &'a Fields,
}

impl TermStatistics for SearcherStatistics<'_> {
    fn doc_freq(&self, field: QueryField, token: &str) -> u64 {
        let field = field_of(self.fields, field);
        self.searcher
            .doc_freq(&Term::from_field_text(field, token))
            .unwrap_or(0)
    }

    fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }
}
