//! Shared helpers for the end-to-end tests: run the real binary on temp indexes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The repository's sample corpus.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Real third-party data, read in place (never copied into the repository).
pub fn shared_data() -> PathBuf {
    std::env::var_os("SITREP_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

pub fn sitrep(corpus: &Path, index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("sitrep").expect("binary built");
    cmd.arg("--corpus").arg(corpus).arg("--index").arg(index);
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Builds an index of `corpus` in a new temp dir.
pub fn build_index(corpus: &Path) -> TempDir {
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(corpus, &index).arg("index").assert().success();
    dir
}

pub fn index_path(dir: &TempDir) -> PathBuf {
    dir.path().join("index")
}

/// Runs a command that must succeed and print one JSON value.
pub fn json_stdout(cmd: &mut Command) -> Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("stdout is one JSON value")
}

pub fn search_json(corpus: &Path, dir: &TempDir, args: &[&str]) -> Value {
    json_stdout(
        sitrep(corpus, &index_path(dir))
            .arg("search")
            .args(args)
            .arg("--json"),
    )
}

/// (article_id, paragraph) of each hit, in rank order.
pub fn hit_ids(results: &Value) -> Vec<(String, u64)> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["article_id"].as_str().unwrap().to_string(),
                h["paragraph"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn texts(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap().to_string())
        .collect()
}
