//! The `sitrep` binary: parse flags, call the library, print, map errors to exit codes.

mod cli;

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, ColorChoice, Command};
use sitrep::output::{self, Style};
use sitrep::{bench, corpus, indexer, inspect, Gazetteer, IndexError, IndexOptions};

/// Exit codes of DESIGN §7.
const EXIT_ERROR: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if let Some(syntax) = err.downcast_ref::<sitrep::QuerySyntaxError>() {
                if let Command::Search(args) = &cli.command {
                    eprintln!("  {}", args.query);
                    eprintln!("  {}^", " ".repeat(syntax.column.saturating_sub(1)));
                }
            }
            let usage = err.downcast_ref::<sitrep::QuerySyntaxError>().is_some()
                || err.downcast_ref::<sitrep::UnknownEntity>().is_some()
                || err.downcast_ref::<UsageError>().is_some();
            ExitCode::from(if usage { EXIT_USAGE } else { EXIT_ERROR })
        }
    }
}

/// A flag value that does not make sense (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Index(args) => {
            let mut options = IndexOptions::new(&cli.corpus, &cli.index);
            options.entities = cli.entities.clone();
            options.rebuild = args.rebuild;
            options.memory_mb = args.memory_mb;
            options.threads = args.threads;
            options.tag_entities = !args.no_entities;
            options.progress = !cli.quiet && std::io::stderr().is_terminal();
            let report = run_sync(&options, cli.quiet, args.verbose)?;
            Ok(if report.skipped > 0 { EXIT_ERROR } else { 0 })
        }
        Command::Search(args) => {
            ensure_index(cli)?;
            let index = sitrep::open_index(&cli.index)?;
            let mut entity_filters = Vec::new();
            for (kind, names) in [
                ("person", &args.person),
                ("org", &args.org),
                ("place", &args.place),
            ] {
                entity_filters.extend(names.iter().map(|n| (kind.to_string(), n.clone())));
            }
            let options = sitrep::SearchOptions {
                query: args.query.clone(),
                limit: args.limit,
                offset: args.offset,
                entity_filters,
                since: parse_date_flag("--since", args.since.as_deref())?,
                until: parse_date_flag("--until", args.until.as_deref())?,
                facets: args.facets,
                count_only: false,
                count_articles: !args.json,
            };
            let results = sitrep::search(&index, &options)?;
            if let Some(notice) = &results.notice {
                if !cli.quiet {
                    eprintln!("{notice}");
                }
            }
            if args.json {
                print_stdout(&(output::to_json(&results) + "\n"))?;
            } else {
                let style = Style {
                    color: use_color(args.color),
                };
                print_stdout(&output::render_search(&results, style))?;
            }
            Ok(0)
        }
        Command::Entities(args) => {
            if args.gazetteer && !indexer::index_exists(&cli.index) {
                let gazetteer = Gazetteer::resolve(cli.entities.as_deref(), &cli.corpus)?;
                print_stdout(&format!(
                    "{} ({} entities)\n",
                    gazetteer.source,
                    gazetteer.entities.len()
                ))?;
                return Ok(0);
            }
            let index = sitrep::open_index(&cli.index)?;
            if args.gazetteer {
                let g = &index.gazetteer;
                let origin = index
                    .payload
                    .as_ref()
                    .map(|p| p.corpus.clone())
                    .unwrap_or_default();
                print_stdout(&format!(
                    "{} ({} entities; the copy saved in {} when {} was indexed, hash {:016x})\n",
                    g.source,
                    g.entities.len(),
                    index.path.display(),
                    origin,
                    g.hash
                ))?;
                return Ok(0);
            }
            if args.candidates {
                let candidates = inspect::name_candidates(&index, args.limit)?;
                let text = if args.json {
                    output::to_json(&candidates) + "\n"
                } else {
                    output::render_candidates(&candidates)
                };
                print_stdout(&text)?;
                return Ok(0);
            }
            if let Some(kind) = &args.kind {
                let kinds = index.gazetteer.kinds();
                if !kinds.contains(kind) {
                    return Err(UsageError(format!(
                        "unknown kind '{kind}'; the gazetteer has {}",
                        kinds.join(", ")
                    ))
                    .into());
                }
            }
            let mut usage = inspect::entity_usage(&index, args.kind.as_deref())?;
            usage.truncate(args.limit);
            let text = if args.json {
                output::to_json(&usage) + "\n"
            } else {
                output::render_entities(&usage)
            };
            print_stdout(&text)?;
            Ok(0)
        }
        Command::Extract(args) => {
            let gazetteer = if indexer::index_exists(&cli.index) && cli.entities.is_none() {
                sitrep::open_index(&cli.index)?.gazetteer
            } else {
                Gazetteer::resolve(cli.entities.as_deref(), &cli.corpus)?
            };
            let texts = read_extract_input(&args.file)?;
            let mentions: Vec<sitrep::EntityMatch> = texts
                .iter()
                .flat_map(|t| gazetteer.find_mentions(t))
                .collect();
            let text = if args.json {
                output::to_json(&mentions) + "\n"
            } else {
                output::render_mentions(&mentions)
            };
            print_stdout(&text)?;
            Ok(0)
        }
        Command::Show(args) => {
            let index = sitrep::open_index(&cli.index)?;
            let Some(article) = inspect::show_article(&index, &args.article_id, args.paragraph)?
            else {
                anyhow::bail!(
                    "no article '{}' in {}; article ids are shown in search results",
                    args.article_id,
                    cli.index.display()
                );
            };
            if article.paragraphs.is_empty() {
                anyhow::bail!(
                    "article '{}' has no paragraph {}",
                    args.article_id,
                    args.paragraph.unwrap_or(0)
                );
            }
            let text = if args.json {
                output::to_json(&article) + "\n"
            } else {
                output::render_article(
                    &article,
                    Style {
                        color: use_color(ColorChoice::Auto),
                    },
                )
            };
            print_stdout(&text)?;
            Ok(0)
        }
        Command::Stats(args) => {
            let index = sitrep::open_index(&cli.index)?;
            let stats = inspect::index_stats(&index)?;
            let text = if args.json {
                output::to_json(&stats) + "\n"
            } else {
                output::render_stats(&stats)
            };
            print_stdout(&text)?;
            Ok(0)
        }
        Command::Bench(args) => {
            let index = sitrep::open_index(&cli.index)?;
            let mut queries = match &args.queries {
                Some(file) => {
                    let text = std::fs::read_to_string(file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    bench::parse_query_file(&text)
                        .with_context(|| format!("in {}", file.display()))?
                }
                None => bench::default_queries(&index)?,
            };
            if !args.classes.is_empty() {
                queries.retain(|q| args.classes.contains(&q.class));
            }
            if queries.is_empty() {
                return Err(
                    UsageError("no queries to run (check --classes and --queries)".into()).into(),
                );
            }
            let report = bench::run_bench(&index, &queries, args.iterations.max(1))?;
            let text = if args.json {
                output::to_json(&report) + "\n"
            } else {
                bench::render_report(&report)
            };
            print_stdout(&text)?;
            Ok(0)
        }
    }
}

fn run_sync(
    options: &IndexOptions,
    quiet: bool,
    verbose: bool,
) -> anyhow::Result<sitrep::SyncReport> {
    let report = sitrep::sync_index(options)?;
    for warning in &report.warnings {
        if verbose || warning.skipped || !quiet {
            eprintln!("warning: {warning}");
        }
    }
    if let Some(reason) = &report.full_reason {
        if !quiet {
            eprintln!("re-indexing every article: {reason}");
        }
    }
    if !quiet {
        eprintln!("{}", output::sync_summary(&report));
    }
    Ok(report)
}

/// Builds the index on the first search, so a new user's first command just works.
fn ensure_index(cli: &Cli) -> anyhow::Result<()> {
    if indexer::index_exists(&cli.index) {
        return Ok(());
    }
    if cli.index.is_file() {
        return Err(IndexError::NotAFolder(cli.index.clone()).into());
    }
    if !cli.corpus.is_dir() {
        return Err(IndexError::Missing(cli.index.clone())).with_context(|| {
            format!(
                "and there is no corpus folder {} to build it from",
                cli.corpus.display()
            )
        });
    }
    if !cli.quiet {
        eprintln!(
            "no index in {}; building it from {} first",
            cli.index.display(),
            cli.corpus.display()
        );
    }
    let mut options = IndexOptions::new(&cli.corpus, &cli.index);
    options.entities = cli.entities.clone();
    options.progress = !cli.quiet && std::io::stderr().is_terminal();
    run_sync(&options, cli.quiet, false)?;
    Ok(())
}

fn parse_date_flag(flag: &str, value: Option<&str>) -> anyhow::Result<Option<tantivy::DateTime>> {
    value
        .map(|v| corpus::parse_date(v).map_err(|e| UsageError(format!("{flag}: {e}")).into()))
        .transpose()
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    }
}

/// The paragraphs of one article file, or stdin as one text.
fn read_extract_input(file: &str) -> anyhow::Result<Vec<String>> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading stdin")?;
        return Ok(vec![text]);
    }
    let path = Path::new(file);
    let bytes = std::fs::read(path).with_context(|| format!("reading {file}"))?;
    let parsed = corpus::parse_file(file, &bytes);
    if let Some(warning) = parsed.warnings.first() {
        if parsed.articles.is_empty() {
            anyhow::bail!("{warning}");
        }
        eprintln!("warning: {warning}");
    }
    if parsed.articles.is_empty() {
        anyhow::bail!("{file}: not an article file (.txt, .md, .json, .jsonl)");
    }
    Ok(parsed
        .articles
        .into_iter()
        .flat_map(|a| a.paragraphs)
        .collect())
}
