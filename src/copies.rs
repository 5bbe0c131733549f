/*!
Which paragraphs have copies: one bit per document, saved beside the index after each commit.

Search results count distinct paragraph texts, so a hit whose text also appears in another
document must have its text hash read. Most paragraphs have no copy, and for those the bit
says so without a fast-field read: counting then costs what tantivy's own `Count` costs, plus
a hash read for the few hits that do have copies.

The bits are computed over the whole index (every live document's text hash), so they are
exact for the segments they were computed on, in the state they were in: the file is named
after each segment's id and number of deleted documents. Any commit that adds or deletes
documents changes the name, so a reader never uses bits computed after deletions it does not
see (both copies of a text would then look unique). A reader whose segments have no file (a
commit not yet followed by its computation, an index from an older build) reads every hit's
hash, as before.

Format (little-endian): magic, version, segment count, per segment its id (32 hex bytes),
`max_doc` and bit words; then an xxh3 checksum of all of it.
*/

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::{DocId, Searcher, SegmentReader};

use crate::error::Result;
use crate::schema::names;
use crate::store::{self, seal, side_file, unseal, write_atomically};

const PREFIX: &str = "sitrep-copies-";
const MAGIC: &[u8; 4] = b"SRCP";
const FORMAT: u32 = 1;

/// One bit per document of a segment: set when another live document has the same text.
#[derive(Debug, PartialEq, Eq)]
pub struct DocBits {
    words: Vec<u64>,
}

impl DocBits {
    fn new(max_doc: DocId) -> DocBits {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
        }
    }

    fn insert(&mut self, doc: DocId) {
        self.words[doc as usize / 64] |= 1 << (doc % 64);
    }

    pub fn contains(&self, doc: DocId) -> bool {
        self.words
            .get(doc as usize / 64)
            .is_some_and(|word| word & (1 << (doc % 64)) != 0)
    }
}

/// The bits of every segment of one set of segments.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Copies {
    by_segment: HashMap<String, Arc<DocBits>>,
}

impl Copies {
    /// Reads every live document's text hash and marks those that share one.
    pub fn compute(searcher: &Searcher) -> Result<Copies> {
        let mut hashes: Vec<(u64, u32, DocId)> = Vec::with_capacity(searcher.num_docs() as usize);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let column = segment.fast_fields().u64(names::TEXT_HASH)?;
            for doc in segment.doc_ids_alive() {
                let hash = column.first(doc).unwrap_or(0);
                hashes.push((hash, ord as u32, doc));
            }
        }
        hashes.sort_unstable();
        let mut bits: Vec<DocBits> = searcher
            .segment_readers()
            .iter()
            .map(|s| DocBits::new(s.max_doc()))
            .collect();
        for run in hashes
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
        {
            for &(_, ord, doc) in run {
                bits[ord as usize].insert(doc);
            }
        }
        let by_segment = searcher
            .segment_readers()
            .iter()
            .zip(bits)
            .map(|(segment, bits)| (segment_name(segment), Arc::new(bits)))
            .collect();
        Ok(Copies { by_segment })
    }

    /// The bits of one segment, if they were computed for it.
    pub fn of(&self, segment: &SegmentReader) -> Option<Arc<DocBits>> {
        self.by_segment.get(&segment_name(segment)).cloned()
    }

    /// The file for this searcher's segments, when one was saved and is intact.
    pub fn load(index: &Path, searcher: &Searcher) -> Option<Copies> {
        let bytes = std::fs::read(file_for(index, searcher)).ok()?;
        let copies = decode(&bytes)?;
        let matches = searcher.segment_readers().iter().all(|segment| {
            copies
                .by_segment
                .get(&segment_name(segment))
                .is_some_and(|bits| bits.words.len() == (segment.max_doc() as usize).div_ceil(64))
        });
        matches.then_some(copies)
    }

    /// Saves the bits under the name of this searcher's segment set and removes the files of
    /// other sets.
    pub fn save(&self, index: &Path, searcher: &Searcher) -> Result<()> {
        let path = file_for(index, searcher);
        write_atomically(&path, &encode(self))?;
        let keep = path.file_name().map(|n| n.to_string_lossy().into_owned());
        // Another process's temporary file is not a stale set of bits.
        store::remove_stale(index, PREFIX, |name| {
            Some(name) == keep.as_deref() || !name.ends_with(".bin")
        });
        Ok(())
    }

    /// Whether the file for these segments, in this state, exists.
    pub fn saved(index: &Path, segments: &[tantivy::SegmentMeta]) -> bool {
        let states = segments
            .iter()
            .map(|meta| segment_state(meta.id().uuid_string(), meta.num_deleted_docs()));
        file_named(index, states).is_file()
    }
}

pub fn is_copies_file(name: &str) -> bool {
    name.starts_with(PREFIX)
}

fn segment_name(segment: &SegmentReader) -> String {
    segment.segment_id().uuid_string()
}

fn file_for(index: &Path, searcher: &Searcher) -> PathBuf {
    let states = searcher
        .segment_readers()
        .iter()
        .map(|segment| segment_state(segment_name(segment), segment.num_deleted_docs()));
    file_named(index, states)
}

fn segment_state(id: String, deleted: u32) -> String {
    format!("{id}:{deleted};")
}

fn file_named(index: &Path, segments: impl Iterator<Item = String>) -> PathBuf {
    let mut names: Vec<String> = segments.collect();
    names.sort_unstable();
    let key = xxhash_rust::xxh3::xxh3_64(names.concat().as_bytes());
    index.join(format!("{PREFIX}{key:016x}.bin"))
}

fn encode(copies: &Copies) -> Vec<u8> {
    let mut out = side_file(MAGIC, FORMAT);
    out.extend_from_slice(&(copies.by_segment.len() as u32).to_le_bytes());
    let mut segments: Vec<_> = copies.by_segment.iter().collect();
    segments.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, bits) in segments {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(bits.words.len() as u32).to_le_bytes());
        for word in &bits.words {
            out.extend_from_slice(&word.to_le_bytes());
        }
    }
    seal(out)
}

fn decode(bytes: &[u8]) -> Option<Copies> {
    let mut reader = unseal(bytes, MAGIC, FORMAT)?;
    let segments = reader.u32()?;
    let mut by_segment = HashMap::new();
    for _ in 0..segments {
        let name = std::str::from_utf8(reader.take(32)?).ok()?.to_string();
        let count = reader.u32()? as usize;
        let words = reader
            .take(count.checked_mul(8)?)?
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
            .collect();
        by_segment.insert(name, Arc::new(DocBits { words }));
    }
    reader.0.is_empty().then_some(Copies { by_segment })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_and_damage_is_detected() {
        let mut bits = DocBits::new(130);
        bits.insert(0);
        bits.insert(129);
        assert!(bits.contains(0) && bits.contains(129));
        assert!(!bits.contains(1) && !bits.contains(500));
        let mut by_segment = HashMap::new();
        by_segment.insert("a".repeat(32), Arc::new(bits));
        let copies = Copies { by_segment };
        let bytes = encode(&copies);
        assert_eq!(decode(&bytes), Some(copies));
        assert_eq!(decode(&bytes[..bytes.len() - 3]), None);
        let mut flipped = bytes.clone();
        flipped[12] ^= 4;
        assert_eq!(decode(&flipped), None);
    }
}
