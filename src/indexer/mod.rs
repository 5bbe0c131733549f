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
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;
use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use crate::copies::Copies;
use crate::corpus::{self, tree_order, Article, CorpusFile, WalkedFile, Warning};
use crate::entities::{Gazetteer, GazetteerSpec};
use crate::error::{Error, Result};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::store::{self, CommitPayload};

mod cache;
mod committed;
mod documents;
mod writer;

pub use documents::{article_documents, paragraph_text_hash};

use cache::{CachedFile, FileCache, Fingerprint};

/// Articles tagged and handed to the writer at a time.
const BATCH_ARTICLES: usize = 2_000;
/// Corpus bytes parsed and indexed per round: bounds memory on corpora of any size.
const CHUNK_BYTES: usize = 32 << 20;

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
        }
    }
}

/// How far a sync has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Files read and hashed.
    Reading { files: u64, total_files: u64 },
    /// Bytes of changed files parsed, tagged and handed to the writer.
    Indexing { bytes: u64, total_bytes: u64 },
    /// Committing and merging segments.
    Committing,
}

#[derive(Debug, Default)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Articles or files left out because of bad input (see `warnings`).
    pub skipped: usize,
    pub paragraphs_written: usize,
    pub bytes_parsed: u64,
    pub elapsed: Duration,
    /// Why everything was re-indexed, when it was.
    pub full_reason: Option<String>,
    pub warnings: Vec<Warning>,
    pub committed: bool,
}

impl SyncReport {
    pub fn megabytes_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64().max(1e-6);
        self.bytes_parsed as f64 / 1e6 / secs
    }
}

/// Whether a search must first build the index: true when there is none yet and the corpus
/// exists to build it from. An index path that is a file, or no index and no corpus, is an
/// error that says what to do.
pub fn needs_first_build(options: &IndexOptions) -> Result<bool> {
    if store::index_exists(&options.index) {
        return Ok(false);
    }
    store::check_index_path(&options.index)?;
    if !options.corpus.is_dir() {
        return Err(
            anyhow::Error::new(Error::IndexMissing(options.index.clone()))
                .context(format!(
                    "and there is no corpus folder {} to build it from",
                    options.corpus.display()
                ))
                .into(),
        );
    }
    Ok(true)
}

/// Syncs the index with the corpus: the whole of `sitrep index`.
pub fn sync_index(options: &IndexOptions, progress: &dyn Fn(Progress)) -> Result<SyncReport> {
    let started = Instant::now();
    if !options.corpus.is_dir() {
        return Err(Error::CorpusMissing(options.corpus.clone()));
    }
    // Planning reads the last commit without the writer lock, so a sync with nothing to do
    // never opens a writer. If another process committed between the plan and our taking the
    // lock, the plan is stale: plan again, keeping the lock, so the second plan holds.
    let mut locked: Option<(tantivy::Index, IndexWriter)> = None;
    loop {
        let mut sync = Sync::start(options, progress)?;
        let mut plan = sync.plan()?;
        if !sync.full && plan.changed.is_empty() && plan.removed.is_empty() {
            drop(locked);
            let mut report = sync.finish_unchanged(plan)?;
            report.elapsed = started.elapsed();
            return Ok(report);
        }
        let (index, mut writer) = match locked.take() {
            Some(held) => held,
            None => writer::open_for_writing(options)?,
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
struct Sync<'a> {
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
    /// When this sync first looked at the files: fingerprints taken close to it are racy.
    looked_at: SystemTime,
    report: SyncReport,
}

/// A file whose bytes must be parsed.
struct ChangedFile {
    file: CorpusFile,
    size: u64,
    /// None when the file changed too recently for its metadata to be trusted next time.
    fingerprint: Option<Fingerprint>,
}

/// What the plan phase found.
struct SyncPlan {
    /// Files whose bytes changed since the last sync (or every file on a full sync).
    changed: Vec<ChangedFile>,
    /// Indexed paths that are gone from the corpus.
    removed: Vec<String>,
    /// The file cache to save after the commit: unchanged files now, changed ones as applied.
    cache: FileCache,
    /// Whether `cache` differs from the saved one (a touched file, a new commit).
    cache_changed: bool,
}

/// What stat and read found for one walked file.
enum Looked {
    /// Same bytes as at the last sync; `refreshed` when only the metadata moved.
    Unchanged {
        path: String,
        cached: CachedFile,
        refreshed: bool,
    },
    Changed(ChangedFile),
    /// Gone between the walk and the read, with what the cache knew of it.
    Vanished(String, Option<CachedFile>),
    Unreadable(String, Option<CachedFile>, std::io::Error),
}

/// Warning for a file that was walked and then could not be found.
/// Marks, in the commit's gazetteer hash, an index tagged with the learned tagger too.
const UNLISTED_SUFFIX: &str = "+unlisted";

const VANISHED: &str = "disappeared while indexing; treated as removed";

impl<'a> Sync<'a> {
    fn start(options: &'a IndexOptions, progress: &'a dyn Fn(Progress)) -> Result<Sync<'a>> {
        store::check_index_path(&options.index)?;
        let index = if options.rebuild || !store::index_exists(&options.index) {
            None
        } else {
            Some(store::open_tantivy(&options.index)?.0)
        };
        let gazetteer = GazetteerSpec::resolve(options.entities.as_deref(), &options.corpus)?;
        let (previous, opstamp) = match &index {
            Some(index) => {
                let metas = store::load_metas(index, &options.index)?;
                (store::payload_of(&metas), metas.opstamp)
            }
            None => (None, 0),
        };
        let unlisted = options.tag_entities
            && options.unlisted.unwrap_or_else(|| {
                previous
                    .as_ref()
                    .is_some_and(|p| p.gazetteer_hash.ends_with(UNLISTED_SUFFIX))
            });
        // The tagging set-up is one hash: a change of gazetteer, or turning the learned tagger
        // on or off, re-tags every paragraph.
        let gazetteer_hash = if !options.tag_entities {
            "none".to_string()
        } else if unlisted {
            format!("{:016x}{UNLISTED_SUFFIX}", gazetteer.hash)
        } else {
            format!("{:016x}", gazetteer.hash)
        };
        let full_reason = full_sync_reason(
            options,
            previous.as_ref(),
            index.as_ref(),
            &gazetteer,
            &gazetteer_hash,
        );
        let full = full_reason.is_some() || previous.is_none();
        Ok(Sync {
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
            looked_at: SystemTime::now(),
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
        let searcher = store::committed_searcher(index, &self.options.index)?;
        Ok(self.committed.get_or_init(|| searcher))
    }

    /// Whether the index is still at the commit this sync planned against.
    fn planned_against(&self, index: &tantivy::Index) -> Result<bool> {
        if self.full {
            return Ok(true);
        }
        Ok(store::load_metas(index, &self.options.index)?.opstamp == self.opstamp)
    }

    /// Phase 1: which files changed, and which indexed files are gone. Metadata first, bytes
    /// only for files whose metadata changed, parsing only for files whose bytes changed.
    fn plan(&mut self) -> Result<SyncPlan> {
        let (walked, walk_warnings) = corpus::walk_corpus(&self.options.corpus);
        self.report.skipped += walk_warnings.iter().filter(|w| w.skipped).count();
        self.report.warnings.extend(walk_warnings);
        let old = if self.full {
            None
        } else {
            FileCache::load(&self.options.index)
        };
        // Only a cache saved after the very commit we read can be trusted, for what each file
        // holds and for which paths the index has. Any other (a run killed between its commit
        // and saving the cache, a concurrent sync) is ignored: every file is parsed and
        // compared with the index, as on a first sync.
        let describes_commit = old.as_ref().is_some_and(|c| c.opstamp == self.opstamp);
        let old_files = old
            .filter(|_| describes_commit)
            .map(|c| c.files)
            .unwrap_or_default();
        let mut plan = SyncPlan {
            changed: Vec::new(),
            removed: Vec::new(),
            cache: FileCache {
                opstamp: self.opstamp,
                files: Vec::with_capacity(walked.len()),
            },
            cache_changed: !describes_commit,
        };
        // Both lists are in tree order: pair each walked file with its cache entry by merging.
        let mut not_walked: Vec<&(String, CachedFile)> = Vec::new();
        let mut old_entries = old_files.iter().peekable();
        let mut paired = Vec::with_capacity(walked.len());
        for file in walked {
            while let Some(entry) =
                old_entries.next_if(|(path, _)| tree_order(path, &file.file.path).is_lt())
            {
                not_walked.push(entry);
            }
            let cached = old_entries
                .next_if(|(path, _)| *path == file.file.path)
                .map(|(_, cached)| *cached);
            paired.push((file, cached));
        }
        not_walked.extend(old_entries);

        let mut vanished: Vec<(String, Option<CachedFile>)> = Vec::new();
        let total_files = paired.len() as u64;
        let mut looked_at = 0;
        // Hash in parallel rounds: a round lets the progress bar move.
        for round in paired.chunks(4_096) {
            let results: Vec<Looked> = round
                .par_iter()
                .map(|(walked, cached)| look(walked, cached.as_ref(), self.looked_at))
                .collect();
            looked_at += round.len() as u64;
            (self.progress)(Progress::Reading {
                files: looked_at,
                total_files,
            });
            for looked in results {
                match looked {
                    Looked::Unchanged {
                        path,
                        cached,
                        refreshed,
                    } => {
                        self.report.unchanged += cached.articles;
                        plan.cache_changed |= refreshed;
                        plan.cache.files.push((path, cached));
                    }
                    Looked::Changed(changed) => plan.changed.push(changed),
                    Looked::Vanished(path, cached) => {
                        self.warn(&path, VANISHED, false);
                        vanished.push((path, cached));
                    }
                    Looked::Unreadable(path, cached, err) => {
                        let kept = self.keep_unreadable(&path, cached, &err)?;
                        if !self.full {
                            plan.cache.files.push((path, kept));
                            plan.cache_changed = true;
                        }
                    }
                }
            }
        }
        if self.full {
            return Ok(plan);
        }
        // Files the index holds that the walk did not find (deleted, renamed, vanished).
        if describes_commit {
            for (path, cached) in not_walked {
                self.report.removed += cached.articles;
                plan.removed.push(path.clone());
            }
            for (path, cached) in vanished {
                self.report.removed += cached.map_or(0, |c| c.articles);
                plan.removed.push(path);
            }
        } else {
            let present: HashSet<&str> = plan
                .cache
                .files
                .iter()
                .map(|(p, _)| p.as_str())
                .chain(plan.changed.iter().map(|c| c.file.path.as_str()))
                .collect();
            for path in committed::indexed_paths(self.committed()?, &self.fields)? {
                if !present.contains(path.as_str()) {
                    self.report.removed += self.articles_at(&path)?;
                    plan.removed.push(path);
                }
            }
        }
        plan.cache_changed |= !plan.removed.is_empty();
        Ok(plan)
    }

    /// A file that cannot be read keeps what the index already has: it is not a deletion, and
    /// its articles count as unchanged so the summary adds up. Returns its cache entry, which
    /// has it read again next time.
    fn keep_unreadable(
        &mut self,
        path: &str,
        cached: Option<CachedFile>,
        err: &std::io::Error,
    ) -> Result<CachedFile> {
        let articles = match cached {
            Some(cached) => cached.articles,
            None if self.full => 0,
            None => self.articles_at(path)?,
        };
        self.report.unchanged += articles;
        self.report.skipped += 1;
        self.warn(path, &format!("cannot read: {err}; skipped"), true);
        Ok(CachedFile::unreadable(articles))
    }

    /// How many articles the last commit holds from one file.
    fn articles_at(&self, path: &str) -> Result<usize> {
        Ok(committed::articles_at_path(self.committed()?, &self.fields, path)?.len())
    }

    /// A sync that found nothing to do: no writer, no commit; the file cache is saved only
    /// if a file's metadata moved without its bytes changing.
    fn finish_unchanged(self, plan: SyncPlan) -> Result<SyncReport> {
        // Only a full sync has no index yet, and a full sync always commits.
        let Some(index) = &self.index else {
            return Ok(self.report);
        };
        let metas = store::load_metas(index, &self.options.index)?;
        // Without the writer lock, another sync may have committed since the plan: its cache
        // is then the right one, and ours is not saved.
        if plan.cache_changed && metas.opstamp == self.opstamp {
            plan.cache.save(&self.options.index)?;
        }
        // An index from a build without the copy bits, or a sync killed after its commit.
        if !Copies::saved(&self.options.index, &metas.segments) {
            save_copies(&self.options.index)?;
        }
        // A compiled gazetteer in an older format: searches would parse the TOML until the
        // next change. Nothing changed, so the gazetteer is the last commit's.
        if metas.opstamp == self.opstamp {
            self.save_gazetteer_if_possible();
        }
        Ok(self.report)
    }

    /// [`Self::save_gazetteer`] for a sync that changed nothing: searches still work from the
    /// saved TOML, so a folder that cannot be written (read-only, another user's) must not
    /// turn "nothing to do" into a failure.
    fn save_gazetteer_if_possible(&self) {
        let _ = self.save_gazetteer();
    }

    /// Paragraphs in the last commit, from its segment list (no segment is opened).
    fn committed_docs(&self) -> Result<u64> {
        let Some(index) = &self.index else {
            return Ok(0);
        };
        let metas = store::load_metas(index, &self.options.index)?;
        Ok(metas.segments.iter().map(|s| u64::from(s.num_docs())).sum())
    }

    /// Saves the gazetteer being tagged with beside the index, as TOML and compiled. Named by
    /// content hash, so a copy this build can read already holds these bytes; one in an older
    /// compiled format is written again.
    fn save_gazetteer(&self) -> Result<()> {
        let (index, hash) = (&self.options.index, &self.gazetteer_hash);
        if store::saved_gazetteer_file_current(index, hash).is_none() {
            store::write_atomically(
                &store::saved_gazetteer_file(index, hash, "toml"),
                self.gazetteer.toml().as_bytes(),
            )?;
            store::write_atomically(
                &store::saved_gazetteer_file(index, hash, "compiled"),
                self.built_gazetteer()?.to_compiled().as_bytes(),
            )?;
        }
        Ok(())
    }

    /// Phase 2: parse, diff and index the changed files, one bounded chunk at a time.
    fn apply(
        &mut self,
        writer: &mut IndexWriter,
        plan: &SyncPlan,
    ) -> Result<Vec<(String, CachedFile)>> {
        let reparsed: HashSet<&str> = plan.changed.iter().map(|c| c.file.path.as_str()).collect();
        let total_bytes: u64 = plan.changed.iter().map(|c| c.size).sum();
        let mut applied = ApplyState {
            reparsed,
            seen_ids: HashSet::new(),
            cache: Vec::new(),
            bytes: 0,
            total_bytes,
        };
        (self.progress)(Progress::Indexing {
            bytes: 0,
            total_bytes,
        });
        for chunk in chunks_of(&plan.changed, CHUNK_BYTES) {
            let parsed: Vec<std::io::Result<(Vec<u8>, corpus::ParsedFile)>> = chunk
                .par_iter()
                .map(|changed| {
                    let bytes = std::fs::read(&changed.file.absolute)?;
                    let parsed = corpus::parse_file(&changed.file.path, &bytes);
                    Ok((bytes, parsed))
                })
                .collect();
            let mut to_add = Vec::new();
            for (changed, parsed) in chunk.iter().zip(parsed) {
                self.apply_file(writer, changed, parsed, &mut applied, &mut to_add)?;
            }
            self.add_articles(writer, &to_add)?;
        }
        Ok(applied.cache)
    }

    fn apply_file(
        &mut self,
        writer: &mut IndexWriter,
        changed: &ChangedFile,
        parsed: std::io::Result<(Vec<u8>, corpus::ParsedFile)>,
        state: &mut ApplyState,
        to_add: &mut Vec<Article>,
    ) -> Result<()> {
        let path = &changed.file.path;
        let (bytes, parsed) = match parsed {
            Ok(parsed) => parsed,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                self.warn(path, VANISHED, false);
                if !self.full {
                    self.report.removed += self.articles_at(path)?;
                    writer.delete_term(Term::from_field_text(self.fields.path, path));
                }
                return Ok(());
            }
            Err(err) => {
                let kept = self.keep_unreadable(path, None, &err)?;
                state.cache.push((path.clone(), kept));
                return Ok(());
            }
        };
        state.bytes += bytes.len() as u64;
        (self.progress)(Progress::Indexing {
            bytes: state.bytes,
            total_bytes: state.total_bytes,
        });
        self.report.bytes_parsed += bytes.len() as u64;
        self.report.skipped += parsed.warnings.iter().filter(|w| w.skipped).count();
        let clean = !parsed.warnings.iter().any(|w| w.skipped);
        self.report.warnings.extend(parsed.warnings);
        let mut existing = if self.full {
            HashMap::new()
        } else {
            committed::articles_at_path(self.committed()?, &self.fields, path)?
        };
        let mut articles = 0;
        for mut article in parsed.articles {
            let elsewhere = if self.full || existing.contains_key(&article.id) {
                None
            } else {
                committed::article_path(self.committed()?, &self.fields, &article.id)?
            };
            // An id already used by this run, or by a file this run leaves alone, would make
            // two articles one; the second gets a path-qualified id instead.
            let taken = state.seen_ids.contains(&article.id)
                || elsewhere
                    .as_deref()
                    .is_some_and(|other| !state.reparsed.contains(other));
            if taken {
                let renamed = format!("{path}#{}", article.id);
                self.warn(
                    path,
                    &format!(
                        "article id '{}' is used twice in the corpus; indexed as '{renamed}'",
                        article.id
                    ),
                    false,
                );
                article.id = renamed;
            } else if elsewhere.is_some() {
                // Moved from another changed file: replace the old copy.
                self.delete_article(writer, &article.id);
            }
            state.seen_ids.insert(article.id.clone());
            articles += 1;
            match existing.remove(&article.id) {
                Some(hash) if hash == article.hash => self.report.unchanged += 1,
                Some(_) => {
                    self.report.updated += 1;
                    self.delete_article(writer, &article.id);
                    to_add.push(article);
                }
                None => {
                    self.report.added += 1;
                    to_add.push(article);
                }
            }
        }
        // Articles this file no longer holds.
        for id in existing.keys() {
            if !state.seen_ids.contains(id) {
                self.report.removed += 1;
                self.delete_article(writer, id);
            }
        }
        // A file with bad input is parsed again by every run, so its warnings and the exit
        // code keep reporting it until it is fixed.
        state.cache.push((
            path.clone(),
            CachedFile {
                hash: corpus::hash_bytes(&bytes),
                articles,
                fingerprint: changed.fingerprint,
                reparse: !clean,
            },
        ));
        Ok(())
    }

    /// The gazetteer to tag with: the compiled copy saved with the last commit when it is the
    /// same gazetteer (it opens in a millisecond; parsing the TOML and normalising every place
    /// alias takes a tenth of a second), else built from the TOML.
    fn built_gazetteer(&self) -> Result<&Gazetteer> {
        if let Some(built) = self.built.get() {
            return Ok(built);
        }
        let built =
            match store::saved_gazetteer_file_current(&self.options.index, &self.gazetteer_hash) {
                Some(saved) if !self.full => saved,
                _ => self.gazetteer.build()?,
            };
        Ok(self.built.get_or_init(|| built))
    }

    /// Tags and indexes articles, in parallel batches.
    fn add_articles(&mut self, writer: &mut IndexWriter, articles: &[Article]) -> Result<()> {
        let gazetteer = match self.options.tag_entities {
            true => Some(self.built_gazetteer()?),
            false => None,
        };
        let tagger = self.unlisted.then(crate::entities::builtin_tagger);
        let fields = self.fields;
        let mut written = 0;
        for batch in articles.chunks(BATCH_ARTICLES) {
            let docs: Vec<Vec<TantivyDocument>> = batch
                .par_iter()
                .map(|article| article_documents(article, &fields, gazetteer, tagger))
                .collect();
            for doc in docs.into_iter().flatten() {
                writer.add_document(doc)?;
                written += 1;
            }
        }
        self.report.paragraphs_written += written;
        Ok(())
    }

    fn delete_article(&self, writer: &mut IndexWriter, id: &str) {
        writer.delete_term(Term::from_field_text(self.fields.article_id, id));
    }

    fn warn(&mut self, path: &str, message: &str, skipped: bool) {
        self.report.warnings.push(Warning {
            path: path.to_string(),
            line: None,
            message: message.to_string(),
            skipped,
        });
    }

    /// Phase 3: commit if anything changed, then save the file cache.
    fn commit(mut self, mut writer: IndexWriter, mut cache: FileCache) -> Result<SyncReport> {
        let report = &self.report;
        let changed = self.full || report.added + report.updated + report.removed > 0;
        let index = &self.options.index;
        if changed {
            (self.progress)(Progress::Committing);
            let hash = &self.gazetteer_hash;
            self.save_gazetteer()?;
            let payload = CommitPayload {
                schema_version: SCHEMA_VERSION,
                gazetteer_hash: hash.clone(),
                corpus: self.options.corpus.display().to_string(),
                synced_at: writer::now_rfc3339(),
            };
            let payload = serde_json::to_string(&payload).map_err(anyhow::Error::from)?;
            // At least as many paragraphs as the index held: the sync rewrote it.
            let written = self.report.paragraphs_written as u64;
            if self.full || written >= self.committed_docs()? {
                writer::merge_into_one(&writer);
            }
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&payload);
            cache.opstamp = commit.commit()?;
            self.report.committed = true;
            writer.wait_merging_threads()?;
            writer::remove_stale_gazetteers(index, hash);
            save_copies(index)?;
        } else {
            drop(writer);
            self.save_gazetteer_if_possible();
        }
        cache.save(index)?;
        Ok(self.report)
    }
}

/// Compares one walked file with its cache entry and, when its metadata moved, reads and
/// hashes it.
fn look(walked: &WalkedFile, cached: Option<&CachedFile>, looked_at: SystemTime) -> Looked {
    let file = &walked.file;
    let metadata = match &walked.metadata {
        Ok(metadata) => metadata,
        Err(err) => return missing(file, cached, err),
    };
    let seen = *metadata;
    let trusted = (!seen.is_racy(looked_at)).then_some(seen);
    let changed = || {
        Looked::Changed(ChangedFile {
            file: file.clone(),
            size: seen.size,
            fingerprint: trusted,
        })
    };
    let Some(cached) = cached.filter(|c| !c.reparse) else {
        return changed();
    };
    let unchanged = |refreshed| Looked::Unchanged {
        path: file.path.clone(),
        cached: CachedFile {
            fingerprint: trusted,
            ..*cached
        },
        refreshed,
    };
    if cached.fingerprint == Some(seen) {
        return unchanged(trusted.is_none());
    }
    match std::fs::read(&file.absolute) {
        Ok(bytes) if corpus::hash_bytes(&bytes) == cached.hash => unchanged(true),
        Ok(_) => changed(),
        Err(err) => missing(file, Some(cached), &err),
    }
}

fn missing(file: &CorpusFile, cached: Option<&CachedFile>, err: &std::io::Error) -> Looked {
    if err.kind() == std::io::ErrorKind::NotFound {
        Looked::Vanished(file.path.clone(), cached.copied())
    } else {
        Looked::Unreadable(
            file.path.clone(),
            cached.copied(),
            std::io::Error::new(err.kind(), err.to_string()),
        )
    }
}

/// Marks the paragraphs that have copies, for the committed segments as merging left them.
fn save_copies(path: &std::path::Path) -> Result<()> {
    let (index, _) = store::open_tantivy(path)?;
    let searcher = store::committed_searcher(&index, path)?;
    Copies::compute(&searcher)?.save(path, &searcher)
}

/// What `apply` tracks across files.
struct ApplyState<'p> {
    /// Paths parsed in this run: an article id moving between two of them is a move, not a
    /// clash.
    reparsed: HashSet<&'p str>,
    seen_ids: HashSet<String>,
    cache: Vec<(String, CachedFile)>,
    bytes: u64,
    total_bytes: u64,
}

fn full_sync_reason(
    options: &IndexOptions,
    previous: Option<&CommitPayload>,
    index: Option<&tantivy::Index>,
    gazetteer: &GazetteerSpec,
    gazetteer_hash: &str,
) -> Option<String> {
    if options.rebuild {
        return Some("--rebuild".to_string());
    }
    match previous {
        None if index.is_some_and(index_has_documents) => {
            Some("the index has no sitrep commit record".to_string())
        }
        None => None,
        Some(p) if p.schema_version != SCHEMA_VERSION => Some(format!(
            "the index schema changed (version {} → {SCHEMA_VERSION})",
            p.schema_version
        )),
        Some(p)
            if p.gazetteer_hash.trim_end_matches(UNLISTED_SUFFIX)
                == gazetteer_hash.trim_end_matches(UNLISTED_SUFFIX)
                && p.gazetteer_hash != gazetteer_hash =>
        {
            Some(format!(
                "tagging of unlisted names was turned {}, so every paragraph is re-tagged",
                if gazetteer_hash.ends_with(UNLISTED_SUFFIX) {
                    "on"
                } else {
                    "off"
                }
            ))
        }
        Some(p) if p.gazetteer_hash != gazetteer_hash => Some(format!(
            "the gazetteer changed ({}), so every paragraph is re-tagged",
            gazetteer.source
        )),
        Some(_) => None,
    }
}

fn index_has_documents(index: &tantivy::Index) -> bool {
    index
        .searchable_segment_metas()
        .map(|metas| metas.iter().any(|m| m.num_docs() > 0))
        .unwrap_or(false)
}

/// Consecutive runs of files holding at least `bytes` each (the last may hold less).
fn chunks_of(files: &[ChangedFile], bytes: usize) -> Vec<&[ChangedFile]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < files.len() {
        let mut end = start;
        let mut size = 0;
        while end < files.len() && (end == start || size < bytes) {
            size += files[end].size as usize;
            end += 1;
        }
        chunks.push(&files[start..end]);
        start = end;
    }
    chunks
}
