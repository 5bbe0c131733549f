//! Phase 3 of a sync, commit: save the gazetteer beside the index, commit once with a payload
//! recording the schema version and gazetteer hash, then save the copy groups and the file
//! cache. A sync with nothing to do commits nothing.

use super::cache::FileCache;
use super::paced::Writer;
use super::plan::SyncPlan;
use super::{writer, SyncRun};
use crate::error::Result;
use crate::local::copies::Copies;
use crate::local::folder::{self, now_rfc3339, CommitPayload, SyncEntry};
use crate::sync::{Progress, SyncReport};

/// Marks the paragraphs that have copies, for the last commit's segments.
pub(super) fn save_copies(index: &tantivy::Index, path: &std::path::Path) -> Result<()> {
    let searcher = folder::committed_searcher(index, path)?;
    Copies::compute(&searcher)?.save(path, &searcher)
}

impl SyncRun<'_> {
    /// A sync that found nothing to do: no writer, no commit; the file cache is saved only
    /// if a file's metadata moved without its bytes changing.
    pub(super) fn finish_unchanged(self, plan: SyncPlan) -> Result<SyncReport> {
        // Only a full sync has no index yet, and a full sync always commits.
        let Some(index) = &self.index else {
            return Ok(self.report);
        };
        let metas = folder::load_metas(index, &self.options.index)?;
        // Without the writer lock, another sync may have committed since the plan: its cache
        // is then the right one, and ours is not saved.
        if plan.cache_changed && metas.opstamp == self.opstamp {
            plan.cache.save(&self.options.index)?;
        }
        // An index from a build without the copy bits, or a sync killed after its commit.
        if !Copies::saved(&self.options.index, &metas.segments) {
            save_copies(index, &self.options.index)?;
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
    pub(super) fn save_gazetteer_if_possible(&self) {
        let _ = self.save_gazetteer();
    }

    /// Paragraphs in the last commit, from its segment list (no segment is opened).
    pub(super) fn committed_docs(&self) -> Result<u64> {
        let Some(index) = &self.index else {
            return Ok(0);
        };
        let metas = folder::load_metas(index, &self.options.index)?;
        Ok(metas.segments.iter().map(|s| u64::from(s.num_docs())).sum())
    }

    /// Saves the gazetteer being tagged with beside the index, as TOML and compiled. Named by
    /// content hash, so a copy this build can read already holds these bytes; one in an older
    /// compiled format is written again.
    pub(super) fn save_gazetteer(&self) -> Result<()> {
        let (index, hash) = (&self.options.index, &self.gazetteer_hash);
        if folder::saved_compiled_gazetteer(index, hash).is_none() {
            folder::write_atomically(
                &folder::saved_gazetteer_file(index, hash, "toml"),
                self.gazetteer.toml().as_bytes(),
            )?;
            folder::write_atomically(
                &folder::saved_gazetteer_file(index, hash, "compiled"),
                self.built_gazetteer()?.to_compiled().as_bytes(),
            )?;
        }
        Ok(())
    }

    /// Phase 3: commit if anything changed, then save the file cache.
    pub(super) fn commit(mut self, mut writer: Writer, mut cache: FileCache) -> Result<SyncReport> {
        let report = &self.report;
        let changed = self.full || report.added + report.updated + report.removed > 0;
        let index = &self.options.index;
        if changed {
            (self.progress)(Progress::Committing);
            let hash = &self.gazetteer_hash;
            self.save_gazetteer()?;
            let payload = CommitPayload::new(hash, &self.options.corpus, self.sync).to_json();
            // At least as many paragraphs as the index held: the sync rewrote it.
            let written = self.report.paragraphs_written as u64;
            if self.full || written >= self.committed_docs()? {
                writer::merge_into_one(&writer);
            }
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&payload);
            cache.opstamp = commit.commit()?;
            self.report.committed = Some(self.sync);
            folder::append_sync_log(
                index,
                &SyncEntry {
                    sync: self.sync,
                    at: now_rfc3339(),
                    added: self.report.added,
                    updated: self.report.updated,
                    removed: self.report.removed,
                    full: self.full,
                },
            )?;
            // The writer's own index: the copies are computed on the segments as merging left
            // them, without opening the folder again.
            let written = writer.index().clone();
            writer.wait_merging_threads()?;
            folder::remove_stale_gazetteers(index, hash);
            save_copies(&written, index)?;
        } else {
            drop(writer);
            self.save_gazetteer_if_possible();
        }
        cache.save(index)?;
        Ok(self.report)
    }
}
