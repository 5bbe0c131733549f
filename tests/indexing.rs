//! End-to-end robustness tests for `sitrep index`: incremental sync, rebuilds, bad input, bad
//! invocations, the writer lock and killed runs.
//!
//! Every test runs the real binary on a corpus it writes into its own temporary folder, and
//! checks exact results: the counts of the summary line, and which articles and paragraphs a
//! search returns afterwards.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

mod common;
use common::hit_ids;

const LOCK_FILE: &str = ".tantivy-writer.lock";
/// Upper bound for any wait on a child process; only reached when something hangs.
const PATIENCE: Duration = Duration::from_secs(120);

/// A corpus folder and an index folder inside one temporary folder.
struct Env {
    _dir: TempDir,
    corpus: PathBuf,
    index: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = TempDir::new().unwrap();
        let corpus = dir.path().join("corpus");
        let index = dir.path().join("index");
        fs::create_dir(&corpus).unwrap();
        Env {
            _dir: dir,
            corpus,
            index,
        }
    }

    /// Writes a corpus file, creating its folders.
    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.corpus.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    fn remove(&self, relative: &str) {
        fs::remove_file(self.corpus.join(relative)).unwrap();
    }

    /// `sitrep --corpus … --index …`, ready for a subcommand.
    fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::cargo_bin("sitrep").unwrap();
        cmd.arg("--corpus")
            .arg(&self.corpus)
            .arg("--index")
            .arg(&self.index);
        cmd
    }

    fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// A `sitrep index` child process, for tests that run something while it works.
    fn spawn_index(&self, flags: &[&str]) -> Child {
        self.std_cmd()
            .arg("index")
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = self.cmd().args(args).output().unwrap();
        let run = Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "sitrep {args:?} panicked:\n{}",
            run.stderr
        );
        run
    }

    /// `sitrep index` that must succeed; returns its stderr.
    fn index_ok(&self, args: &[&str]) -> String {
        let run = self.run(&[&["index"], args].concat());
        assert_eq!(run.code, Some(0), "sitrep index failed:\n{}", run.stderr);
        run.stderr
    }

    fn search(&self, query: &str) -> Value {
        self.search_with(query, &[])
    }

    fn search_with(&self, query: &str, flags: &[&str]) -> Value {
        let run = self.run(&[&["search", query, "--json", "-n", "100"], flags].concat());
        assert_eq!(
            run.code,
            Some(0),
            "search {query:?} failed:\n{}",
            run.stderr
        );
        serde_json::from_str(&run.stdout).unwrap()
    }

    /// (article id, paragraph) of every hit, in rank order.
    fn hits(&self, query: &str) -> Vec<(String, u64)> {
        hit_ids(&self.search(query))
    }

    fn stats(&self) -> Value {
        let run = self.run(&["stats", "--json"]);
        assert_eq!(run.code, Some(0), "stats failed:\n{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    }

    fn articles_in_index(&self) -> u64 {
        self.stats()["articles"].as_u64().unwrap()
    }

    /// Ids of the segments that have files in the index folder (`<32 hex digits>.idx`).
    fn segment_ids_on_disk(&self) -> BTreeSet<String> {
        self.index_files()
            .into_iter()
            .filter_map(|name| name.strip_suffix(".idx").map(str::to_string))
            .collect()
    }

    /// Ids of the segments of the last commit.
    fn segment_ids_in_meta(&self) -> BTreeSet<String> {
        let meta: Value =
            serde_json::from_slice(&fs::read(self.index.join("meta.json")).unwrap()).unwrap();
        meta["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
            .collect()
    }

    fn index_files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.index)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn hit(id: &str, paragraph: u64) -> Vec<(String, u64)> {
    vec![(id.to_string(), paragraph)]
}

/// The summary line of `sitrep index` (the one starting with `+`).
fn summary(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with('+'))
        .unwrap_or_else(|| panic!("no summary line in:\n{stderr}"))
}

/// The summary up to the first `;`: "+1 added, 0 updated, 0 removed, 6 unchanged".
fn counts(stderr: &str) -> &str {
    summary(stderr).split(';').next().unwrap()
}

/// The warning line for one corpus file, which must exist.
fn warning_for<'a>(stderr: &'a str, file: &str) -> &'a str {
    stderr
        .lines()
        .find(|l| l.starts_with(&format!("warning: {file}:")))
        .unwrap_or_else(|| panic!("no warning for {file} in:\n{stderr}"))
}

/// A count as the summary line prints it: `1,500`.
fn thousands(n: usize) -> String {
    sitrep::output::thousands(n as u64)
}

fn wait_until(what: &str, done: impl FnMut() -> bool) {
    common::wait_until(what, PATIENCE, Duration::from_millis(5), done, String::new);
}

/// Writes `count` distinct generated articles under `gen/`, each naming `gen{n}marker` in its
/// first paragraph, with enough varied text to make indexing take a while.
fn generate_articles(env: &Env, count: usize) {
    const WORDS: [&str; 16] = [
        "militia",
        "brigade",
        "rocket",
        "salvo",
        "checkpoint",
        "commander",
        "ministry",
        "parliament",
        "border",
        "drone",
        "pipeline",
        "governor",
        "tribe",
        "shrine",
        "council",
        "salary",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for n in 0..count {
        let mut text = format!("Generated report {n}\n");
        for p in 0..4 {
            let marker = if p == 0 {
                format!(" gen{n}marker")
            } else {
                String::new()
            };
            let words: Vec<&str> = (0..40)
                .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
                .collect();
            text.push_str(&format!(
                "\nReport {n} part {p}:{marker} Kataib Hezbollah in Baghdad, {}.\n",
                words.join(" ")
            ));
        }
        env.write(&format!("gen/g{n:05}.txt"), text);
    }
}

/// Three small articles already committed to the index, with the writer lock file removed so
/// that its reappearance shows when the next writer has started (tantivy keeps the file after
/// a writer exits and only `flock`s it; removing it while no writer runs is safe).
fn committed_small_corpus() -> Env {
    let env = Env::new();
    write_militia_articles(&env);
    env.index_ok(&[]);
    fs::remove_file(env.index.join(LOCK_FILE)).unwrap();
    env
}

fn write_militia_articles(env: &Env) {
    env.write(
        "a.txt",
        "A base south of Baghdad\n\n\
         Kataib Hezbollah has kept Jurf al-Sakhar closed to its former residents since 2014.\n\n\
         The group answers to its own commanders, not to the Iraqi army.\n",
    );
    env.write(
        "b.md",
        "---\ntitle: Peace Brigades take over a shrine city\ndate: 2019-06-01\n---\n\n\
         Saraya al-Salam took over security around the shrine in Samarra in 2014.\n\n\
         Its fighters answer to Muqtada al-Sadr.\n",
    );
    env.write(
        "c.txt",
        "Asaib Ahl al-Haq in Baghdad\n\n\
         Asaib Ahl al-Haq fighters escorted a convoy through Baghdad.\n\n\
         Qais al-Khazali spoke afterwards.\n",
    );
}

fn write_records(env: &Env, second: &str) {
    env.write(
        "records.jsonl",
        format!(
            "{{\"id\": \"r1\", \"title\": \"Badr\", \"text\": \"Badr Organization fighters patrolled Diyala province.\"}}\n\
             {{\"id\": \"r2\", \"title\": \"KSS\", \"text\": \"{second}\"}}\n\
             {{\"id\": \"r3\", \"title\": \"Nujaba\", \"text\": \"Harakat al-Nujaba threatened foreign troops near Kirkuk.\"}}\n"
        ),
    );
}

// ---- 1. Incremental sync ----

#[test]
fn sync_adds_updates_removes_and_search_follows() {
    let env = Env::new();
    write_militia_articles(&env);
    write_records(
        &env,
        "Kataib Sayyid al-Shuhada recruited volunteers in Basra.",
    );

    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+6 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert!(summary(&stderr).contains("; 9 paragraphs in "), "{stderr}");
    assert_eq!(env.hits("samarra"), hit("b.md", 1));
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.hits("khazali"), hit("c.txt", 2));
    assert_eq!(env.hits("basra"), hit("r2", 1));

    // A new file.
    env.write(
        "d.txt",
        "Hashd units in Tarmiyah\n\nPopular Mobilization units swept farmland north of Tarmiyah.\n",
    );
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+1 added, 0 updated, 0 removed, 6 unchanged"
    );
    assert!(summary(&stderr).contains("; 1 paragraph in "), "{stderr}");
    assert_eq!(env.hits("tarmiyah farmland"), hit("d.txt", 1));

    // An edited file: the new text is found, the old text is gone, the rest stays.
    env.write(
        "c.txt",
        "Asaib Ahl al-Haq in Baghdad\n\n\
         Asaib Ahl al-Haq fighters set up checkpoints in Tuz Khurmatu.\n\n\
         Qais al-Khazali spoke afterwards.\n",
    );
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 1 updated, 0 removed, 6 unchanged"
    );
    assert!(summary(&stderr).contains("; 2 paragraphs in "), "{stderr}");
    assert_eq!(env.hits("khurmatu"), hit("c.txt", 1));
    assert_eq!(env.hits("convoy"), vec![]);
    assert_eq!(env.hits("khazali"), hit("c.txt", 2));

    // A deleted file: none of its paragraphs remain.
    env.remove("b.md");
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 1 removed, 6 unchanged"
    );
    assert_eq!(env.hits("samarra"), vec![]);
    assert_eq!(env.hits("saraya"), vec![]);
    assert_eq!(env.hits("jurf"), hit("a.txt", 1));

    // Nothing changed: nothing written.
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 6 unchanged"
    );
    assert!(summary(&stderr).contains("; 0 paragraphs in "), "{stderr}");

    // A moved file is a new article id and a removed one.
    let moved = fs::read(env.corpus.join("a.txt")).unwrap();
    env.remove("a.txt");
    env.write("archive/a.txt", moved);
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+1 added, 0 updated, 1 removed, 5 unchanged"
    );
    assert_eq!(env.hits("jurf"), hit("archive/a.txt", 1));
    assert_eq!(env.hits("commanders"), hit("archive/a.txt", 2));

    let stats = env.stats();
    assert_eq!(stats["articles"], 6);
    assert_eq!(stats["paragraphs"], 8);
}

#[test]
fn jsonl_record_change_updates_only_that_record() {
    let env = Env::new();
    write_records(
        &env,
        "Kataib Sayyid al-Shuhada recruited volunteers in Basra.",
    );
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+3 added, 0 updated, 0 removed, 0 unchanged"
    );

    write_records(&env, "Kataib Sayyid al-Shuhada opened an office in Amarah.");
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 1 updated, 0 removed, 2 unchanged"
    );
    assert!(summary(&stderr).contains("; 1 paragraph in "), "{stderr}");
    assert_eq!(env.hits("amarah"), hit("r2", 1));
    assert_eq!(env.hits("basra"), vec![]);
    assert_eq!(env.hits("diyala"), hit("r1", 1));
    assert_eq!(env.hits("kirkuk"), hit("r3", 1));
    assert_eq!(env.articles_in_index(), 3);
}

// ---- 2. Full re-indexing ----

#[test]
fn rebuild_and_gazetteer_change_reindex_everything() {
    let env = Env::new();
    env.write(
        "erbil.txt",
        "Rocket attack on Erbil\n\n\
         Saraya Awliya al-Dam claimed the rocket attack on Erbil airport.\n\n\
         Kataib Hezbollah denied any role.\n",
    );
    env.write(
        "c.txt",
        "Asaib Ahl al-Haq in Baghdad\n\nAsaib Ahl al-Haq fighters escorted a convoy through Baghdad.\n",
    );
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+2 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert!(!stderr.contains("re-indexing"), "{stderr}");

    let stderr = env.index_ok(&["--rebuild"]);
    assert!(
        stderr.contains("re-indexing every article: a rebuild was asked for"),
        "{stderr}"
    );
    assert_eq!(
        counts(&stderr),
        "+2 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert!(summary(&stderr).contains("; 3 paragraphs in "), "{stderr}");
    // Everything was replaced, not added a second time.
    let results = env.search("awliya");
    assert_eq!(results["total_hits"], 1);
    assert_eq!(results["duplicates_collapsed"], 0);
    assert_eq!(hit_ids(&results), hit("erbil.txt", 1));
    // The built-in gazetteer knows Erbil but not this group.
    let entities = results["hits"][0]["entities"].as_array().unwrap().clone();
    assert!(
        entities.iter().any(|e| e["name"] == "Erbil"),
        "{entities:?}"
    );
    assert!(!entities.iter().any(|e| e["kind"] == "org"), "{entities:?}");
    assert_eq!(env.stats()["paragraphs"], 3);

    let stderr = env.index_ok(&[]);
    assert!(!stderr.contains("re-indexing"), "{stderr}");
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 2 unchanged"
    );

    // A gazetteer in the corpus folder replaces the built-in one: every paragraph is re-tagged.
    env.write(
        "entities.toml",
        "[[org]]\nname = \"Saraya Awliya al-Dam\"\naliases = [\"Awliya al-Dam\"]\n",
    );
    let stderr = env.index_ok(&[]);
    assert!(stderr.contains("gazetteer changed"), "{stderr}");
    assert!(stderr.contains("re-indexing every article: "), "{stderr}");
    assert_eq!(
        counts(&stderr),
        "+2 added, 0 updated, 0 removed, 0 unchanged"
    );
    let results = env.search("awliya");
    assert_eq!(hit_ids(&results), hit("erbil.txt", 1));
    assert_eq!(
        results["hits"][0]["entities"],
        serde_json::json!([{"kind": "org", "name": "Saraya Awliya al-Dam", "path": "/org/Saraya Awliya al-Dam"}])
    );
    // The new entity is a facet: the filter finds it, under its alias too.
    let filtered = env.search_with("rocket", &["--org", "Awliya al-Dam"]);
    assert_eq!(hit_ids(&filtered), hit("erbil.txt", 1));
    // Entities of the old gazetteer are gone.
    assert_eq!(env.hits("denied")[0], ("erbil.txt".to_string(), 2));
    assert_eq!(
        env.search("denied")["hits"][0]["entities"],
        serde_json::json!([])
    );

    // The same gazetteer again: no re-tagging.
    let stderr = env.index_ok(&[]);
    assert!(!stderr.contains("re-indexing"), "{stderr}");
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 2 unchanged"
    );
    // A compiled copy this build cannot read (an older format, or damaged) is written again by
    // a sync that changes nothing, so that searches stop falling back to parsing the TOML.
    let compiled: Vec<_> = fs::read_dir(&env.index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "compiled"))
        .collect();
    assert_eq!(compiled.len(), 1, "{compiled:?}");
    let current = fs::read(&compiled[0]).unwrap();
    fs::write(&compiled[0], "sitrep compiled gazetteer 1\n").unwrap();
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 2 unchanged"
    );
    assert_eq!(fs::read(&compiled[0]).unwrap(), current);
    let filtered = env.search_with("rocket", &["--org", "Awliya al-Dam"]);
    assert_eq!(hit_ids(&filtered), hit("erbil.txt", 1));

    // Editing it re-tags again.
    env.write(
        "entities.toml",
        "[[org]]\nname = \"Saraya Awliya al-Dam\"\naliases = [\"Awliya al-Dam\"]\n\n\
         [[org]]\nname = \"Kata'ib Hezbollah\"\naliases = [\"Kataib Hezbollah\"]\n",
    );
    let stderr = env.index_ok(&[]);
    assert!(stderr.contains("gazetteer changed"), "{stderr}");
    assert_eq!(
        env.search("denied")["hits"][0]["entities"],
        serde_json::json!([{"kind": "org", "name": "Kata'ib Hezbollah", "path": "/org/Kata'ib Hezbollah"}])
    );
}

// ---- 3. Bad input ----

#[test]
fn bad_files_are_warned_about_and_skipped_while_the_rest_is_indexed() {
    let env = Env::new();
    env.write(
        "good.txt",
        "Kataib Hezbollah holds Jurf al-Sakhar\n\n\
         Kataib Hezbollah has kept Jurf al-Sakhar closed since 2014.\n",
    );
    env.write(
        "good.md",
        "# Saraya al-Salam\n\nSaraya al-Salam guards the shrine in Samarra.\n",
    );
    env.write(
        "mixed.jsonl",
        "{\"title\": \"Badr\", \"text\": \"Badr Organization fighters patrolled Diyala.\"}\n\
         {\"title\": \"broken\", \"text\": \"unterminated\n\
         {\"title\": \"Nujaba\", \"text\": \"Harakat al-Nujaba threatened troops near Kirkuk.\"}\n",
    );
    env.write(
        "latin1.txt",
        b"Asaib Ahl al-Haq\n\nQais al-Khazali spoke in Basra \xe9t\xe9.\n".as_slice(),
    );
    env.write("empty.txt", "");
    env.write(
        "binary.txt",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00Baghdad".as_slice(),
    );
    let mut huge = String::from("An endless log\n\nA short first paragraph about Mosul.\n\n");
    while huge.len() < 2_000_000 {
        huge.push_str("militia convoy checkpoint rocket drone militia convoy checkpoint rocket\n");
    }
    env.write("huge.txt", huge);
    env.write(
        "locked.txt",
        "Hashd in Tarmiyah\n\nPopular Mobilization units swept farmland north of Tarmiyah.\n",
    );
    let locked = env.corpus.join("locked.txt");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // root reads whatever the permissions say; then this file is just a good article.
    let unreadable = fs::read(&locked).is_err();
    env.write(
        "nested/inner.txt",
        "Harakat al-Nujaba\n\nHarakat al-Nujaba fighters returned from Aleppo.\n",
    );
    std::os::unix::fs::symlink("..", env.corpus.join("nested/loop")).unwrap();

    for run in 0..2 {
        let result = env.run(&["index"]);
        let stderr = &result.stderr;
        assert_eq!(result.code, Some(1), "run {run}:\n{stderr}");
        assert!(
            warning_for(stderr, "mixed.jsonl").starts_with("warning: mixed.jsonl:2: invalid JSON"),
            "{stderr}"
        );
        // The record's own position ("line 1 column 42") would contradict the file's line.
        assert!(
            !warning_for(stderr, "mixed.jsonl").contains("line 1"),
            "{stderr}"
        );
        assert!(
            warning_for(stderr, "latin1.txt").contains("invalid UTF-8"),
            "{stderr}"
        );
        assert!(
            warning_for(stderr, "empty.txt").contains("no text"),
            "{stderr}"
        );
        assert!(
            warning_for(stderr, "binary.txt").contains("binary"),
            "{stderr}"
        );
        assert!(warning_for(stderr, "huge.txt").contains("1 MB"), "{stderr}");
        assert!(
            warning_for(stderr, "nested/loop").contains("symlink loop"),
            "{stderr}"
        );
        let skipped = if unreadable {
            assert!(
                warning_for(stderr, "locked.txt").contains("cannot read"),
                "{stderr}"
            );
            7
        } else {
            assert!(!stderr.contains("locked.txt"), "{stderr}");
            6
        };
        assert!(
            summary(stderr).ends_with(&format!("; {skipped} skipped (see warnings above)")),
            "run {run}:\n{stderr}"
        );
        let good = if unreadable { 5 } else { 6 };
        if run == 0 {
            assert_eq!(
                counts(stderr),
                format!("+{good} added, 0 updated, 0 removed, 0 unchanged")
            );
        } else {
            // The second run finds the same problems again and writes nothing.
            assert_eq!(
                counts(stderr),
                format!("+0 added, 0 updated, 0 removed, {good} unchanged")
            );
        }
    }

    assert_eq!(env.hits("jurf"), hit("good.txt", 1));
    assert_eq!(env.hits("samarra"), hit("good.md", 1));
    assert_eq!(env.hits("diyala"), hit("mixed.jsonl#1", 1));
    assert_eq!(env.hits("kirkuk"), hit("mixed.jsonl#3", 1));
    assert_eq!(env.hits("aleppo"), hit("nested/inner.txt", 1));
    assert_eq!(env.hits("unterminated"), vec![]);
    assert_eq!(env.hits("khazali"), vec![]);
    assert_eq!(env.hits("mosul"), vec![]);
    if unreadable {
        assert_eq!(env.hits("tarmiyah"), vec![]);
    } else {
        assert_eq!(env.hits("tarmiyah"), hit("locked.txt", 1));
    }

    // Once fixed, the file is indexed and the run is clean again (other problems aside).
    env.write(
        "latin1.txt",
        "Asaib Ahl al-Haq\n\nQais al-Khazali spoke in Basra in summer.\n",
    );
    let result = env.run(&["index"]);
    assert_eq!(result.code, Some(1), "{}", result.stderr);
    assert!(!result.stderr.contains("latin1.txt"), "{}", result.stderr);
    assert!(counts(&result.stderr).starts_with("+1 added, 0 updated, 0 removed, "));
    assert_eq!(env.hits("khazali"), hit("latin1.txt", 1));

    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn unreadable_file_keeps_what_the_index_has() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Badr\n\nBadr Organization fighters patrolled Diyala.\n",
    );
    env.write(
        "b.txt",
        "Nujaba\n\nHarakat al-Nujaba threatened troops near Kirkuk.\n",
    );
    env.index_ok(&[]);
    let path = env.corpus.join("b.txt");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    let as_root = fs::read(&path).is_ok();
    if as_root {
        // Permissions do not stop root (CI runs as root); a file whose read fails for anyone
        // does: /proc/self/mem is a regular file, and reading it from offset 0 is an I/O error.
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/proc/self/mem", &path).unwrap();
        assert!(fs::read(&path).is_err());
    }
    let result = env.run(&["index"]);
    assert_eq!(result.code, Some(1), "{}", result.stderr);
    assert!(warning_for(&result.stderr, "b.txt").contains("cannot read"));
    // An unreadable file is not a deletion.
    assert_eq!(
        counts(&result.stderr),
        "+0 added, 0 updated, 0 removed, 2 unchanged"
    );
    assert_eq!(env.hits("kirkuk"), hit("b.txt", 1));
    if !as_root {
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

// ---- 4. Bad invocations ----

#[test]
fn missing_corpus_folder_is_a_clear_error() {
    let env = Env::new();
    fs::remove_dir(&env.corpus).unwrap();
    env.cmd().arg("index").assert().code(1).stderr(
        predicate::str::starts_with("error: ")
            .and(predicate::str::contains("corpus folder"))
            .and(predicate::str::contains("--corpus"))
            .and(predicate::str::contains("panicked").not()),
    );
    assert!(
        !env.index.exists(),
        "no index folder is created for nothing"
    );
}

#[test]
fn index_path_that_is_a_file_is_refused() {
    let env = Env::new();
    write_militia_articles(&env);
    fs::write(&env.index, "not an index").unwrap();
    for args in [&["index"][..], &["search", "baghdad"][..]] {
        env.cmd().args(args).assert().code(1).stderr(
            predicate::str::contains("is a file, not an index folder")
                .and(predicate::str::contains("panicked").not()),
        );
    }
    assert_eq!(fs::read_to_string(&env.index).unwrap(), "not an index");
}

#[test]
fn sitreps_own_usage_errors_exit_with_2() {
    let env = Env::new();
    write_militia_articles(&env);
    env.index_ok(&[]);
    for (args, message) in [
        (
            &["search", "convoy", "--since", "last spring"][..],
            "error: since: date 'last spring' is neither YYYY-MM-DD nor RFC 3339\n",
        ),
        (
            &["search", "convoy", "--entity", "militia=Badr"][..],
            "error: unknown kind 'militia'; the gazetteer has org, person, place\n",
        ),
        (
            &["entities", "--kind", "militia"][..],
            "error: unknown kind 'militia'; the gazetteer has org, person, place\n",
        ),
    ] {
        env.cmd().args(args).assert().code(2).stderr(message);
    }
}

#[test]
fn garbage_meta_json_is_reported_kept_and_rebuilt_on_request() {
    let env = Env::new();
    write_militia_articles(&env);
    env.index_ok(&[]);
    fs::write(env.index.join("meta.json"), "{ this is not json").unwrap();
    // Someone else's file in the index folder survives even a rebuild.
    fs::write(env.index.join("notes.json"), "{\"mine\": true}").unwrap();
    let before = env.index_files();

    for args in [&["index"][..], &["search", "baghdad"][..], &["stats"][..]] {
        env.cmd().args(args).assert().code(1).stderr(
            predicate::str::starts_with("error: ")
                .and(predicate::str::contains("sitrep index --rebuild"))
                .and(predicate::str::contains("panicked").not()),
        );
    }
    assert_eq!(
        env.index_files(),
        before,
        "a plain run must not delete anything"
    );
    assert_eq!(
        fs::read_to_string(env.index.join("meta.json")).unwrap(),
        "{ this is not json"
    );

    let stderr = env.index_ok(&["--rebuild"]);
    assert_eq!(
        counts(&stderr),
        "+3 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.articles_in_index(), 3);
    assert_eq!(
        fs::read_to_string(env.index.join("notes.json")).unwrap(),
        "{\"mine\": true}"
    );
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 3 unchanged"
    );
}

#[test]
fn incompatible_schema_requires_rebuild() {
    let env = Env::new();
    write_militia_articles(&env);
    env.index_ok(&[]);
    let meta_path = env.index.join("meta.json");
    let mut meta: Value = serde_json::from_slice(&fs::read(&meta_path).unwrap()).unwrap();
    let field = meta["schema"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["name"] == "text_hash")
        .expect("the schema has a text_hash field");
    field["name"] = "paragraph_hash".into();
    fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let before = env.index_files();

    for args in [&["index"][..], &["search", "baghdad"][..]] {
        env.cmd().args(args).assert().code(1).stderr(
            predicate::str::starts_with("error: ")
                .and(predicate::str::contains("incompatible"))
                .and(predicate::str::contains("--rebuild"))
                .and(predicate::str::contains("panicked").not()),
        );
    }
    assert_eq!(
        env.index_files(),
        before,
        "a plain run must not delete anything"
    );

    let stderr = env.index_ok(&["--rebuild"]);
    assert_eq!(
        counts(&stderr),
        "+3 added, 0 updated, 0 removed, 0 unchanged"
    );
    assert_eq!(env.hits("samarra"), hit("b.md", 1));
    assert_eq!(env.articles_in_index(), 3);
}

// ---- 5. The writer lock ----

#[test]
fn writer_lock_held_elsewhere_refuses_a_second_writer() {
    let env = Env::new();
    write_militia_articles(&env);
    env.index_ok(&[]);

    // tantivy's lock is an flock on this file, the same lock std takes.
    let lock = fs::File::options()
        .write(true)
        .open(env.index.join(LOCK_FILE))
        .unwrap();
    lock.try_lock().unwrap();
    // With nothing to do, a sync never asks for the writer, so the lock does not stop it.
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 3 unchanged"
    );

    env.write(
        "d.txt",
        "Hashd in Tarmiyah\n\nHashd units swept farmland near Tarmiyah.\n",
    );
    env.cmd().arg("index").assert().code(1).stderr(
        predicate::str::contains("index is being written by another process")
            .and(predicate::str::contains(LOCK_FILE))
            .and(predicate::str::contains("panicked").not()),
    );
    // Readers are not blocked, and see the last commit.
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.hits("tarmiyah"), vec![]);

    drop(lock);
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+1 added, 0 updated, 0 removed, 3 unchanged"
    );
    assert_eq!(env.hits("tarmiyah"), hit("d.txt", 1));
}

#[test]
fn sync_trusts_unchanged_metadata_and_sees_new_bytes_behind_an_old_mtime() {
    let env = Env::new();
    write_militia_articles(&env);
    // Timestamps a few milliseconds old are not trusted yet (a second write in the same
    // clock tick would not move them); these are trusted from the first sync on.
    std::thread::sleep(std::time::Duration::from_millis(100));
    env.index_ok(&[]);
    let meta = fs::read(env.index.join("meta.json")).unwrap();
    let folder_mtime = || fs::metadata(&env.index).unwrap().modified().unwrap();
    let before = folder_mtime();

    // Nothing changed: nothing in the index folder is written, created or removed (the
    // writer's lock file and a rewritten cache would both move the folder's mtime).
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 3 unchanged"
    );
    assert_eq!(folder_mtime(), before);

    // A touched file has new metadata and the same bytes: hashed, found equal, no commit.
    let a = env.corpus.join("a.txt");
    let touched = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(touched)
        .unwrap();
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 0 removed, 3 unchanged"
    );
    assert_eq!(fs::read(env.index.join("meta.json")).unwrap(), meta);

    // New bytes of the same length with the old mtime put back, as some copy tools do: the
    // change time still moves, so the file is read.
    let c = env.corpus.join("c.txt");
    let old = fs::read_to_string(&c).unwrap();
    let mtime = fs::metadata(&c).unwrap().modified().unwrap();
    let new = old.replacen("convoy", "column", 1);
    assert_eq!(new.len(), old.len());
    fs::write(&c, &new).unwrap();
    fs::File::options()
        .write(true)
        .open(&c)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 1 updated, 0 removed, 2 unchanged"
    );
    assert_eq!(env.hits("column"), hit("c.txt", 1));

    // A deleted file is found from the cache alone, and its articles leave the index.
    fs::remove_file(&a).unwrap();
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 0 updated, 1 removed, 2 unchanged"
    );
    assert_eq!(env.hits("jurf"), vec![]);
}

#[test]
fn a_first_build_ends_in_one_segment_and_a_small_sync_leaves_it_alone() {
    let env = Env::new();
    generate_articles(&env, 600);
    // Each indexing thread writes its own segment; the build merges them.
    env.index_ok(&["--threads", "2"]);
    let built = env.segment_ids_in_meta();
    assert_eq!(built.len(), 1, "{built:?}");
    // A sync that adds one article writes a segment beside it instead of rewriting it.
    env.write("extra.txt", "Extra\n\nOne more report from Baghdad.\n");
    env.index_ok(&["--threads", "2"]);
    let synced = env.segment_ids_in_meta();
    assert_eq!(synced.len(), 2, "{synced:?}");
    assert!(built.is_subset(&synced));
    assert_eq!(env.stats()["paragraphs"], 600 * 4 + 1);
}

#[test]
fn copies_saved_with_each_commit_give_the_counts_of_reading_every_hash() {
    let env = Env::new();
    let shared = "Kataib Hezbollah fighters crossed the Syrian border at Albu Kamal.";
    env.write(
        "a.txt",
        format!("Border\n\n{shared}\n\nThe crossing was closed again in May.\n"),
    );
    env.write(
        "b.txt",
        format!("Copy\n\n{shared}\n\nKataib Hezbollah denied it.\n"),
    );
    env.index_ok(&[]);
    let copies_files = || -> Vec<String> {
        env.index_files()
            .into_iter()
            .filter(|f| f.starts_with("sitrep-copies-"))
            .collect()
    };
    let counts = |query: &str| {
        let results = env.search(query);
        (
            results["total_hits"].as_u64().unwrap(),
            results["duplicates_collapsed"].as_u64().unwrap(),
        )
    };
    assert_eq!(copies_files().len(), 1);
    assert_eq!(counts("kataib"), (2, 1));

    // A third copy in a new file marks the paragraphs already indexed as well.
    env.write("c.txt", format!("Again\n\n{shared}\n"));
    env.index_ok(&[]);
    assert_eq!(
        copies_files().len(),
        1,
        "one file, for the current segments"
    );
    assert_eq!(counts("kataib"), (2, 2));
    assert_eq!(counts("albu"), (1, 2));
    assert_eq!(counts("closed"), (1, 0));

    // A commit that only deletes keeps every segment id, but not the bits' file name: a
    // reader still on the older commit must not take bits that no longer count its copies.
    let before_delete = copies_files();
    env.remove("c.txt");
    env.index_ok(&[]);
    assert_ne!(copies_files(), before_delete);
    assert_eq!(counts("kataib"), (2, 1));
    env.write("c.txt", format!("Again\n\n{shared}\n"));
    env.index_ok(&[]);

    // Without the file every hit's hash is read: the same counts.
    for file in copies_files() {
        fs::remove_file(env.index.join(file)).unwrap();
    }
    assert_eq!(counts("kataib"), (2, 2));
    assert_eq!(counts("albu"), (1, 2));
    // The next sync, with nothing else to do, puts it back.
    env.index_ok(&[]);
    assert_eq!(copies_files().len(), 1);
    assert_eq!(counts("kataib"), (2, 2));
}

#[test]
fn a_cache_from_another_commit_is_not_trusted() {
    // As after a run killed between its commit and saving the file cache.
    let env = Env::new();
    env.write("a.txt", "Alpha\n\nAlpha company held the ridge.\n");
    env.index_ok(&[]);
    let stale = fs::read(env.index.join("sitrep-files.bin")).unwrap();
    env.write("a.txt", "Bravo\n\nBravo company held the ridge.\n");
    env.index_ok(&[]);
    fs::write(env.index.join("sitrep-files.bin"), &stale).unwrap();
    // The file is back to the bytes the stale cache remembers; the index holds Bravo.
    env.write("a.txt", "Alpha\n\nAlpha company held the ridge.\n");
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+0 added, 1 updated, 0 removed, 0 unchanged"
    );
    assert_eq!(env.hits("alpha"), hit("a.txt", 1));
    assert_eq!(env.hits("bravo"), vec![]);
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_indexed_once_and_stay() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    for (byte, word) in [(0xfe_u8, "alpha"), (0xff, "bravo")] {
        let folder = env.corpus.join(std::ffi::OsStr::from_bytes(&[b'd', byte]));
        fs::create_dir(&folder).unwrap();
        fs::write(folder.join("a.txt"), format!("T\n\nThe {word} report.\n")).unwrap();
    }
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        "+2 added, 0 updated, 0 removed, 0 unchanged"
    );
    for _ in 0..2 {
        let stderr = env.index_ok(&[]);
        assert_eq!(
            counts(&stderr),
            "+0 added, 0 updated, 0 removed, 2 unchanged"
        );
        assert_eq!(env.hits("alpha"), hit("d%FE/a.txt", 1));
        assert_eq!(env.hits("bravo"), hit("d%FF/a.txt", 1));
    }
}

#[test]
fn a_writer_with_uncommitted_changes_refuses_a_sync_and_searches_see_its_last_commit() {
    let env = committed_small_corpus();
    // Another writer, tantivy's own, deletes every paragraph and has not committed.
    let index = tantivy::Index::open_in_dir(&env.index).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(20_000_000).unwrap();
    writer.delete_all_documents().unwrap();
    env.write(
        "d.txt",
        "Hashd in Tarmiyah\n\nHashd units swept farmland near Tarmiyah.\n",
    );

    let second = env.run(&["index"]);
    assert_eq!(second.code, Some(1), "{}", second.stderr);
    assert!(
        second
            .stderr
            .starts_with("error: index is being written by another process"),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains(LOCK_FILE), "{}", second.stderr);
    // Searches see the last commit, whole: not the deletions, not the new file.
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.hits("tarmiyah"), vec![]);

    // Once that writer commits, searches see its commit, and the next sync puts back what the
    // corpus holds.
    writer.commit().unwrap();
    drop(writer);
    assert_eq!(env.hits("convoy"), vec![]);
    env.index_ok(&["--rebuild"]);
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.hits("tarmiyah"), hit("d.txt", 1));
}

// ---- 6. A killed run ----

#[test]
fn killed_index_run_leaves_the_last_commit_and_the_next_run_completes() {
    // The smallest writer budget makes tantivy flush a segment to disk about two thirds into
    // this corpus, long before the commit; the run is killed as soon as that segment appears.
    let generated = 3_000;
    let env = committed_small_corpus();
    let committed_segments = env.segment_ids_on_disk();
    assert_eq!(committed_segments, env.segment_ids_in_meta());
    generate_articles(&env, generated);
    let mut child = env.spawn_index(&["--memory-mb", "16", "--threads", "1"]);
    wait_until("an uncommitted segment", || {
        !env.segment_ids_on_disk().is_subset(&committed_segments)
            || child.try_wait().unwrap().is_some()
    });
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the run ended ({status}) before it flushed a segment; it should have flushed one"
    );
    assert!(!env.segment_ids_on_disk().is_subset(&committed_segments));

    // Searches answer from the previous commit; none of the killed run's work is visible.
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.hits("samarra"), hit("b.md", 1));
    assert_eq!(env.articles_in_index(), 3);
    let last = format!("gen{}marker", generated - 1);
    assert_eq!(env.search("gen0marker")["total_hits"], 0);
    assert_eq!(env.search(&last)["total_hits"], 0);

    // The next run takes the lock the dead process left, finishes the sync and clears away
    // the orphaned segment files.
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        format!(
            "+{} added, 0 updated, 0 removed, 3 unchanged",
            thousands(generated)
        )
    );
    assert_eq!(env.articles_in_index(), generated as u64 + 3);
    assert_eq!(env.hits("gen0marker"), hit("gen/g00000.txt", 1));
    assert_eq!(
        env.hits(&last),
        hit(&format!("gen/g{:05}.txt", generated - 1), 1)
    );
    assert_eq!(env.hits("convoy"), hit("c.txt", 1));
    assert_eq!(env.segment_ids_on_disk(), env.segment_ids_in_meta());
    let stderr = env.index_ok(&[]);
    assert_eq!(
        counts(&stderr),
        format!(
            "+0 added, 0 updated, 0 removed, {} unchanged",
            thousands(generated + 3)
        )
    );
}
