//! Phase 1 of a sync, the plan: walk the corpus, compare every file with the file cache (by
//! metadata, then by hash), and list the files to parse and the paths that are gone. Also
//! decides whether the sync must re-index everything.

use std::collections::HashSet;
use std::time::SystemTime;

use rayon::prelude::*;

use super::cache::{CachedFile, FileCache, Fingerprint};
use super::{committed, IndexOptions, SyncRun, VANISHED};
use crate::corpus::{self, tree_order, CorpusFile, WalkedFile};
use crate::entities::GazetteerSpec;
use crate::error::Result;
use crate::local::folder::CommitPayload;
use crate::sync::{self, LastSync, Progress};

/// A file whose bytes must be parsed.
pub(super) struct ChangedFile {
    pub(super) file: CorpusFile,
    pub(super) size: u64,
    /// None when the file changed too recently for its metadata to be trusted next time.
    pub(super) fingerprint: Option<Fingerprint>,
}

/// What the plan phase found.
pub(super) struct SyncPlan {
    /// Files whose bytes changed since the last sync (or every file on a full sync).
    pub(super) changed: Vec<ChangedFile>,
    /// Indexed paths that are gone from the corpus.
    pub(super) removed: Vec<String>,
    /// The file cache to save after the commit: unchanged files now, changed ones as applied.
    pub(super) cache: FileCache,
    /// Whether `cache` differs from the saved one (a touched file, a new commit).
    pub(super) cache_changed: bool,
}

impl SyncPlan {
    /// The bytes of the files this sync parses and indexes.
    pub(super) fn bytes_to_index(&self) -> u64 {
        self.changed.iter().map(|c| c.size).sum()
    }
}

/// What stat and read found for one walked file.
pub(super) enum Looked {
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

/// Compares one walked file with its cache entry and, when its metadata moved, reads and
/// hashes it.
pub(super) fn look(
    walked: &WalkedFile,
    cached: Option<&CachedFile>,
    looked_at: SystemTime,
) -> Looked {
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

pub(super) fn missing(
    file: &CorpusFile,
    cached: Option<&CachedFile>,
    err: &std::io::Error,
) -> Looked {
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

/// Why this sync re-indexes everything, if it does: the shared reasons, and an index folder
/// with documents but no sitrep commit record.
pub(super) fn full_sync_reason(
    options: &IndexOptions,
    previous: Option<&CommitPayload>,
    index: Option<&tantivy::Index>,
    gazetteer: &GazetteerSpec,
    tagging_hash: &str,
) -> Option<String> {
    if previous.is_none() && !options.rebuild && index.is_some_and(index_has_documents) {
        return Some("the index has no sitrep commit record".to_string());
    }
    let last = previous.map(|p| LastSync {
        schema_version: p.schema_version,
        tagging_hash: &p.gazetteer_hash,
    });
    sync::full_sync_reason(options.rebuild, last, tagging_hash, &gazetteer.source)
}

pub(super) fn index_has_documents(index: &tantivy::Index) -> bool {
    index
        .searchable_segment_metas()
        .map(|metas| metas.iter().any(|m| m.num_docs() > 0))
        .unwrap_or(false)
}

impl SyncRun<'_> {
    /// Phase 1: which files changed, and which indexed files are gone. Metadata first, bytes
    /// only for files whose metadata changed, parsing only for files whose bytes changed.
    pub(super) fn plan(&mut self) -> Result<SyncPlan> {
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
    pub(super) fn keep_unreadable(
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
    pub(super) fn articles_at(&self, path: &str) -> Result<usize> {
        Ok(committed::articles_at_path(self.committed()?, &self.fields, path)?.len())
    }
}
