//! Helpers for the tests of the cluster store, which run against a real OpenSearch cluster
//! named in SITREP_TEST_CLUSTER (`.ci/run` starts one with `scripts/opensearch-cluster`).

use std::path::Path;

use serde_json::Value;

use super::{hit_ids, json_stdout, sitrep};

/// The cluster the tests run against; a test that needs one fails without it.
pub fn cluster() -> String {
    std::env::var("SITREP_TEST_CLUSTER")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("SITREP_TEST_CLUSTER names no cluster (scripts/opensearch-cluster start)")
}

/// Deletes what an earlier run left under `target` (the index and its companions).
pub fn fresh(target: &str) {
    let _ = ureq::delete(&format!("{target}*")).call();
}

/// `sitrep search QUERY -n 10 --json` on a store (`--index DIR` or `--remote TARGET`): the
/// results, or what the binary said when it failed.
pub fn try_search(store: &[&str], query: &[&str]) -> Result<Value, String> {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(store)
        .arg("-q")
        .arg("search")
        .args(query)
        .args(["-n", "10", "--json"])
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON: {e}"))
}

pub fn search_json(store: &[&str], query: &[&str]) -> Value {
    try_search(store, query).unwrap_or_else(|err| panic!("{query:?}: {err}"))
}

/// Totals, the top-10 paragraphs and the facet table, as a user compares two stores.
pub fn answer(result: &Value) -> (Value, Value, Vec<(String, u64)>, Value) {
    let top = hit_ids(result);
    (
        result["total_hits"].clone(),
        result["duplicates_collapsed"].clone(),
        top,
        result["facets"].clone(),
    )
}

/// Each query answered alike by the embedded index at `index` and the cluster index `target`
/// (and finding something).
pub fn assert_same_answers(index: &Path, target: &str, queries: &[&[&str]]) {
    let local = ["--index", index.to_str().unwrap()];
    let remote = ["--remote", target];
    for query in queries {
        let embedded = search_json(&local, query);
        let clustered = search_json(&remote, query);
        assert!(embedded["total_hits"].as_u64().unwrap() > 0, "{query:?}");
        assert_eq!(answer(&embedded), answer(&clustered), "{query:?}");
    }
}

/// `sitrep index --to TARGET` with `extra` flags; returns what it reported on stderr.
pub fn sync_to(corpus: &Path, target: &str, extra: &[&str]) -> String {
    let out = sitrep(corpus, Path::new("unused-index"))
        .args(["index", "--to", target])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out).unwrap()
}

/// `sitrep --remote TARGET stats --json`.
pub fn remote_stats(target: &str) -> Value {
    json_stdout(
        assert_cmd::Command::cargo_bin("sitrep")
            .unwrap()
            .args(["--remote", target, "stats", "--json"]),
    )
}
