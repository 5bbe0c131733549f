/*!
The file cache: what the last sync saw of every corpus file the index holds, so that the next
sync reads only files whose metadata changed.

A file's [`Fingerprint`] (size, modification and change times, inode) is compared first; only
a file whose fingerprint differs is read and hashed, and only a file whose hash differs is
parsed. This is git's index rule, racy timestamps included: a file modified within a kernel
clock tick (two seconds where timestamps are whole seconds) of the moment the sync looked at it
could change again without its timestamp moving, so its fingerprint is not trusted and the next
sync hashes it.

The cache also records the opstamp of the commit it describes. When that is still the index's
commit, the cache lists exactly the paths the index holds, and deletions are found without
reading the index. Any other cache (an older build's, a run killed between its commit and
saving the cache) is ignored: every file is parsed and compared with the index. The article
hashes in the index are the truth, so a stale, missing or damaged cache costs time, never
correctness.

Binary format (little-endian): magic, format version, opstamp, entry count, entries (path
length + path, hash, articles, fingerprint), and an xxh3 checksum of everything before it.
*/

use std::path::Path;

use crate::corpus::tree_order;
pub use crate::corpus::Fingerprint;
use crate::error::Result;
use crate::files::{seal, side_file, unseal, write_atomically};
use crate::local::folder::{FILE_CACHE, OLD_FILE_CACHE};

const MAGIC: &[u8; 4] = b"SRFC";
const FORMAT: u32 = 1;

/// What the cache remembers of one file the index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachedFile {
    pub hash: u64,
    pub articles: usize,
    /// None when the fingerprint is not to be trusted (racy), so the file is hashed again.
    pub fingerprint: Option<Fingerprint>,
    /// The file had bad input: parse it again every time, so its warnings keep showing.
    pub reparse: bool,
}

impl CachedFile {
    /// A file the index holds articles from that could not be read this time: kept, so
    /// that its deletion is still noticed, and read again next time.
    pub fn unreadable(articles: usize) -> CachedFile {
        CachedFile {
            hash: 0,
            articles,
            fingerprint: None,
            reparse: true,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileCache {
    /// The commit this cache describes.
    pub opstamp: u64,
    /// In [`tree_order`], the order of a corpus walk.
    pub files: Vec<(String, CachedFile)>,
}

impl FileCache {
    pub fn load(index: &Path) -> Option<FileCache> {
        let bytes = std::fs::read(index.join(FILE_CACHE)).ok()?;
        decode(&bytes)
    }

    pub fn save(&self, index: &Path) -> Result<()> {
        write_atomically(&index.join(FILE_CACHE), &encode(self))?;
        let _ = std::fs::remove_file(index.join(OLD_FILE_CACHE));
        Ok(())
    }
}

fn encode(cache: &FileCache) -> Vec<u8> {
    let mut out = side_file(MAGIC, FORMAT);
    out.reserve(cache.files.len() * 96);
    out.extend_from_slice(&cache.opstamp.to_le_bytes());
    out.extend_from_slice(&(cache.files.len() as u64).to_le_bytes());
    for (path, file) in &cache.files {
        out.extend_from_slice(&(path.len() as u32).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(&file.hash.to_le_bytes());
        out.extend_from_slice(&(file.articles as u64).to_le_bytes());
        let flags = u8::from(file.fingerprint.is_some()) | (u8::from(file.reparse) << 1);
        out.push(flags);
        let fp = file.fingerprint.unwrap_or_default();
        out.extend_from_slice(&fp.size.to_le_bytes());
        out.extend_from_slice(&fp.modified_ns.to_le_bytes());
        out.extend_from_slice(&fp.changed_ns.to_le_bytes());
        out.extend_from_slice(&fp.inode.to_le_bytes());
    }
    seal(out)
}

fn decode(bytes: &[u8]) -> Option<FileCache> {
    let mut reader = unseal(bytes, MAGIC, FORMAT)?;
    let opstamp = reader.u64()?;
    let count = reader.u64()? as usize;
    let mut files = Vec::with_capacity(count.min(reader.0.len() / 50));
    for _ in 0..count {
        let len = reader.u32()? as usize;
        let path = std::str::from_utf8(reader.take(len)?).ok()?.to_string();
        let hash = reader.u64()?;
        let articles = reader.u64()? as usize;
        let flags = reader.take(1)?[0];
        let fingerprint = Fingerprint {
            size: reader.u64()?,
            modified_ns: reader.u64()? as i64,
            changed_ns: reader.u64()? as i64,
            inode: reader.u64()?,
        };
        files.push((
            path,
            CachedFile {
                hash,
                articles,
                fingerprint: (flags & 1 != 0).then_some(fingerprint),
                reparse: flags & 2 != 0,
            },
        ));
    }
    let sorted = files.is_sorted_by(|a, b| tree_order(&a.0, &b.0).is_lt());
    (reader.0.is_empty() && sorted).then_some(FileCache { opstamp, files })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    fn sample() -> FileCache {
        let fingerprint = Fingerprint {
            size: 120,
            modified_ns: 1_700_000_000_123_456_789,
            changed_ns: 1_700_000_000_123_456_790,
            inode: 42,
        };
        let files = vec![
            (
                "2024/a.txt".to_string(),
                CachedFile {
                    hash: 7,
                    articles: 1,
                    fingerprint: Some(fingerprint),
                    reparse: false,
                },
            ),
            (
                "b.jsonl".to_string(),
                CachedFile {
                    hash: 9,
                    articles: 3,
                    fingerprint: None,
                    reparse: true,
                },
            ),
        ];
        FileCache { opstamp: 5, files }
    }

    #[test]
    fn round_trips_through_bytes() {
        let cache = sample();
        assert_eq!(decode(&encode(&cache)), Some(cache));
    }

    #[test]
    fn a_damaged_or_truncated_cache_is_no_cache() {
        let bytes = encode(&sample());
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert_eq!(decode(&flipped), None);
        assert_eq!(decode(b""), None);
    }

    #[test]
    fn a_file_changed_within_the_racy_window_is_not_trusted() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_010);
        let at = |ns: i64| Fingerprint {
            modified_ns: ns,
            changed_ns: ns,
            ..Fingerprint::default()
        };
        let second = 1_000_000_000;
        // Whole-second timestamps: anything within two seconds may hide a second change.
        assert!(at(1_700_000_009 * second).is_racy(now));
        assert!(!at(1_700_000_007 * second).is_racy(now));
        // Nanosecond timestamps: only the last few clock ticks.
        assert!(at(1_700_000_010 * second - 5_000_000).is_racy(now));
        assert!(!at(1_700_000_010 * second - 50_000_000).is_racy(now));
    }
}
