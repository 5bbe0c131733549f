//! `sitrep index --watch`: sync once, then again whenever the corpus changes, until Ctrl-C or
//! SIGTERM, which stop it between two syncs, never inside one.
//!
//! Events are gathered until the corpus has been quiet for [`QUIET`]; then every file the
//! events named must keep its size and modification time for [`STABLE`] before the sync
//! runs, so a file still being written is indexed once, whole. Editors' temporary and swap
//! files, and files that are not articles, wake nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use notify::{RecursiveMode, Watcher};
use sitrep::corpus::is_article_name;
use sitrep::local::folder::WatchLock;

use crate::cli::{Cli, IndexArgs};
use crate::{follow, progress};

/// How long the corpus must be quiet before a sync.
const QUIET: Duration = Duration::from_millis(300);
/// How long events may keep coming before a sync runs anyway: a corpus that never goes quiet
/// (a feed writing all the time) is still synced every so often.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// How long a changed file must keep its size and time before it is read.
const STABLE: Duration = Duration::from_millis(200);
/// How often the stop flag is looked at while nothing happens.
const TICK: Duration = Duration::from_millis(100);

pub fn run(cli: &Cli, args: &IndexArgs) -> anyhow::Result<u8> {
    let lock = WatchLock::acquire(&cli.index)?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("installing the signal handlers")?;
    }
    let (sender, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(sender).context("starting the file watcher")?;
    watcher
        .watch(&cli.corpus, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", cli.corpus.display()))?;
    let mut options = args.index_options(cli);
    options.watching = true;
    let mut skipped = sync_and_report(cli, &options, args)?;
    // Only the first sync rebuilds when asked to.
    options.rebuild = false;
    if !cli.quiet {
        eprintln!(
            "watching {} (Ctrl-C to stop; {} holds the index)",
            cli.corpus.display(),
            lock.path().display()
        );
    }
    while !stop.load(Ordering::Relaxed) {
        let Some(changed) = wait_for_changes(&events, &stop) else {
            continue;
        };
        if stop.load(Ordering::Relaxed) {
            break;
        }
        wait_until_stable(&changed, &stop);
        skipped |= sync_and_report(cli, &options, args)?;
    }
    drop(lock);
    Ok(if skipped {
        crate::report::EXIT_ERROR
    } else {
        0
    })
}

/// One sync, its summary line and the saved searches' news; whether articles were skipped.
fn sync_and_report(
    cli: &Cli,
    options: &sitrep::IndexOptions,
    args: &IndexArgs,
) -> anyhow::Result<bool> {
    let report = progress::sync(cli, options, args.verbose)?;
    follow::report_saved(cli, &report)?;
    Ok(report.skipped > 0)
}

/// Waits for an event about an article file, then gathers events until the corpus has been
/// quiet for [`QUIET`], or for [`MAX_WAIT`] at most: the files they name. None when stopped.
fn wait_for_changes(
    events: &mpsc::Receiver<notify::Result<notify::Event>>,
    stop: &AtomicBool,
) -> Option<BTreeSet<PathBuf>> {
    let mut changed = BTreeSet::new();
    let mut first_event: Option<Instant> = None;
    let mut last_event: Option<Instant> = None;
    loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        match events.recv_timeout(TICK) {
            Ok(Ok(event)) => {
                let relevant: Vec<PathBuf> = event
                    .paths
                    .into_iter()
                    .filter(|p| is_article_file(p))
                    .collect();
                if !relevant.is_empty() {
                    changed.extend(relevant);
                    last_event = Some(Instant::now());
                    first_event.get_or_insert_with(Instant::now);
                }
            }
            // A watcher error (an overflowed queue) means changes may have been missed: the
            // sync walks the whole corpus anyway.
            Ok(Err(_)) => {
                last_event = Some(Instant::now());
                first_event.get_or_insert_with(Instant::now);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
        }
        let quiet = last_event.is_some_and(|at| at.elapsed() >= QUIET);
        if quiet || first_event.is_some_and(|at| at.elapsed() >= MAX_WAIT) {
            return Some(changed);
        }
    }
}

/// Waits until none of `files` changes size or modification time for [`STABLE`].
fn wait_until_stable(files: &BTreeSet<PathBuf>, stop: &AtomicBool) {
    let look = || -> Vec<Option<(u64, SystemTime)>> {
        files
            .iter()
            .map(|f| {
                let m = std::fs::metadata(f).ok()?;
                Some((m.len(), m.modified().ok()?))
            })
            .collect()
    };
    let mut before = look();
    loop {
        std::thread::sleep(STABLE);
        let now = look();
        if now == before || stop.load(Ordering::Relaxed) {
            return;
        }
        before = now;
    }
}

/// Files a sync reads: articles, as the corpus walker names them, and the gazetteer (TOML).
/// Hidden files, editors' swap and backup files and temporary downloads are not.
fn is_article_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let hidden_or_temporary = name.starts_with('.')
        || name.starts_with('#')
        || name.starts_with('~')
        || name.ends_with('~');
    let read_by_sync = is_article_name(name) || name.to_ascii_lowercase().ends_with(".toml");
    read_by_sync && !hidden_or_temporary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_and_temporary_files_wake_nothing() {
        for ours in [
            "a.txt",
            "x/b.md",
            "c.markdown",
            "feed.jsonl",
            "one.JSON",
            "entities.toml",
        ] {
            assert!(is_article_file(Path::new(ours)), "{ours}");
        }
        for theirs in [
            ".a.txt.swp",
            "a.txt~",
            "#a.txt#",
            ".#a.txt",
            "a.txt.part",
            "a.txt.crdownload",
            "4913",
            "a.tmp",
        ] {
            assert!(!is_article_file(Path::new(theirs)), "{theirs}");
        }
    }
}
