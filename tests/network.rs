//! Who appears with whom: `entities --with` and `network` checked against a brute-force count
//! over `sitrep search --json` (copies counted once, as search counts them), on the sample
//! corpus and on a slice of real reporting; filters-only search; the formats Gephi and
//! networkx read.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use common::{
    build_index, index_path, json_stdout, sample_corpus, shared_data, sitrep, text_stdout,
};

/// The paragraphs search finds for `args`, every one of them.
fn all_hits(corpus: &Path, dir: &TempDir, args: &[&str]) -> Vec<Value> {
    let results = json_stdout(
        sitrep(corpus, &index_path(dir))
            .arg("search")
            .args(args)
            .args(["-n", "100000", "--json"]),
    );
    let hits = results["hits"].as_array().unwrap().clone();
    assert_eq!(hits.len() as u64, results["total_hits"].as_u64().unwrap());
    hits
}

fn entity_paths(hit: &Value) -> BTreeSet<String> {
    hit["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

/// The articles a hit stands for: its own and those of its copies.
fn articles(hit: &Value) -> BTreeSet<String> {
    let mut articles: BTreeSet<String> = hit["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["article_id"].as_str().unwrap().to_string())
        .collect();
    articles.insert(hit["article_id"].as_str().unwrap().to_string());
    articles
}

/// (together, articles together, own paragraphs) per entity named with `center`.
type Counts = BTreeMap<String, (u64, u64, u64)>;

fn brute_force_ties(hits: &[Value], center: &str) -> Counts {
    let mut own: BTreeMap<String, u64> = BTreeMap::new();
    let mut together: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    for hit in hits {
        let paths = entity_paths(hit);
        for path in &paths {
            *own.entry(path.clone()).or_default() += 1;
        }
        if paths.contains(center) {
            for path in paths.iter().filter(|p| *p != center) {
                let entry = together.entry(path.clone()).or_default();
                entry.0 += 1;
                entry.1.extend(articles(hit));
            }
        }
    }
    together
        .into_iter()
        .map(|(path, (count, articles))| (path.clone(), (count, articles.len() as u64, own[&path])))
        .collect()
}

fn ties(corpus: &Path, dir: &TempDir, args: &[&str]) -> Vec<Value> {
    json_stdout(
        sitrep(corpus, &index_path(dir))
            .arg("entities")
            .args(args)
            .args(["-n", "100000", "--json"]),
    )
    .as_array()
    .unwrap()
    .clone()
}

fn tie_counts(rows: &[Value]) -> Counts {
    rows.iter()
        .map(|row| {
            let kind = row["kind"].as_str().unwrap();
            let name = row["name"].as_str().unwrap();
            let path = row["path"].as_str().unwrap().to_string();
            assert!(
                path.starts_with(&format!("/{kind}/")) && path.ends_with(name),
                "{row}"
            );
            (
                path,
                (
                    row["together"].as_u64().unwrap(),
                    row["articles_together"].as_u64().unwrap(),
                    row["paragraphs"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// `entities --with` equals the brute-force count over the same search, and is sorted by
/// strength.
fn assert_ties_match_search(corpus: &Path, dir: &TempDir, center: (&str, &str), search: &[&str]) {
    let (name, path) = center;
    let rows = ties(corpus, dir, &[&["--with", name][..], search].concat());
    let expected = brute_force_ties(&all_hits(corpus, dir, search), path);
    assert!(!expected.is_empty(), "{name} under {search:?} has ties");
    assert_eq!(tie_counts(&rows), expected, "{name} under {search:?}");
    let strengths: Vec<f64> = rows
        .iter()
        .map(|r| r["strength"].as_f64().unwrap())
        .collect();
    assert!(strengths.windows(2).all(|w| w[0] >= w[1]), "{strengths:?}");
}

/// Entities (facet path, paragraphs) and ties ((path, path) → paragraphs together).
type Graph = (Vec<(String, u64)>, BTreeMap<(String, String), u64>);

/// The top `n` entities of the hits (by paragraphs, then kind and name) and the paragraphs
/// naming each pair of them.
fn brute_force_network(hits: &[Value], n: usize) -> Graph {
    let mut own: BTreeMap<String, u64> = BTreeMap::new();
    for hit in hits {
        for path in entity_paths(hit) {
            *own.entry(path).or_default() += 1;
        }
    }
    let mut nodes: Vec<(String, u64)> = own.into_iter().collect();
    // Paths start with the kind, so path order is kind-then-name order for equal counts
    // (names within a kind compare as the paths' last steps do here).
    nodes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    nodes.truncate(n);
    let kept: BTreeSet<&String> = nodes.iter().map(|(p, _)| p).collect();
    let mut edges: BTreeMap<(String, String), u64> = BTreeMap::new();
    for hit in hits {
        let paths: Vec<String> = entity_paths(hit)
            .into_iter()
            .filter(|p| kept.contains(p))
            .collect();
        for (i, a) in paths.iter().enumerate() {
            for b in &paths[i + 1..] {
                *edges.entry((a.clone(), b.clone())).or_default() += 1;
            }
        }
    }
    (nodes, edges)
}

fn assert_network_matches_search(corpus: &Path, dir: &TempDir, n: usize, search: &[&str]) {
    let network = json_stdout(
        sitrep(corpus, &index_path(dir))
            .arg("network")
            .args(search)
            .args(["-n", &n.to_string(), "--json"]),
    );
    let hits = all_hits(corpus, dir, search);
    let (nodes, edges) = brute_force_network(&hits, n);
    let got_nodes: Vec<(String, u64)> = network["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            (
                node["id"].as_str().unwrap().to_string(),
                node["paragraphs"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got_nodes, nodes, "nodes under {search:?}");
    let got_edges: BTreeMap<(String, String), u64> = network["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let (a, b) = (
                edge["source"].as_str().unwrap(),
                edge["target"].as_str().unwrap(),
            );
            let pair = if a < b { (a, b) } else { (b, a) };
            (
                (pair.0.to_string(), pair.1.to_string()),
                edge["together"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got_edges, edges, "edges under {search:?}");
    assert_eq!(network["paragraphs"].as_u64().unwrap(), hits.len() as u64);
}

#[test]
fn ties_and_networks_count_what_search_finds_on_the_sample_corpus() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    // Kata'ib Hezbollah is filed under the PMF: its facet path says so.
    let kh = (
        "Kataib Hezbollah",
        "/org/Popular Mobilization Forces/Kata'ib Hezbollah",
    );
    assert_ties_match_search(&corpus, &dir, kh, &["strike OR drone OR militia OR attack"]);
    // Filters alone: every paragraph dated since 2019.
    assert_ties_match_search(
        &corpus,
        &dir,
        ("Iran", "/place/Iran"),
        &["--since", "2019-01-01"],
    );
    assert_ties_match_search(
        &corpus,
        &dir,
        ("Qasem Suleimani", "/person/Qassem Soleimani"),
        &["--since", "2015-01-01"],
    );
    assert_network_matches_search(&corpus, &dir, 8, &["--since", "2015-01-01"]);
    assert_network_matches_search(&corpus, &dir, 6, &["militias OR militia"]);

    // A lone --person names whom to ask about; the query and date still filter.
    let by_kind = ties(
        &corpus,
        &dir,
        &["--person", "Qassem Soleimani", "--since", "2015-01-01"],
    );
    let by_name = ties(
        &corpus,
        &dir,
        &["--with", "Qassem Soleimani", "--since", "2015-01-01"],
    );
    assert_eq!(by_kind, by_name);
    // Sorted by paragraphs together on request.
    let together = ties(&corpus, &dir, &["--with", "Iran", "--sort", "together"]);
    let counts: Vec<u64> = together
        .iter()
        .map(|r| r["together"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    // Paged as the other lists are.
    let page = ties(
        &corpus,
        &dir,
        &["--with", "Iran", "--sort", "together", "--offset", "2"],
    );
    assert_eq!(page[..], together[2..]);
}

#[test]
fn ties_and_networks_count_what_search_finds_on_real_reporting() {
    let source = shared_data().join("aljazeera_gaza/aljazeera_gaza.jsonl");
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    // A slice: 400 articles of the Gaza war's reporting.
    let lines: Vec<String> = std::io::BufReader::new(std::fs::File::open(&source).unwrap())
        .lines()
        .skip(2_000)
        .take(400)
        .map(Result::unwrap)
        .collect();
    std::fs::write(corpus.join("aljazeera.jsonl"), lines.join("\n") + "\n").unwrap();
    sitrep(&corpus, &index_path(&dir))
        .arg("index")
        .assert()
        .success();
    assert_ties_match_search(
        &corpus,
        &dir,
        ("Hamas", "/org/Hamas"),
        &["ceasefire OR hostages"],
    );
    assert_ties_match_search(
        &corpus,
        &dir,
        ("Benjamin Netanyahu", "/person/Benjamin Netanyahu"),
        &["--since", "2023-10-07"],
    );
    assert_network_matches_search(&corpus, &dir, 12, &["ceasefire"]);
}

#[test]
fn unknown_names_are_errors_with_suggestions_and_lonely_ones_have_no_ties() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    let index = index_path(&dir);
    let out = sitrep(&corpus, &index)
        .args(["entities", "--with", "Soliemani"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains("unknown entity 'Soliemani'; did you mean 'Qassem Soleimani'"),
        "{stderr}"
    );
    // Known, but no paragraph the query matches names it: no rows.
    let none = ties(&corpus, &dir, &["--with", "Qassem Soleimani", "zzyzx"]);
    assert!(none.is_empty());
    for bad in [
        &["network", "--format", "dot"][..],
        &["network", "--by", "week"],
        &["entities", "--since", "2020-01-01"],
        &["search"],
    ] {
        sitrep(&corpus, &index).args(bad).assert().code(2);
    }
}

#[test]
fn a_search_of_filters_alone_lists_every_paragraph_newest_first() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    let hits = all_hits(&corpus, &dir, &["--org", "Kataib Hezbollah"]);
    let dates: Vec<&str> = hits
        .iter()
        .map(|h| h["date"].as_str().unwrap_or(""))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert!(hits.iter().all(|h| h["score"] == 0.0));
    // As many as the whole archive's network counts for the organisation.
    let network =
        json_stdout(sitrep(&corpus, &index_path(&dir)).args(["network", "-n", "1000", "--json"]));
    let kh = network["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "/org/Popular Mobilization Forces/Kata'ib Hezbollah")
        .unwrap()
        .clone();
    assert_eq!(kh["paragraphs"].as_u64().unwrap(), hits.len() as u64);
    assert!(hits.len() > 10);
}

#[test]
fn gexf_and_graphml_are_xml_with_the_networks_nodes_and_weighted_edges() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    let output = |format: &str| {
        text_stdout(
            sitrep(&corpus, &index_path(&dir))
                .args(["network", "-n", "6", "--by", "year", "--format", format]),
        )
    };
    let json = json_stdout(
        sitrep(&corpus, &index_path(&dir)).args(["network", "-n", "6", "--by", "year", "--json"]),
    );
    let edges = json["edges"].as_array().unwrap();
    for (format, node_tag, edge_tag) in [("gexf", "node", "edge"), ("graphml", "node", "edge")] {
        let text = output(format);
        let xml = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{format}: {e}"));
        let count = |tag: &str| {
            xml.descendants()
                .filter(|n| {
                    n.has_tag_name(tag)
                        && n.parent().is_some_and(|p| {
                            p.has_tag_name(format!("{tag}s").as_str()) || format == "graphml"
                        })
                })
                .count()
        };
        assert_eq!(count(node_tag), 6, "{format}");
        assert_eq!(count(edge_tag), edges.len(), "{format}");
    }
    let gexf = output("gexf");
    let first = &edges[0];
    let periods = first["periods"].as_object().unwrap();
    let (year, count) = periods.iter().next().unwrap();
    assert!(gexf.contains(&format!(
        "<attvalue for=\"together_in_period\" value=\"{count}\" start=\"{year}-01-01\" end=\"{year}-12-31\"/>"
    )));
    assert!(gexf.contains(&format!("weight=\"{}\"", first["together"])));
}
