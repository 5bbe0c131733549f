/*!
Building and syncing the index with the corpus.

[`sync_index`] walks the corpus, compares every article's hash with what the index holds,
deletes changed and removed articles, adds new and changed ones (tagged with entities in
parallel), and commits once. The commit payload records the schema version and gazetteer hash;
a mismatch re-tags everything. Until the commit, readers see the previous commit, and a killed
run leaves that commit intact. Opening an index for reading lives here too, since both sides
must agree on what makes an index usable.
*/

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::Facet;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis::normalize;
use crate::corpus::{self, Article, Warning};
use crate::entities::{Gazetteer, GazetteerSource};
use crate::schema::{self, names, Fields, SCHEMA_VERSION};

/// Written by tantivy; its presence is what makes a folder an index.
const META_FILE: &str = "meta.json";
/// Our cache of file hashes: lets a no-change sync skip parsing. Only an optimisation — the
/// article hashes in the index are the truth — so a stale or missing cache is harmless.
const FILE_CACHE: &str = "sitrep-files.json";
const GAZETTEER_PREFIX: &str = "sitrep-gazetteer-";
const LOCK_FILE: &str = ".tantivy-writer.lock";
/// Articles tagged and handed to the writer at a time.
const BATCH_ARTICLES: usize = 2_000;
/// Corpus bytes parsed and indexed per round: bounds memory on corpora of any size.
const CHUNK_BYTES: usize = 32 << 20;

/// Errors a caller (or a user) must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {0}; run `sitrep index` to build it from the corpus")]
    Missing(PathBuf),
    #[error("{0} is a file, not an index folder; pass --index with a folder")]
    NotAFolder(PathBuf),
    #[error("corpus folder {0} not found; create it or pass --corpus DIR")]
    CorpusMissing(PathBuf),
    #[error(
        "the index at {path} was written by an incompatible version of sitrep ({detail}); \
         run `sitrep index --rebuild`"
    )]
    Incompatible { path: PathBuf, detail: String },
    #[error(
        "the index at {path} is unreadable ({detail}); run `sitrep index --rebuild` to rebuild \
         it from the corpus"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "index is being written by another process: another `sitrep index` is writing to {} \
         (lock file {}); wait for it to finish",
        path.display(),
        path.join(LOCK_FILE).display()
    )]
    Locked { path: PathBuf },
}

/// What the last commit says about the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitPayload {
    pub schema_version: u32,
    /// Hex hash of the gazetteer used for tagging, or "none" when tagging was off.
    pub gazetteer_hash: String,
    pub corpus: String,
    pub synced_at: String,
}

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
    pub progress: bool,
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
            progress: false,
        }
    }
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

/// An index opened for reading, with the gazetteer it was tagged with.
pub struct OpenIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub payload: Option<CommitPayload>,
    pub gazetteer: Gazetteer,
    pub path: PathBuf,
}

pub fn index_exists(path: &Path) -> bool {
    path.join(META_FILE).is_file()
}

fn check_index_path(path: &Path) -> Result<(), IndexError> {
    if path.is_file() {
        return Err(IndexError::NotAFolder(path.to_path_buf()));
    }
    Ok(())
}

fn corrupt(path: &Path, err: impl std::fmt::Display) -> IndexError {
    IndexError::Corrupt {
        path: path.to_path_buf(),
        detail: err.to_string(),
    }
}

fn open_tantivy(path: &Path) -> Result<(Index, Fields), IndexError> {
    check_index_path(path)?;
    if !index_exists(path) {
        return Err(IndexError::Missing(path.to_path_buf()));
    }
    let index = Index::open_in_dir(path).map_err(|e| match e {
        tantivy::TantivyError::SchemaError(detail) => IndexError::Incompatible {
            path: path.to_path_buf(),
            detail,
        },
        other => corrupt(path, other),
    })?;
    let fields = schema::fields_of(&index.schema()).map_err(|e| IndexError::Incompatible {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    if index.schema() != schema::build_schema().0 {
        return Err(IndexError::Incompatible {
            path: path.to_path_buf(),
            detail: "its fields differ from this build's".to_string(),
        });
    }
    schema::register_tokenizer(&index);
    Ok((index, fields))
}

fn read_payload(index: &Index, path: &Path) -> Result<Option<CommitPayload>, IndexError> {
    let metas = index.load_metas().map_err(|e| corrupt(path, e))?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok()))
}

/// Opens an index for searching. The gazetteer is the copy saved at the last commit, so
/// search-time alias expansion agrees with how paragraphs were tagged.
pub fn open_index(path: &Path) -> Result<OpenIndex, anyhow::Error> {
    let (index, fields) = open_tantivy(path)?;
    let payload = read_payload(&index, path)?;
    if let Some(p) = &payload {
        if p.schema_version != SCHEMA_VERSION {
            return Err(IndexError::Incompatible {
                path: path.to_path_buf(),
                detail: format!(
                    "schema version {}, this build uses {SCHEMA_VERSION}",
                    p.schema_version
                ),
            }
            .into());
        }
    }
    let saved = |extension: &str| {
        payload
            .as_ref()
            .map(|p| {
                path.join(format!(
                    "{GAZETTEER_PREFIX}{}.{extension}",
                    p.gazetteer_hash
                ))
            })
            .filter(|p| p.is_file())
    };
    let compiled = saved("compiled")
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| Gazetteer::from_compiled(&text).ok());
    let gazetteer = match (compiled, saved("toml")) {
        (Some(gazetteer), _) => gazetteer,
        (None, Some(file)) => Gazetteer::from_file(&file)?,
        (None, None) => {
            Gazetteer::parse(crate::entities::BUILTIN_GAZETTEER, GazetteerSource::BuiltIn)?
        }
    };
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| corrupt(path, e))?;
    Ok(OpenIndex {
        index,
        reader,
        fields,
        payload,
        gazetteer,
        path: path.to_path_buf(),
    })
}

/// Opens or creates the index for writing and takes the writer lock.
fn open_for_writing(options: &IndexOptions) -> anyhow::Result<(Index, Fields, IndexWriter)> {
    let path = &options.index;
    check_index_path(path)?;
    let (index, fields) = if index_exists(path) {
        match open_tantivy(path) {
            Ok(opened) => opened,
            Err(IndexError::Incompatible { .. } | IndexError::Corrupt { .. })
                if options.rebuild =>
            {
                remove_index_files(path)?;
                create_index(path)?
            }
            Err(err) => return Err(err.into()),
        }
    } else {
        create_index(path)?
    };
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 8);
    // tantivy wants at least 15 MB per indexing thread.
    let budget = (options.memory_mb.max(16 * threads)) * 1_000_000;
    let writer = index
        .writer_with_num_threads(threads, budget)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => {
                anyhow::Error::new(IndexError::Locked { path: path.clone() })
            }
            other => anyhow::Error::new(corrupt(path, other)),
        })?;
    Ok((index, fields, writer))
}

fn create_index(path: &Path) -> anyhow::Result<(Index, Fields)> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("creating index folder {}", path.display()))?;
    let (schema, fields) = schema::build_schema();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::index_settings())
        .create_in_dir(path)
        .with_context(|| format!("creating an index in {}", path.display()))?;
    schema::register_tokenizer(&index);
    Ok((index, fields))
}

/// Removes what tantivy and sitrep wrote in an index folder, for an explicit `--rebuild` of an
/// index this build cannot read. Other files (a `.gitignore`, the user's own notes) are left
/// alone, so they are matched by name, not by extension.
fn remove_index_files(path: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let is_ours = name == META_FILE
            || name == ".managed.json"
            || name == FILE_CACHE
            || name.starts_with(GAZETTEER_PREFIX)
            || is_segment_file(&name);
        if is_ours && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// tantivy names every segment file after its segment id, 32 hex digits: `<id>.idx`,
/// `<id>.store.temp`, `<id>.7.del`.
fn is_segment_file(name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Every file path the committed index has documents for (deleted documents may still list
/// a path until segments merge; such a path simply has no articles left).
fn indexed_paths(searcher: &Searcher, fields: &Fields) -> anyhow::Result<BTreeSet<String>> {
    let mut paths = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.path)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            paths.insert(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    Ok(paths)
}

/// Article id → article hash for the articles the committed index holds from one file.
fn articles_at_path(
    searcher: &Searcher,
    fields: &Fields,
    path: &str,
) -> anyhow::Result<HashMap<String, u64>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.path, path),
        IndexRecordOption::Basic,
    );
    // Opening a column decodes its block index: open each segment's columns once, not once
    // per document (a changed JSONL file can hold tens of thousands of paragraphs).
    let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
    for address in searcher.search(&query, &DocSetCollector)? {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push(address.doc_id);
    }
    let mut articles = HashMap::new();
    for (segment_ord, docs) in by_segment {
        let fast = searcher.segment_reader(segment_ord).fast_fields();
        let paragraphs = fast.u64(names::PARAGRAPH)?;
        let hashes = fast.u64(names::ARTICLE_HASH)?;
        let Some(ids) = fast.str(names::ARTICLE_ID)? else {
            continue;
        };
        for doc in docs {
            if paragraphs.first(doc) != Some(1) {
                continue;
            }
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(doc).next() {
                ids.ord_to_str(ord, &mut id)?;
            }
            articles.insert(id, hashes.first(doc).unwrap_or(0));
        }
    }
    Ok(articles)
}

/// The file an article id is indexed from, if any.
fn article_path(searcher: &Searcher, fields: &Fields, id: &str) -> anyhow::Result<Option<String>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, address)) = found.first() else {
        return Ok(None);
    };
    let fast = searcher.segment_reader(address.segment_ord).fast_fields();
    let Some(paths) = fast.str(names::PATH)? else {
        return Ok(None);
    };
    let mut path = String::new();
    if let Some(ord) = paths.term_ords(address.doc_id).next() {
        paths.ord_to_str(ord, &mut path)?;
    }
    Ok(Some(path))
}

/// What the file cache remembers of a file that was indexed cleanly.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedFile {
    hash: u64,
    articles: usize,
}

fn load_file_cache(index: &Path) -> HashMap<String, CachedFile> {
    std::fs::read(index.join(FILE_CACHE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn progress_bar(enabled: bool, len: u64) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(bar_style(
        "{spinner} reading [{bar:30}] {pos}/{len} files ({eta})",
    ));
    bar
}

fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("valid template")
        .progress_chars("=> ")
}

/// Syncs the index with the corpus: the whole of `sitrep index`.
pub fn sync_index(options: &IndexOptions) -> anyhow::Result<SyncReport> {
    let started = Instant::now();
    if !options.corpus.is_dir() {
        return Err(IndexError::CorpusMissing(options.corpus.clone()).into());
    }
    let (index, fields, mut writer) = open_for_writing(options)?;
    let gazetteer = Gazetteer::resolve(options.entities.as_deref(), &options.corpus)?;
    let gazetteer_hash = if options.tag_entities {
        format!("{:016x}", gazetteer.hash)
    } else {
        "none".to_string()
    };
    let previous = read_payload(&index, &options.index)?;
    let full_reason = if options.rebuild {
        Some("--rebuild".to_string())
    } else {
        match &previous {
            None if index_has_documents(&index) => {
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
    };
    let full = full_reason.is_some() || previous.is_none();
    let mut report = SyncReport {
        full_reason,
        ..SyncReport::default()
    };

    let (files, walk_warnings) = corpus::walk_corpus(&options.corpus);
    report.skipped += walk_warnings.iter().filter(|w| w.skipped).count();
    report.warnings.extend(walk_warnings);

    // What the last commit holds, looked up per file only where something changed: decoding
    // every article id of a large index would dominate a sync that has little to do.
    let committed = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map(|reader: IndexReader| reader.searcher())
        .map_err(|e| corrupt(&options.index, e))?;
    if full {
        writer.delete_all_documents()?;
    }
    let old_cache = if full {
        HashMap::new()
    } else {
        load_file_cache(&options.index)
    };
    let mut new_cache: HashMap<String, CachedFile> = HashMap::new();
    let mut to_add: Vec<Article> = Vec::new();
    let walked: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();

    let bar = progress_bar(options.progress, files.len() as u64);
    // Read and hash sequentially (I/O bound). Changed files are read again, parsed and
    // indexed in chunks below, so memory stays bounded however large the corpus.
    let mut changed_files: Vec<(&corpus::CorpusFile, usize)> = Vec::new();
    let mut vanished: Vec<String> = Vec::new();
    for file in &files {
        bar.inc(1);
        let bytes = match std::fs::read(&file.absolute) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                report.warnings.push(Warning {
                    path: file.path.clone(),
                    line: None,
                    message: "disappeared while indexing; treated as removed".to_string(),
                    skipped: false,
                });
                vanished.push(file.path.clone());
                continue;
            }
            Err(err) => {
                // Keep what the index already has for it: an unreadable file is not a deletion,
                // and its articles count as unchanged so the summary adds up to the index.
                if !full {
                    report.unchanged += articles_at_path(&committed, &fields, &file.path)?.len();
                }
                report.skipped += 1;
                report.warnings.push(Warning {
                    path: file.path.clone(),
                    line: None,
                    message: format!("cannot read: {err}; skipped"),
                    skipped: true,
                });
                continue;
            }
        };
        let file_hash = corpus::hash_bytes(&bytes);
        if let Some(cached) = old_cache.get(&file.path).filter(|c| c.hash == file_hash) {
            report.unchanged += cached.articles;
            new_cache.insert(file.path.clone(), cached.clone());
            continue;
        }
        changed_files.push((file, bytes.len()));
    }

    // Files the index knows that the walk did not find (deleted, renamed, vanished).
    if !full {
        for path in indexed_paths(&committed, &fields)? {
            if !walked.contains(path.as_str()) || vanished.contains(&path) {
                report.removed += articles_at_path(&committed, &fields, &path)?.len();
                writer.delete_term(Term::from_field_text(fields.path, &path));
            }
        }
    }

    let reparsed: HashSet<&str> = changed_files.iter().map(|(f, _)| f.path.as_str()).collect();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let tagger = options.tag_entities.then_some(&gazetteer);
    let total_bytes: usize = changed_files.iter().map(|(_, len)| len).sum();
    bar.set_style(bar_style(
        "{spinner} indexing [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
    ));
    bar.set_length(total_bytes as u64);
    bar.set_position(0);
    bar.set_message("parsed, tagged and indexed");
    let mut next = 0;
    while next < changed_files.len() {
        let mut end = next;
        let mut chunk_bytes = 0;
        while end < changed_files.len() && (end == next || chunk_bytes < CHUNK_BYTES) {
            chunk_bytes += changed_files[end].1;
            end += 1;
        }
        let chunk = &changed_files[next..end];
        next = end;
        let parsed: Vec<Option<(Vec<u8>, corpus::ParsedFile)>> = chunk
            .par_iter()
            .map(|(file, _)| {
                let bytes = std::fs::read(&file.absolute).ok()?;
                let parsed = corpus::parse_file(&file.path, &bytes);
                Some((bytes, parsed))
            })
            .collect();
        for ((file, _), parsed) in chunk.iter().zip(parsed) {
            let path = &file.path;
            let Some((bytes, parsed)) = parsed else {
                report.skipped += 1;
                report.warnings.push(Warning {
                    path: path.clone(),
                    line: None,
                    message: "could not be read a second time (changed or removed while \
                              indexing); skipped until the next run"
                        .to_string(),
                    skipped: true,
                });
                continue;
            };
            let file_hash = corpus::hash_bytes(&bytes);
            bar.inc(bytes.len() as u64);
            report.bytes_parsed += bytes.len() as u64;
            report.skipped += parsed.warnings.iter().filter(|w| w.skipped).count();
            let clean = !parsed.warnings.iter().any(|w| w.skipped);
            report.warnings.extend(parsed.warnings);
            let mut existing = if full {
                HashMap::new()
            } else {
                articles_at_path(&committed, &fields, path)?
            };
            let mut articles = 0;
            for mut article in parsed.articles {
                let elsewhere = if full || existing.contains_key(&article.id) {
                    None
                } else {
                    article_path(&committed, &fields, &article.id)?
                };
                // An id already used by this run, or by a file this run leaves alone, would make
                // two articles one; the second gets a path-qualified id instead.
                let taken = seen_ids.contains(&article.id)
                    || elsewhere
                        .as_deref()
                        .is_some_and(|other| !reparsed.contains(other));
                if taken {
                    let renamed = format!("{path}#{}", article.id);
                    report.warnings.push(Warning {
                        path: path.clone(),
                        line: None,
                        message: format!(
                            "article id '{}' is used twice in the corpus; indexed as '{renamed}'",
                            article.id
                        ),
                        skipped: false,
                    });
                    article.id = renamed;
                } else if elsewhere.is_some() {
                    // Moved from another changed file: replace the old copy.
                    writer.delete_term(Term::from_field_text(fields.article_id, &article.id));
                }
                seen_ids.insert(article.id.clone());
                articles += 1;
                match existing.remove(&article.id) {
                    Some(hash) if hash == article.hash => report.unchanged += 1,
                    Some(_) => {
                        report.updated += 1;
                        writer.delete_term(Term::from_field_text(fields.article_id, &article.id));
                        to_add.push(article);
                    }
                    None => {
                        report.added += 1;
                        to_add.push(article);
                    }
                }
            }
            // Articles this file no longer holds.
            for id in existing.keys() {
                if !seen_ids.contains(id) {
                    report.removed += 1;
                    writer.delete_term(Term::from_field_text(fields.article_id, id));
                }
            }
            // A file with bad input stays out of the cache: the next run parses it again, so its
            // warnings and the exit code keep reporting it until it is fixed.
            if clean {
                new_cache.insert(
                    path.clone(),
                    CachedFile {
                        hash: file_hash,
                        articles,
                    },
                );
            }
        }
        // Tag and index this chunk's articles before reading the next one.
        for batch in to_add.chunks(BATCH_ARTICLES) {
            let docs: Vec<Vec<TantivyDocument>> = batch
                .par_iter()
                .map(|article| article_documents(article, &fields, tagger))
                .collect();
            for doc in docs.into_iter().flatten() {
                report.paragraphs_written += 1;
                writer.add_document(doc)?;
            }
        }
        to_add.clear();
    }

    let changed = full || report.added + report.updated + report.removed > 0;
    if changed {
        bar.set_message("committing and merging segments");
        let gazetteer_file = options
            .index
            .join(format!("{GAZETTEER_PREFIX}{gazetteer_hash}.toml"));
        write_atomically(&gazetteer_file, gazetteer.toml.as_bytes())?;
        write_atomically(
            &gazetteer_file.with_extension("compiled"),
            gazetteer.to_compiled().as_bytes(),
        )?;
        let payload = CommitPayload {
            schema_version: SCHEMA_VERSION,
            gazetteer_hash: gazetteer_hash.clone(),
            corpus: options.corpus.display().to_string(),
            synced_at: now_rfc3339(),
        };
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&serde_json::to_string(&payload)?);
        commit.commit()?;
        report.committed = true;
        writer.wait_merging_threads()?;
        remove_stale_gazetteers(&options.index, &gazetteer_hash);
    } else {
        drop(writer);
    }
    bar.finish_and_clear();
    write_atomically(
        &options.index.join(FILE_CACHE),
        &serde_json::to_vec(&new_cache)?,
    )?;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn index_has_documents(index: &Index) -> bool {
    index
        .searchable_segment_metas()
        .map(|metas| metas.iter().any(|m| m.num_docs() > 0))
        .unwrap_or(false)
}

fn remove_stale_gazetteers(index: &Path, keep_hash: &str) {
    let keep = format!("{GAZETTEER_PREFIX}{keep_hash}.");
    if let Ok(entries) = std::fs::read_dir(index) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(GAZETTEER_PREFIX) && !name.starts_with(&keep) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Hash under which identical paragraphs collapse: equal after normalisation.
pub fn paragraph_text_hash(normalized: &str) -> u64 {
    corpus::hash_bytes(normalized.trim().as_bytes())
}

/// One tantivy document per paragraph, tagged with the entities it names.
pub fn article_documents(
    article: &Article,
    fields: &Fields,
    gazetteer: Option<&Gazetteer>,
) -> Vec<TantivyDocument> {
    article
        .paragraphs
        .iter()
        .enumerate()
        .map(|(n, text)| {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.article_id, &article.id);
            doc.add_u64(fields.paragraph, n as u64 + 1);
            doc.add_text(fields.title, article.title.as_deref().unwrap_or(""));
            doc.add_text(fields.text, text);
            if let Some(date) = article.date {
                doc.add_date(fields.date, date);
            }
            if let Some(url) = &article.url {
                doc.add_text(fields.url, url);
            }
            if let Some(source) = &article.source {
                doc.add_text(fields.source, source);
            }
            doc.add_text(fields.path, &article.path);
            let norm = normalize(text);
            if let Some(gazetteer) = gazetteer {
                for entity in gazetteer.tag_normalized(&norm, text) {
                    let facet = &gazetteer.entities[entity].facet;
                    doc.add_facet(fields.entity, Facet::from(facet.as_str()));
                    doc.add_text(fields.entity_exact, facet);
                }
            }
            if n == 0 {
                doc.add_u64(fields.article_hash, article.hash);
            }
            doc.add_u64(
                fields.article_key,
                corpus::hash_bytes(article.id.as_bytes()),
            );
            doc.add_u64(fields.text_hash, paragraph_text_hash(&norm.text));
            doc
        })
        .collect()
}
