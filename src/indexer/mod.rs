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

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::corpus::{self, Article, CorpusFile, Warning};
use crate::entities::Gazetteer;
use crate::error::{Error, Result};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::store::{self, CommitPayload};

mod cache;
mod committed;
mod documents;
mod writer;

pub use documents::{article_documents, paragraph_text_hash};

use cache::CachedFile;

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
    let mut sync = Sync::start(options, progress)?;
    let mut plan = sync.plan()?;
    let applied = sync.apply(&plan)?;
    plan.cache.extend(applied);
    let mut report = sync.commit(plan.cache)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The state one sync carries through its phases.
struct Sync<'a> {
    options: &'a IndexOptions,
    progress: &'a dyn Fn(Progress),
    fields: Fields,
    writer: IndexWriter,
    /// The last commit, for per-file lookups of what is already indexed.
    committed: Searcher,
    gazetteer: Gazetteer,
    gazetteer_hash: String,
    /// Everything is re-indexed (first build, `--rebuild`, schema or gazetteer change).
    full: bool,
    report: SyncReport,
}

/// What the plan phase found.
struct SyncPlan {
    /// Files whose bytes changed since the last sync (or every file on a full sync), with
    /// their sizes.
    changed: Vec<(CorpusFile, usize)>,
    /// The file cache to save after the commit: unchanged files now, changed ones as applied.
    cache: HashMap<String, CachedFile>,
}

impl<'a> Sync<'a> {
    fn start(options: &'a IndexOptions, progress: &'a dyn Fn(Progress)) -> Result<Sync<'a>> {
        let (index, fields, writer) = writer::open_for_writing(options)?;
        let gazetteer = Gazetteer::resolve(options.entities.as_deref(), &options.corpus)?;
        let gazetteer_hash = if options.tag_entities {
            format!("{:016x}", gazetteer.hash)
        } else {
            "none".to_string()
        };
        let previous = store::read_payload(&index, &options.index)?;
        let full_reason = full_sync_reason(
            options,
            previous.as_ref(),
            &index,
            &gazetteer,
            &gazetteer_hash,
        );
        let full = full_reason.is_some() || previous.is_none();
        let committed = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map(|reader: IndexReader| reader.searcher())
            .map_err(|e| Error::corrupt(&options.index, e))?;
        if full {
            writer.delete_all_documents()?;
        }
        Ok(Sync {
            options,
            progress,
            fields,
            writer,
            committed,
            gazetteer,
            gazetteer_hash,
            full,
            report: SyncReport {
                full_reason,
                ..SyncReport::default()
            },
        })
    }

    /// Phase 1: which files changed, and which indexed files are gone.
    fn plan(&mut self) -> Result<SyncPlan> {
        let (files, walk_warnings) = corpus::walk_corpus(&self.options.corpus);
        self.report.skipped += walk_warnings.iter().filter(|w| w.skipped).count();
        self.report.warnings.extend(walk_warnings);
        let old_cache = if self.full {
            HashMap::new()
        } else {
            cache::load_file_cache(&self.options.index)
        };
        let mut plan = SyncPlan {
            changed: Vec::new(),
            cache: HashMap::new(),
        };
        let mut vanished: HashSet<String> = HashSet::new();
        let walked: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
        let total_files = files.len() as u64;
        // Read and hash sequentially (I/O bound). Changed files are read again, parsed and
        // indexed in chunks by `apply`, so memory stays bounded however large the corpus.
        for (n, file) in files.into_iter().enumerate() {
            (self.progress)(Progress::Reading {
                files: n as u64 + 1,
                total_files,
            });
            let bytes = match std::fs::read(&file.absolute) {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    self.warn(
                        &file.path,
                        "disappeared while indexing; treated as removed",
                        false,
                    );
                    vanished.insert(file.path);
                    continue;
                }
                Err(err) => {
                    // Keep what the index already has for it: an unreadable file is not a
                    // deletion, and its articles count as unchanged so the summary adds up.
                    if !self.full {
                        self.report.unchanged +=
                            committed::articles_at_path(&self.committed, &self.fields, &file.path)?
                                .len();
                    }
                    self.report.skipped += 1;
                    self.warn(&file.path, &format!("cannot read: {err}; skipped"), true);
                    continue;
                }
            };
            let file_hash = corpus::hash_bytes(&bytes);
            if let Some(cached) = old_cache.get(&file.path).filter(|c| c.hash == file_hash) {
                self.report.unchanged += cached.articles;
                plan.cache.insert(file.path.clone(), cached.clone());
                continue;
            }
            plan.changed.push((file, bytes.len()));
        }
        // Files the index knows that the walk did not find (deleted, renamed, vanished).
        if !self.full {
            for path in committed::indexed_paths(&self.committed, &self.fields)? {
                if !walked.contains(&path) || vanished.contains(&path) {
                    self.report.removed +=
                        committed::articles_at_path(&self.committed, &self.fields, &path)?.len();
                    self.writer
                        .delete_term(Term::from_field_text(self.fields.path, &path));
                }
            }
        }
        Ok(plan)
    }

    /// Phase 2: parse, diff and index the changed files, one bounded chunk at a time.
    fn apply(&mut self, plan: &SyncPlan) -> Result<HashMap<String, CachedFile>> {
        let reparsed: HashSet<&str> = plan.changed.iter().map(|(f, _)| f.path.as_str()).collect();
        let total_bytes: u64 = plan.changed.iter().map(|(_, len)| *len as u64).sum();
        let mut applied = ApplyState {
            reparsed,
            seen_ids: HashSet::new(),
            cache: HashMap::new(),
            bytes: 0,
            total_bytes,
        };
        (self.progress)(Progress::Indexing {
            bytes: 0,
            total_bytes,
        });
        for chunk in chunks_of(&plan.changed, CHUNK_BYTES) {
            let parsed: Vec<Option<(Vec<u8>, corpus::ParsedFile)>> = chunk
                .par_iter()
                .map(|(file, _)| {
                    let bytes = std::fs::read(&file.absolute).ok()?;
                    let parsed = corpus::parse_file(&file.path, &bytes);
                    Some((bytes, parsed))
                })
                .collect();
            let mut to_add = Vec::new();
            for ((file, _), parsed) in chunk.iter().zip(parsed) {
                self.apply_file(file, parsed, &mut applied, &mut to_add)?;
            }
            self.add_articles(&to_add)?;
        }
        Ok(applied.cache)
    }

    fn apply_file(
        &mut self,
        file: &CorpusFile,
        parsed: Option<(Vec<u8>, corpus::ParsedFile)>,
        state: &mut ApplyState,
        to_add: &mut Vec<Article>,
    ) -> Result<()> {
        let path = &file.path;
        let Some((bytes, parsed)) = parsed else {
            self.report.skipped += 1;
            self.warn(
                path,
                "could not be read a second time (changed or removed while indexing); skipped \
                 until the next run",
                true,
            );
            return Ok(());
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
            committed::articles_at_path(&self.committed, &self.fields, path)?
        };
        let mut articles = 0;
        for mut article in parsed.articles {
            let elsewhere = if self.full || existing.contains_key(&article.id) {
                None
            } else {
                committed::article_path(&self.committed, &self.fields, &article.id)?
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
                self.delete_article(&article.id);
            }
            state.seen_ids.insert(article.id.clone());
            articles += 1;
            match existing.remove(&article.id) {
                Some(hash) if hash == article.hash => self.report.unchanged += 1,
                Some(_) => {
                    self.report.updated += 1;
                    self.delete_article(&article.id);
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
                self.delete_article(id);
            }
        }
        // A file with bad input stays out of the cache: the next run parses it again, so its
        // warnings and the exit code keep reporting it until it is fixed.
        if clean {
            let hash = corpus::hash_bytes(&bytes);
            state
                .cache
                .insert(path.clone(), CachedFile { hash, articles });
        }
        Ok(())
    }

    /// Tags and indexes articles, in parallel batches.
    fn add_articles(&mut self, articles: &[Article]) -> Result<()> {
        let tagger = self.options.tag_entities.then_some(&self.gazetteer);
        let fields = self.fields;
        for batch in articles.chunks(BATCH_ARTICLES) {
            let docs: Vec<Vec<TantivyDocument>> = batch
                .par_iter()
                .map(|article| article_documents(article, &fields, tagger))
                .collect();
            for doc in docs.into_iter().flatten() {
                self.report.paragraphs_written += 1;
                self.writer.add_document(doc)?;
            }
        }
        Ok(())
    }

    fn delete_article(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.article_id, id));
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
    fn commit(mut self, cache: HashMap<String, CachedFile>) -> Result<SyncReport> {
        let report = &self.report;
        let changed = self.full || report.added + report.updated + report.removed > 0;
        let index = &self.options.index;
        if changed {
            (self.progress)(Progress::Committing);
            let hash = &self.gazetteer_hash;
            writer::write_atomically(
                &store::saved_gazetteer_file(index, hash, "toml"),
                self.gazetteer.toml.as_bytes(),
            )?;
            writer::write_atomically(
                &store::saved_gazetteer_file(index, hash, "compiled"),
                self.gazetteer.to_compiled().as_bytes(),
            )?;
            let payload = CommitPayload {
                schema_version: SCHEMA_VERSION,
                gazetteer_hash: hash.clone(),
                corpus: self.options.corpus.display().to_string(),
                synced_at: writer::now_rfc3339(),
            };
            let payload = serde_json::to_string(&payload).map_err(anyhow::Error::from)?;
            let mut commit = self.writer.prepare_commit()?;
            commit.set_payload(&payload);
            commit.commit()?;
            self.report.committed = true;
            self.writer.wait_merging_threads()?;
            writer::remove_stale_gazetteers(index, hash);
        } else {
            drop(self.writer);
        }
        cache::save_file_cache(index, &cache)?;
        Ok(self.report)
    }
}

/// What `apply` tracks across files.
struct ApplyState<'p> {
    /// Paths parsed in this run: an article id moving between two of them is a move, not a
    /// clash.
    reparsed: HashSet<&'p str>,
    seen_ids: HashSet<String>,
    cache: HashMap<String, CachedFile>,
    bytes: u64,
    total_bytes: u64,
}

fn full_sync_reason(
    options: &IndexOptions,
    previous: Option<&CommitPayload>,
    index: &tantivy::Index,
    gazetteer: &Gazetteer,
    gazetteer_hash: &str,
) -> Option<String> {
    if options.rebuild {
        return Some("--rebuild".to_string());
    }
    match previous {
        None if index_has_documents(index) => {
            Some("the index has no sitrep commit record".to_string())
        }
        None => None,
        Some(p) if p.schema_version != SCHEMA_VERSION => Some(format!(
            "the index schema changed (version {} → {SCHEMA_VERSION})",
            p.schema_version
        )),
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
fn chunks_of(files: &[(CorpusFile, usize)], bytes: usize) -> Vec<&[(CorpusFile, usize)]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < files.len() {
        let mut end = start;
        let mut size = 0;
        while end < files.len() && (end == start || size < bytes) {
            size += files[end].1;
            end += 1;
        }
        chunks.push(&files[start..end]);
        start = end;
    }
    chunks
}
