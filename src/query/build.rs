//! Parsed query + filters → [`QueryNode`], with alias expansion and what to highlight.

use super::node::{Must, QueryField, QueryNode, TermStatistics};
use super::relax::{is_stop_atom, plain_words};
use super::{
    Atom, BuiltQuery, Clause, FieldScope, Filters, HighlightTerms, Matching, ParsedQuery, Ranking,
    FUZZY_MIN_LEN,
};
use crate::analysis::{fold_word, normalize_name, stem_word};
use crate::entities::Gazetteer;

impl ParsedQuery {
    /// The stems whose document frequencies a ranked build may ask for (single plain words
    /// outside titles, as the stem clause takes them), so that a store answering statistics
    /// over the network can fetch them all in one request.
    pub fn stems_to_weigh(&self) -> Vec<String> {
        let mut stems: Vec<String> = self
            .required
            .iter()
            .flatten()
            .filter(|clause| clause.scope != FieldScope::Title)
            .filter_map(|clause| match &clause.atom {
                Atom::Word { tokens, .. } if tokens.len() == 1 => Some(stem_word(&tokens[0])),
                _ => None,
            })
            .collect();
        stems.sort();
        stems.dedup();
        stems
    }
}

struct Builder<'a> {
    /// Document frequencies, to weigh the two halves of a stem clause.
    statistics: &'a dyn TermStatistics,
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

/// Builds the query, matched as `matching` says. A query built for `counting` matches
/// the same documents with less work: no clauses that only change scores.
pub fn build_query(
    parsed: &ParsedQuery,
    filters: &Filters,
    statistics: &dyn TermStatistics,
    gazetteer: &Gazetteer,
    how: BuildMode,
) -> BuiltQuery {
    let BuildMode {
        matching,
        counting,
        ranking,
    } = how;
    let mut builder = Builder {
        statistics,
        gazetteer,
        fuzzy: matching == Matching::Fuzzy,
        counting,
        ranking,
        highlight: HighlightTerms::default(),
        expanded: Vec::new(),
        fuzzy_candidates: Vec::new(),
    };
    // Each required group, and whether it is a stop word (left out of a relaxed query).
    let mut required: Vec<(QueryNode, bool)> = Vec::new();
    let groups = &parsed.required;
    let mut i = 0;
    while i < groups.len() {
        // Consecutive plain words that together spell an alias ("quds force") are matched as
        // that entity too; the longest run wins.
        if let Some((len, entity)) = builder.alias_run(&groups[i..]) {
            let words_query: Vec<(Must, QueryNode)> = groups[i..i + len]
                .iter()
                .map(|g| (Must::Must, builder.clause(&g[0])))
                .collect();
            let query = builder.with_entity(QueryNode::bool(words_query), entity);
            required.push((query, false));
            i += len;
            continue;
        }
        let group = &groups[i];
        let query = if group.len() == 1 {
            builder.clause_with_alias(&group[0])
        } else {
            QueryNode::any_of(group.iter().map(|c| builder.clause_with_alias(c)).collect())
        };
        let stop = group.len() == 1 && is_stop_atom(&group[0].atom);
        required.push((query, stop));
        i += 1;
    }
    let mut clauses: Vec<(Must, QueryNode)> = match matching {
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
        Matching::Strict | Matching::Fuzzy => {
            required.into_iter().map(|(q, _)| (Must::Must, q)).collect()
        }
    };
    if let Some(words) = plain_words(parsed) {
        clauses.extend(builder.proximity(&words));
    }
    let highlight = std::mem::take(&mut builder.highlight);
    for clause in &parsed.excluded {
        clauses.push((Must::MustNot, builder.clause(clause)));
    }
    let filter = |node: QueryNode| (Must::Must, QueryNode::ConstScore(Box::new(node), 0.0));
    for facet in &filters.entities {
        clauses.push(filter(QueryNode::EntityFacet(facet.clone())));
    }
    if let Some(after) = filters.after_sync {
        clauses.push(filter(QueryNode::SyncAfter(after)));
    }
    if filters.since.is_some() || filters.until.is_some() {
        clauses.push(filter(QueryNode::DateRange {
            since: filters.since,
            until: filters.until,
        }));
    }
    if parsed.required.is_empty() {
        // Filters alone (or nothing): every paragraph they let through.
        clauses.push((
            Must::Must,
            QueryNode::ConstScore(Box::new(QueryNode::All), 0.0),
        ));
    }
    BuiltQuery {
        query: QueryNode::bool(clauses),
        highlight,
        expanded_entities: builder.expanded,
        fuzzy_candidates: builder.fuzzy_candidates,
    }
}

/// A ranked disjunction needing at least `minimum` of the content words. Stop words are left
/// out (unless the query has nothing else): in BM25 they add next to nothing and cost a posting
/// list each; quoted phrases, never relaxed, still match them.
fn relaxed(required: Vec<(QueryNode, bool)>, minimum: usize) -> Vec<(Must, QueryNode)> {
    let has_content = required.iter().any(|(_, stop)| !stop);
    let content: Vec<(Must, QueryNode)> = required
        .into_iter()
        .filter(|(_, stop)| !stop || !has_content)
        .map(|(query, _)| (Must::Should, query))
        .collect();
    let minimum = minimum.clamp(1, content.len());
    vec![(
        Must::Must,
        QueryNode::Bool {
            clauses: content,
            minimum,
        },
    )]
}

impl Builder<'_> {
    fn scoped_fields(&self, scope: FieldScope) -> Vec<(QueryField, f32)> {
        match scope {
            FieldScope::Any => vec![
                (QueryField::Title, self.ranking.title),
                (QueryField::Text, 1.0),
            ],
            FieldScope::Title => vec![(QueryField::Title, 1.0)],
            FieldScope::Text => vec![(QueryField::Text, 1.0)],
        }
    }

    /// Optional sloppy phrases over neighbouring content words of a plain query: paragraphs
    /// where the words sit close together score higher.
    fn proximity(&self, words: &[&Atom]) -> Vec<(Must, QueryNode)> {
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
                let phrase = QueryNode::Phrase {
                    field: QueryField::Text,
                    tokens: pair.iter().map(|t| t.to_string()).collect(),
                    slop: self.ranking.proximity_slop,
                };
                (
                    Must::Should,
                    QueryNode::Boost(Box::new(phrase), self.ranking.proximity),
                )
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

    fn with_entity(&mut self, text_query: QueryNode, entity: usize) -> QueryNode {
        if !self.expanded.contains(&entity) {
            self.expanded.push(entity);
        }
        let facet = &self.gazetteer.entity(entity).facet;
        let term = QueryNode::Term {
            field: QueryField::EntityExact,
            token: facet.clone(),
            scored: false,
        };
        let entity_query = QueryNode::ConstScore(Box::new(term), self.ranking.entity_score());
        QueryNode::any_of(vec![text_query, entity_query])
    }

    /// A clause, also matched through the entity facet when it spells an alias.
    fn clause_with_alias(&mut self, clause: &Clause) -> QueryNode {
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

    fn clause(&mut self, clause: &Clause) -> QueryNode {
        let stemmed = self.stem_query(clause);
        let mut fields = self.scoped_fields(clause.scope);
        if stemmed.is_some() && self.counting {
            // A paragraph with the word has its stem: the exact text field only adds score.
            fields.retain(|&(field, _)| field != QueryField::Text);
        }
        let mut per_field: Vec<QueryNode> = fields
            .iter()
            .map(|&(field, boost)| {
                let query = self.atom_query(&clause.atom, field);
                if boost != 1.0 {
                    QueryNode::Boost(Box::new(query), boost)
                } else {
                    query
                }
            })
            .collect();
        per_field.extend(stemmed.into_iter().flatten());
        self.note_highlights(&clause.atom);
        QueryNode::any_of(per_field)
    }

    /// The word's stem in the stemmed text field, at a lower weight: "militias" finds
    /// "militia" while exact spellings keep the higher score. Only single plain words; the
    /// one-edit retry and explicit phrases stay exact.
    fn stem_query(&mut self, clause: &Clause) -> Option<Vec<QueryNode>> {
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
        let fields = [QueryField::TextStem, QueryField::Text];
        let term = |field: QueryField, scored: bool| QueryNode::Term {
            field,
            token: stem.clone(),
            scored,
        };
        if self.counting {
            return Some(fields.into_iter().map(|f| term(f, false)).collect());
        }
        let frequencies = fields.map(|field| self.statistics.doc_freq(field, &stem));
        let docs = self.statistics.num_docs();
        let union_idf = idf(frequencies.iter().sum::<u64>().min(docs), docs);
        let forms: Vec<QueryNode> = fields
            .into_iter()
            .zip(frequencies)
            .filter(|&(_, frequency)| frequency > 0)
            .map(|(field, frequency)| {
                let weight = self.ranking.stem * union_idf / idf(frequency, docs);
                QueryNode::Boost(Box::new(term(field, true)), weight)
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

    fn atom_query(&self, atom: &Atom, field: QueryField) -> QueryNode {
        match atom {
            Atom::Word { tokens, .. } if tokens.len() == 1 => {
                if self.fuzzy && tokens[0].chars().count() >= FUZZY_MIN_LEN {
                    QueryNode::Fuzzy {
                        field,
                        token: tokens[0].clone(),
                    }
                } else {
                    QueryNode::Term {
                        field,
                        token: tokens[0].clone(),
                        scored: true,
                    }
                }
            }
            Atom::Word { tokens, .. } => QueryNode::phrase(field, tokens.clone(), 0),
            Atom::Phrase { tokens, slop, .. } => QueryNode::phrase(field, tokens.clone(), *slop),
            Atom::Prefix { tokens, .. } => {
                if tokens.len() == 1 {
                    QueryNode::Prefix {
                        field,
                        prefix: tokens[0].clone(),
                    }
                } else {
                    QueryNode::PhrasePrefix {
                        field,
                        tokens: tokens.clone(),
                    }
                }
            }
        }
    }
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = (doc_count.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}
