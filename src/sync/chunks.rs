//! Reading and parsing the files a sync looks at in bounded chunks, the next chunk read and
//! parsed while the store writes the last: memory stays bounded on a corpus of any size and the
//! writer is never left waiting on the disk.

use rayon::prelude::*;

use crate::corpus::{self, CorpusFile, ParsedFile, WalkedFile};
use crate::error::Result;

/// Corpus bytes parsed and written per round: bounds memory on corpora of any size (two
/// chunks are in memory at once, one parsed ahead).
pub const CHUNK_BYTES: u64 = 16 << 20;

/// Files read at once. Reading is waiting on the disk, not work: one article per file, from a
/// cold cache, took 13 s to build with a read per core (two) in flight.
const READERS: usize = 16;

/// A file a sync reads: where it is and how big the walk found it.
pub trait ChunkFile: Sync {
    fn file(&self) -> &CorpusFile;
    fn size(&self) -> u64;
}

impl ChunkFile for WalkedFile {
    fn file(&self) -> &CorpusFile {
        &self.file
    }

    /// What the walk found; a file it could not stat counts as empty (reading it says why).
    fn size(&self) -> u64 {
        self.metadata.as_ref().map_or(0, |m| m.size)
    }
}

/// One file of a chunk: its bytes and what they parse to, or why it could not be read.
pub type ReadFile = std::io::Result<(Vec<u8>, ParsedFile)>;

/// Reads and parses `files` in chunks of about `chunk_bytes`, in order, and hands each chunk
/// with its results to `apply`; the next chunk is read and parsed meanwhile.
pub fn for_each_chunk<F: ChunkFile>(
    files: &[F],
    chunk_bytes: u64,
    mut apply: impl FnMut(&[F], Vec<ReadFile>) -> Result<()>,
) -> Result<()> {
    let chunks = chunks_of(files, chunk_bytes);
    std::thread::scope(|scope| -> Result<()> {
        // In turns, tantivy's queue ran dry at every chunk (on 103,000 `.txt` files, half a
        // second each time).
        let parse = |n: usize| {
            let chunk: Option<&[F]> = chunks.get(n).copied();
            chunk.map(|chunk| scope.spawn(move || parse_chunk(chunk)))
        };
        let mut next = parse(0);
        for (n, chunk) in chunks.iter().enumerate() {
            let parsed = match next.take().map(|parsing| parsing.join()) {
                Some(Ok(parsed)) => parsed,
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => unreachable!("every chunk is being parsed"),
            };
            next = parse(n + 1);
            apply(chunk, parsed)?;
        }
        Ok(())
    })
}

/// Consecutive runs of files holding at least `bytes` each (the last may hold less).
fn chunks_of<F: ChunkFile>(files: &[F], bytes: u64) -> Vec<&[F]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < files.len() {
        let mut end = start;
        let mut size = 0;
        while end < files.len() && (end == start || size < bytes) {
            size += files[end].size();
            end += 1;
        }
        chunks.push(&files[start..end]);
        start = end;
    }
    chunks
}

/// The files of a chunk read (by [`READERS`] threads) and parsed (in parallel).
fn parse_chunk<F: ChunkFile>(chunk: &[F]) -> Vec<ReadFile> {
    read_files(chunk)
        .into_par_iter()
        .zip(chunk)
        .map(|(bytes, changed)| {
            let bytes = bytes?;
            let parsed = corpus::parse_file(&changed.file().path, &bytes);
            Ok((bytes, parsed))
        })
        .collect()
}

/// The bytes of every file of `chunk`, in its order.
fn read_files<F: ChunkFile>(chunk: &[F]) -> Vec<std::io::Result<Vec<u8>>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut read: Vec<(usize, std::io::Result<Vec<u8>>)> = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..READERS.min(chunk.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(changed) = chunk.get(n) else {
                            return mine;
                        };
                        mine.push((n, std::fs::read(&changed.file().absolute)));
                    }
                })
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|reader| match reader.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    read.sort_unstable_by_key(|(n, _)| *n);
    read.into_iter().map(|(_, bytes)| bytes).collect()
}
