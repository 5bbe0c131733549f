/*!
The read side: [`Engine`] opens an index once (schema check, saved gazetteer, one reader) and
answers search, show, stats, entity and timeline requests from any number of threads.

Every request works on a [`Snapshot`] of one commit, so a request never mixes two commits. A live engine (the server's)
reloads its reader when `sitrep index` commits, and picks up a changed gazetteer with it.
*/

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use crate::copies::Copies;
use crate::entities::{Gazetteer, UNLISTED_KINDS};
use crate::error::{Error, Result};
use crate::inspect::{self, Candidate, EntityUsage, IndexStats, ShownArticle};
use crate::remote::{RemoteEngine, RemoteTarget};
use crate::schema::Fields;
use crate::search::{self, BatchQuery, BatchRow, SearchOptions, SearchResults, Timeline};
use crate::snapshot::Snapshot;
use crate::store::{self, CommitPayload};

/// The embedded store: a tantivy index folder.
struct LocalEngine {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    commit: RwLock<Arc<CommitState>>,
    /// For a live engine, `meta.json` as last seen: a request that finds it changed reloads
    /// the reader first, so a commit is visible to the next request, not after a poll.
    seen_meta: Option<Mutex<Option<MetaStamp>>>,
}

/// What identifies one version of `meta.json`: tantivy replaces it by rename on each commit.
type MetaStamp = (u64, std::time::SystemTime, u64);

fn meta_stamp(path: &Path) -> Option<MetaStamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path.join(store::META_FILE)).ok()?;
    Some((meta.ino(), meta.modified().ok()?, meta.len()))
}

/// What a commit says beyond its documents.
struct CommitState {
    /// The searcher generation this state was read for.
    generation: u64,
    payload: Option<CommitPayload>,
    gazetteer: Arc<Gazetteer>,
    /// None until `sitrep index` has saved them for this commit's segments.
    copies: Option<Arc<Copies>>,
    /// When the copy bits were last looked for, so that an index that never gets them (an
    /// older build's, a read-only folder) is not asked again on every request.
    looked_for_copies: Instant,
}

/// How often a live engine looks again for copy bits it has not found.
const COPIES_RECHECK: Duration = Duration::from_secs(1);

impl LocalEngine {
    /// Opens an index for a one-shot command: the reader stays on the commit it opened.
    fn open(path: &Path) -> Result<LocalEngine> {
        LocalEngine::open_with(path, false)
    }

    /// Opens an index for a long-running process: the reader follows new commits (each
    /// request looks at `meta.json`, a stat), so searches see articles indexed after the start
    /// as soon as they are committed.
    fn open_live(path: &Path) -> Result<LocalEngine> {
        LocalEngine::open_with(path, true)
    }

    fn open_with(path: &Path, live: bool) -> Result<LocalEngine> {
        let stamp = meta_stamp(path);
        let (index, fields) = store::open_tantivy(path)?;
        let payload = store::read_payload(&index, path)?;
        store::check_payload(payload.as_ref(), path)?;
        let gazetteer = Gazetteer::saved(path, payload.as_ref())?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::corrupt(path, e))?;
        let searcher = reader.searcher();
        let generation = searcher.generation().generation_id();
        let copies = Copies::load(path, &searcher).map(Arc::new);
        Ok(LocalEngine {
            path: path.to_path_buf(),
            index,
            reader,
            fields,
            commit: RwLock::new(Arc::new(CommitState {
                generation,
                payload,
                gazetteer: Arc::new(gazetteer),
                copies,
                looked_for_copies: Instant::now(),
            })),
            seen_meta: live.then(|| Mutex::new(stamp)),
        })
    }

    /// Reloads the reader of a live engine when `meta.json` changed since it last looked.
    fn follow_commits(&self) -> Result<()> {
        let Some(seen) = &self.seen_meta else {
            return Ok(());
        };
        let now = meta_stamp(&self.path);
        let mut seen = seen.lock().expect("meta stamp lock");
        if *seen != now {
            self.reader
                .reload()
                .map_err(|e| Error::corrupt(&self.path, e))?;
            *seen = now;
        }
        Ok(())
    }

    /// The current commit: its searcher, payload and gazetteer.
    fn snapshot(&self) -> Result<Snapshot> {
        self.follow_commits()?;
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let current = Arc::clone(&self.commit.read().expect("commit lock"));
        // Copy bits are saved after the commit and its merges, so a live engine may see the
        // segments first and the bits a moment later.
        let settled =
            current.copies.is_some() || current.looked_for_copies.elapsed() < COPIES_RECHECK;
        let state = if current.generation == generation && settled {
            current
        } else {
            self.refresh(&searcher, &current)?
        };
        Ok(Snapshot::new(
            searcher,
            self.fields,
            state.payload.clone(),
            Arc::clone(&state.gazetteer),
            state.copies.clone(),
            self.path.clone(),
        ))
    }

    /// Reads the payload of a newer commit, and its gazetteer when that changed; and the copy
    /// bits of its segments, once saved.
    fn refresh(&self, searcher: &Searcher, current: &CommitState) -> Result<Arc<CommitState>> {
        let generation = searcher.generation().generation_id();
        let copies = Copies::load(&self.path, searcher).map(Arc::new);
        let (payload, gazetteer) = if current.generation == generation {
            (current.payload.clone(), Arc::clone(&current.gazetteer))
        } else {
            let payload = store::read_payload(&self.index, &self.path)?;
            store::check_payload(payload.as_ref(), &self.path)?;
            let same_gazetteer = payload.as_ref().map(|p| &p.gazetteer_hash)
                == current.payload.as_ref().map(|p| &p.gazetteer_hash);
            let gazetteer = if same_gazetteer {
                Arc::clone(&current.gazetteer)
            } else {
                Arc::new(Gazetteer::saved(&self.path, payload.as_ref())?)
            };
            (payload, gazetteer)
        };
        let state = Arc::new(CommitState {
            generation,
            payload,
            gazetteer,
            copies,
            looked_for_copies: Instant::now(),
        });
        *self.commit.write().expect("commit lock") = Arc::clone(&state);
        Ok(state)
    }

    /// The gazetteer of the current commit.
    fn gazetteer(&self) -> Result<Arc<Gazetteer>> {
        Ok(Arc::clone(self.snapshot()?.gazetteer()))
    }

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

    fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        search::run(&self.snapshot()?, options)
    }

    /// One row of a batch search: `query` run with the filters of `base`, counted over all its
    /// matches, with its best article. Every row reads one commit.
    fn batch_row(&self, query: &BatchQuery, base: &SearchOptions) -> Result<BatchRow> {
        let snapshot = self.snapshot()?;
        let options = SearchOptions {
            query: query.query.clone(),
            limit: 1,
            offset: 0,
            count_articles: true,
            per_article: false,
            facets: false,
            ..base.clone()
        };
        let results = search::run(&snapshot, &options)?;
        let span = search::date_span(&snapshot, &options)?;
        let best = results.hits.first();
        Ok(BatchRow {
            line: query.line,
            name: query.name.clone(),
            query: query.query.clone(),
            paragraphs: results.total_hits,
            articles: results.articles,
            first_date: span.as_ref().map(|s| s.0.clone()),
            last_date: span.map(|s| s.1),
            best_article: best.map(|h| h.article_id.clone()),
            best_title: best.map(|h| h.title.clone()),
        })
    }

    /// Hits per month for a query and its filters.
    fn timeline(&self, options: &SearchOptions) -> Result<Timeline> {
        search::timeline(&self.snapshot()?, options)
    }

    /// An article's paragraphs (or one of them) with their entities, and with where each entity
    /// is named when `with_mentions`.
    fn show(
        &self,
        article_id: &str,
        paragraph: Option<u64>,
        with_mentions: bool,
    ) -> Result<ShownArticle> {
        let snapshot = self.snapshot()?;
        let Some(article) = inspect::show_article(&snapshot, article_id, paragraph, with_mentions)?
        else {
            return Err(Error::ArticleNotFound {
                id: article_id.to_string(),
                index: self.path.clone(),
            });
        };
        if article.paragraphs.is_empty() {
            return Err(Error::ParagraphNotFound {
                id: article_id.to_string(),
                paragraph: paragraph.unwrap_or(0),
            });
        }
        Ok(article)
    }

    fn stats(&self) -> Result<IndexStats> {
        inspect::index_stats(&self.snapshot()?)
    }

    /// Gazetteer entities (of one kind, or all) with their counts, most named first.
    /// `rows` picks a page of the ranked list (`0..50`: the first fifty).
    fn entities(&self, kind: Option<&str>, rows: Range<usize>) -> Result<Vec<EntityUsage>> {
        let snapshot = self.snapshot()?;
        if let Some(kind) = kind {
            let known = snapshot.gazetteer().kinds();
            if !known.iter().any(|k| k == kind) {
                return Err(Error::UnknownKind {
                    kind: kind.to_string(),
                    known,
                });
            }
        }
        let usage = inspect::entity_usage(&snapshot, kind)?;
        Ok(page(usage, rows))
    }

    /// Names in the corpus the gazetteer does not cover, most frequent first.
    fn candidates(&self, rows: Range<usize>) -> Result<Vec<Candidate>> {
        let candidates = inspect::name_candidates(&self.snapshot()?, rows.end)?;
        Ok(page(candidates, rows))
    }

    /// Which gazetteer the index was tagged with, and where its copy is saved.
    fn gazetteer_info(&self) -> Result<GazetteerInfo> {
        let snapshot = self.snapshot()?;
        Ok(GazetteerInfo::saved(
            snapshot.gazetteer(),
            &self.path,
            snapshot.payload(),
        ))
    }
}

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
    store: Store,
}

enum Store {
    Local(LocalEngine),
    Remote(RemoteEngine),
}

impl Engine {
    /// Opens an index for a one-shot command: the reader stays on the commit it opened.
    pub fn open(path: &Path) -> Result<Engine> {
        Ok(Engine {
            store: Store::Local(LocalEngine::open(path)?),
        })
    }

    /// Opens an index for a long-running process: the reader follows new commits (each
    /// request looks at `meta.json`, a stat), so searches see articles indexed after the start
    /// as soon as they are committed.
    pub fn open_live(path: &Path) -> Result<Engine> {
        Ok(Engine {
            store: Store::Local(LocalEngine::open_live(path)?),
        })
    }

    /// Opens a cluster index that `sitrep index --to` wrote; it follows new syncs by itself.
    /// `gazetteer_cache` is a folder to keep the compiled gazetteer in between processes
    /// ([`RemoteEngine::open`]).
    pub fn open_remote(target: &RemoteTarget, gazetteer_cache: Option<&Path>) -> Result<Engine> {
        Ok(Engine {
            store: Store::Remote(RemoteEngine::open(target, gazetteer_cache)?),
        })
    }

    fn local(&self, what: &str) -> Result<&LocalEngine> {
        match &self.store {
            Store::Local(local) => Ok(local),
            Store::Remote(remote) => Err(Error::InvalidArgument {
                what: "--remote".to_string(),
                message: format!(
                    "{what} needs an index folder; {} is a cluster",
                    remote.target().display()
                ),
            }),
        }
    }

    /// Where the index is: its folder, or the cluster's `URL/INDEX`.
    pub fn location(&self) -> String {
        match &self.store {
            Store::Local(local) => local.path.display().to_string(),
            Store::Remote(remote) => remote.target().display(),
        }
    }

    /// The index folder of an embedded store.
    pub fn path(&self) -> Result<&Path> {
        Ok(&self.local("an index folder")?.path)
    }

    /// The current commit of an embedded store: its searcher, payload and gazetteer.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.local("reading index statistics")?.snapshot()
    }

    /// The gazetteer the index was tagged with.
    pub fn gazetteer(&self) -> Result<Arc<Gazetteer>> {
        match &self.store {
            Store::Local(local) => local.gazetteer(),
            Store::Remote(remote) => remote.gazetteer(),
        }
    }

    /// The entity kinds a search can filter on: the gazetteer's, and those the learned tagger
    /// files unlisted names under.
    pub fn filter_kinds(&self) -> Result<Vec<String>> {
        match &self.store {
            Store::Local(local) => local.filter_kinds(),
            Store::Remote(remote) => remote.filter_kinds(),
        }
    }

    pub fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        match &self.store {
            Store::Local(local) => local.search(options),
            Store::Remote(remote) => remote.search(options),
        }
    }

    /// One row of a batch search: `query` run with the filters of `base`, counted over all its
    /// matches, with its best article. Every row reads one commit.
    pub fn batch_row(&self, query: &BatchQuery, base: &SearchOptions) -> Result<BatchRow> {
        self.local("batch search")?.batch_row(query, base)
    }

    /// Hits per month for a query and its filters.
    pub fn timeline(&self, options: &SearchOptions) -> Result<Timeline> {
        match &self.store {
            Store::Local(local) => local.timeline(options),
            Store::Remote(remote) => remote.timeline(options),
        }
    }

    /// An article's paragraphs (or one of them) with their entities, and with where each entity
    /// is named when `with_mentions`.
    pub fn show(
        &self,
        article_id: &str,
        paragraph: Option<u64>,
        with_mentions: bool,
    ) -> Result<ShownArticle> {
        match &self.store {
            Store::Local(local) => local.show(article_id, paragraph, with_mentions),
            Store::Remote(remote) => remote.show(article_id, paragraph, with_mentions),
        }
    }

    pub fn stats(&self) -> Result<IndexStats> {
        match &self.store {
            Store::Local(local) => local.stats(),
            Store::Remote(remote) => remote.stats(),
        }
    }

    /// Gazetteer entities (of one kind, or all) with their counts, most named first.
    /// `rows` picks a page of the ranked list (`0..50`: the first fifty).
    pub fn entities(&self, kind: Option<&str>, rows: Range<usize>) -> Result<Vec<EntityUsage>> {
        match &self.store {
            Store::Local(local) => local.entities(kind, rows),
            Store::Remote(remote) => remote.entities(kind, rows),
        }
    }

    /// Names in the corpus the gazetteer does not cover, most frequent first.
    pub fn candidates(&self, rows: Range<usize>) -> Result<Vec<Candidate>> {
        self.local("listing name candidates")?.candidates(rows)
    }

    /// Which gazetteer the index was tagged with, and where its copy is saved.
    pub fn gazetteer_info(&self) -> Result<GazetteerInfo> {
        self.local("describing the saved gazetteer")?
            .gazetteer_info()
    }
}

/// The rows of a ranked list that a page asks for.
fn page<T>(mut rows: Vec<T>, wanted: Range<usize>) -> Vec<T> {
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
    fn saved(gazetteer: &Gazetteer, index: &Path, payload: Option<&CommitPayload>) -> Self {
        GazetteerInfo {
            saved_in: Some(index.display().to_string()),
            corpus: Some(payload.map(|p| p.corpus.clone()).unwrap_or_default()),
            ..GazetteerInfo::unsaved(gazetteer)
        }
    }

    fn unsaved(gazetteer: &Gazetteer) -> Self {
        GazetteerInfo {
            source: gazetteer.source.to_string(),
            entities: gazetteer.len(),
            saved_in: None,
            corpus: None,
            hash: format!("{:016x}", gazetteer.hash),
        }
    }
}

/// Which gazetteer is in use: the copy saved with the index when there is one (what searches
/// use), else the one `sitrep index` would tag with.
pub fn describe_gazetteer(
    index: &Path,
    explicit: Option<&Path>,
    corpus: &Path,
) -> Result<GazetteerInfo> {
    if store::index_exists(index) {
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
    if explicit.is_none() && store::index_exists(index) {
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

    #[test]
    fn a_page_is_the_rows_it_names_and_never_out_of_bounds() {
        let rows: Vec<u32> = (0..10).collect();
        assert_eq!(page(rows.clone(), 0..3), [0, 1, 2]);
        assert_eq!(page(rows.clone(), 8..20), [8, 9]);
        assert_eq!(page(rows, 12..20), Vec::<u32>::new());
    }
}
