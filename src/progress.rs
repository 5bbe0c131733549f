//! What `sitrep index` (and a first search) shows while syncing: a progress bar drawn from the
//! engine's progress reports, then the warnings and the summary line.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sitrep::{output, IndexOptions, Progress, SyncReport};

use crate::cli::{Cli, IndexArgs};

pub struct SyncBar {
    bar: ProgressBar,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("valid template")
        .progress_chars("=> ")
}

impl SyncBar {
    pub fn new(enabled: bool) -> Self {
        let bar = if enabled {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        SyncBar { bar }
    }

    pub fn update(&self, progress: Progress) {
        match progress {
            Progress::Reading { files, total_files } => {
                if files <= 1 {
                    self.bar.set_style(style(
                        "{spinner} reading [{bar:30}] {pos}/{len} files ({eta})",
                    ));
                    self.bar.set_length(total_files);
                }
                self.bar.set_position(files);
            }
            Progress::Indexing { bytes, total_bytes } => {
                if bytes == 0 {
                    self.bar.set_style(style(
                        "{spinner} indexing [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
                    ));
                    self.bar.set_length(total_bytes);
                    self.bar.set_message("parsed, tagged and indexed");
                }
                self.bar.set_position(bytes);
            }
            Progress::Committing => self.bar.set_message("committing and merging segments"),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs a sync with a progress bar on a terminal, then prints its warnings and summary.
pub fn sync(cli: &Cli, options: &IndexOptions, verbose: bool) -> anyhow::Result<SyncReport> {
    return_freed_memory();
    run_sync(
        cli,
        verbose,
        "re-indexing every article",
        None,
        |progress| sitrep::sync_index(options, progress),
    )
}

/// `sitrep index --to`: syncs a cluster, with the same bar and summary as a folder sync.
pub fn sync_remote(cli: &Cli, args: &IndexArgs) -> anyhow::Result<SyncReport> {
    let options = args.remote_options(cli)?.expect("--to names a cluster");
    let target = options.target.display();
    run_sync(
        cli,
        args.verbose,
        "re-sending every article",
        Some(&target),
        |progress| sitrep::remote::sync_remote(&options, progress),
    )
}

/// A sync of either store behind the progress bar, then its warnings, why it re-indexed
/// everything (`redo` says what that meant) and its summary (with `store` named, when given).
fn run_sync(
    cli: &Cli,
    verbose: bool,
    redo: &str,
    store: Option<&str>,
    run: impl FnOnce(&dyn Fn(Progress)) -> sitrep::Result<SyncReport>,
) -> anyhow::Result<SyncReport> {
    let bar = SyncBar::new(!cli.quiet && std::io::stderr().is_terminal());
    let report = run(&|p| bar.update(p))?;
    bar.finish();
    for warning in &report.warnings {
        if verbose || warning.skipped || !cli.quiet {
            eprintln!("warning: {warning}");
        }
    }
    if !cli.quiet {
        if let Some(reason) = &report.full_reason {
            eprintln!("{redo}: {reason}");
        }
        match store {
            Some(store) => eprintln!("{} ({store})", output::sync_summary(&report)),
            None => eprintln!("{}", output::sync_summary(&report)),
        }
    }
    Ok(report)
}

/// Has glibc give freed large blocks back to the system while a sync runs. Its default
/// threshold for serving an allocation with its own mapping rises each time such a block is
/// freed, so after the first segment flush the indexing arenas (1 MB pages) would come from the
/// heap and stay there: the resident size of a 1 GB build doubles. A setting of the whole
/// process, so the binary makes it, not the library.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, under glibc's main-arena lock. glibc
    // calls it MT-unsafe; it runs before the writer's threads start, while the other threads
    // of the process (rayon's) are idle.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Builds the index first when there is none yet, so a new user's first command just works.
pub fn ensure_index(cli: &Cli) -> anyhow::Result<()> {
    let options = cli.index_options();
    if sitrep::needs_first_build(&options)? {
        if !cli.quiet {
            eprintln!(
                "no index in {}; building it from {} first",
                cli.index.display(),
                cli.corpus.display()
            );
        }
        sync(cli, &options, false)?;
    }
    Ok(())
}
