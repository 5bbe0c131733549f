//! Following an archive, end to end: batch search over a list of names.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

#[test]
fn batch_rows_equal_the_single_searches_and_a_bad_line_is_named() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    let index = index_path(&dir);
    let list = TempDir::new().unwrap();
    let file = list.path().join("names.csv");
    std::fs::write(
        &file,
        "name,query\n\
         Soleimani,\"\"\"Qassem Soleimani\"\"\"\n\
         Sadr,sadr\n\
         Broken,\"sadr OR\"\n\
         Nobody,zzyzx\n",
    )
    .unwrap();
    let out = sitrep(&corpus, &index)
        .args(["search", "--batch"])
        .arg(&file)
        .args(["--place", "Iraq", "--json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: {}: line 4: query syntax error at column 6: expected a term or phrase after OR\n",
            file.display()
        )
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Soleimani", "Sadr", "Nobody"]);
    for row in &rows[..2] {
        let query = row["query"].as_str().unwrap();
        let single = search_json(&corpus, &dir, &[query, "--place", "Iraq", "-n", "1000"]);
        assert!(single["total_hits"].as_u64().unwrap() > 0, "{query}");
        assert_eq!(row["paragraphs"], single["total_hits"], "{query}");
        assert_eq!(
            row["best_article"], single["hits"][0]["article_id"],
            "{query}"
        );
        let mut dates: Vec<&str> = single["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["date"].as_str())
            .collect();
        dates.sort();
        assert_eq!(row["first_date"], *dates.first().unwrap(), "{query}");
        assert_eq!(row["last_date"], *dates.last().unwrap(), "{query}");
        let articles: std::collections::BTreeSet<&str> = single["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["article_id"].as_str().unwrap())
            .collect();
        assert_eq!(row["articles"], articles.len(), "{query}");
    }
    assert_eq!(rows[2]["paragraphs"], 0);
    assert_eq!(rows[2]["best_article"], Value::Null);
}

#[test]
fn batch_reads_plain_lines_from_stdin_and_writes_csv() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(index_path(&dir))
        .args(["search", "--batch", "-", "--csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"# militias\nbaghouz\n\nzzyzx\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "line,name,query,paragraphs,articles,first_date,last_date,best_article,best_title"
    );
    let baghouz = search_json(&corpus, &dir, &["baghouz", "-n", "1"]);
    assert!(
        lines[1].starts_with(&format!(
            "2,baghouz,baghouz,{},",
            baghouz["total_hits"].as_u64().unwrap()
        )),
        "{csv}"
    );
    assert_eq!(lines[2], "4,zzyzx,zzyzx,0,0,,,,");
    assert_eq!(lines.len(), 3);
}
