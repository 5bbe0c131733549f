/*!
What a store is: the place an index lives and the reads every request makes of it.

[`Engine`](crate::Engine) holds one [`Store`] and passes each request through. Two implement
it: the tantivy index folder (`local::LocalStore`) and an OpenSearch cluster
(`remote::RemoteStore`). Both build on the same layers below them: the query tree
(`query`), analysis, entities, the shared result types (`search`, `inspect`) and the one
paragraph shape (`paragraph`). A store that cannot answer an optional request (name
candidates, batch rows, the saved gazetteer's file) leaves the default method, which answers
[`Error::Unsupported`].
*/

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::entities::{Gazetteer, UNLISTED_KINDS};
use crate::error::{Error, Result};
use crate::inspect::{Candidate, EntityUsage, IndexStats, ShownArticle};
use crate::network::Observations;
use crate::search::{BatchQuery, BatchRow, SearchOptions, SearchResults, Timeline};

/// The reads a store answers. Implementations are shared between threads.
pub trait Store: Send + Sync + Any {
    /// Where the index is, as a user names it: a folder, or a cluster's `URL/INDEX`.
    fn location(&self) -> String;

    /// The store as an error message names it ("the cluster at URL/INDEX").
    fn describe(&self) -> String {
        self.location()
    }

    /// The gazetteer the index was tagged with.
    fn gazetteer(&self) -> Result<Arc<Gazetteer>>;

    /// The entity kinds a search can filter on: the gazetteer's, and those the learned tagger
    /// files unlisted names under.
    fn filter_kinds(&self) -> Result<Vec<String>> {
        let mut kinds = self.gazetteer()?.kinds();
        for kind in UNLISTED_KINDS {
            if !kinds.iter().any(|k| k == kind) {
                kinds.push(kind.to_string());
            }
        }
        kinds.sort();
        Ok(kinds)
    }

    fn search(&self, options: &SearchOptions) -> Result<SearchResults>;

    /// Every paragraph a query and its filters match, with the entities each names, for
    /// co-occurrence counting. A blank query with no filters observes the whole index.
    fn observations(&self, options: &SearchOptions) -> Result<Observations>;

    /// Hits per month for a query and its filters.
    fn timeline(&self, options: &SearchOptions) -> Result<Timeline>;

    /// An article's paragraphs (or one of them) with their entities, and with where each
    /// entity is named when `with_mentions`.
    fn show(
        &self,
        article_id: &str,
        paragraph: Option<u64>,
        with_mentions: bool,
    ) -> Result<ShownArticle>;

    fn stats(&self) -> Result<IndexStats>;

    /// Gazetteer entities (of one kind, or all) with their counts, most named first.
    /// `rows` picks a page of the ranked list (`0..50`: the first fifty).
    fn entities(&self, kind: Option<&str>, rows: Range<usize>) -> Result<Vec<EntityUsage>>;

    /// One row of a batch search: `query` run with the filters of `base`, counted over all
    /// its matches, with its best article.
    fn batch_row(&self, query: &BatchQuery, base: &SearchOptions) -> Result<BatchRow> {
        let _ = (query, base);
        Err(self.unsupported("batch search"))
    }

    /// Names in the corpus the gazetteer does not cover, most frequent first.
    fn candidates(&self, rows: Range<usize>) -> Result<Vec<Candidate>> {
        let _ = rows;
        Err(self.unsupported("listing name candidates"))
    }

    /// Which gazetteer the index was tagged with, and where its copy is saved.
    fn gazetteer_info(&self) -> Result<GazetteerInfo> {
        Err(self.unsupported("describing the saved gazetteer"))
    }

    /// The one error every optional request answers on a store without it.
    fn unsupported(&self, what: &str) -> Error {
        Error::Unsupported {
            what: what.to_string(),
            store: self.describe(),
        }
    }

    /// For [`Engine`](crate::Engine) to reach what only one store has (the index folder's
    /// snapshots).
    fn as_any(&self) -> &dyn Any;
}

/// The rows of a ranked list that a page asks for.
pub(crate) fn page<T>(mut rows: Vec<T>, wanted: Range<usize>) -> Vec<T> {
    rows.truncate(wanted.end);
    rows.drain(..wanted.start.min(rows.len()));
    rows
}

/// Which gazetteer is in use, for `sitrep entities --gazetteer`.
#[derive(Debug, Clone, Serialize)]
pub struct GazetteerInfo {
    /// The file it was read from, or the built-in label.
    pub source: String,
    pub entities: usize,
    /// The index folder holding the copy searches use, when there is an index.
    pub saved_in: Option<String>,
    /// The corpus folder that was indexed with it.
    pub corpus: Option<String>,
    pub hash: String,
}

impl GazetteerInfo {
    /// A gazetteer no index has saved (yet).
    pub fn unsaved(gazetteer: &Gazetteer) -> Self {
        GazetteerInfo {
            source: gazetteer.source.to_string(),
            entities: gazetteer.len(),
            saved_in: None,
            corpus: None,
            hash: format!("{:016x}", gazetteer.hash),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_the_rows_it_names_and_never_out_of_bounds() {
        let rows: Vec<u32> = (0..10).collect();
        assert_eq!(page(rows.clone(), 0..3), [0, 1, 2]);
        assert_eq!(page(rows.clone(), 8..20), [8, 9]);
        assert_eq!(page(rows, 12..20), Vec::<u32>::new());
    }
}
