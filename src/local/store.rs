//! [`LocalStore`]: the tantivy index folder as a [`Store`], read through one [`Snapshot`] per
//! request.

use std::any::Any;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use super::copies::Copies;
use super::folder::{self, CommitPayload};
use super::snapshot::Snapshot;
use super::{inspect, search};
use crate::entities::Gazetteer;
use crate::error::{Error, Result};
use crate::inspect::{check_kind, Candidate, EntityUsage, IndexStats, ShownArticle};
use crate::network::Observations;
use crate::schema::Fields;
use crate::search::{BatchQuery, BatchRow, SearchOptions, SearchResults, Timeline};
use crate::store::{page, GazetteerInfo, Store};

/// The embedded store: a tantivy index folder.
pub struct LocalStore {
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
    let meta = std::fs::metadata(path.join(folder::META_FILE)).ok()?;
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

impl LocalStore {
    /// Opens an index for a one-shot command: the reader stays on the commit it opened.
    pub fn open(path: &Path) -> Result<LocalStore> {
        LocalStore::open_with(path, false)
    }

    /// Opens an index for a long-running process: the reader follows new commits (each
    /// request looks at `meta.json`, a stat), so searches see articles indexed after the start
    /// as soon as they are committed.
    pub fn open_live(path: &Path) -> Result<LocalStore> {
        LocalStore::open_with(path, true)
    }

    fn open_with(path: &Path, live: bool) -> Result<LocalStore> {
        let stamp = meta_stamp(path);
        let (index, fields) = folder::open_tantivy(path)?;
        let payload = folder::read_payload(&index, path)?;
        folder::check_payload(payload.as_ref(), path)?;
        let gazetteer = folder::saved_gazetteer(path, payload.as_ref())?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| Error::corrupt(path, e))?;
        let searcher = reader.searcher();
        let generation = searcher.generation().generation_id();
        let copies = Copies::load(path, &searcher).map(Arc::new);
        Ok(LocalStore {
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
    pub fn snapshot(&self) -> Result<Snapshot> {
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
            let payload = folder::read_payload(&self.index, &self.path)?;
            folder::check_payload(payload.as_ref(), &self.path)?;
            let same_gazetteer = payload.as_ref().map(|p| &p.gazetteer_hash)
                == current.payload.as_ref().map(|p| &p.gazetteer_hash);
            let gazetteer = if same_gazetteer {
                Arc::clone(&current.gazetteer)
            } else {
                Arc::new(folder::saved_gazetteer(&self.path, payload.as_ref())?)
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

    /// The index folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Store for LocalStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// The gazetteer of the current commit.
    fn gazetteer(&self) -> Result<Arc<Gazetteer>> {
        Ok(Arc::clone(self.snapshot()?.gazetteer()))
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

    fn observations(&self, options: &SearchOptions) -> Result<Observations> {
        search::observations(&self.snapshot()?, options)
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
        let location = self.location();
        inspect::show_article(
            &self.snapshot()?,
            article_id,
            paragraph,
            with_mentions,
            &location,
        )
    }

    fn stats(&self) -> Result<IndexStats> {
        inspect::index_stats(&self.snapshot()?)
    }

    /// Gazetteer entities (of one kind, or all) with their counts, most named first.
    /// `rows` picks a page of the ranked list (`0..50`: the first fifty).
    fn entities(&self, kind: Option<&str>, rows: Range<usize>) -> Result<Vec<EntityUsage>> {
        let snapshot = self.snapshot()?;
        check_kind(snapshot.gazetteer(), kind)?;
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
        Ok(GazetteerInfo {
            saved_in: Some(self.path.display().to_string()),
            corpus: Some(
                snapshot
                    .payload()
                    .map(|p| p.corpus.clone())
                    .unwrap_or_default(),
            ),
            ..GazetteerInfo::unsaved(snapshot.gazetteer())
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
