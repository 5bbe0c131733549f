//! Opening the engine a command reads from: the cluster when one is named, else the index
//! folder, built first (with the sync's progress bar) when there is none yet. Not a method of
//! `Cli`: `cli.rs` holds the flags and sits below `progress.rs`, which reads them.

use std::path::PathBuf;

use sitrep::Engine;

use crate::cli::Cli;
use crate::progress::ensure_index;

/// The engine reads go to: the cluster when one is named, else the index folder
/// (`live`: following new commits, for the server).
pub fn engine(cli: &Cli, live: bool) -> anyhow::Result<Engine> {
    if let Some(target) = cli.remote_target()? {
        return Ok(Engine::open_remote(&target, gazetteer_cache().as_deref())?);
    }
    ensure_index(cli)?;
    Ok(if live {
        Engine::open_live(&cli.index)?
    } else {
        Engine::open(&cli.index)?
    })
}

/// The engine of a one-shot command, left to the OS at exit: the process ends right after
/// printing, and unmapping every index file and freeing the searcher one by one took longer
/// than a rare-term search.
pub fn one_shot(cli: &Cli) -> anyhow::Result<&'static Engine> {
    Ok(Box::leak(Box::new(engine(cli, false)?)))
}

/// Where compiled cluster gazetteers are kept between runs: `$XDG_CACHE_HOME/sitrep/gazetteers`,
/// else `~/.cache/sitrep/gazetteers`.
fn gazetteer_cache() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("sitrep").join("gazetteers"))
}
