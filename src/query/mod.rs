/*!
Our query language (the README's Query language section) → a [`QueryNode`] tree, which either
store (the embedded tantivy index, an OpenSearch cluster) turns into its own queries.

`parse` turns the text into a small AST ([`ParsedQuery`]) with positions, so syntax errors can
say where and what was expected. `build` turns the AST into a tree of clauses over `title`
(boosted) and `text`, expands terms that spell a gazetteer alias into a match on the entity
facet, adds the entity and date filters, and says what to highlight. Nothing here executes a
query.
*/

use tantivy::DateTime;

mod build;
mod node;
mod parse;
pub mod relax;
#[cfg(test)]
mod tests;

pub use build::{build_query, BuildMode};
pub use node::{Must, QueryField, QueryNode, SearcherStatistics, TermStatistics};
pub use parse::parse_query;

use crate::error::Error;
pub use crate::error::QuerySyntaxError;

/// How a query's words are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// Every word required (the default).
    Strict,
    /// The retry after zero hits: single words of [`FUZZY_MIN_LEN`]+ letters match within one
    /// edit.
    Fuzzy,
    /// A plain query as a ranked disjunction: at least `minimum` of its content words, stop
    /// words left out (see [`relax`]).
    Relaxed { minimum: usize },
}

/// Field weights and the proximity boost, tuned on the odd-numbered Cranfield queries
/// (`benches/relevance`, see the README); [`Ranking::parse`] reads other weights for tuning
/// runs. The stemmed field weighs more than the exact one because an
/// exact match scores in both: exact spellings still rank first. Proximity rewards
/// neighbouring query words written side by side (slop 0): as good on the tuning queries as
/// words within 4 positions, and scored alike by tantivy and Lucene, which weigh a sloppy
/// match differently (a count against 1/(1+distance)), so a cluster ranks as this index does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// Weight of a title match relative to the paragraph text.
    pub title: f32,
    /// Weight of a match on the stemmed text (word forms).
    pub stem: f32,
    /// Weight of two neighbouring query words found within `proximity_slop` positions.
    pub proximity: f32,
    pub proximity_slop: u32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            title: 2.0,
            stem: 2.5,
            proximity: 0.5,
            proximity_slop: 0,
        }
    }
}

impl Ranking {
    /// The score of a paragraph tagged with an entity the query spells out, scaled with the
    /// field weights so that it stays above what the words alone earn (see
    /// [`ENTITY_MATCH_SCORE`], set when title and text were the only fields, 2 + 1).
    pub fn entity_score(&self) -> f32 {
        ENTITY_MATCH_SCORE * (self.title + 1.0 + self.stem) / 3.0
    }

    /// Weights written as `title=2,stem=2.5,proximity=0.5,slop=0` (any subset; the rest keep
    /// their defaults), for tuning runs.
    ///
    /// ```
    /// let ranking = sitrep::query::Ranking::parse("stem=3, slop=2").unwrap();
    /// assert_eq!((ranking.stem, ranking.proximity_slop, ranking.title), (3.0, 2, 2.0));
    /// assert!(sitrep::query::Ranking::parse("stem=high").is_err());
    /// ```
    pub fn parse(spec: &str) -> Result<Ranking, Error> {
        let mut ranking = Ranking::default();
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let invalid = || Error::InvalidArgument {
                what: "ranking".to_string(),
                message: format!(
                    "'{}' is not one of title=N, stem=N, proximity=N, slop=N",
                    pair.trim()
                ),
            };
            let (key, value) = pair.split_once('=').ok_or_else(invalid)?;
            let value: f32 = value.trim().parse().map_err(|_| invalid())?;
            match key.trim() {
                "title" => ranking.title = value,
                "stem" => ranking.stem = value,
                "proximity" => ranking.proximity = value,
                "slop" => ranking.proximity_slop = value as u32,
                _ => return Err(invalid()),
            }
        }
        Ok(ranking)
    }
}

/// Score given to a paragraph tagged with an entity the query spells out. Above what a few
/// shared words earn in BM25, so paragraphs that name the entity rank first.
pub const ENTITY_MATCH_SCORE: f32 = 20.0;
/// Terms at least this long are retried with one edit when nothing matches.
pub const FUZZY_MIN_LEN: usize = 5;

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

/// Filters that restrict hits without changing their ranking.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Facet paths; a paragraph must carry each (or a child of it).
    pub entities: Vec<String>,
    pub since: Option<DateTime>,
    pub until: Option<DateTime>,
    /// Only paragraphs added or changed by a sync after this one.
    pub after_sync: Option<u64>,
}

/// Everything search needs from a built query: what to match and what to highlight.
pub struct BuiltQuery {
    pub query: QueryNode,
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
    /// Multi-word phrases (and words that analyse into several tokens) highlighted as one
    /// span; their words are not highlighted elsewhere.
    pub phrases: Vec<Vec<String>>,
    pub prefixes: Vec<String>,
    /// Terms matched with one edit (fuzzy retry).
    pub fuzzy: Vec<String>,
}
