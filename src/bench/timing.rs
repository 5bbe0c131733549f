//! Timing a set of bench queries: warm-up, repeated runs in both modes, percentiles.

use std::time::Instant;

use super::{BenchQuery, BenchReport, BenchWork, ClassReport, Latency, CLASSES};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::network::{NetworkOptions, TieSort};

/// Untimed runs of each query before its timed ones.
pub const WARMUP_RUNS: usize = 3;

/// Percentile by nearest rank over sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn latency(mut samples: Vec<f64>) -> Latency {
    samples.sort_by(f64::total_cmp);
    let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
    Latency {
        p50_us: percentile(&samples, 50.0),
        p95_us: percentile(&samples, 95.0),
        p99_us: percentile(&samples, 99.0),
        mean_us: mean,
        qps: if mean > 0.0 { 1e6 / mean } else { 0.0 },
    }
}

/// Runs every query `iterations` times in each mode, after a warm-up, grouped by class in the
/// order of [`CLASSES`] (then any other class, in file order).
pub fn run_bench(
    engine: &Engine,
    queries: &[BenchQuery],
    iterations: usize,
) -> Result<BenchReport> {
    let mut classes: Vec<String> = CLASSES
        .iter()
        .filter(|c| queries.iter().any(|q| q.class == **c))
        .map(|c| c.to_string())
        .collect();
    for q in queries {
        if !classes.contains(&q.class) {
            classes.push(q.class.clone());
        }
    }
    let mut reports = Vec::new();
    for class in classes {
        let members: Vec<&BenchQuery> = queries.iter().filter(|q| q.class == class).collect();
        let mut top10 = Vec::new();
        let mut count_only = Vec::new();
        let mut hits = 0u64;
        for query in &members {
            if query.work != BenchWork::Search {
                for _ in 0..WARMUP_RUNS {
                    run_other(engine, query)?;
                }
                for _ in 0..iterations {
                    let started = Instant::now();
                    hits += run_other(engine, query)?;
                    let elapsed = started.elapsed().as_secs_f64() * 1e6;
                    top10.push(elapsed);
                    count_only.push(elapsed);
                }
                continue;
            }
            let mut counting = query.options.clone();
            counting.count_only = true;
            counting.count_articles = false;
            for _ in 0..WARMUP_RUNS {
                engine.search(&query.options).map_err(|err| match err {
                    Error::QuerySyntax(syntax) => Error::InvalidArgument {
                        what: format!("query '{}'", query.label),
                        message: syntax.to_string(),
                    },
                    other => other,
                })?;
                engine.search(&counting)?;
            }
            for _ in 0..iterations {
                let started = Instant::now();
                let results = engine.search(&query.options)?;
                top10.push(started.elapsed().as_secs_f64() * 1e6);
                hits += results.total_hits + results.duplicates_collapsed;
                let started = Instant::now();
                engine.search(&counting)?;
                count_only.push(started.elapsed().as_secs_f64() * 1e6);
            }
        }
        reports.push(ClassReport {
            class,
            queries: members.iter().map(|q| q.label.clone()).collect(),
            mean_hits: hits as f64 / (members.len() * iterations).max(1) as f64,
            top10: latency(top10),
            count_only: latency(count_only),
        });
    }
    Ok(BenchReport {
        index: engine.location(),
        paragraphs: engine.stats()?.paragraphs,
        iterations,
        classes: reports,
    })
}

/// Runs an `entity_ties` or `network` query; returns the rows or paragraphs it counted.
fn run_other(engine: &Engine, query: &BenchQuery) -> Result<u64> {
    match &query.work {
        BenchWork::Search => Ok(engine.search(&query.options)?.total_hits),
        BenchWork::Ties(name) => {
            let ties = engine.entity_ties(None, name, &query.options, TieSort::Strength, 0..50)?;
            Ok(ties.len() as u64)
        }
        BenchWork::Network(top) => {
            let shape = NetworkOptions {
                top: *top,
                min_together: 1,
                by: None,
            };
            Ok(engine.network(&query.options, &shape)?.paragraphs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), 50.0);
        assert_eq!(percentile(&samples, 95.0), 95.0);
        assert_eq!(percentile(&samples, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
