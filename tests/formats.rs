//! Saved web pages, PDF reports and Word files, end to end: `sitrep read` on the committed
//! fixtures (made by `tests/fixtures/formats/make.sh`, which also writes the paragraphs a
//! correct reader returns to `expected.json`), and a mixed folder indexed and searched.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

use common::{json_stdout, sitrep};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

fn expected(file: &str) -> Value {
    let text = fs::read_to_string(fixtures().join("expected.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["files"][file].clone()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn read_cmd() -> Command {
    let mut cmd = Command::cargo_bin("sitrep").unwrap();
    cmd.env("NO_COLOR", "1").arg("read");
    cmd
}

/// `sitrep read --json FILE`: the one article of a file.
fn read_json(file: &Path) -> Value {
    json_stdout(read_cmd().arg("--json").arg(file))
}

#[test]
fn reports_and_word_files_read_as_their_source_paragraphs() {
    for file in [
        "report-1col.pdf",
        "report-2col.pdf",
        "reportlab.pdf",
        "briefing.docx",
    ] {
        let article = read_json(&fixtures().join(file));
        let expected = expected(file);
        let keys: Vec<&String> = article.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["date", "paragraphs", "path", "title", "url"],
            "{file}"
        );
        assert_eq!(article["title"], expected["title"], "{file}");
        assert_eq!(
            article["date"].as_str(),
            expected["date"].as_str().map(|date| &date[..10]),
            "{file}"
        );
        assert_eq!(article["url"], Value::Null, "{file}");
        // Every paragraph whole, in reading order: lines, columns and pages joined, words
        // broken at line ends made whole, headings on their own.
        assert_eq!(
            strings(&article["paragraphs"]),
            strings(&expected["paragraphs"]),
            "{file}"
        );
        let furniture = expected["page_furniture_strings"]
            .as_array()
            .map(|_| strings(&expected["page_furniture_strings"]))
            .unwrap_or_default();
        for paragraph in strings(&article["paragraphs"]) {
            for running in &furniture {
                assert!(
                    !paragraph.contains(running.as_str()),
                    "{file}: header or footer {running:?} in {paragraph:?}"
                );
            }
        }
    }
}

#[test]
fn hyphens_written_in_words_stay_and_typesetters_breaks_go() {
    for file in ["report-1col.pdf", "report-2col.pdf"] {
        let article = read_json(&fixtures().join(file));
        let text = strings(&article["paragraphs"]).join("\n");
        for word in ["able-bodied", "al-Muhandis", "post-2014", "cross-border"] {
            assert!(text.contains(word), "{file}: {word}");
        }
        for word in [
            "paramilitary",
            "reorganisation",
            "Organization",
            "commander",
        ] {
            assert!(text.contains(word), "{file}: {word}");
        }
        assert!(!text.contains('\u{AD}'), "{file}: a soft hyphen is left");
        assert!(!text.contains("ablebodied"), "{file}");
    }
}

#[test]
fn a_saved_page_reads_as_its_article_without_page_furniture() {
    let article = read_json(&fixtures().join("report-1col.html"));
    let expected = expected("report-1col.html");
    assert_eq!(article["title"], "Conflict Monitor Report No. 12");
    let paragraphs = strings(&article["paragraphs"]);
    let wanted = strings(&expected["paragraphs"]);
    // The page's <h1> restates the article's title, which Readability leaves out of the body;
    // every other block comes back whole and in order.
    assert_eq!(paragraphs, wanted[1..]);
}

#[test]
fn unreadable_reports_are_refused_with_the_reason() {
    let cases = [
        (
            "encrypted.pdf",
            "encrypted (it needs a password to open); skipped",
        ),
        (
            "scanned.pdf",
            "no text layer (scanned?); skipped (run OCR on it first)",
        ),
        (
            "truncated.pdf",
            "damaged (truncated: no end-of-file marker); skipped",
        ),
        ("empty.pdf", "damaged (empty file); skipped"),
    ];
    for (file, reason) in cases {
        let path = fixtures().join(file);
        let output = read_cmd().arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{file}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("error: {}: {reason}\n", path.display())
        );
        assert!(output.stdout.is_empty(), "{file}");
    }
    // One bad file does not stop the others.
    let output = read_cmd()
        .arg("--json")
        .arg(fixtures().join("encrypted.pdf"))
        .arg(fixtures().join("briefing.docx"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["title"], "Militia briefing: the PMF after 2020");
}

#[test]
fn read_prints_title_date_url_and_numbered_paragraphs() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("strike.html");
    fs::write(
        &page,
        b"<html><head><meta charset=windows-1252><title>Strike | Monitor</title>\
          <link rel=canonical href=https://example.org/2020/01/03/strike></head><body>\
          <nav><a href=/>Home</a> <a href=/iraq>Iraq</a></nav><article><h1>Strike</h1>\
          <p>The drone strike near Baghdad airport killed Qassem Soleimani and Abu Mahdi \
          al-Muhandis, the deputy head of the Popular Mobilization Forces, before dawn.</p>\
          <p>Kata\x92ib Hezbollah, the group al-Muhandis founded, vowed revenge within \
          hours; Iraq\x92s parliament voted two days later to expel foreign troops.</p>\
          </article><footer>\xa9 Monitor</footer></body></html>"
            .as_slice(),
    )
    .unwrap();
    let output = read_cmd()
        .arg(&page)
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text,
        format!(
            "Strike\n{} · 2020-01-03 · https://example.org/2020/01/03/strike\n\n\
             ¶1 The drone strike near Baghdad airport killed Qassem Soleimani and Abu Mahdi \
             al-Muhandis, the deputy head of the Popular Mobilization Forces, before dawn.\n\n\
             ¶2 Kata’ib Hezbollah, the group al-Muhandis founded, vowed revenge within hours; \
             Iraq’s parliament voted two days later to expel foreign troops.\n",
            page.display()
        )
    );
}

/// A corpus folder of every kind of file, good and bad.
fn mixed_corpus() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    fs::create_dir_all(corpus.join("reports")).unwrap();
    for (file, to) in [
        ("report-2col.pdf", "reports/report-2col.pdf"),
        ("reportlab.pdf", "reports/nineveh.pdf"),
        ("encrypted.pdf", "reports/locked.pdf"),
        ("scanned.pdf", "reports/scanned.pdf"),
        ("truncated.pdf", "reports/cut.pdf"),
        ("briefing.docx", "briefing.docx"),
        ("report-1col.html", "pages/report.html"),
    ] {
        fs::create_dir_all(corpus.join(to).parent().unwrap()).unwrap();
        fs::copy(fixtures().join(file), corpus.join(to)).unwrap();
    }
    fs::write(
        corpus.join("note.txt"),
        "Analyst note\n\nThe Sayyida Zaynab shrine draws Iraqi fighters again.\n",
    )
    .unwrap();
    (dir, corpus)
}

#[test]
fn a_mixed_folder_indexes_in_one_run_and_every_format_is_searchable() {
    let (dir, corpus) = mixed_corpus();
    let index = dir.path().join("index");
    let output = sitrep(&corpus, &index).arg("index").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for (file, reason) in [
        (
            "reports/locked.pdf",
            "encrypted (it needs a password to open); skipped",
        ),
        (
            "reports/scanned.pdf",
            "no text layer (scanned?); skipped (run OCR on it first)",
        ),
        (
            "reports/cut.pdf",
            "damaged (truncated: no end-of-file marker); skipped",
        ),
    ] {
        assert!(
            stderr.contains(&format!("warning: {file}: {reason}")),
            "{file}:\n{stderr}"
        );
    }
    let stats = json_stdout(sitrep(&corpus, &index).args(["stats", "--json"]));
    assert_eq!(stats["articles"], 5, "{stats}");
    assert_eq!(stats["paragraphs"], 32 + 11 + 14 + 31 + 1, "{stats}");

    // The phrase is in the two-column report, the page and the note; the report and the page
    // say it in the same paragraph, which search shows once, with its copy.
    let results =
        json_stdout(sitrep(&corpus, &index).args(["search", "\"Sayyida Zaynab\"", "--json"]));
    let hits = results["hits"].as_array().unwrap();
    let mut ids: Vec<&str> = hits
        .iter()
        .map(|hit| hit["article_id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["note.txt", "pages/report.html"]);
    let page = hits
        .iter()
        .find(|hit| hit["article_id"] == "pages/report.html")
        .unwrap();
    assert_eq!(
        page["duplicates"][0]["article_id"],
        "reports/report-2col.pdf"
    );
    let article =
        json_stdout(sitrep(&corpus, &index).args(["show", "reports/nineveh.pdf", "--json"]));
    assert_eq!(
        article["title"],
        "Holding Nineveh: armed groups in and around Mosul"
    );
    assert_eq!(article["date"], "2023-06-01T12:00:00Z");
    let briefing = json_stdout(sitrep(&corpus, &index).args([
        "search",
        "\"follow the conflict closely\"",
        "--json",
    ]));
    assert_eq!(briefing["hits"][0]["article_id"], "briefing.docx");
    assert_eq!(briefing["hits"][0]["date"], "2021-03-14T09:00:00Z");

    // Again: nothing changed, nothing is read again; the bad files are still named.
    let again = sitrep(&corpus, &index).arg("index").output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("+0 added, 0 updated, 0 removed, 5 unchanged;"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: reports/locked.pdf: encrypted"),
        "{stderr}"
    );
    // A page saved again with a paragraph more is updated, and only it.
    let page = corpus.join("pages/report.html");
    let html = fs::read_to_string(&page).unwrap().replace(
        "</h1>",
        "</h1><p>Update: this page now opens with a note on the Jurf al-Sakhar base and \
         the checkpoints that Kata'ib Hezbollah keeps around it.</p>",
    );
    fs::write(&page, html).unwrap();
    let updated = sitrep(&corpus, &index).arg("index").output().unwrap();
    let stderr = String::from_utf8_lossy(&updated.stderr);
    assert!(
        stderr.contains("+0 added, 1 updated, 0 removed, 4 unchanged;"),
        "{stderr}"
    );
    let note =
        json_stdout(sitrep(&corpus, &index).args(["search", "\"Jurf al-Sakhar base\"", "--json"]));
    assert_eq!(note["hits"][0]["article_id"], "pages/report.html");
    assert_eq!(note["hits"][0]["paragraph"], 1);
}

/// Words as the article-extraction benchmarks count them: runs of letters, digits and `_`.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Shingles of four words shared between `ours` and `reference`: (precision, recall), the
/// measure of the published article-extraction benchmarks.
fn shingle_scores(ours: &str, reference: &str) -> (f64, f64) {
    fn shingles(text: &str) -> std::collections::HashMap<Vec<&str>, i64> {
        let words = tokens(text);
        let mut counts = std::collections::HashMap::new();
        for shingle in words.windows(4.min(words.len().max(1))) {
            *counts.entry(shingle.to_vec()).or_default() += 1;
        }
        counts
    }
    let (ours, reference) = (shingles(ours), shingles(reference));
    let common: i64 = ours
        .iter()
        .map(|(s, n)| (*n).min(*reference.get(s).unwrap_or(&0)))
        .sum();
    let (found, wanted): (i64, i64) = (ours.values().sum(), reference.values().sum());
    let ratio = |a: i64, b: i64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    (ratio(common, found), ratio(common, wanted))
}

#[test]
fn readabilitys_test_pages_read_as_readability_reads_them() {
    let folder = common::shared_data().join("readability-test-pages");
    let mut pages: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap_or_else(|err| panic!("{}: {err}", folder.display()))
        .flatten()
        .map(|entry| entry.path().join("source.html"))
        .filter(|page| page.is_file())
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 130);
    let output = read_cmd().arg("--json").args(&pages).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let articles: Vec<Value> = output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect();
    assert_eq!(articles.len(), pages.len(), "one article per page");
    let (mut precision, mut recall, mut titled) = (0.0, 0.0, 0);
    for (page, article) in pages.iter().zip(&articles) {
        assert_eq!(article["path"], page.display().to_string());
        let expected = fs::read_to_string(page.with_file_name("expected.html")).unwrap();
        let reference = dom_query::Document::from(expected.as_str())
            .formatted_text()
            .to_string();
        let ours = strings(&article["paragraphs"]).join("\n");
        let (p, r) = shingle_scores(&ours, &reference);
        precision += p;
        recall += r;
        let metadata: Value = serde_json::from_str(
            &fs::read_to_string(page.with_file_name("expected-metadata.json")).unwrap(),
        )
        .unwrap();
        let collapse = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = article["title"].as_str().unwrap_or("");
        let wanted = collapse(metadata["title"].as_str().unwrap_or(""));
        // Readability keeps a site's name after the title ("... | eHow"); sitrep drops it.
        if collapse(title) == wanted || wanted.starts_with(&format!("{} ", collapse(title))) {
            titled += 1;
        }
    }
    let n = pages.len() as f64;
    let (precision, recall) = (precision / n, recall / n);
    let f1 = 2.0 * precision * recall / (precision + recall);
    // Nothing Readability.js leaves out of the body, and all of its body but what sitrep
    // leaves out on purpose: figure captions, blocks a page repeats (most of them in the
    // suite's lorem-ipsum pages) and copyright notices (P 0.993, R 0.925 when written).
    assert!(
        precision >= 0.99 && recall >= 0.9 && f1 >= 0.95,
        "shingle F1 {f1:.3} (P {precision:.3}, R {recall:.3})"
    );
    assert_eq!(titled, 130, "titles as Readability.js finds them");
}
