//! The `sitrep` binary: parse flags, call the library, print, map errors to exit codes.

mod cli;
mod emit;
mod follow;
mod open;
mod progress;
mod read;
mod report;
mod server;
mod tagging;
mod ties;
mod watch;

use clap::Parser;

use cli::{Cli, ColorChoice, Command, EntitiesArgs, SearchArgs, ShowArgs};
use sitrep::output;
use sitrep::{bench, engine, Engine};

use emit::emit;
use report::{is_broken_pipe, report_error, EXIT_ERROR};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let code = match run(&cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => report_error(&cli, &err),
    };
    std::process::ExitCode::from(code)
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Index(args) if args.watch => watch::run(cli, args),
        Command::Index(args) => {
            let report = if args.to.is_some() {
                progress::sync_remote(cli, args)?
            } else {
                let report = progress::sync(cli, &args.index_options(cli), args.verbose)?;
                follow::report_saved(cli, &report)?;
                report
            };
            Ok(if report.skipped > 0 { EXIT_ERROR } else { 0 })
        }
        Command::Saved(args) => follow::saved(cli, args),
        Command::New(args) => follow::new(cli, args),
        Command::Search(args) => search(cli, args),
        Command::Entities(args) if ties::asks_for_ties(args) => ties::entities_with(cli, args),
        Command::Entities(args) => entities(cli, args),
        Command::Network(args) => ties::network(cli, args),
        Command::Extract(args) => tagging::extract(cli, args),
        Command::Read(args) => read::read(args),
        Command::Show(args) => show(cli, args),
        Command::Stats(args) => {
            let stats = open::one_shot(cli)?.stats()?;
            emit(args.json, &stats, output::render_stats)
        }
        Command::Serve(args) => server::serve(cli, args),
        Command::TrainTagger(args) => tagging::train_tagger(args),
        Command::Bench(args) => {
            // Default queries are drawn from the index folder's term statistics, also when
            // they run on a cluster: both stores then answer the same queries.
            let sampled = match (&args.queries, cli.remote_target()?) {
                (Some(_), Some(_)) => None,
                _ => Some(Engine::open(&cli.index)?),
            };
            let engine = open::engine(cli, false)?;
            let queries = bench::load_queries(
                sampled.as_ref().unwrap_or(&engine),
                args.queries.as_deref(),
                &args.classes,
            )?;
            let report = bench::run_bench(&engine, &queries, args.iterations.max(1))?;
            emit(args.json, &report, output::render_bench)
        }
    }
}

fn search(cli: &Cli, args: &SearchArgs) -> anyhow::Result<u8> {
    let engine = open::one_shot(cli)?;
    let search_options = args.search_options(&engine.filter_kinds()?)?;
    if let Some(file) = &args.batch {
        return follow::batch_search(engine, file, &search_options, args);
    }
    let results = engine.search(&search_options)?;
    if let (Some(notice), false) = (&results.notice, cli.quiet) {
        eprintln!("{notice}");
    }
    let style = args.color.style();
    emit(args.json, &results, |r| output::render_search(r, style))
}

fn entities(cli: &Cli, args: &EntitiesArgs) -> anyhow::Result<u8> {
    if args.gazetteer {
        let info = engine::describe_gazetteer(&cli.index, cli.entities.as_deref(), &cli.corpus)?;
        return emit(false, &info, output::render_gazetteer_info);
    }
    let engine = open::one_shot(cli)?;
    if args.candidates {
        return emit(args.json, &engine.candidates(args.page.range(50))?, |c| {
            output::render_candidates(c)
        });
    }
    let usage = engine.entities(args.kind.as_deref(), args.page.range(50))?;
    emit(args.json, &usage, |u| output::render_entities(u))
}

fn show(cli: &Cli, args: &ShowArgs) -> anyhow::Result<u8> {
    let article = open::one_shot(cli)?.show(&args.article_id, args.paragraph, false)?;
    let style = ColorChoice::Auto.style();
    emit(args.json, &article, |a| output::render_article(a, style))
}
