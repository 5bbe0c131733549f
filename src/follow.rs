//! The binary's side of following an archive: saved searches and what is new for them after
//! each sync, `sitrep new`, and batch search over a list of names.

use std::io::Read;

use anyhow::Context;
use sitrep::saved::{self, SavedSearch, SavedSearches, Since};
use sitrep::search::{parse_batch, BatchRow};
use sitrep::{output, Engine, SearchOptions, SyncReport};

use crate::cli::{Cli, NewArgs, SavedAction, SavedArgs, SearchArgs};
use crate::report::EXIT_ERROR;

/// New paragraphs shown per saved search after a sync.
const SHOWN_AFTER_SYNC: usize = 3;

/// `sitrep saved add|list|remove`.
pub fn saved(cli: &Cli, args: &SavedArgs) -> anyhow::Result<u8> {
    let mut searches = SavedSearches::load(&cli.index)?;
    match &args.action {
        SavedAction::Add {
            name,
            query,
            filters,
        } => {
            let engine = Engine::open(&cli.index)?;
            let kinds = engine.filter_kinds()?;
            let search = SavedSearch {
                name: name.clone(),
                query: query.clone(),
                filters: filters.params(&kinds)?,
                saved_at_sync: engine.stats()?.last_sync_number,
            };
            // Checked now, so a typo in a name or the query is caught when saving.
            engine.search(&SearchOptions {
                count_only: true,
                ..search.options(&kinds)?
            })?;
            searches.add(search)?;
            searches.save(&cli.index)?;
            if !cli.quiet {
                eprintln!("saved '{name}'; each sync now reports its new paragraphs");
            }
            Ok(0)
        }
        SavedAction::List { json } => {
            crate::emit::emit(*json, &searches.searches, |s| output::render_saved(s))
        }
        SavedAction::Remove { name } => {
            searches.remove(name)?;
            searches.save(&cli.index)?;
            Ok(0)
        }
    }
}

/// After a sync that committed: what each saved search found among the paragraphs it added
/// or changed, on stdout.
pub fn report_saved(cli: &Cli, report: &SyncReport) -> anyhow::Result<()> {
    let Some(sync) = report
        .committed
        .filter(|_| report.added + report.updated > 0)
    else {
        return Ok(());
    };
    let searches = SavedSearches::load(&cli.index)?;
    if searches.searches.is_empty() {
        return Ok(());
    }
    let engine = Engine::open(&cli.index)?;
    let found = saved::new_matches(
        &engine,
        &searches.searches,
        Since::Sync(sync - 1),
        SHOWN_AFTER_SYNC,
    )?;
    crate::emit::print(&output::render_new(
        &found,
        crate::cli::ColorChoice::Auto.style(),
    ))?;
    Ok(())
}

/// `sitrep new`: what the saved searches (or one) found since a point.
pub fn new(cli: &Cli, args: &NewArgs) -> anyhow::Result<u8> {
    let mut searches = SavedSearches::load(&cli.index)?;
    let engine = Engine::open(&cli.index)?;
    let current = engine.stats()?.last_sync_number;
    let since = match (args.since_sync, args.since.as_str()) {
        (Some(n), _) => Since::Sync(n),
        (None, "last") => Since::LastReported(searches.seen_sync),
        (None, date) => Since::Sync(saved::last_sync_before(&cli.index, date)?),
    };
    let chosen: Vec<SavedSearch> = match &args.name {
        Some(name) => vec![searches
            .get(name)
            .ok_or_else(|| searches.unknown(name))?
            .clone()],
        None => searches.searches.clone(),
    };
    if chosen.is_empty() && !cli.quiet {
        eprintln!("no saved searches yet; add one with `sitrep saved add NAME QUERY`");
    }
    let found = saved::new_matches(&engine, &chosen, since, args.limit)?;
    let style = crate::cli::ColorChoice::Auto.style();
    crate::emit::emit(args.json, &found, |f| output::render_new(f, style))?;
    if args.since_sync.is_none() && args.since == "last" {
        searches.seen_sync = current;
        searches.save(&cli.index)?;
    }
    Ok(0)
}

/// Runs every query of a batch file with the filters of `base`; prints one row each as a
/// table, JSON or CSV. A line that cannot be read or run is reported on stderr with its line
/// number, the others still run, and the exit code says so.
pub fn batch_search(
    engine: &Engine,
    file: &str,
    base: &SearchOptions,
    args: &SearchArgs,
) -> anyhow::Result<u8> {
    let (label, text) = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
        ("stdin".to_string(), text)
    } else {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
        (file.to_string(), text)
    };
    let mut rows: Vec<BatchRow> = Vec::new();
    let mut failed = 0;
    for query in parse_batch(&text) {
        let row = query.and_then(|query| {
            engine.batch_row(&query, base).map_err(|err| match err {
                sitrep::Error::QuerySyntax(syntax) => sitrep::Error::InvalidArgument {
                    what: format!("line {}", query.line),
                    message: syntax.to_string(),
                },
                other => other,
            })
        });
        match row {
            Ok(row) => rows.push(row),
            Err(err) => {
                failed += 1;
                eprintln!("error: {label}: {err}");
            }
        }
    }
    let text = if args.json {
        output::to_json(&rows) + "\n"
    } else if args.csv {
        output::batch_csv(&rows)
    } else {
        output::render_batch(&rows)
    };
    crate::emit::print(&text)?;
    Ok(if failed > 0 { EXIT_ERROR } else { 0 })
}
