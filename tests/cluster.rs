//! The cluster store against a real OpenSearch cluster: `.ci/run` starts one with
//! `scripts/opensearch-cluster start`, names it in SITREP_TEST_CLUSTER and runs these tests,
//! which are ignored by a plain `cargo test` (and fail, rather than pass, without a cluster).

mod common;

use tempfile::TempDir;

use common::cluster::{
    answer, assert_same_answers, cluster, fresh, remote_stats, search_json, sync_to,
};
use common::{json_stdout, sample_corpus, shared_data, sitrep, write_unlisted_corpus};

#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn the_cluster_answers_the_seed_corpus_as_the_embedded_index_does() {
    let url = cluster();
    let target = format!("{url}/parity-seed");
    fresh(&target);
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(&sample_corpus(), &index)
        .arg("index")
        .assert()
        .success();
    sync_to(&sample_corpus(), &target, &[]);
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
    assert_same_answers(&index, &target, queries);
    let stats = remote_stats(&target);
    assert_eq!(stats["articles"], 37);
    assert_eq!(stats["paragraphs"], 190);
}

#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn a_second_sync_sends_nothing_and_changes_travel_one_article_at_a_time() {
    let url = cluster();
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
    let first = sync_to(corpus.path(), &target, &[]);
    assert!(first.contains("+3 added, 0 updated, 0 removed"), "{first}");
    let second = sync_to(corpus.path(), &target, &[]);
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
    let third = sync_to(corpus.path(), &target, &[]);
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

/// A bench query line: the query text, then flags as `sitrep bench` writes them
/// (`strike --place United States`).
fn bench_query_words(line: &str) -> Vec<String> {
    let Some((text, flags)) = line.split_once(" --") else {
        return vec![line.to_string()];
    };
    let mut words = vec![text.to_string()];
    for flag in flags.split(" --") {
        let (name, value) = flag.split_once(' ').unwrap_or((flag, ""));
        words.push(format!("--{}", name.trim_start_matches('-')));
        if !value.is_empty() {
            words.push(value.to_string());
        }
    }
    words
}

#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn the_cluster_answers_bench_and_cranfield_queries_on_reuters_as_the_embedded_index_does() {
    let url = cluster();
    let target = format!("{url}/parity-reuters");
    fresh(&target);
    // A slice of the wire copy proves the same as all of it (measured on the whole corpus
    // by benches/remote/parity.py) in a fraction of the time.
    let reuters = std::fs::read_to_string(shared_data().join("reuters21578/reuters21578.jsonl"))
        .expect("Reuters-21578 in the shared data");
    let corpus = TempDir::new().unwrap();
    let slice: String = reuters
        .lines()
        .take(2_500)
        .flat_map(|l| [l, "\n"])
        .collect();
    std::fs::write(corpus.path().join("reuters.jsonl"), slice).unwrap();
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(corpus.path(), &index)
        .arg("index")
        .assert()
        .success();
    sync_to(corpus.path(), &target, &["--shards", "3"]);

    let bench = json_stdout(sitrep(corpus.path(), &index).args([
        "-q",
        "bench",
        "--iterations",
        "1",
        "--json",
    ]));
    // Searches only: who appears with whom has its own parity test below.
    let mut queries: Vec<Vec<String>> = bench["classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|class| !["entity_ties", "network"].contains(&class["class"].as_str().unwrap()))
        .flat_map(|class| class["queries"].as_array().unwrap().iter())
        .map(|query| bench_query_words(query.as_str().unwrap()))
        .collect();
    let bench_queries = queries.len();
    let cranfield = std::fs::read_to_string(shared_data().join("cranfield/queries.tsv")).unwrap();
    for line in cranfield.lines().skip(1) {
        let question = line.split('\t').nth(1).unwrap();
        let words: String = question
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        queries.push(vec![words.split_whitespace().collect::<Vec<_>>().join(" ")]);
    }
    assert!(bench_queries >= 30, "bench offered {bench_queries} queries");
    assert_eq!(queries.len(), bench_queries + 225);

    let local = ["--index", index.to_str().unwrap()];
    let remote = ["--remote", target.as_str()];
    let mut different_tops = Vec::new();
    for query in &queries {
        let query: Vec<&str> = query.iter().map(String::as_str).collect();
        let (total, dups, top, facets) = answer(&search_json(&local, &query));
        let (r_total, r_dups, r_top, r_facets) = answer(&search_json(&remote, &query));
        assert_eq!((&total, &dups), (&r_total, &r_dups), "totals of {query:?}");
        assert_eq!(facets, r_facets, "facets of {query:?}");
        if top != r_top {
            different_tops.push(format!("{query:?}: {top:?} vs {r_top:?}"));
        }
    }
    // Lucene scores a sloppy phrase match 1/(1+distance), tantivy counts it whole: an explicit
    // `"..."~N` query may order its hits differently. Everything else ranks identically.
    assert!(
        different_tops.len() * 50 <= queries.len(),
        "{} of {} top-10 lists differ:\n{}",
        different_tops.len(),
        queries.len(),
        different_tops.join("\n")
    );
}

#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn the_compiled_gazetteer_is_cached_between_runs_and_a_bad_cache_file_is_compiled_again() {
    let url = cluster();
    let target = format!("{url}/gazetteer-cache");
    fresh(&target);
    sync_to(&sample_corpus(), &target, &[]);
    let cache = TempDir::new().unwrap();
    let search = || {
        json_stdout(
            assert_cmd::Command::cargo_bin("sitrep")
                .unwrap()
                .env("XDG_CACHE_HOME", cache.path())
                .args(["--remote", &target, "-q", "search", "Hezbollah Brigades"])
                .arg("--json"),
        )
    };
    let first = search();
    assert!(first["total_hits"].as_u64().unwrap() > 0);
    let cached: Vec<_> = std::fs::read_dir(cache.path().join("sitrep/gazetteers"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(cached[0].extension().unwrap(), "compiled");
    assert_eq!(answer(&search()), answer(&first));
    std::fs::write(&cached[0], "not a gazetteer").unwrap();
    assert_eq!(answer(&search()), answer(&first));
    assert!(
        std::fs::metadata(&cached[0]).unwrap().len() > 1000,
        "rewritten"
    );
}

#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn saved_pages_reports_and_word_files_reach_the_cluster_as_they_reach_the_index() {
    let url = cluster();
    let target = format!("{url}/formats");
    fresh(&target);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for file in [
        "report-2col.pdf",
        "reportlab.pdf",
        "briefing.docx",
        "report-1col.html",
    ] {
        std::fs::copy(fixtures.join(file), corpus.join(file)).unwrap();
    }
    let index = dir.path().join("index");
    sitrep(&corpus, &index).arg("index").assert().success();
    let report = sync_to(&corpus, &target, &[]);
    assert!(
        report.contains("+4 added, 0 updated, 0 removed"),
        "{report}"
    );
    let queries: &[&[&str]] = &[
        &["\"Sayyida Zaynab\""],
        &["Nineveh"],
        &["payroll"],
        &["Muhandis", "--facets"],
        &["militias", "--place", "Mosul"],
    ];
    assert_same_answers(&index, &target, queries);
    let stats = remote_stats(&target);
    assert_eq!(stats["articles"], 4);
    assert_eq!(stats["paragraphs"], 32 + 11 + 14 + 31);
}

/// `index --to --unlisted` tags the names no gazetteer entry holds with the learned tagger, as
/// `index --unlisted` does, and later syncs keep it until `--unlisted=false`.
#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn unlisted_names_reach_the_cluster_as_they_reach_the_index() {
    let url = cluster();
    let target = format!("{url}/unlisted");
    fresh(&target);
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    write_unlisted_corpus(&corpus);
    let index = dir.path().join("index");
    sitrep(&corpus, &index)
        .args(["index", "--unlisted"])
        .assert()
        .success();
    sync_to(&corpus, &target, &["--unlisted"]);
    let queries: &[&[&str]] = &[
        &["--person", "Wissam Kadhim al-Zubaidi", "killed OR led"],
        &["--org", "Saraya Awliya al-Dam", "group OR fighters"],
        &["--person", "Karim Nouri", "spokesman"],
        &["Baghdad OR Zubaidi", "--facets"],
    ];
    assert_same_answers(&index, &target, queries);
    // A sync without the flag keeps it: nothing is re-tagged or sent.
    let report = sync_to(&corpus, &target, &["-v"]);
    assert!(!report.contains("re-tagged"), "{report}");
    assert!(report.contains("0 added, 0 updated, 0 removed"), "{report}");
    // Turning it off re-tags every paragraph, and the names are no filter any more.
    let report = sync_to(&corpus, &target, &["--unlisted=false", "-v"]);
    assert!(
        report.contains("tagging of unlisted names was turned off"),
        "{report}"
    );
    let refused = common::cluster::try_search(
        &["--remote", &target],
        &["--person", "Karim Nouri", "spokesman"],
    );
    assert!(refused.is_err_and(|err| err.contains("Karim Nouri")));
}

/// `entities --with`, `network` and a search of filters alone answer on the cluster as on
/// the index folder.
#[test]
#[ignore = "needs an OpenSearch cluster named in SITREP_TEST_CLUSTER; .ci/run starts one and runs it"]
fn who_appears_with_whom_is_the_same_on_the_cluster() {
    let url = cluster();
    let target = format!("{url}/network");
    fresh(&target);
    let corpus = sample_corpus();
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(&corpus, &index).arg("index").assert().success();
    sync_to(&corpus, &target, &[]);
    let on = |store: &[&str], args: &[&str]| -> serde_json::Value {
        json_stdout(
            assert_cmd::Command::cargo_bin("sitrep")
                .unwrap()
                .args(store)
                .args(args),
        )
    };
    let local = ["--index", index.to_str().unwrap()];
    let remote = ["--remote", target.as_str()];
    let requests: &[&[&str]] = &[
        &["entities", "--with", "Qassem Soleimani", "--json"],
        &[
            "entities",
            "--with",
            "Iran",
            "--since",
            "2019-01-01",
            "--json",
            "-n",
            "100",
        ],
        &[
            "entities",
            "--org",
            "Kataib Hezbollah",
            "drone OR strike",
            "--json",
        ],
        &["network", "--json"],
        &["network", "militias", "-n", "12", "--by", "month", "--json"],
        &["search", "--org", "Kataib Hezbollah", "-n", "40", "--json"],
    ];
    for request in requests {
        let embedded = on(&local, request);
        let clustered = on(&remote, request);
        assert!(
            embedded.as_array().is_none_or(|rows| !rows.is_empty()),
            "{request:?}"
        );
        assert_eq!(
            embedded["elapsed_us"].is_null(),
            clustered["elapsed_us"].is_null()
        );
        let strip = |mut value: serde_json::Value| {
            if let Some(object) = value.as_object_mut() {
                object.remove("elapsed_us");
            }
            value
        };
        assert_eq!(strip(embedded), strip(clustered), "{request:?}");
    }
}
