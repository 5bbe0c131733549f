/*!
Building and syncing the index with the corpus, in three phases:

1. **plan**: walk the corpus, hash every file, and keep only the files whose hash differs from
   the file cache; paths the index holds but the walk did not find are deletions;
2. **apply**: parse the changed files in bounded chunks, diff their articles against what the
   last commit holds per article id, delete changed and removed articles, and add new and
   changed ones (tagged with entities in parallel);
3. **commit**: save the gazetteer beside the index and commit once, with a payload recording
   the schema version and gazetteer hash (a mismatch next time re-tags everything).

Until the commit, readers see the previous commit, and a killed run leaves it intact. Progress is
reported through a callback; the engine never draws or prints.
*/

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use tantivy::{Searcher, Term};

use crate::analysis::AnalyserPool;
use crate::corpus::{tree_order, Warning};
use crate::entities::{Gazetteer, GazetteerSpec};
use crate::error::{Error, Result};
use crate::local::folder;
use crate::schema::Fields;
use crate::sync::{self, Progress, SyncReport};

mod apply;
mod cache;
mod commit;
mod committed;
mod documents;
mod paced;
mod plan;
mod writer;

pub use documents::article_documents;

use paced::Writer;
use plan::full_sync_reason;

#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    pub entities: Option<PathBuf>,
    pub rebuild: bool,
    pub memory_mb: usize,
    pub threads: Option<usize>,
    /// Off only to measure what tagging costs.
    pub tag_entities: bool,
    /// Also tag names no gazetteer entry holds, with the learned tagger: `Some` turns it on or
    /// off (re-tagging everything), `None` keeps what the index was built with.
    pub unlisted: Option<bool>,
    /// The caller holds the index's [`WatchLock`](crate::local::folder::WatchLock); any other sync of
    /// a watched index is refused.
    pub watching: bool,
}

impl IndexOptions {
    pub fn new(corpus: impl Into<PathBuf>, index: impl Into<PathBuf>) -> IndexOptions {
        IndexOptions {
            corpus: corpus.into(),
            index: index.into(),
            entities: None,
            rebuild: false,
            memory_mb: 256,
            threads: None,
            tag_entities: true,
            unlisted: None,
            watching: false,
        }
    }
}

/// Whether a search must first build the index: true when there is none yet and the corpus
/// exists to build it from. An index path that is a file, or no index and no corpus, is an
/// error that says what to do.
pub fn needs_first_build(options: &IndexOptions) -> Result<bool> {
    if folder::index_exists(&options.index) {
        return Ok(false);
    }
    folder::check_index_path(&options.index)?;
    if !options.corpus.is_dir() {
        return Err(Error::NoIndexNoCorpus {
            index: options.index.clone(),
            corpus: options.corpus.clone(),
        });
    }
    Ok(true)
}

/// Syncs the index with the corpus: the whole of `sitrep index`.
pub fn sync_index(options: &IndexOptions, progress: &dyn Fn(Progress)) -> Result<SyncReport> {
    let started = Instant::now();
    if !options.corpus.is_dir() {
        return Err(Error::CorpusMissing(options.corpus.clone()));
    }
    if !options.watching && folder::is_watched(&options.index) {
        return Err(Error::Watched {
            path: options.index.clone(),
        });
    }
    // Planning reads the last commit without the writer lock, so a sync with nothing to do
    // never opens a writer. If another process committed between the plan and our taking the
    // lock, the plan is stale: plan again, keeping the lock, so the second plan holds.
    let mut locked: Option<(tantivy::Index, Writer)> = None;
    loop {
        let mut sync = SyncRun::start(options, progress)?;
        let mut plan = sync.plan()?;
        if !sync.full && plan.changed.is_empty() && plan.removed.is_empty() {
            drop(locked);
            let mut report = sync.finish_unchanged(plan)?;
            report.elapsed = started.elapsed();
            return Ok(report);
        }
        let (index, mut writer) = match locked.take() {
            Some(held) => held,
            None => writer::open_for_writing(options, plan.bytes_to_index())?,
        };
        if !sync.planned_against(&index)? {
            locked = Some((index, writer));
            continue;
        }
        if sync.full {
            writer.delete_all_documents()?;
        }
        for path in &plan.removed {
            writer.delete_term(Term::from_field_text(sync.fields.path, path));
        }
        let applied = sync.apply(&mut writer, &plan)?;
        plan.cache.files.extend(applied);
        plan.cache
            .files
            .sort_unstable_by(|a, b| tree_order(&a.0, &b.0));
        let mut report = sync.commit(writer, plan.cache)?;
        report.elapsed = started.elapsed();
        return Ok(report);
    }
}

/// The state one sync carries through its phases.
struct SyncRun<'a> {
    options: &'a IndexOptions,
    progress: &'a dyn Fn(Progress),
    fields: Fields,
    /// The last commit (None on a first build or `--rebuild`).
    index: Option<tantivy::Index>,
    opstamp: u64,
    /// A searcher on the last commit, opened the first time a lookup needs it.
    committed: OnceCell<Searcher>,
    gazetteer: GazetteerSpec,
    /// Built when an article is tagged or the gazetteer saved, not for a sync with no work.
    built: OnceCell<Gazetteer>,
    gazetteer_hash: String,
    /// Names no entry holds are tagged too (`index --unlisted`).
    unlisted: bool,
    /// Everything is re-indexed (first build, `--rebuild`, schema or gazetteer change).
    full: bool,
    /// The number this sync's commit gets; paragraphs it adds carry it.
    sync: u64,
    /// Article id → text hash → sync number of the paragraphs an updated (or re-tagged)
    /// article had, so unchanged paragraphs keep theirs.
    carried: HashMap<String, HashMap<u64, u64>>,
    /// When this sync first looked at the files: fingerprints taken close to it are racy.
    looked_at: SystemTime,
    /// The analysers of the tagging threads, whose stem memos last the whole sync.
    analysers: AnalyserPool,
    report: SyncReport,
}

/// Warning for a file that was walked and then could not be found.
const VANISHED: &str = "disappeared while indexing; treated as removed";

impl<'a> SyncRun<'a> {
    fn start(options: &'a IndexOptions, progress: &'a dyn Fn(Progress)) -> Result<SyncRun<'a>> {
        folder::check_index_path(&options.index)?;
        let index = if options.rebuild || !folder::index_exists(&options.index) {
            None
        } else {
            Some(folder::open_tantivy(&options.index)?.0)
        };
        let gazetteer = GazetteerSpec::resolve(options.entities.as_deref(), &options.corpus)?;
        let (previous, opstamp) = match &index {
            Some(index) => {
                let metas = folder::load_metas(index, &options.index)?;
                (folder::payload_of(&metas), metas.opstamp)
            }
            None => (None, 0),
        };
        let unlisted = options.tag_entities
            && options.unlisted.unwrap_or_else(|| {
                previous
                    .as_ref()
                    .is_some_and(|p| sync::tagged_unlisted(&p.gazetteer_hash))
            });
        let gazetteer_hash = sync::tagging_hash(gazetteer.hash, options.tag_entities, unlisted);
        let full_reason = full_sync_reason(
            options,
            previous.as_ref(),
            index.as_ref(),
            &gazetteer,
            &gazetteer_hash,
        );
        let full = full_reason.is_some() || previous.is_none();
        let sync = folder::next_sync_number(&options.index, previous.as_ref().map(|p| p.sync));
        Ok(SyncRun {
            options,
            progress,
            // `open_tantivy` checked that the index has exactly this build's schema.
            fields: crate::schema::build_schema().1,
            index,
            opstamp,
            committed: OnceCell::new(),
            gazetteer,
            built: OnceCell::new(),
            gazetteer_hash,
            unlisted,
            full,
            sync,
            carried: HashMap::new(),
            looked_at: SystemTime::now(),
            analysers: AnalyserPool::default(),
            report: SyncReport {
                full_reason,
                ..SyncReport::default()
            },
        })
    }

    fn committed(&self) -> Result<&Searcher> {
        if let Some(searcher) = self.committed.get() {
            return Ok(searcher);
        }
        let index = self
            .index
            .as_ref()
            .ok_or_else(|| Error::IndexMissing(self.options.index.clone()))?;
        let searcher = folder::committed_searcher(index, &self.options.index)?;
        Ok(self.committed.get_or_init(|| searcher))
    }

    /// Whether the index is still at the commit this sync planned against.
    fn planned_against(&self, index: &tantivy::Index) -> Result<bool> {
        if self.full {
            return Ok(true);
        }
        Ok(folder::load_metas(index, &self.options.index)?.opstamp == self.opstamp)
    }

    fn warn(&mut self, path: &str, message: &str, skipped: bool) {
        self.report.warnings.push(Warning {
            path: path.to_string(),
            line: None,
            message: message.to_string(),
            skipped,
        });
    }
}
