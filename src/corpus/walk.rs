/*!
Walking the corpus folder: every article file with its metadata, in a stable order.

Folders are read in parallel and each file is stat'ed relative to its folder's open handle
(`fstatat`), so a sync over a folder of 100,000 small files costs one system call per file and
no path lookups. Symbolic links are followed; a link back to a folder on the current path is a
loop, reported and not followed. Hidden files and folders (a leading `.`) are skipped.

The order is depth-first with names sorted bytewise inside each folder, the order of
[`tree_order`] on the relative paths, so the file cache can be matched against a walk by
merging two sorted lists.
*/

use std::cmp::Ordering;
use std::fs::{self, Metadata};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::{CorpusFile, Warning, ARTICLE_EXTENSIONS};

/// An article file the walk found, with what stat said of it.
#[derive(Debug)]
pub struct WalkedFile {
    pub file: CorpusFile,
    pub metadata: io::Result<Fingerprint>,
}

/// How long after a change a file's timestamps stop being trusted, on a filesystem that
/// keeps whole seconds (FAT keeps 2 s)...
const RACY_WINDOW: Duration = Duration::from_secs(2);
/// ...and on one that keeps nanoseconds, whose clock still only moves once a kernel tick
/// (1 to 10 ms).
const FINE_RACY_WINDOW: Duration = Duration::from_millis(20);

/// Metadata that changes whenever a file's bytes can have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fingerprint {
    pub size: u64,
    pub modified_ns: i64,
    pub changed_ns: i64,
    pub inode: u64,
}

impl Fingerprint {
    pub fn of(metadata: &Metadata) -> Fingerprint {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Fingerprint {
                size: metadata.len(),
                modified_ns: metadata.mtime() * 1_000_000_000 + metadata.mtime_nsec(),
                changed_ns: metadata.ctime() * 1_000_000_000 + metadata.ctime_nsec(),
                inode: metadata.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let modified_ns = metadata
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64);
            Fingerprint {
                size: metadata.len(),
                modified_ns,
                changed_ns: modified_ns,
                inode: 0,
            }
        }
    }

    /// Whether the file changed so close to `seen_at` that another change in the same
    /// timestamp tick would leave this fingerprint as it is.
    pub fn is_racy(&self, seen_at: SystemTime) -> bool {
        let seen_ns = seen_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(i64::MAX, |d| d.as_nanos() as i64);
        let whole_seconds =
            self.modified_ns % 1_000_000_000 == 0 && self.changed_ns % 1_000_000_000 == 0;
        let window = if whole_seconds {
            RACY_WINDOW
        } else {
            FINE_RACY_WINDOW
        };
        self.modified_ns.max(self.changed_ns) > seen_ns - window.as_nanos() as i64
    }
}

/// The order of a walk: relative paths compared bytewise with `/` below every other byte,
/// so that the files in `a/` come before `a-b.txt`, as they do in a depth-first walk.
pub fn tree_order(a: &str, b: &str) -> Ordering {
    let key = |byte: u8| if byte == b'/' { 0 } else { byte };
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match (a.get(common), b.get(common)) {
        (Some(&x), Some(&y)) => key(x).cmp(&key(y)),
        _ => a.len().cmp(&b.len()),
    }
}

/// Every article file under `root`, in [`tree_order`], and warnings for what could not be
/// read.
pub fn walk_corpus(root: &Path) -> (Vec<WalkedFile>, Vec<Warning>) {
    let ancestors = identity(root).into_iter().collect::<Vec<_>>();
    let mut walked = Walked::default();
    walk_folder(root, "", &ancestors, &mut walked);
    let mut files = walked.files;
    // Names are unique within a folder, so the walk is already in order; a name that only
    // differs from another by bytes that are not UTF-8 could still tie, and the file cache is
    // matched against the walk by merging, which needs a strict order.
    if !files
        .windows(2)
        .all(|pair| tree_order(&pair[0].file.path, &pair[1].file.path).is_lt())
    {
        files.sort_by(|a, b| tree_order(&a.file.path, &b.file.path));
        files.dedup_by(|later, earlier| {
            let same = later.file.path == earlier.file.path;
            if same {
                walked.warnings.push(Warning {
                    path: later.file.path.clone(),
                    line: None,
                    message: "another file has the same name once written as UTF-8; skipped"
                        .to_string(),
                    skipped: true,
                });
            }
            same
        });
    }
    (files, walked.warnings)
}

#[derive(Default)]
struct Walked {
    files: Vec<WalkedFile>,
    warnings: Vec<Warning>,
}

/// What one folder entry turned out to be, found while its folder is open.
enum Entry {
    File(WalkedFile),
    Folder {
        path: std::path::PathBuf,
        relative: String,
        id: Option<(u64, u64)>,
    },
    Skipped,
    Warning(Warning),
}

fn walk_folder(folder: &Path, relative: &str, ancestors: &[(u64, u64)], out: &mut Walked) {
    let shown = |name: &str| {
        if relative.is_empty() {
            name.to_string()
        } else {
            format!("{relative}/{name}")
        }
    };
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) => {
            out.warnings.push(cannot_read(
                if relative.is_empty() {
                    folder.display().to_string()
                } else {
                    relative.to_string()
                },
                &err,
            ));
            return;
        }
    };
    let mut named = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let name = utf8_name(&entry.file_name());
                if !name.starts_with('.') {
                    named.push((name, entry));
                }
            }
            Err(err) => out.warnings.push(cannot_read(shown("?"), &err)),
        }
    }
    named.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    // Every entry is stat'ed while the folder is open (relative to its handle), and the
    // handle is closed before descending, so deep or wide trees never hold many open.
    let visited: Vec<Entry> = named
        .into_par_iter()
        .map(|(name, entry)| visit(entry, shown(&name), ancestors))
        .collect();
    let folders: Vec<Walked> = visited
        .iter()
        .filter_map(|entry| match entry {
            Entry::Folder { path, relative, id } => Some((path, relative, id)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(path, relative, id)| {
            let mut inner_ancestors = ancestors.to_vec();
            inner_ancestors.extend(*id);
            let mut inner = Walked::default();
            walk_folder(path, relative, &inner_ancestors, &mut inner);
            inner
        })
        .collect();
    let mut folders = folders.into_iter();
    for entry in visited {
        match entry {
            Entry::File(file) => out.files.push(file),
            Entry::Folder { .. } => {
                let inner = folders.next().expect("one walk per folder");
                out.files.extend(inner.files);
                out.warnings.extend(inner.warnings);
            }
            Entry::Warning(warning) => out.warnings.push(warning),
            Entry::Skipped => {}
        }
    }
}

/// A file name as UTF-8. Bytes that are not UTF-8 are written as `%XX`, so two such names
/// stay two paths (a lossy conversion would make both `�`).
fn utf8_name(name: &std::ffi::OsStr) -> String {
    if let Some(name) = name.to_str() {
        return name.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

fn visit(entry: fs::DirEntry, relative: String, ancestors: &[(u64, u64)]) -> Entry {
    let file_type = match entry.file_type() {
        Ok(file_type) => file_type,
        Err(err) => return Entry::Warning(cannot_read(relative, &err)),
    };
    let path = entry.path();
    // A link is judged by what it points to; anything else by itself, stat'ed relative to the
    // folder already open.
    let metadata = if file_type.is_symlink() {
        fs::metadata(&path)
    } else if file_type.is_dir() || is_article_name(&relative) {
        entry.metadata()
    } else {
        return Entry::Skipped;
    };
    let is_dir = match &metadata {
        Ok(metadata) => metadata.is_dir(),
        Err(err) if file_type.is_symlink() => return Entry::Warning(cannot_read(relative, err)),
        Err(_) => file_type.is_dir(),
    };
    if is_dir {
        let id = metadata.as_ref().ok().and_then(identity_of);
        if id.is_some_and(|id| ancestors.contains(&id)) {
            return Entry::Warning(Warning {
                path: relative,
                line: None,
                message: "symlink loop; not followed".to_string(),
                skipped: true,
            });
        }
        return Entry::Folder { path, relative, id };
    }
    let is_file = metadata.as_ref().map_or(true, Metadata::is_file);
    if !is_file || !is_article_name(&relative) {
        return Entry::Skipped;
    }
    Entry::File(WalkedFile {
        file: CorpusFile {
            path: relative,
            absolute: path,
        },
        metadata: metadata.map(|m| Fingerprint::of(&m)),
    })
}

/// Whether a file name is one the walker reads as articles, by its extension.
pub fn is_article_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty()
            && !stem.ends_with('/')
            && ARTICLE_EXTENSIONS
                .iter()
                .any(|known| known.eq_ignore_ascii_case(extension))
    })
}

fn cannot_read(path: String, err: &io::Error) -> Warning {
    Warning {
        path,
        line: None,
        message: format!("cannot read: {err}"),
        skipped: true,
    }
}

/// Device and inode: what makes two paths the same folder.
fn identity(path: &Path) -> Option<(u64, u64)> {
    identity_of(&fs::metadata(path).ok()?)
}

#[cfg(unix)]
fn identity_of(metadata: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn identity_of(_: &Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_order_puts_a_folder_before_its_longer_siblings() {
        let mut paths = vec!["a-b.txt", "a/z.txt", "a.txt", "a/b/c.txt", "b.txt"];
        paths.sort_by(|a, b| tree_order(a, b));
        assert_eq!(paths, ["a/b/c.txt", "a/z.txt", "a-b.txt", "a.txt", "b.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let a = utf8_name(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
        let b = utf8_name(std::ffi::OsStr::from_bytes(b"caf\xe8.txt"));
        assert_eq!(a, "caf%E9.txt");
        assert_ne!(a, b);
        assert_eq!(utf8_name(std::ffi::OsStr::new("Kata’ib.md")), "Kata’ib.md");
    }

    #[test]
    fn article_names_need_a_known_extension_and_a_stem() {
        assert!(is_article_name("2024/a.TXT"));
        assert!(is_article_name("notes.md"));
        assert!(is_article_name("feed.jsonl"));
        assert!(!is_article_name("photo.jpg"));
        assert!(!is_article_name("README"));
        assert!(!is_article_name("dir/.txt"));
    }
}
