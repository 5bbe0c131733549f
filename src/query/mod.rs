/*!
Our query language (DESIGN §5) → a tantivy [`Query`](tantivy::query::Query).

`parse` turns the text into a small AST ([`ParsedQuery`]) with positions, so syntax errors can
say where and what was expected. `build` turns the AST into tantivy queries over `title`
(boosted) and `text`, expands terms that spell a gazetteer alias into a match on the entity
facet, adds the entity and date filters, and says what to highlight. Nothing here executes a
query.
*/

use tantivy::query::Query;
use tantivy::DateTime;

mod build;
mod parse;
pub mod relax;

pub use build::build_query;
pub use parse::parse_query;

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
/// (`benches/relevance`, see the README); `SITREP_RANKING="title=2,stem=2.5,proximity=0.3,slop=4"`
/// overrides them for tuning runs. The stemmed field weighs more than the exact one because an
/// exact match scores in both: exact spellings still rank first.
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
            proximity: 0.3,
            proximity_slop: 4,
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

    /// The defaults, or the `SITREP_RANKING` override (read once per process).
    pub fn current() -> Ranking {
        static CURRENT: std::sync::OnceLock<Ranking> = std::sync::OnceLock::new();
        *CURRENT.get_or_init(|| {
            let mut ranking = Ranking::default();
            if let Ok(spec) = std::env::var("SITREP_RANKING") {
                for pair in spec.split(',') {
                    let Some((key, value)) = pair.split_once('=') else {
                        continue;
                    };
                    match (key.trim(), value.trim().parse::<f32>()) {
                        ("title", Ok(v)) => ranking.title = v,
                        ("stem", Ok(v)) => ranking.stem = v,
                        ("proximity", Ok(v)) => ranking.proximity = v,
                        ("slop", Ok(v)) => ranking.proximity_slop = v as u32,

                        _ => {}
                    }
                }
            }
            ranking
        })
    }
}
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
    /// Multi-word phrases (and words that analyse into several tokens) highlighted as one
    /// span; their words are not highlighted elsewhere.
    pub phrases: Vec<Vec<String>>,
    pub prefixes: Vec<String>,
    /// Terms matched with one edit (fuzzy retry).
    pub fuzzy: Vec<String>,
}
