//! Criterion benchmarks: query latency per class and indexing throughput, on a corpus generated
//! from the sample articles in `corpus/` with a fixed seed, so `cargo bench` runs anywhere.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sitrep::{IndexOptions, SearchOptions};

/// Copies of each sample article; ~40 × 37 articles ≈ 7,600 paragraphs.
const COPIES: usize = 40;
const SEED: u64 = 0x0051_72e9;

/// xorshift64*: deterministic, dependency-free, good enough to perturb text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Writes the sample articles `COPIES` times as JSONL, each copy with its own ids and dates and
/// with words dropped and swapped, so copies are near-duplicates rather than identical.
fn generate_corpus(dir: &Path) -> u64 {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (files, _) = sitrep::corpus::walk_corpus(&sample);
    let mut articles = Vec::new();
    for walked in files {
        let file = walked.file;
        let bytes = std::fs::read(&file.absolute).unwrap();
        articles.extend(sitrep::corpus::parse_file(&file.path, &bytes).articles);
    }
    let mut rng = Rng(SEED);
    let mut out = String::new();
    for copy in 0..COPIES {
        for (n, article) in articles.iter().enumerate() {
            let paragraphs: Vec<String> = article
                .paragraphs
                .iter()
                .map(|p| {
                    let mut words: Vec<&str> = p.split(' ').collect();
                    if copy > 0 {
                        words.retain(|_| rng.below(100) >= 3);
                        for i in 1..words.len() {
                            if rng.below(100) < 2 {
                                words.swap(i - 1, i);
                            }
                        }
                    }
                    words.join(" ")
                })
                .collect();
            let record = serde_json::json!({
                "id": format!("gen-{copy}-{n}"),
                "title": article.title,
                "date": format!("20{:02}-{:02}-{:02}", 10 + rng.below(14), 1 + rng.below(12), 1 + rng.below(28)),
                "source": "generated",
                "paragraphs": paragraphs,
            });
            out.push_str(&record.to_string());
            out.push('\n');
        }
    }
    std::fs::write(dir.join("generated.jsonl"), &out).unwrap();
    out.len() as u64
}

/// (class, query, entity filters as (kind, name), facet counts on).
type BenchClass = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    bool,
);

fn bench_queries(c: &mut Criterion) {
    let work = tempfile::TempDir::new().unwrap();
    let corpus = work.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    generate_corpus(&corpus);
    let index_dir = work.path().join("index");
    sitrep::sync_index(&IndexOptions::new(&corpus, &index_dir), &|_| {}).unwrap();
    let engine = sitrep::Engine::open(&index_dir).unwrap();

    let classes: [BenchClass; 10] = [
        ("term_rare", "baghouz", &[], false),
        ("term_medium", "hezbollah", &[], false),
        ("term_frequent", "iraq", &[], false),
        ("and2", "militia baghdad", &[], false),
        ("or2", "isis OR isil", &[], false),
        ("phrase", "\"Popular Mobilization Forces\"", &[], false),
        ("phrase_slop", "\"sadr army\"~3", &[], false),
        ("entity_filter", "strike", &[("place", "Iraq")], false),
        ("facet_counts", "iraq", &[], true),
        ("fuzzy", "baghdadx", &[], false),
    ];
    let mut group = c.benchmark_group("query");
    group
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    for (class, query, filters, facets) in classes {
        for count_only in [false, true] {
            let options = SearchOptions {
                query: query.to_string(),
                limit: 10,
                entity_filters: filters
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                facets,
                count_only,
                ..SearchOptions::default()
            };
            let mode = if count_only { "count" } else { "top10" };
            group.bench_with_input(BenchmarkId::new(class, mode), &options, |b, options| {
                b.iter(|| engine.search(options).unwrap())
            });
        }
    }
    group.finish();
}

fn bench_indexing(c: &mut Criterion) {
    let work = tempfile::TempDir::new().unwrap();
    let corpus = work.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let bytes = generate_corpus(&corpus);
    let mut group = c.benchmark_group("index");
    group
        .throughput(Throughput::Bytes(bytes))
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for tag_entities in [true, false] {
        let name = if tag_entities {
            "with_entities"
        } else {
            "without_entities"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let index = tempfile::TempDir::new().unwrap();
                let mut options = IndexOptions::new(&corpus, index.path());
                options.tag_entities = tag_entities;
                sitrep::sync_index(&options, &|_| {}).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_queries, bench_indexing);
criterion_main!(benches);
