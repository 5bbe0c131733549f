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

pub use build::build_query;
pub use parse::parse_query;

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
