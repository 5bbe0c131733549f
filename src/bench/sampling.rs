//! Default bench queries, drawn from the index itself: terms from document-frequency bands,
//! word runs from paragraphs spread over the index, the most named entity.

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::{BenchQuery, BenchWork, QUERIES_PER_CLASS};
use crate::engine::Engine;
use crate::error::Result;
use crate::local::snapshot::Snapshot;
use crate::search::SearchOptions;

/// Queries for every class, drawn from the index's document-frequency bands.
pub fn default_queries(engine: &Engine) -> Result<Vec<BenchQuery>> {
    let snapshot = engine.snapshot()?;
    let searcher = snapshot.searcher();
    let total = searcher.num_docs().max(1) as f64;
    let mut terms: Vec<(String, u64)> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(snapshot.fields().text)?;
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
    let mut add_work = |class: &str, label: String, options: SearchOptions, work: BenchWork| {
        queries.push(BenchQuery {
            class: class.to_string(),
            label,
            options,
            work,
        })
    };
    let mut add = |class: &str, label: String, options: SearchOptions| {
        add_work(class, label, options, BenchWork::Search)
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
    // Who appears with whom: over the whole index (the heaviest case) and under frequent words.
    let whole = SearchOptions::default();
    if let Some((_, name)) = &top_entity {
        let ties = BenchWork::Ties(name.clone());
        add_work(
            "entity_ties",
            format!("--with {name}"),
            whole.clone(),
            ties.clone(),
        );
        for f in frequent.iter().take(QUERIES_PER_CLASS - 1) {
            let label = format!("{f} --with {name}");
            add_work("entity_ties", label, plain(f.clone()), ties.clone());
        }
    }
    let network = BenchWork::Network(50);
    add_work("network", "--network 50".into(), whole, network.clone());
    for f in frequent.iter().take(QUERIES_PER_CLASS - 1) {
        let label = format!("{f} --network 50");
        add_work("network", label, plain(f.clone()), network.clone());
    }
    Ok(queries)
}

/// Runs of `len` adjacent words (4+ letters each) from paragraphs spread over the index:
/// pairs for phrase queries, longer runs for natural-language ones.
fn sample_word_runs(snapshot: &Snapshot, wanted: usize, len: usize) -> Result<Vec<Vec<String>>> {
    let searcher = snapshot.searcher();
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
                    .get_first(snapshot.fields().stored_text)
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
    crate::local::inspect::entity_usage(snapshot, None)
        .ok()?
        .into_iter()
        .find(|e| e.paragraphs > 0)
        .map(|e| (e.kind, e.name))
}
