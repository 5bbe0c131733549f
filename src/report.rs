//! How the binary reports a failure: the library's message, the advice that names this
//! binary's commands and flags (the library cannot know them), and the exit code.

use sitrep::Error;

use crate::cli::{Cli, Command};

/// Exit codes: 1 for an error (for `index`, also "some articles were skipped"), 2 for a usage
/// error (a bad flag, query syntax, an unknown entity).
pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Prints `error: …` with its advice and causes on stderr; returns the exit code.
pub fn report_error(cli: &Cli, err: &anyhow::Error) -> u8 {
    let error = err.downcast_ref::<Error>();
    match error.and_then(advice) {
        Some(advice) => eprintln!("error: {err}; {advice}"),
        None => eprintln!("error: {err}"),
    }
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    let query = match &cli.command {
        Command::Search(args) => args.query.as_deref(),
        _ => None,
    };
    if let (Some(Error::QuerySyntax(syntax)), Some(query)) = (error, query) {
        eprintln!("  {query}");
        eprintln!("  {}^", " ".repeat(syntax.column.saturating_sub(1)));
    }
    if error.is_some_and(Error::is_usage) {
        EXIT_USAGE
    } else {
        EXIT_ERROR
    }
}

/// What to do about an error, in terms of this binary's commands and flags.
fn advice(err: &Error) -> Option<String> {
    Some(match err {
        Error::IndexMissing(_) => "run `sitrep index` to build it from the corpus".into(),
        Error::NoIndexNoCorpus { .. } => "run `sitrep index` with --corpus DIR".into(),
        Error::NotAFolder(_) => "pass --index with a folder".into(),
        Error::CorpusMissing(_) => "create it or pass --corpus DIR".into(),
        Error::Incompatible { .. } => "run `sitrep index --rebuild`".into(),
        Error::Corrupt { .. } => {
            "run `sitrep index --rebuild` to rebuild it from the corpus".into()
        }
        Error::UnknownEntity {
            listed_as: Some((kind, canonical)),
            ..
        } => format!("use --{kind} '{canonical}'"),
        _ => return None,
    })
}

/// `sitrep search … | head` closing the pipe early is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
