//! The write side's file work: opening or creating the index with the writer lock, removing
//! an unreadable index on `--rebuild`, and the files saved beside a commit.

use std::path::Path;

use anyhow::Context;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};
use tantivy::{Index, IndexWriter, SegmentMeta};

use super::cache::{FILE_CACHE, OLD_FILE_CACHE};
use super::IndexOptions;
use crate::copies;
use crate::error::{Error, Result};
use crate::schema::{self, Fields};
use crate::store::{self, GAZETTEER_PREFIX, META_FILE};

/// Opens or creates the index for writing and takes the writer lock.
pub fn open_for_writing(options: &IndexOptions) -> Result<(Index, IndexWriter)> {
    let path = &options.index;
    store::check_index_path(path)?;
    let (index, _) = if store::index_exists(path) {
        match store::open_tantivy(path) {
            Ok(opened) => opened,
            Err(Error::Incompatible { .. } | Error::Corrupt { .. }) if options.rebuild => {
                remove_index_files(path)?;
                create_index(path)?
            }
            Err(err) => return Err(err),
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
            tantivy::TantivyError::LockFailure(..) => Error::Locked { path: path.clone() },
            other => Error::corrupt(path, other),
        })?;
    writer.set_merge_policy(Box::new(FewSegments::default()));
    Ok((index, writer))
}

/// tantivy's log merge policy for segments of similar size, plus: every segment under an
/// eighth of the largest is merged with the others like it as soon as there are two. Each
/// incremental sync writes one small segment, and a search maps seven files and looks up
/// every term once per segment, so a one-shot `sitrep search` pays for each segment left.
#[derive(Debug, Default)]
struct FewSegments {
    log: LogMergePolicy,
}

impl MergePolicy for FewSegments {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let largest = segments
            .iter()
            .map(SegmentMeta::num_docs)
            .max()
            .unwrap_or(0);
        let (small, large): (Vec<SegmentMeta>, Vec<SegmentMeta>) = segments
            .iter()
            .cloned()
            .partition(|s| s.num_docs() < largest / 8);
        let mut candidates = self.log.compute_merge_candidates(&large);
        if small.len() >= 2 {
            candidates.push(MergeCandidate(small.iter().map(SegmentMeta::id).collect()));
        }
        candidates
    }
}

fn create_index(path: &Path) -> Result<(Index, Fields)> {
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
fn remove_index_files(path: &Path) -> Result<()> {
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let is_ours = name == META_FILE
            || name == ".managed.json"
            || name == FILE_CACHE
            || name == OLD_FILE_CACHE
            || name.starts_with(GAZETTEER_PREFIX)
            || copies::is_copies_file(&name)
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

pub fn remove_stale_gazetteers(index: &Path, keep_hash: &str) {
    let keep = format!("{GAZETTEER_PREFIX}{keep_hash}.");
    store::remove_stale(index, GAZETTEER_PREFIX, |name| name.starts_with(&keep));
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

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentId;

    use super::*;

    #[test]
    fn small_segments_are_merged_together_and_large_ones_left_alone() {
        let index = Index::create_in_ram(schema::build_schema().0);
        let meta = |docs| index.new_segment_meta(SegmentId::generate_random(), docs);
        let large = [meta(300_000), meta(280_000)];
        let small = [meta(12), meta(3_000)];
        let segments: Vec<SegmentMeta> = large.iter().chain(&small).cloned().collect();
        let candidates = FewSegments::default().compute_merge_candidates(&segments);
        let merged: Vec<Vec<SegmentId>> = candidates.into_iter().map(|c| c.0).collect();
        assert_eq!(merged, vec![vec![small[0].id(), small[1].id()]]);
        // One small segment has nothing to merge with.
        let candidates = FewSegments::default().compute_merge_candidates(&segments[..3]);
        assert!(candidates.is_empty());
    }
}
