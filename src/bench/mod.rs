/*!
Query benchmarks: query classes, timing, percentiles.

Default queries come from the index's own term statistics (document-frequency bands), so the
bench runs on any corpus (`sampling`); a `class<TAB>query` file overrides them (`query_file`).
Every search runs in two modes (`timing`): top-10 with snippets (what `sitrep search` does) and
count-only (what tantivy-cli's bench measures), in-process on one opened index, after a
warm-up. Two classes time who appears with whom instead: `entity_ties` (`entities --with`) and
`network` (`network -n N`), in one mode, shown in both columns. `output` renders the report.
*/

use serde::Serialize;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::search::SearchOptions;

mod query_file;
mod sampling;
mod timing;

pub use query_file::parse_query_file;
pub use sampling::default_queries;
pub use timing::{percentile, run_bench, WARMUP_RUNS};

pub const CLASSES: [&str; 13] = [
    "term_rare",
    "term_medium",
    "term_frequent",
    "and2",
    "or2",
    "phrase",
    "phrase_slop",
    "entity_filter",
    "facet_counts",
    "fuzzy",
    "natural",
    "entity_ties",
    "network",
];

const QUERIES_PER_CLASS: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchQuery {
    pub class: String,
    /// As written in the query file (query plus any flags), for reports.
    pub label: String,
    pub options: SearchOptions,
    pub work: BenchWork,
}

/// What a bench query runs, under its query and filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenchWork {
    Search,
    /// The entities named with this one (`entities --with NAME`).
    Ties(String),
    /// The network of this many entities (`network -n N`).
    Network(usize),
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50_us: f64,
    pub p95_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
    pub qps: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    pub class: String,
    pub queries: Vec<String>,
    /// Mean matching paragraphs per query, to judge how heavy the class is (for `entity_ties`,
    /// rows; for `network`, the paragraphs counted).
    pub mean_hits: f64,
    pub top10: Latency,
    pub count_only: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub index: String,
    pub paragraphs: u64,
    pub iterations: usize,
    pub classes: Vec<ClassReport>,
}

/// The queries of a `sitrep bench` run: from a `class<TAB>query` file or drawn from the
/// index, restricted to `classes` when any are given.
pub fn load_queries(
    engine: &Engine,
    file: Option<&std::path::Path>,
    classes: &[String],
) -> Result<Vec<BenchQuery>> {
    let mut queries = match file {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
                path: file.to_path_buf(),
                source,
            })?;
            let kinds = engine.filter_kinds()?;
            parse_query_file(&text, &kinds).map_err(|err| match err {
                Error::InvalidArgument { what, message } => Error::InvalidArgument {
                    what: format!("{} {what}", file.display()),
                    message,
                },
                other => other,
            })?
        }
        None => default_queries(engine)?,
    };
    if !classes.is_empty() {
        queries.retain(|q| classes.contains(&q.class));
    }
    if queries.is_empty() {
        return Err(Error::InvalidArgument {
            what: "bench".into(),
            message: "no queries to run (check the classes asked for and the query file)".into(),
        });
    }
    Ok(queries)
}
