/*!
Query benchmarks (DESIGN §8): query classes, timing, percentiles.

Default queries come from the index's own term statistics (document-frequency bands), so the
bench runs on any corpus; a `class<TAB>query` file overrides them. Every query runs in two
modes: top-10 with snippets (what `sitrep search` does) and count-only (what tantivy-cli's
bench measures). Timing happens in-process on one opened index, after a warm-up.
*/

use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::engine::{Engine, Snapshot};
use crate::search::SearchOptions;

pub const CLASSES: [&str; 11] = [
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
];

const QUERIES_PER_CLASS: usize = 5;
const WARMUP_RUNS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchQuery {
    pub class: String,
    /// As written in the query file (query plus any flags), for reports.
    pub label: String,
    pub options: SearchOptions,
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
    /// Mean matching paragraphs per query, to judge how heavy the class is.
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

/// Parses `class<TAB>query [--person N] [--org N] [--place N] [--facets]` lines; `#` starts a
/// comment.
pub fn parse_query_file(text: &str) -> anyhow::Result<Vec<BenchQuery>> {
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((class, rest)) = line.split_once('\t') else {
            bail!("line {}: expected 'class<TAB>query', found '{line}'", n + 1);
        };
        let options = parse_flags(rest).with_context(|| format!("line {}", n + 1))?;
        queries.push(BenchQuery {
            class: class.trim().to_string(),
            label: rest.trim().to_string(),
            options,
        });
    }
    Ok(queries)
}

fn parse_flags(text: &str) -> anyhow::Result<SearchOptions> {
    let mut options = SearchOptions {
        limit: 10,
        count_articles: true,
        ..SearchOptions::default()
    };
    let mut rest = text.trim();
    let mut query_end = rest.len();
    // Flags follow the query; find the first " --" that starts one.
    for flag in [" --person ", " --org ", " --place ", " --facets"] {
        if let Some(at) = rest.find(flag) {
            query_end = query_end.min(at);
        }
    }
    options.query = rest[..query_end].trim().to_string();
    rest = &rest[query_end..];
    let mut words = rest.split(" --").filter(|w| !w.trim().is_empty());
    for flag in words.by_ref() {
        let flag = flag.trim().trim_start_matches("--");
        let (name, value) = flag.split_once(' ').unwrap_or((flag, ""));
        match name {
            "person" | "org" | "place" => options
                .entity_filters
                .push((name.to_string(), value.trim().to_string())),
            "facets" => options.facets = true,
            other => bail!("unknown flag --{other}"),
        }
    }
    if options.query.is_empty() {
        bail!("empty query");
    }
    Ok(options)
}

/// The queries of a `sitrep bench` run: from a `class<TAB>query` file or drawn from the
/// index, restricted to `classes` when any are given.
pub fn load_queries(
    engine: &Engine,
    file: Option<&std::path::Path>,
    classes: &[String],
) -> crate::Result<Vec<BenchQuery>> {
    let mut queries = match file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            parse_query_file(&text).with_context(|| format!("in {}", file.display()))?
        }
        None => default_queries(engine)?,
    };
    if !classes.is_empty() {
        queries.retain(|q| classes.contains(&q.class));
    }
    if queries.is_empty() {
        return Err(crate::Error::InvalidArgument {
            what: "--classes".into(),
            message: "no queries to run (check --classes and --queries)".into(),
        });
    }
    Ok(queries)
}

/// Queries for every class, drawn from the index's document-frequency bands.
pub fn default_queries(engine: &Engine) -> anyhow::Result<Vec<BenchQuery>> {
    let snapshot = engine.snapshot()?;
    let searcher = &snapshot.searcher;
    let total = searcher.num_docs().max(1) as f64;
    let mut terms: Vec<(String, u64)> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(snapshot.fields.text)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if term.len() >= 4 && term.chars().all(|c| c.is_ascii_lowercase()) {
                terms.push((term.to_string(), stream.value().doc_freq as u64));
            }
        }
    }
    terms.sort();
    terms.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    let band = |low: f64, high: f64| -> Vec<String> {
        let mut picked: Vec<&(String, u64)> = terms
            .iter()
            .filter(|(_, df)| {
                let share = *df as f64 / total;
                share >= low && share < high && *df >= 2
            })
            .collect();
        // Spread the picks over the band deterministically rather than taking the first
        // alphabetically.
        picked.sort_by_key(|(t, _)| crate::corpus::hash_bytes(t.as_bytes()));
        picked
            .into_iter()
            .take(QUERIES_PER_CLASS)
            .map(|(t, _)| t.clone())
            .collect()
    };
    let rare = band(0.0, 0.0005);
    let medium = band(0.002, 0.01);
    let frequent = band(0.03, 0.5);
    let bigrams = sample_word_runs(&snapshot, QUERIES_PER_CLASS, 2)?;
    let sentences = sample_word_runs(&snapshot, QUERIES_PER_CLASS, 8)?;
    let top_entity = most_named(&snapshot);
    let mut queries = Vec::new();
    let mut add = |class: &str, label: String, options: SearchOptions| {
        queries.push(BenchQuery {
            class: class.to_string(),
            label,
            options,
        })
    };
    let plain = |q: String| SearchOptions {
        query: q,
        limit: 10,
        count_articles: true,
        ..SearchOptions::default()
    };
    for t in &rare {
        add("term_rare", t.clone(), plain(t.clone()));
    }
    for t in &medium {
        add("term_medium", t.clone(), plain(t.clone()));
    }
    for t in &frequent {
        add("term_frequent", t.clone(), plain(t.clone()));
    }
    for (m, f) in medium.iter().zip(frequent.iter().cycle()) {
        add("and2", format!("{m} {f}"), plain(format!("{m} {f}")));
    }
    for pair in medium.windows(2) {
        let q = format!("{} OR {}", pair[0], pair[1]);
        add("or2", q.clone(), plain(q));
    }
    for pair in &bigrams {
        let (a, b) = (&pair[0], &pair[1]);
        let q = format!("\"{a} {b}\"");
        add("phrase", q.clone(), plain(q));
        let q = format!("\"{a} {b}\"~2");
        add("phrase_slop", q.clone(), plain(q));
    }
    for f in &frequent {
        if let Some((kind, name)) = &top_entity {
            let mut options = plain(f.clone());
            options.entity_filters.push((kind.clone(), name.clone()));
            add("entity_filter", format!("{f} --{kind} {name}"), options);
        }
        let mut options = plain(f.clone());
        options.facets = true;
        add("facet_counts", format!("{f} --facets"), options);
    }
    for t in medium.iter().filter(|t| t.len() >= 5) {
        // One letter changed: zero exact hits, so search retries within one edit.
        let mut typo: Vec<char> = t.chars().collect();
        let at = typo.len() / 2;
        typo[at] = if typo[at] == 'x' { 'z' } else { 'x' };
        let typo: String = typo.into_iter().collect();
        add("fuzzy", typo.clone(), plain(typo));
    }
    for words in &sentences {
        // A half-remembered sentence asked as a question: 10 words, two of them stop words,
        // so it is relaxed when no paragraph has all of them.
        let q = format!("what about {}", words.join(" "));
        add("natural", q.clone(), plain(q));
    }
    Ok(queries)
}

/// Runs of `len` adjacent words (4+ letters each) from paragraphs spread over the index:
/// pairs for phrase queries, longer runs for natural-language ones.
fn sample_word_runs(
    snapshot: &Snapshot,
    wanted: usize,
    len: usize,
) -> anyhow::Result<Vec<Vec<String>>> {
    let searcher = &snapshot.searcher;
    let mut runs = Vec::new();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(16)?;
        let max = segment.max_doc().max(1);
        let step = (max / (wanted as u32 * 4)).max(1);
        let mut doc = step / 2;
        while doc < max && runs.len() < wanted {
            if segment.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                let stored: TantivyDocument = store.get(doc)?;
                if let Some(text) = stored
                    .get_first(snapshot.fields.text)
                    .and_then(|v| v.as_str())
                {
                    let words: Vec<String> = crate::analysis::words(text)
                        .into_iter()
                        .map(|(w, _)| w)
                        .collect();
                    if let Some(run) = words.windows(len).find(|w| {
                        w.iter()
                            .all(|x| x.len() >= 4 && x.chars().all(|c| c.is_ascii_lowercase()))
                    }) {
                        runs.push(run.to_vec());
                    }
                }
            }
            doc += step;
        }
        if runs.len() >= wanted {
            break;
        }
    }
    Ok(runs)
}

/// The entity named in most paragraphs, of any kind, as (kind, name).
fn most_named(snapshot: &Snapshot) -> Option<(String, String)> {
    crate::inspect::entity_usage(snapshot, None)
        .ok()?
        .into_iter()
        .find(|e| e.paragraphs > 0)
        .map(|e| (e.kind, e.name))
}

/// Runs every query `iterations` times in each mode, after a warm-up, grouped by class in the
/// order of [`CLASSES`] (then any other class, in file order).
pub fn run_bench(
    engine: &Engine,
    queries: &[BenchQuery],
    iterations: usize,
) -> anyhow::Result<BenchReport> {
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
            let mut counting = query.options.clone();
            counting.count_only = true;
            counting.count_articles = false;
            for _ in 0..WARMUP_RUNS {
                engine
                    .search(&query.options)
                    .with_context(|| format!("query '{}'", query.label))?;
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
        index: engine.path().display().to_string(),
        paragraphs: engine.snapshot()?.searcher.num_docs(),
        iterations,
        classes: reports,
    })
}

pub fn render_report(report: &BenchReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} paragraphs in {}; {} timed runs per query after {WARMUP_RUNS} warm-up runs; times in µs",
        report.paragraphs, report.index, report.iterations
    );
    let _ = writeln!(
        out,
        "{:<14} {:>3} {:>9} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>8} {:>8} {:>8}",
        "class",
        "n",
        "hits",
        "top10 p50",
        "p95",
        "p99",
        "mean",
        "QPS",
        "count p50",
        "p95",
        "p99",
        "QPS"
    );
    for c in &report.classes {
        let _ = writeln!(
            out,
            "{:<14} {:>3} {:>9.0} | {:>9.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} | {:>9.0} {:>8.0} {:>8.0} {:>8.0}",
            c.class,
            c.queries.len(),
            c.mean_hits,
            c.top10.p50_us,
            c.top10.p95_us,
            c.top10.p99_us,
            c.top10.mean_us,
            c.top10.qps,
            c.count_only.p50_us,
            c.count_only.p95_us,
            c.count_only.p99_us,
            c.count_only.qps
        );
    }
    out
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

    #[test]
    fn query_file_lines_with_flags() {
        let queries = parse_query_file(
            "# comment\nterm_rare\tkhomeini\nentity_filter\toil --place Iran --org OPEC\nfacet_counts\t\"persian gulf\" --facets\n",
        )
        .unwrap();
        assert_eq!(queries.len(), 3);
        assert_eq!(queries[0].options.query, "khomeini");
        assert_eq!(queries[1].options.query, "oil");
        assert_eq!(
            queries[1].options.entity_filters,
            [
                ("place".to_string(), "Iran".to_string()),
                ("org".to_string(), "OPEC".to_string())
            ]
        );
        assert_eq!(queries[2].options.query, "\"persian gulf\"");
        assert!(queries[2].options.facets);
        assert!(parse_query_file("no tab here")
            .unwrap_err()
            .to_string()
            .contains("line 1"));
    }
}
