/*!
The read side: [`Engine`] opens an index once and answers search, show, stats, entity and
timeline requests from any number of threads, through the [`Store`] it holds: the index folder
([`LocalStore`]) or a cluster ([`RemoteStore`]).

On the index folder every request works on a [`Snapshot`] of one commit, so a request never
mixes two commits. A live engine (the server's) reloads its reader when `sitrep index`
commits, and picks up a changed gazetteer with it.
*/

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::entities::Gazetteer;
use crate::error::Result;
use crate::inspect::{Candidate, EntityUsage, IndexStats, ShownArticle};
use crate::local::folder;
use crate::local::snapshot::Snapshot;
use crate::local::LocalStore;
use crate::network::{self, Network, NetworkOptions, Tie, TieSort};
use crate::remote::{RemoteStore, RemoteTarget};
use crate::search::{BatchQuery, BatchRow, SearchOptions, SearchResults, Timeline};
pub use crate::store::GazetteerInfo;
use crate::store::{page, Store};

/// An opened index, shared by any number of threads.
///
/// ```
/// use sitrep::{sync_index, Engine, IndexOptions, SearchOptions};
///
/// let dir = tempfile::tempdir()?;
/// let corpus = dir.path().join("corpus");
/// std::fs::create_dir(&corpus)?;
/// std::fs::write(
///     corpus.join("strike.txt"),
///     "Strike near Baghdad\n\nKataib Hezbollah said the drone strike killed two men.\n",
/// )?;
/// let options = IndexOptions::new(&corpus, dir.path().join("index"));
/// sync_index(&options, &|_progress| {})?;
///
/// let engine = Engine::open(&options.index)?;
/// // The curly apostrophe and the alias spelling find the same paragraph.
/// let results = engine.search(&SearchOptions {
///     query: "\"Kata\u{2019}ib Hezbollah\"".into(),
///     ..SearchOptions::default()
/// })?;
/// assert_eq!(results.total_hits, 1);
/// assert_eq!(results.hits[0].paragraph, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The same requests run on an OpenSearch cluster through [`Engine::open_remote`]; what only
/// an index folder has (name candidates, the bench's term statistics) is refused there.
pub struct Engine {
    store: Box<dyn Store>,
}

impl Engine {
    /// Opens an index for a one-shot command: the reader stays on the commit it opened.
    pub fn open(path: &Path) -> Result<Engine> {
        Ok(Engine::over(LocalStore::open(path)?))
    }

    /// Opens an index for a long-running process: the reader follows new commits (each
    /// request looks at `meta.json`, a stat), so searches see articles indexed after the start
    /// as soon as they are committed.
    pub fn open_live(path: &Path) -> Result<Engine> {
        Ok(Engine::over(LocalStore::open_live(path)?))
    }

    /// Opens a cluster index that `sitrep index --to` wrote; it follows new syncs by itself.
    /// `gazetteer_cache` is a folder to keep the compiled gazetteer in between processes
    /// ([`RemoteStore::open`]).
    pub fn open_remote(target: &RemoteTarget, gazetteer_cache: Option<&Path>) -> Result<Engine> {
        Ok(Engine::over(RemoteStore::open(target, gazetteer_cache)?))
    }

    /// An engine over any store.
    pub fn over(store: impl Store + 'static) -> Engine {
        Engine {
            store: Box::new(store),
        }
    }

    /// The index folder, for what only it has.
    fn local(&self, what: &str) -> Result<&LocalStore> {
        self.store
            .as_any()
            .downcast_ref::<LocalStore>()
            .ok_or_else(|| self.store.unsupported(what))
    }

    /// Where the index is: its folder, or the cluster's `URL/INDEX`.
    pub fn location(&self) -> String {
        self.store.location()
    }

    /// The index folder of an embedded store.
    pub fn path(&self) -> Result<&Path> {
        Ok(self.local("an index folder")?.path())
    }

    /// The current commit of an embedded store: its searcher, payload and gazetteer.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.local("reading index statistics")?.snapshot()
    }

    /// The gazetteer the index was tagged with.
    pub fn gazetteer(&self) -> Result<Arc<Gazetteer>> {
        self.store.gazetteer()
    }

    /// The entity kinds a search can filter on: the gazetteer's, and those the learned tagger
    /// files unlisted names under.
    pub fn filter_kinds(&self) -> Result<Vec<String>> {
        self.store.filter_kinds()
    }

    /// Ranked paragraphs for a query and its filters; for filters alone (no query words),
    /// every paragraph they let through, newest first.
    pub fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        options.check_query_or_filter()?;
        let mut results = self.store.search(options)?;
        if options.is_filters_only() {
            // Ordered by date: no score to show.
            for hit in &mut results.hits {
                hit.score = 0.0;
            }
        }
        Ok(results)
    }

    /// One row of a batch search: `query` run with the filters of `base`, counted over all its
    /// matches, with its best article. Every row reads one commit.
    pub fn batch_row(&self, query: &BatchQuery, base: &SearchOptions) -> Result<BatchRow> {
        SearchOptions {
            query: query.query.clone(),
            ..base.clone()
        }
        .check_query_or_filter()?;
        self.store.batch_row(query, base)
    }

    /// Hits per month for a query and its filters.
    pub fn timeline(&self, options: &SearchOptions) -> Result<Timeline> {
        options.check_query_or_filter()?;
        self.store.timeline(options)
    }

    /// An article's paragraphs (or one of them) with their entities, and with where each entity
    /// is named when `with_mentions`.
    pub fn show(
        &self,
        article_id: &str,
        paragraph: Option<u64>,
        with_mentions: bool,
    ) -> Result<ShownArticle> {
        self.store.show(article_id, paragraph, with_mentions)
    }

    pub fn stats(&self) -> Result<IndexStats> {
        self.store.stats()
    }

    /// Gazetteer entities (of one kind, or all) with their counts, most named first.
    /// `rows` picks a page of the ranked list (`0..50`: the first fifty).
    pub fn entities(&self, kind: Option<&str>, rows: Range<usize>) -> Result<Vec<EntityUsage>> {
        self.store.entities(kind, rows)
    }

    /// The entities that share paragraphs with the entity `name` (of `kind`, when given) among
    /// those a query and its filters match (a blank query: the whole index), sorted by `sort`;
    /// `rows` picks a page. An entity no paragraph names gives no rows; a name neither the
    /// gazetteer nor the index knows is an error that names the closest known ones.
    pub fn entity_ties(
        &self,
        kind: Option<&str>,
        name: &str,
        options: &SearchOptions,
        sort: TieSort,
        rows: Range<usize>,
    ) -> Result<Vec<Tie>> {
        let observations = self.store.observations(options)?;
        let gazetteer = self.gazetteer()?;
        let center = network::resolve_entity(&gazetteer, &observations, kind, name)?;
        Ok(page(network::ties(&observations, &center, sort), rows))
    }

    /// The top entities of a query and its filters (a blank query: the whole index) and the
    /// ties between them.
    pub fn network(&self, options: &SearchOptions, shape: &NetworkOptions) -> Result<Network> {
        let observations = self.store.observations(options)?;
        Ok(network::network(&observations, shape))
    }

    /// Names in the corpus the gazetteer does not cover, most frequent first.
    pub fn candidates(&self, rows: Range<usize>) -> Result<Vec<Candidate>> {
        self.store.candidates(rows)
    }

    /// Which gazetteer the index was tagged with, and where its copy is saved.
    pub fn gazetteer_info(&self) -> Result<GazetteerInfo> {
        self.store.gazetteer_info()
    }
}

/// Which gazetteer is in use: the copy saved with the index when there is one (what searches
/// use), else the one `sitrep index` would tag with.
pub fn describe_gazetteer(
    index: &Path,
    explicit: Option<&Path>,
    corpus: &Path,
) -> Result<GazetteerInfo> {
    if folder::index_exists(index) {
        return Engine::open(index)?.gazetteer_info();
    }
    let gazetteer = Gazetteer::resolve(explicit, corpus)?;
    Ok(GazetteerInfo::unsaved(&gazetteer))
}

/// The gazetteer `sitrep extract` tags with: the index's copy (what searches agree with)
/// unless `--entities` names another, else the one the corpus would be indexed with.
pub fn extraction_gazetteer(
    index: &Path,
    explicit: Option<&Path>,
    corpus: &Path,
) -> Result<Arc<Gazetteer>> {
    if explicit.is_none() && folder::index_exists(index) {
        return Engine::open(index)?.gazetteer();
    }
    Ok(Arc::new(Gazetteer::resolve(explicit, corpus)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Engine>();
        shareable::<Snapshot>();
    }
}
