//! The writer: opening or creating the index with the writer lock (an unreadable index is
//! replaced on `--rebuild`), and the merge policy that keeps few segments.

use tantivy::indexer::{IndexWriterOptions, LogMergePolicy, MergeCandidate, MergePolicy};
use tantivy::{Index, SegmentMeta};

use super::paced::{PacedDocument, Writer};
use super::IndexOptions;
use crate::error::{Error, Result};
use crate::local::folder;

/// Opens or creates the index for writing, for a sync that indexes `bytes_to_index` bytes of
/// articles, and takes the writer lock.
pub fn open_for_writing(options: &IndexOptions, bytes_to_index: u64) -> Result<(Index, Writer)> {
    let path = &options.index;
    folder::check_index_path(path)?;
    let (index, _) = if folder::index_exists(path) {
        match folder::open_tantivy(path) {
            Ok(opened) => opened,
            Err(Error::Incompatible { .. } | Error::Corrupt { .. }) if options.rebuild => {
                folder::remove_index_files(path)?;
                folder::create_tantivy(path)?
            }
            Err(err) => return Err(err),
        }
    } else {
        folder::create_tantivy(path)?
    };
    let threads = options
        .threads
        .unwrap_or_else(|| default_threads(bytes_to_index, options.memory_mb))
        .clamp(1, 8);
    // tantivy wants at least 15 MB per indexing thread.
    let budget = (options.memory_mb.max(16 * threads)) * 1_000_000;
    let writer = index
        .writer_with_options::<PacedDocument>(
            IndexWriterOptions::builder()
                .num_worker_threads(threads)
                .memory_budget_per_thread(budget / threads)
                // One merge at a time: each maps every file of the segments it reads, and the
                // pages it touches stay resident until it ends.
                .num_merge_threads(1)
                .build(),
        )
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => folder::locked(path),
            other => Error::corrupt(path, other),
        })?;
    writer.set_merge_policy(Box::new(FewSegments::default()));
    Ok((index, writer))
}

/// tantivy's indexing threads when none are asked for. One, when the articles to index take
/// at most half the writer's memory budget: they then make one segment, which needs no
/// merge, and the other cores parse, tag and analyse the paragraphs (the larger share of the
/// work), so one indexing thread keeps pace with them. On two cores, 100 MB took 6.7 s and
/// 10.3 CPU-s so, against 7.2 s and 11.9 CPU-s with two threads, 1.2 s of which was the end
/// merge of their two segments on one core. Larger syncs flush several segments and merge
/// them whatever the thread count, and there one thread per core is faster (1 GB: 77 s
/// against 81 s).
fn default_threads(bytes_to_index: u64, memory_mb: usize) -> usize {
    if bytes_to_index.saturating_mul(2) <= memory_mb as u64 * 1_000_000 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Segments are not merged into one of more documents than this (about 350 MB of index at
/// wire-copy paragraph sizes): a merge maps every file of the segments it reads, so on a large
/// corpus an unbounded merge held most of the index in memory.
const MAX_MERGED_DOCS: u32 = 1_500_000;

/// Has the writer end the sync by merging every segment, smallest first, within
/// [`MAX_MERGED_DOCS`] (into one below it), for a sync that rewrote the index (a first build,
/// a rebuild, a re-tag): a build leaves one segment per indexing thread, and every term of a
/// query is looked up, and its postings opened, once per segment. On 100 MB, one segment
/// instead of the three a synced index had cut count-only rare terms from 13 to 9 µs; the
/// merge costs about 1.2 s. Set before the commit, so it already applies to the indexing
/// threads' last flushes: on a corpus large enough to flush midway, a merge can then be
/// merged once more with a segment that arrived while it ran. Incremental syncs keep
/// [`FewSegments`]' rule, or adding one article would rewrite the whole index.
pub fn merge_into_one(writer: &Writer) {
    writer.set_merge_policy(Box::new(FewSegments {
        whole: true,
        ..FewSegments::default()
    }));
}

/// tantivy's log merge policy for segments of similar size, plus: every segment under an
/// eighth of the largest is merged with the others like it as soon as there are two. Each
/// incremental sync writes one small segment, and a search maps seven files and looks up
/// every term once per segment, so a one-shot `sitrep search` pays for each segment left.
/// No merge makes a segment larger than [`MAX_MERGED_DOCS`].
#[derive(Debug, Default)]
struct FewSegments {
    log: LogMergePolicy,
    /// Merge every segment, smallest first, as far as the cap allows.
    whole: bool,
}

impl MergePolicy for FewSegments {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        if self.whole {
            return capped(segments.to_vec()).into_iter().collect();
        }
        let largest = segments
            .iter()
            .map(SegmentMeta::num_docs)
            .max()
            .unwrap_or(0)
            .min(MAX_MERGED_DOCS);
        let (small, large): (Vec<SegmentMeta>, Vec<SegmentMeta>) = segments
            .iter()
            .cloned()
            .partition(|s| s.num_docs() < largest / 8);
        let mut groups: Vec<Vec<SegmentMeta>> = self
            .log
            .compute_merge_candidates(&large)
            .into_iter()
            .map(|MergeCandidate(ids)| {
                segments
                    .iter()
                    .filter(|s| ids.contains(&s.id()))
                    .cloned()
                    .collect()
            })
            .collect();
        groups.push(small);
        groups.into_iter().filter_map(capped).collect()
    }
}

/// The smallest segments of a merge group that together stay within [`MAX_MERGED_DOCS`], if
/// there are at least two.
fn capped(mut group: Vec<SegmentMeta>) -> Option<MergeCandidate> {
    group.sort_by_key(SegmentMeta::num_docs);
    let mut total = 0;
    let ids: Vec<_> = group
        .iter()
        .take_while(|s| {
            total += s.num_docs();
            total <= MAX_MERGED_DOCS
        })
        .map(SegmentMeta::id)
        .collect();
    (ids.len() >= 2).then_some(MergeCandidate(ids))
}

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentId;

    use super::*;
    use crate::schema;

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

    #[test]
    fn one_indexing_thread_for_what_fits_one_segment() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(default_threads(100_000_000, 256), 1);
        assert_eq!(default_threads(128_000_000, 256), 1);
        assert_eq!(default_threads(128_000_001, 256), cores);
        assert_eq!(default_threads(1_000_000_000, 256), cores);
        assert_eq!(default_threads(1_000_000_000, 4096), 1);
    }

    #[test]
    fn no_merge_grows_a_segment_past_the_cap() {
        let index = Index::create_in_ram(schema::build_schema().0);
        let meta = |docs| index.new_segment_meta(SegmentId::generate_random(), docs);
        // What a 1 GB corpus leaves: eight flushed segments of one size; the log policy merges
        // all eight, 3.5 million documents, unless capped.
        let flushed: Vec<SegmentMeta> = (0..8).map(|n| meta(433_000 + n)).collect();
        let candidates = FewSegments::default().compute_merge_candidates(&flushed);
        let merged: Vec<Vec<SegmentId>> = candidates.into_iter().map(|c| c.0).collect();
        assert_eq!(
            merged,
            vec![vec![flushed[0].id(), flushed[1].id(), flushed[2].id()]]
        );
        // Eight segments near the cap, which the log policy alone would merge, are left alone.
        let full: Vec<SegmentMeta> = (0..8).map(|n| meta(1_400_000 + n)).collect();
        assert!(FewSegments::default()
            .compute_merge_candidates(&full)
            .is_empty());
        // At the end of a sync that wrote most of the index, everything the cap allows is
        // merged, smallest first.
        let policy = FewSegments {
            whole: true,
            ..FewSegments::default()
        };
        let flushed = [meta(290_000), meta(281_000), meta(5_000)];
        let merged: Vec<Vec<SegmentId>> = policy
            .compute_merge_candidates(&flushed)
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(
            merged,
            vec![vec![flushed[2].id(), flushed[1].id(), flushed[0].id()]]
        );
        assert!(policy.compute_merge_candidates(&full).is_empty());
        // Small segments beside them still merge.
        let small = [meta(40_000), meta(2_000)];
        let segments: Vec<SegmentMeta> = full.iter().chain(&small).cloned().collect();
        let candidates = FewSegments::default().compute_merge_candidates(&segments);
        let merged: Vec<Vec<SegmentId>> = candidates.into_iter().map(|c| c.0).collect();
        assert_eq!(merged, vec![vec![small[1].id(), small[0].id()]]);
    }
}
