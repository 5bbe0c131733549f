//! Names the gazetteer does not cover, for the user to add (`sitrep entities --candidates`).

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// person, org or place, for names the learned tagger found (`index --unlisted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Paragraphs mentioning it.
    pub count: u64,
}
