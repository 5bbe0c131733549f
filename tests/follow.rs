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

/// A corpus and an index in one temp folder, for the tests that change the corpus.
struct Archive {
    _dir: TempDir,
    corpus: std::path::PathBuf,
    index: std::path::PathBuf,
}

impl Archive {
    fn new() -> Archive {
        let dir = TempDir::new().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        let index = dir.path().join("index");
        Archive {
            _dir: dir,
            corpus,
            index,
        }
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.corpus.join(name), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        sitrep(&self.corpus, &self.index)
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn new_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["new", "--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn total(&self, query: &str) -> u64 {
        let out = self.ok(&["search", query, "--json"]);
        serde_json::from_str::<Value>(&out).unwrap()["total_hits"]
            .as_u64()
            .unwrap()
    }
}

/// (name, new paragraphs, texts of the hits shown) per saved search.
fn news(found: &Value) -> Vec<(String, u64, Vec<String>)> {
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let texts = f["results"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["text"].as_str().unwrap().to_string())
                .collect();
            (
                f["name"].as_str().unwrap().to_string(),
                f["results"]["total_hits"].as_u64().unwrap(),
                texts,
            )
        })
        .collect()
}

const STRIKE: &str = "Strike near Baghdad\n\n\
    Kataib Hezbollah fired rockets at the base near Baghdad.\n\n\
    Nobody was hurt.\n";

#[test]
fn saved_searches_report_exactly_what_a_sync_brought() {
    let archive = Archive::new();
    archive.write("a.txt", STRIKE);
    archive.ok(&["index", "-q"]);
    archive.ok(&["saved", "add", "kh", "rockets", "--org", "Kataib Hezbollah"]);
    archive.ok(&["saved", "add", "qaani", "Qaani"]);
    assert_eq!(
        archive.ok(&["saved", "list"]),
        "kh: rockets --org 'Kataib Hezbollah'\nqaani: Qaani \n"
    );
    // A typo in a filter is caught when saving, and nothing is saved.
    let typo = archive.run(&["saved", "add", "x", "rockets", "--person", "Qaanni"]);
    assert_eq!(typo.status.code(), Some(2));

    // One new article: one paragraph for each search; the report is on stdout.
    archive.write(
        "b.txt",
        "Qaani in Baghdad\n\n\
         Esmail Qaani met militia commanders in Baghdad.\n\n\
         Kataib Hezbollah fired rockets again, officials said.\n",
    );
    let report = archive.ok(&["index", "-q"]);
    assert!(
        report.starts_with("kh (rockets): 1 paragraph new since sync 1\n"),
        "{report}"
    );
    assert!(
        report.contains("qaani (Qaani): 2 paragraphs new since sync 1\n"),
        "{report}"
    );

    // A sync that changes nothing reports nothing.
    assert_eq!(archive.ok(&["index", "-q"]), "");

    // An update: only the paragraph whose text changed is new.
    archive.write(
        "a.txt",
        &STRIKE.replace(
            "Nobody was hurt.",
            "Two soldiers were hurt when Kataib Hezbollah rockets hit the base.",
        ),
    );
    let report = archive.ok(&["index", "-q"]);
    assert!(
        report.starts_with("kh (rockets): 1 paragraph new since sync 2\n"),
        "{report}"
    );
    assert!(
        report.contains("Two soldiers were hurt when Kataib Hezbollah [rockets] hit"),
        "{report}"
    );

    // `new` since the start lists all three rocket paragraphs. Asked for the first time,
    // `new` starts where each search was saved (sync 1): the rocket paragraph that was there
    // already is not new to it.
    let all = news(&archive.new_json(&["kh", "--since-sync", "0"]));
    assert_eq!(all[0].1, 3);
    let first = news(&archive.new_json(&[]));
    assert_eq!(
        first
            .iter()
            .map(|n| (n.0.as_str(), n.1))
            .collect::<Vec<_>>(),
        [("kh", 2), ("qaani", 2)]
    );
    assert!(
        !first[0]
            .2
            .contains(&"Kataib Hezbollah fired rockets at the base near Baghdad.".to_string()),
        "{first:?}"
    );
    let again = news(&archive.new_json(&[]));
    assert_eq!(
        again.iter().map(|n| n.1).collect::<Vec<_>>(),
        [0, 0],
        "nothing arrived since the last `new`"
    );
    // Syncs after a date in the future: none.
    assert_eq!(news(&archive.new_json(&["--since", "2999-01-01"]))[0].1, 0);

    // Saved searches outlive a rebuild, and sync numbers keep growing.
    archive.ok(&["index", "-q", "--rebuild"]);
    assert_eq!(archive.ok(&["saved", "list"]).lines().count(), 2);
    let stats: Value = serde_json::from_str(&archive.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["last_sync_number"], 4);
    archive.ok(&["saved", "remove", "qaani"]);
    assert_eq!(archive.ok(&["saved", "list"]).lines().count(), 1);
    let unknown = archive.run(&["saved", "remove", "qaani"]);
    assert_eq!(unknown.status.code(), Some(2));
}

/// `sitrep index --watch` as a child process, killed when dropped.
struct Watcher(std::process::Child);

impl Watcher {
    fn start(archive: &Archive) -> Watcher {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sitrep"))
            .arg("--corpus")
            .arg(&archive.corpus)
            .arg("--index")
            .arg(&archive.index)
            .args(["index", "--watch", "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let watcher = Watcher(child);
        wait_for("the watcher's lock", || {
            archive.index.join("sitrep-watch.lock").exists()
                && archive.index.join("meta.json").exists()
        });
        watcher
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(what: &str, done: impl FnMut() -> bool) {
    common::wait_until(
        what,
        std::time::Duration::from_secs(60),
        std::time::Duration::from_millis(50),
        done,
        String::new,
    );
}

#[test]
fn a_watched_folder_indexes_each_article_as_it_arrives() {
    let archive = Archive::new();
    archive.write("a.txt", STRIKE);
    let watcher = Watcher::start(&archive);
    // A second sync is refused while the watcher holds the index.
    let second = archive.run(&["index"]);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("is kept in sync by a watcher"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    // Words far apart, so a search for one never falls back to another within one edit.
    let markers = [
        "quartzmark",
        "birchmark",
        "cedarmark",
        "deltamark",
        "falconmark",
    ];
    for (n, marker) in markers.iter().enumerate() {
        archive.write(
            &format!("new{n}.txt"),
            &format!("Report {n}\n\nThe {marker} paragraph arrived.\n"),
        );
        // Editors' swap files are not articles.
        archive.write(&format!(".new{n}.txt.swp"), "half a thought");
        wait_for(marker, || archive.total(marker) == 1);
    }
    // Reports and Word files dropped into the folder are read as they arrive, too.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    for (file, word) in [("reportlab.pdf", "Shabak"), ("briefing.docx", "payroll")] {
        std::fs::copy(fixtures.join(file), archive.corpus.join(file)).unwrap();
        wait_for(file, || archive.total(word) >= 1);
    }

    // A file written in pieces is indexed whole: every piece lands within the stability
    // window, so the only version the index ever holds is the last.
    let mut file = std::fs::File::create(archive.corpus.join("slow.txt")).unwrap();
    file.write_all(b"Slow report\n\nFirst half of the slowmarker paragraph")
        .unwrap();
    file.flush().unwrap();
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        file.write_all(b" and more").unwrap();
        file.flush().unwrap();
    }
    file.write_all(b", and its end.\n\nSecond paragraph of the slow report.\n")
        .unwrap();
    drop(file);
    wait_for("the slow file", || archive.total("slowmarker") == 1);
    let slow = archive.ok(&["show", "slow.txt", "--json"]);
    let slow: Value = serde_json::from_str(&slow).unwrap();
    assert_eq!(slow["paragraphs"].as_array().unwrap().len(), 2, "{slow}");
    // Never indexed half and then updated: no sync of this run updated an article.
    let log = std::fs::read_to_string(archive.index.join("sitrep-syncs.jsonl")).unwrap();
    let updates: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains("\"updated\":0"))
        .collect();
    assert!(updates.is_empty(), "{log}");

    // Killed mid-flight, the watcher leaves the last commit searchable; the next start
    // catches up with what arrived meanwhile.
    drop(watcher);
    assert_eq!(archive.total("falconmark"), 1);
    archive.write(
        "late.txt",
        "Late\n\nThe latemarker paragraph came while nobody watched.\n",
    );
    std::fs::remove_file(archive.corpus.join("new0.txt")).unwrap();
    let mut watcher = Watcher::start(&archive);
    wait_for("the catch-up sync", || {
        archive.total("latemarker") == 1 && archive.total("quartzmark") == 0
    });

    // SIGTERM stops it between syncs, cleanly, and lets the next sync run.
    let pid = watcher.0.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = watcher.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
    archive.ok(&["index", "-q"]);
}

#[test]
fn an_article_moved_between_files_is_not_new() {
    let archive = Archive::new();
    let record = |id: &str, text: &str| {
        format!("{{\"id\": \"{id}\", \"title\": \"{id}\", \"paragraphs\": [\"{text}\"]}}\n")
    };
    let badr = record(
        "badr",
        "Badr Organization fighters patrolled Diyala province.",
    );
    let nujaba = record(
        "nujaba",
        "Harakat al-Nujaba threatened foreign troops near Kirkuk.",
    );
    archive.write("x.jsonl", &(badr.clone() + &nujaba));
    archive.write(
        "y.jsonl",
        &record("kss", "Kataib Sayyid al-Shuhada held a parade."),
    );
    archive.ok(&["index", "-q"]);
    archive.ok(&["saved", "add", "diyala", "diyala"]);
    // The Badr record moves to the other file, unchanged: its paragraph keeps its sync.
    archive.write("x.jsonl", &nujaba);
    archive.write(
        "y.jsonl",
        &(record("kss", "Kataib Sayyid al-Shuhada held a parade.") + &badr),
    );
    assert_eq!(
        archive.ok(&["index", "-q"]),
        "diyala (diyala): 0 paragraphs new since sync 1\n"
    );
    let since_first = news(&archive.new_json(&["--since-sync", "1"]));
    assert_eq!(since_first[0].1, 0);
    assert_eq!(archive.total("diyala"), 1);
}
