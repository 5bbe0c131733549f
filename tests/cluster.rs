//! The cluster store against a real OpenSearch cluster: `.ci/run` starts one with
//! `scripts/opensearch-cluster start` and names it in SITREP_TEST_CLUSTER. Without it (no Java
//! or Maven) these tests say why on one line and pass, as the browser tests do.

mod common;

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use common::{hit_ids, sample_corpus, sitrep};

fn cluster() -> Option<String> {
    match std::env::var("SITREP_TEST_CLUSTER") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: SITREP_TEST_CLUSTER names no cluster (scripts/opensearch-cluster start)"
            );
            None
        }
    }
}

/// Deletes what an earlier run left under `target` (the index and its companions).
fn fresh(target: &str) {
    let _ = ureq::delete(&format!("{target}*")).call();
}

fn search_json(store: &[&str], query: &[&str]) -> Value {
    let mut cmd = assert_cmd::Command::cargo_bin("sitrep").unwrap();
    cmd.args(store).arg("-q").arg("search").args(query);
    cmd.args(["-n", "10", "--json"]);
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

/// Totals, the top-10 paragraphs and the facet table, as a user compares two stores.
fn answer(result: &Value) -> (Value, Value, Vec<(String, u64)>, Value) {
    let top = hit_ids(result);
    (
        result["total_hits"].clone(),
        result["duplicates_collapsed"].clone(),
        top,
        result["facets"].clone(),
    )
}

fn sync_to(corpus: &Path, target: &str) -> String {
    let out = sitrep(corpus, Path::new("unused-index"))
        .args(["index", "--to", target])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_cluster_answers_the_seed_corpus_as_the_embedded_index_does() {
    let Some(url) = cluster() else { return };
    let target = format!("{url}/parity-seed");
    fresh(&target);
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(&sample_corpus(), &index)
        .arg("index")
        .assert()
        .success();
    sync_to(&sample_corpus(), &target);
    let queries: &[&[&str]] = &[
        &["soleimani"],
        &["\"Kata\u{2019}ib Hezbollah\""],
        &["Hezbollah Brigades"],
        &["militias"],
        &["sadr mahdi army"],
        &["isis OR isil"],
        &["hezbollah -lebanon"],
        &["militia*"],
        &["title:baghdad"],
        &["soliemani"],
        &["drone", "--facets"],
        &["strike", "--place", "Iraq"],
        &["what did the militias say after the drone strike at baghdad airport"],
    ];
    let local = ["--index", index.to_str().unwrap()];
    let remote = ["--remote", target.as_str()];
    for query in queries {
        let embedded = search_json(&local, query);
        let clustered = search_json(&remote, query);
        assert!(embedded["total_hits"].as_u64().unwrap() > 0, "{query:?}");
        assert_eq!(answer(&embedded), answer(&clustered), "{query:?}");
    }
    let stats: Value = serde_json::from_slice(
        &assert_cmd::Command::cargo_bin("sitrep")
            .unwrap()
            .args(["--remote", &target, "stats", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(stats["articles"], 37);
    assert_eq!(stats["paragraphs"], 190);
}

#[test]
fn a_second_sync_sends_nothing_and_changes_travel_one_article_at_a_time() {
    let Some(url) = cluster() else { return };
    let target = format!("{url}/sync-steps");
    fresh(&target);
    let corpus = TempDir::new().unwrap();
    let write = |name: &str, text: &str| std::fs::write(corpus.path().join(name), text).unwrap();
    write(
        "a.txt",
        "Strike near Baghdad\n\nKataib Hezbollah said the drone strike killed two.\n",
    );
    write(
        "b.txt",
        "Talks in Doha\n\nOfficials met in Doha.\n\nNo deal was reached.\n",
    );
    write("c.txt", "Gone soon\n\nThis article will be deleted.\n");
    let first = sync_to(corpus.path(), &target);
    assert!(first.contains("+3 added, 0 updated, 0 removed"), "{first}");
    let second = sync_to(corpus.path(), &target);
    assert!(
        second.contains("+0 added, 0 updated, 0 removed, 3 unchanged; 0 paragraphs"),
        "{second}"
    );

    write("b.txt", "Talks in Doha\n\nOfficials met in Doha again.\n");
    write(
        "d.txt",
        "New article\n\nA drone was shot down over Erbil.\n",
    );
    std::fs::remove_file(corpus.path().join("c.txt")).unwrap();
    let third = sync_to(corpus.path(), &target);
    assert!(third.contains("+1 added, 1 updated, 1 removed"), "{third}");

    let remote = ["--remote", target.as_str()];
    assert_eq!(search_json(&remote, &["deleted"])["total_hits"], 0);
    assert_eq!(search_json(&remote, &["reached"])["total_hits"], 0);
    assert_eq!(
        search_json(&remote, &["erbil"])["hits"][0]["article_id"],
        "d.txt"
    );
    let doha = search_json(&remote, &["officials"]);
    assert_eq!(doha["total_hits"], 1);
    assert_eq!(doha["hits"][0]["text"], "Officials met in Doha again.");
    let kh = search_json(&remote, &["drone", "--org", "Kata'ib Hezbollah"]);
    assert_eq!(kh["total_hits"], 1);
    assert_eq!(kh["hits"][0]["article_id"], "a.txt");
}
