//! What a user sees of a hit: highlight marks (one per name, never nested), which words of a
//! relaxed question are marked, and paging of the lists `entities` prints.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// A corpus of one article written for these tests, indexed with the built-in gazetteer.
fn indexed(text: &str) -> (TempDir, TempDir) {
    let corpus = TempDir::new().unwrap();
    std::fs::write(corpus.path().join("article.txt"), text).unwrap();
    let dir = build_index(corpus.path());
    (corpus, dir)
}

/// The marked substrings of each hit's text, in rank order.
fn marked(results: &Value) -> Vec<Vec<String>> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let text = hit["text"].as_str().unwrap();
            hit["highlights"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let [start, end] = [0, 1].map(|i| r[i].as_u64().unwrap() as usize);
                    text[start..end].to_string()
                })
                .collect()
        })
        .collect()
}

fn search_text(corpus: &Path, dir: &TempDir, args: &[&str]) -> String {
    text_stdout(sitrep(corpus, &index_path(dir)).arg("search").args(args))
}

#[test]
fn a_name_is_one_mark_and_the_texts_own_brackets_are_escaped() {
    let (corpus, dir) = indexed(
        "Gaza talks\n\n\
         Yahya Sinwar said on Monday that the talks had failed.\n\n\
         \u{201c}The responsibility lies with [Hamas leader Yahya] Sinwar,\u{201d} he said.\n",
    );
    let results = search_json(corpus.path(), &dir, &["Yahya Sinwar"]);
    let mut marks = marked(&results);
    marks.sort();
    assert_eq!(marks, [vec!["Yahya", "Sinwar"], vec!["Yahya Sinwar"]]);
    let printed = search_text(corpus.path(), &dir, &["Yahya Sinwar"]);
    assert!(
        printed.contains("     [Yahya Sinwar] said on Monday"),
        "{printed}"
    );
    assert!(
        printed.contains(r"with \[Hamas leader [Yahya]\] [Sinwar],"),
        "{printed}"
    );
}

#[test]
fn the_optional_words_of_a_relaxed_question_are_not_marked() {
    let (corpus, dir) = indexed(
        "Talks\n\n\
         Qatari officials negotiated the hostage deal in the Gulf over several weeks.\n\n\
         The talks in Doha went on into the night.\n",
    );
    let results = search_json(
        corpus.path(),
        &dir,
        &["who negotiated the hostage deal in Doha"],
    );
    assert_eq!(
        results["relaxed"]["optional"],
        serde_json::json!(["who", "the", "in"])
    );
    assert_eq!(marked(&results), [vec!["negotiated", "hostage deal"]]);
    // Quoted, the same words are the query, and marked.
    let quoted = search_json(corpus.path(), &dir, &["\"the hostage deal in the Gulf\""]);
    assert_eq!(marked(&quoted), [vec!["the hostage deal in the Gulf"]]);
}

#[test]
fn entities_take_the_paging_flags_of_search() {
    let (corpus, dir) = indexed(
        "Baghdad and Basra\n\n\
         Kataib Hezbollah fired rockets at Baghdad and Basra, and the IRGC said nothing.\n",
    );
    let list = |args: &[&str]| -> Vec<String> {
        let value = json_stdout(
            sitrep(corpus.path(), &index_path(&dir))
                .arg("entities")
                .args(args)
                .arg("--json"),
        );
        value
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["paragraphs"].as_u64() > Some(0))
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = list(&[]);
    assert!(all.len() >= 4, "{all:?}");
    assert_eq!(list(&["-n", "2"]), all[..2]);
    assert_eq!(list(&["--limit", "2", "--offset", "1"]), all[1..3]);
    assert_eq!(list(&["--offset", "100"]), Vec::<String>::new());
}
