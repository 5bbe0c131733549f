//! Criterion benchmarks of indexing, stage by stage, over real paragraph text: the alias
//! automaton alone (the floor tagging is measured against), normalisation, tagging whole
//! articles, building the documents, and tantivy with and without tagging.
//!
//! The text is the first `SITREP_BENCH_MB` megabytes (default 20) of the articles in
//! `SITREP_BENCH_CORPUS` (a file or folder of articles; default the Reuters-21578 JSONL in
//! `../shared/data`). For the 100 MB of `benches/compare`:
//!
//! ```text
//! SITREP_BENCH_CORPUS=/tmp/sitrep-compare/corpus SITREP_BENCH_MB=100 cargo bench --bench indexing
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sitrep::analysis::{normalize, NormalizedText, ParagraphAnalyser};
use sitrep::corpus::Article;
use sitrep::local::indexer::article_documents;
use sitrep::Gazetteer;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Index, TantivyDocument};

fn corpus_path() -> PathBuf {
    std::env::var_os("SITREP_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/reuters21578/reuters21578.jsonl")
        })
}

/// Whole articles from the corpus, in walk order, until their paragraphs hold `bytes`.
fn load_articles(path: &Path, bytes: usize) -> Vec<Article> {
    let files: Vec<(String, PathBuf)> = if path.is_dir() {
        sitrep::corpus::walk_corpus(path)
            .0
            .into_iter()
            .map(|walked| (walked.file.path, walked.file.absolute))
            .collect()
    } else {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        vec![(name, path.to_path_buf())]
    };
    let mut articles = Vec::new();
    let mut total = 0;
    for (relative, absolute) in files {
        let data = std::fs::read(&absolute)
            .unwrap_or_else(|e| panic!("reading {}: {e}", absolute.display()));
        for article in sitrep::corpus::parse_file(&relative, &data).articles {
            total += article.paragraphs.iter().map(String::len).sum::<usize>();
            articles.push(article);
            if total >= bytes {
                return articles;
            }
        }
    }
    articles
}

fn paragraph_bytes(articles: &[Article]) -> u64 {
    articles
        .iter()
        .flat_map(|a| &a.paragraphs)
        .map(|p| p.len() as u64)
        .sum()
}

fn bench_tagging(c: &mut Criterion) {
    let megabytes: usize = std::env::var("SITREP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let articles = load_articles(&corpus_path(), megabytes << 20);
    let gazetteer = Gazetteer::resolve(None, Path::new("/nonexistent")).unwrap();
    let norms: Vec<Vec<NormalizedText>> = articles
        .iter()
        .map(|a| a.paragraphs.iter().map(|p| normalize(p)).collect())
        .collect();
    let mut group = c.benchmark_group("tagging");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Bytes(paragraph_bytes(&articles)));
    group.bench_function("automaton_scan", |b| {
        b.iter(|| {
            norms
                .iter()
                .flatten()
                .map(|norm| gazetteer.alias_automaton_hits(norm))
                .sum::<usize>()
        })
    });
    group.bench_function("normalize", |b| {
        b.iter(|| {
            articles
                .iter()
                .flat_map(|a| &a.paragraphs)
                .map(|p| normalize(p).text.len())
                .sum::<usize>()
        })
    });
    group.bench_function("tag_articles", |b| {
        b.iter(|| {
            articles
                .iter()
                .zip(&norms)
                .map(|(article, norms)| {
                    let pairs: Vec<(&NormalizedText, &str)> = norms
                        .iter()
                        .zip(article.paragraphs.iter().map(String::as_str))
                        .collect();
                    gazetteer.tag_article(&pairs, None).len()
                })
                .sum::<usize>()
        })
    });
    let fields = sitrep::schema::build_schema().1;
    group.bench_function("article_documents", |b| {
        let mut analyser = ParagraphAnalyser::default();
        b.iter(|| {
            articles
                .iter()
                .map(|a| {
                    article_documents(a, &fields, Some(&gazetteer), None, &mut analyser, &|_| 1)
                        .len()
                })
                .sum::<usize>()
        })
    });
    for (name, tag) in [
        ("tantivy_no_tagging", false),
        ("tantivy_with_tagging", true),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| index_in_ram(&articles, tag.then_some(&gazetteer)))
        });
    }
    group.finish();
}

/// Builds an in-memory index of the articles with sitrep's schema and analysers, on two
/// indexing threads, and commits it.
fn index_in_ram(articles: &[Article], gazetteer: Option<&Gazetteer>) -> u64 {
    let (schema, fields) = sitrep::schema::build_schema();
    let index = Index::create_in_ram(schema);
    sitrep::schema::register_tokenizer(&index);
    let mut writer = index
        .writer_with_options::<TantivyDocument>(
            IndexWriterOptions::builder()
                .num_worker_threads(2)
                .memory_budget_per_thread(128_000_000)
                .build(),
        )
        .unwrap();
    let mut analyser = ParagraphAnalyser::default();
    for article in articles {
        for doc in article_documents(article, &fields, gazetteer, None, &mut analyser, &|_| 1) {
            writer.add_document(doc).unwrap();
        }
    }
    writer.commit().unwrap()
}

criterion_group!(benches, bench_tagging);
criterion_main!(benches);
