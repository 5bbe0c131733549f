//! The binary's side of following an archive: batch search over a list of names.

use std::io::Read;

use anyhow::Context;
use sitrep::search::{parse_batch, BatchRow};
use sitrep::{output, Engine, SearchOptions};

use crate::cli::SearchArgs;
use crate::report::EXIT_ERROR;

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
    crate::print(&text)?;
    Ok(if failed > 0 { EXIT_ERROR } else { 0 })
}
