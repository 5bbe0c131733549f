/*!
Which paragraphs have copies, and which copies are one text: saved beside the index after
each commit.

Search results count distinct paragraph texts. Most paragraphs have no copy, and one bit per
document says so. A paragraph that has copies carries a group number, the same for every live
copy of its text across all segments: counting distinct texts among the hits is then a bit
test per hit and a bit set per group seen, with no hash read and no sort.

The groups are computed over the whole index (every live document's text hash), so they are
exact for the segments they were computed on, in the state they were in: the file is named
after each segment's id and number of deleted documents. Any commit that adds or deletes
documents changes the name, so a reader never uses groups computed after deletions it does
not see (both copies of a text would then look unique). A reader whose segments have no file
(a commit not yet followed by its computation, an index from an older build) reads every
hit's hash instead.

The file is mapped, not read: a search touches only the group pages of the documents it hits.
The header (segment table) is checksummed, the bits must add up to the number of groups
listed, group numbers are bounds-checked on use, and the file is published by rename, never
written in place.

Format (little-endian): magic, version, segment count, group count; per segment its id (32
hex bytes), number of bit words, number of documents with copies, offset of its data; an
xxh3 checksum of the header. Per segment: the bit words (u64) and the group of each document
with copies, in document order (u32).
*/

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::{DocId, Searcher, SegmentReader};

use crate::error::Result;
use crate::files::FileBytes;
use crate::files::{checksum, side_file, write_atomically, ByteReader};
use crate::local::folder::{self, COPIES_PREFIX};
use crate::schema::names;

const MAGIC: &[u8; 4] = b"SRCP";
const FORMAT: u32 = 2;
/// A segment's id and `max_doc`, and its documents with copies with their groups, sorted.
type SegmentGroups = (String, DocId, Vec<(DocId, u32)>);

/// Bytes of a segment's entry in the header.
const ENTRY_LEN: usize = 32 + 4 + 4 + 8;

/// One segment's view of the file: which documents have copies, and their groups. The bits
/// and ranks are copied out (a few dozen KB); the groups stay in the mapped file.
pub struct DocBits {
    words: Vec<u64>,
    /// Set bits before each word.
    ranks: Vec<u32>,
    data: Arc<FileBytes>,
    /// Where this segment's groups start in `data`, and how many there are.
    groups_at: usize,
    members: usize,
    group_count: u32,
}

impl DocBits {
    /// Groups in the whole index: group numbers are below this.
    pub fn group_count(&self) -> u32 {
        self.group_count
    }

    /// The group of a document with copies; None for a document without (or a damaged
    /// entry, which then counts as a text of its own).
    #[inline]
    pub fn group(&self, doc: DocId) -> Option<u32> {
        let index = doc as usize / 64;
        let word = *self.words.get(index)?;
        let bit = 1u64 << (doc % 64);
        if word & bit == 0 {
            return None;
        }
        let rank = self.ranks[index] as usize + (word & (bit - 1)).count_ones() as usize;
        if rank >= self.members {
            return None;
        }
        let at = self.groups_at + rank * 4;
        let group = u32::from_le_bytes(self.data[at..at + 4].try_into().expect("4 bytes"));
        (group < self.group_count).then_some(group)
    }
}

/// The copy groups of every segment of one set of segments.
pub struct Copies {
    data: Arc<FileBytes>,
    by_segment: HashMap<String, Arc<DocBits>>,
}

impl Copies {
    /// Reads every live document's text hash and numbers the texts that more than one
    /// document has.
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
        let mut members: Vec<Vec<(DocId, u32)>> =
            vec![Vec::new(); searcher.segment_readers().len()];
        let mut groups = 0u32;
        for run in hashes
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
        {
            for &(_, ord, doc) in run {
                members[ord as usize].push((doc, groups));
            }
            groups += 1;
        }
        let segments: Vec<SegmentGroups> = searcher
            .segment_readers()
            .iter()
            .zip(members)
            .map(|(segment, mut members)| {
                members.sort_unstable();
                (segment_name(segment), segment.max_doc(), members)
            })
            .collect();
        let bytes = encode(&segments, groups);
        Ok(decode(Arc::new(FileBytes::Owned(bytes))).expect("freshly encoded copy groups decode"))
    }

    /// The bits of one segment, if they were computed for it.
    pub fn of(&self, segment: &SegmentReader) -> Option<Arc<DocBits>> {
        self.by_segment.get(&segment_name(segment)).cloned()
    }

    /// The file for this searcher's segments, when one was saved and is intact.
    pub fn load(index: &Path, searcher: &Searcher) -> Option<Copies> {
        let data = FileBytes::map(&file_for(index, searcher)).ok()?;
        let copies = decode(Arc::new(data))?;
        let matches = searcher.segment_readers().iter().all(|segment| {
            copies
                .by_segment
                .get(&segment_name(segment))
                .is_some_and(|bits| bits.words.len() == (segment.max_doc() as usize).div_ceil(64))
        });
        matches.then_some(copies)
    }

    /// Saves the groups under the name of this searcher's segment set and removes the files
    /// of other sets.
    pub fn save(&self, index: &Path, searcher: &Searcher) -> Result<()> {
        let path = file_for(index, searcher);
        write_atomically(&path, &self.data)?;
        let keep = path.file_name().map(|n| n.to_string_lossy().into_owned());
        // Another process's temporary file is not a stale set of groups.
        folder::remove_stale(index, COPIES_PREFIX, |name| {
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
    folder::copies_file(index, FORMAT, key)
}

fn encode(segments: &[SegmentGroups], groups: u32) -> Vec<u8> {
    let mut out = side_file(MAGIC, FORMAT);
    out.extend_from_slice(&(segments.len() as u32).to_le_bytes());
    out.extend_from_slice(&groups.to_le_bytes());
    let header_len = out.len() + segments.len() * ENTRY_LEN + 8;
    let mut offset = header_len;
    for (name, max_doc, members) in segments {
        let words = (*max_doc as usize).div_ceil(64);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(words as u32).to_le_bytes());
        out.extend_from_slice(&(members.len() as u32).to_le_bytes());
        out.extend_from_slice(&(offset as u64).to_le_bytes());
        offset += words * 8 + members.len() * 4;
    }
    let header_checksum = checksum(&out);
    out.extend_from_slice(&header_checksum.to_le_bytes());
    for (_, max_doc, members) in segments {
        let mut words = vec![0u64; (*max_doc as usize).div_ceil(64)];
        for &(doc, _) in members {
            words[doc as usize / 64] |= 1 << (doc % 64);
        }
        for word in &words {
            out.extend_from_slice(&word.to_le_bytes());
        }
        for &(_, group) in members {
            out.extend_from_slice(&group.to_le_bytes());
        }
    }
    out
}

/// The segment table of a copies file, if its header is intact and every section it points
/// to lies inside the file.
fn decode(data: Arc<FileBytes>) -> Option<Copies> {
    let mut reader = ByteReader(&data[..]);
    if reader.take(4)? != MAGIC || reader.u32()? != FORMAT {
        return None;
    }
    let segments = reader.u32()? as usize;
    let groups = reader.u32()?;
    let header_len = 16usize.checked_add(segments.checked_mul(ENTRY_LEN)?)?;
    let header = data.get(..header_len)?;
    let header_checksum =
        u64::from_le_bytes(data.get(header_len..header_len + 8)?.try_into().ok()?);
    if checksum(header) != header_checksum {
        return None;
    }
    let mut by_segment = HashMap::new();
    let mut expected_end = header_len + 8;
    for _ in 0..segments {
        let name = std::str::from_utf8(reader.take(32)?).ok()?.to_string();
        let word_count = reader.u32()? as usize;
        let members = reader.u32()? as usize;
        let offset = usize::try_from(reader.u64()?).ok()?;
        if offset != expected_end {
            return None;
        }
        expected_end = offset + word_count * 8 + members * 4;
        let words: Vec<u64> = data
            .get(offset..offset + word_count * 8)?
            .chunks_exact(8)
            .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
            .collect();
        let mut ranks = Vec::with_capacity(word_count);
        let mut rank = 0u32;
        for word in &words {
            ranks.push(rank);
            rank += word.count_ones();
        }
        if rank as usize != members {
            return None;
        }
        let bits = DocBits {
            words,
            ranks,
            data: data.clone(),
            groups_at: offset + word_count * 8,
            members,
            group_count: groups,
        };
        by_segment.insert(name, Arc::new(bits));
    }
    (expected_end == data.len()).then_some(Copies { data, by_segment })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_round_trip_and_damage_is_detected() {
        let segments = vec![
            ("a".repeat(32), 130, vec![(0, 1), (64, 0), (129, 1)]),
            ("b".repeat(32), 3, vec![(2, 0)]),
        ];
        let bytes = encode(&segments, 2);
        let copies = decode(Arc::new(FileBytes::Owned(bytes.clone()))).expect("decodes");
        let a = &copies.by_segment["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"];
        assert_eq!(a.group_count(), 2);
        let found: Vec<Option<u32>> = [0, 1, 64, 128, 129, 500]
            .iter()
            .map(|&d| a.group(d))
            .collect();
        assert_eq!(found, [Some(1), None, Some(0), None, Some(1), None]);
        assert_eq!((a.group(129), a.group(130)), (Some(1), None));
        let b = &copies.by_segment["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"];
        assert_eq!((b.group(2), b.group(1)), (Some(0), None));
        assert!(decode(Arc::new(FileBytes::Owned(
            bytes[..bytes.len() - 3].to_vec()
        )))
        .is_none());
        let mut flipped = bytes.clone();
        flipped[20] ^= 4;
        assert!(decode(Arc::new(FileBytes::Owned(flipped))).is_none());
    }
}
