/*!
One commit as a request sees it, and how a request reads it.

A [`Snapshot`] holds one commit's searcher together with the payload and gazetteer of that
commit and the copy groups of its segments, so a request never mixes two commits. Every read
(search, show, stats, entities, timeline) takes one; the [`Engine`](crate::Engine) hands them
out. Beside it live the pieces every reader shares: the fast-column cache ([`Columns`]), the
stored paragraph ([`fetch_paragraph`]) and entity-facet counting ([`FacetCounts`]).
*/

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::Searcher;

use crate::entities::Gazetteer;
use crate::local::copies::Copies;
use crate::local::folder::CommitPayload;
use crate::schema::Fields;

mod columns;
mod facets;
mod paragraph;

pub use columns::Columns;
pub use facets::{facet_paths, FacetCounts};
pub use paragraph::fetch_paragraph;

/// One commit: its searcher, payload, gazetteer and copy groups.
pub struct Snapshot {
    searcher: Searcher,
    fields: Fields,
    payload: Option<CommitPayload>,
    gazetteer: Arc<Gazetteer>,
    copies: Option<Arc<Copies>>,
    path: PathBuf,
}

impl Snapshot {
    pub(crate) fn new(
        searcher: Searcher,
        fields: Fields,
        payload: Option<CommitPayload>,
        gazetteer: Arc<Gazetteer>,
        copies: Option<Arc<Copies>>,
        path: PathBuf,
    ) -> Snapshot {
        Snapshot {
            searcher,
            fields,
            payload,
            gazetteer,
            copies,
            path,
        }
    }

    pub fn searcher(&self) -> &Searcher {
        &self.searcher
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// What the commit recorded; None for an index committed without one.
    pub fn payload(&self) -> Option<&CommitPayload> {
        self.payload.as_ref()
    }

    /// The gazetteer the commit was tagged with.
    pub fn gazetteer(&self) -> &Arc<Gazetteer> {
        &self.gazetteer
    }

    /// Which paragraphs have copies, when known for these segments.
    pub fn copies(&self) -> Option<&Arc<Copies>> {
        self.copies.as_ref()
    }

    /// The index folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
