//! Phase 2 of a sync, apply: parse the changed files in bounded chunks, diff their articles
//! against what the last commit holds per article id, delete changed and removed articles, and
//! add new and changed ones, tagged with entities in parallel.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use tantivy::indexer::UserOperation;
use tantivy::{TantivyDocument, Term};

use super::cache::CachedFile;
use super::paced::{InFlight, PacedDocument, Writer};
use super::plan::{ChangedFile, SyncPlan};
use super::{article_documents, committed, SyncRun, VANISHED};
use crate::corpus::{self, Article, CorpusFile};
use crate::entities::Gazetteer;
use crate::error::Result;
use crate::sync::chunks::{for_each_chunk, ChunkFile, CHUNK_BYTES};
use crate::sync::Progress;

/// Articles tagged and handed to the writer at a time.
pub(super) const BATCH_ARTICLES: usize = 2_000;

/// Paragraphs handed to the writer at once (see [`super::paced`]). A group goes to one
/// segment, whose memory tantivy checks between groups, so groups stay small.
const WRITER_GROUP: usize = 64;

/// What `apply` tracks across files.
pub(super) struct ApplyState<'p> {
    /// Paths parsed in this run: an article id moving between two of them is a move, not a
    /// clash.
    pub(super) reparsed: HashSet<&'p str>,
    pub(super) seen_ids: HashSet<String>,
    pub(super) cache: Vec<(String, CachedFile)>,
    pub(super) bytes: u64,
    pub(super) total_bytes: u64,
}

impl ChunkFile for ChangedFile {
    fn file(&self) -> &CorpusFile {
        &self.file
    }

    fn size(&self) -> u64 {
        self.size
    }
}

impl SyncRun<'_> {
    /// Phase 2: parse, diff and index the changed files, one bounded chunk at a time.
    pub(super) fn apply(
        &mut self,
        writer: &mut Writer,
        plan: &SyncPlan,
    ) -> Result<Vec<(String, CachedFile)>> {
        let reparsed: HashSet<&str> = plan.changed.iter().map(|c| c.file.path.as_str()).collect();
        let total_bytes = plan.bytes_to_index();
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
        for_each_chunk(&plan.changed, CHUNK_BYTES, |chunk, parsed| {
            let mut to_add = Vec::new();
            for (changed, parsed) in chunk.iter().zip(parsed) {
                self.apply_file(writer, changed, parsed, &mut applied, &mut to_add)?;
            }
            self.add_articles(writer, &to_add)
        })?;
        Ok(applied.cache)
    }

    pub(super) fn apply_file(
        &mut self,
        writer: &mut Writer,
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
                // Moved from another changed file: replace the old copy, whose paragraphs are
                // not new.
                self.carry_syncs(&article.id)?;
                self.delete_article(writer, &article.id);
            }
            state.seen_ids.insert(article.id.clone());
            articles += 1;
            match existing.remove(&article.id) {
                Some(hash) if hash == article.hash => self.report.unchanged += 1,
                Some(_) => {
                    self.report.updated += 1;
                    self.delete_article(writer, &article.id);
                    self.carry_syncs(&article.id)?;
                    to_add.push(article);
                }
                None => {
                    self.report.added += 1;
                    if self.full && self.index.is_some() {
                        // Re-tagging: the article was in the index, and is not new.
                        self.carry_syncs(&article.id)?;
                    }
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
    pub(super) fn built_gazetteer(&self) -> Result<&Gazetteer> {
        if let Some(built) = self.built.get() {
            return Ok(built);
        }
        let built = match crate::local::folder::saved_compiled_gazetteer(
            &self.options.index,
            &self.gazetteer_hash,
        ) {
            Some(saved) if !self.full => saved,
            _ => self.gazetteer.build()?,
        };
        Ok(self.built.get_or_init(|| built))
    }

    /// Tags and indexes articles, in parallel batches.
    /// Remembers the sync numbers of an indexed article's paragraphs, for its new version.
    fn carry_syncs(&mut self, id: &str) -> Result<()> {
        let syncs = committed::paragraph_syncs(self.committed()?, &self.fields, id)?;
        if !syncs.is_empty() {
            self.carried.insert(id.to_string(), syncs);
        }
        Ok(())
    }

    pub(super) fn add_articles(&mut self, writer: &mut Writer, articles: &[Article]) -> Result<()> {
        let gazetteer = match self.options.tag_entities {
            true => Some(self.built_gazetteer()?),
            false => None,
        };
        let tagger = self.unlisted.then(crate::entities::builtin_tagger);
        let fields = self.fields;
        let (sync, carried, analysers) = (self.sync, &self.carried, &self.analysers);
        let documents_of = |batch: &[Article]| -> Vec<Vec<TantivyDocument>> {
            batch
                .par_iter()
                .map_init(
                    || analysers.take(),
                    |analyser, article| {
                        let old = carried.get(&article.id);
                        // A paragraph keeps the sync that first added its text to this article.
                        let sync_of =
                            |text_hash| old.and_then(|o| o.get(&text_hash)).map_or(sync, |s| *s);
                        article_documents(article, &fields, gazetteer, tagger, analyser, &sync_of)
                    },
                )
                .collect()
        };
        // The next batch is tagged while this thread hands the current one to the writer,
        // which blocks whenever tantivy's queue is full: without the overlap, tagging and
        // indexing took turns.
        let (batches, tagged) = std::sync::mpsc::sync_channel(1);
        let mut written = 0;
        let in_flight = InFlight::default();
        std::thread::scope(|scope| -> Result<()> {
            scope.spawn(move || {
                for batch in articles.chunks(BATCH_ARTICLES) {
                    // The writer stopped on an error: nothing wants the rest.
                    if batches.send(documents_of(batch)).is_err() {
                        break;
                    }
                }
            });
            for docs in tagged {
                let mut docs = docs.into_iter().flatten().peekable();
                while docs.peek().is_some() {
                    in_flight.wait_for_room();
                    let group: Vec<UserOperation<PacedDocument>> = docs
                        .by_ref()
                        .take(WRITER_GROUP)
                        .map(|doc| UserOperation::Add(in_flight.send(doc)))
                        .collect();
                    written += group.len();
                    writer.run(group)?;
                }
            }
            Ok(())
        })?;
        self.report.paragraphs_written += written;
        Ok(())
    }

    pub(super) fn delete_article(&self, writer: &mut Writer, id: &str) {
        writer.delete_term(Term::from_field_text(self.fields.article_id, id));
    }
}
