//! `sitrep search` end to end, over the sample corpus and the seed article of ../shared/data.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use std::collections::BTreeSet;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// The sample corpus and its index, built once for every test of this file (none of them
/// writes to it), under cargo's temp folder for integration tests.
fn sample() -> (PathBuf, &'static TempDir) {
    static INDEX: OnceLock<TempDir> = OnceLock::new();
    let corpus = sample_corpus();
    let dir = INDEX.get_or_init(|| {
        let dir = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        sitrep(&corpus, &index_path(&dir))
            .arg("index")
            .assert()
            .success();
        dir
    });
    (corpus, dir)
}

/// The seed article in a corpus folder of its own (read from ../shared/data, copied only into
/// a temp dir for the test's lifetime).
fn seed() -> (TempDir, PathBuf, TempDir) {
    let corpus = TempDir::new().unwrap();
    let seed = shared_data().join("seed/000_a072b550ad523d40.txt");
    std::fs::copy(&seed, corpus.path().join("000_a072b550ad523d40.txt"))
        .unwrap_or_else(|e| panic!("reading {}: {e}", seed.display()));
    let path = corpus.path().to_path_buf();
    let dir = build_index(&path);
    (corpus, path, dir)
}

const SEED_ID: &str = "000_a072b550ad523d40.txt";

fn sorted<const N: usize>(mut keys: [&str; N]) -> Vec<&str> {
    keys.sort();
    keys.to_vec()
}

#[test]
fn json_has_the_documented_shape() {
    let (corpus, dir) = sample();
    let r = search_json(&corpus, dir, &["\"Promised Day Brigade\"", "--facets"]);
    // serde_json sorts object keys when parsing, so compare the shape as sorted lists.
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        sorted([
            "query",
            "total_hits",
            "duplicates_collapsed",
            "elapsed_us",
            "hits",
            "facets"
        ])
    );
    assert_eq!(r["query"], "\"Promised Day Brigade\"");
    assert_eq!(r["total_hits"], 2);
    let hit = &r["hits"][0];
    let keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        sorted([
            "rank",
            "score",
            "article_id",
            "title",
            "date",
            "url",
            "path",
            "paragraph",
            "text",
            "snippet",
            "highlights",
            "snippet_highlights",
            "entities",
            "duplicates"
        ])
    );
    assert_eq!(hit["rank"], 1);
    assert_eq!(hit["article_id"], "analysis/2014/saraya-al-salam.md");
    assert_eq!(hit["paragraph"], 2);
    assert_eq!(hit["date"], "2014-06-21");
    assert_eq!(hit["title"], "Sadr revives his militia as Saraya al-Salam");
    assert!(hit["path"]
        .as_str()
        .unwrap()
        .ends_with("corpus/analysis/2014/saraya-al-salam.md"));
    // Highlights are byte ranges into the text and cover exactly the phrase.
    let text = hit["text"].as_str().unwrap();
    let [start, end] =
        [&hit["highlights"][0][0], &hit["highlights"][0][1]].map(|v| v.as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "Promised Day Brigade");
    assert_eq!(hit["highlights"].as_array().unwrap().len(), 1);
    let entity = hit["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Promised Day Brigade")
        .expect("the paragraph is tagged with the brigade");
    assert_eq!(entity["kind"], "org");
    assert_eq!(entity["path"], "/org/Sadrist movement/Promised Day Brigade");
    assert_eq!(
        r["hits"][1]["article_id"],
        "lwj/2008/2008-11-14-promised-day-brigade.txt"
    );
    assert_eq!(r["hits"][1]["paragraph"], 1);
    let facets = r["facets"].as_object().unwrap();
    assert_eq!(
        facets.keys().collect::<Vec<_>>(),
        ["org", "person", "place"]
    );
    assert_eq!(
        r["facets"]["org"][0],
        serde_json::json!({"name": "Promised Day Brigade", "count": 2})
    );
}

#[test]
fn identical_paragraphs_collapse_with_their_duplicates_listed() {
    let (corpus, dir) = sample();
    let r = search_json(&corpus, dir, &["able-bodied Iraqis"]);
    assert_eq!(r["total_hits"], 1);
    assert_eq!(r["duplicates_collapsed"], 2);
    // The three copies tie; which one represents them is fixed (by article), and the other
    // two are listed in article order.
    assert_eq!(hit_ids(&r), [("sample-json-001".to_string(), 3)]);
    assert_eq!(
        r["hits"][0]["duplicates"],
        serde_json::json!([
            {"article_id": "analysis/2016/pmf-law.md", "paragraph": 2},
            {"article_id": "sample-jsonl-003", "paragraph": 3}
        ])
    );
    sitrep(&corpus, &index_path(dir))
        .args(["search", "able-bodied Iraqis"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "1 paragraph (+2 duplicates) in 3 articles, showing 1–1",
        ))
        .stdout(predicate::str::contains(
            "also in: analysis/2016/pmf-law.md ¶2, sample-jsonl-003 ¶3",
        ));
}

#[test]
fn apostrophes_and_hyphens_fold() {
    let (corpus, dir) = sample();
    let r = search_json(&corpus, dir, &["text:Kataib", "-n", "100"]);
    let found = texts(&r);
    assert!(
        found.iter().any(|t| t.contains("Kata’ib")),
        "curly apostrophe"
    );
    assert!(
        found.iter().any(|t| t.contains("Kata'ib")),
        "straight apostrophe"
    );
    assert!(found.iter().any(|t| t.contains("Kataib")), "no apostrophe");
    assert!(found
        .iter()
        .all(|t| t.contains("Kata’ib") || t.contains("Kata'ib") || t.contains("Kataib")));

    let r = search_json(&corpus, dir, &["\"Kata’ib Hezbollah\"", "-n", "100"]);
    let curly = search_json(&corpus, dir, &["\"Kataib Hezbollah\"", "-n", "100"]);
    assert_eq!(hit_ids(&r), hit_ids(&curly));

    // "al Muhandis" finds "al-Muhandis", and the highlight covers the hyphenated original.
    let r = search_json(&corpus, dir, &["\"abu mahdi al muhandis\"", "-n", "100"]);
    let hit = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["article_id"] == "lwj/2020/2020-01-03-soleimani-killed.txt")
        .unwrap();
    let text = hit["text"].as_str().unwrap();
    let [start, end] =
        [&hit["highlights"][0][0], &hit["highlights"][0][1]].map(|v| v.as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "Abu Mahdi al-Muhandis");
    assert!(texts(&r)
        .iter()
        .any(|t| t.contains("Abu Mahdi al Muhandis")));

    // Diacritics fold: "Nuri al-Maliki" finds "Nūri al-Mālikī", ranked first since it matches
    // the words and the entity; the other hits name him as "Nouri al-Maliki".
    let r = search_json(&corpus, dir, &["\"nuri al maliki\"", "-n", "100"]);
    assert!(texts(&r)[0].contains("Nūri al-Mālikī"));
    assert!(r["hits"].as_array().unwrap().iter().all(|h| h["entities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "Nouri al-Maliki")));
}

#[test]
fn phrases_slop_or_exclusion_fields_and_prefixes() {
    let (corpus, dir) = sample();
    // Sadr's Mahdi Army: words apart, so the exact phrase misses and slop finds it.
    assert_eq!(
        search_json(&corpus, dir, &["\"sadr army\""])["total_hits"],
        0
    );
    let slop = search_json(&corpus, dir, &["\"sadr army\"~3"]);
    assert_eq!(
        hit_ids(&slop),
        [
            ("lwj/2004/2004-04-05-mahdi-army-uprising.txt".to_string(), 3),
            (
                "lwj/2008/2008-04-20-charge-of-the-knights.txt".to_string(),
                3
            ),
            ("sample-jsonl-003".to_string(), 4),
        ]
    );

    let isis = search_json(&corpus, dir, &["text:isis", "-n", "100"])["total_hits"]
        .as_u64()
        .unwrap();
    let isil = search_json(&corpus, dir, &["text:isil", "-n", "100"])["total_hits"]
        .as_u64()
        .unwrap();
    let either = search_json(&corpus, dir, &["text:isis OR text:isil", "-n", "100"]);
    let either_total = either["total_hits"].as_u64().unwrap();
    // No sample paragraph says both, so the union is the sum.
    assert_eq!((isis, isil, either_total), (5, 2, 7));
    assert!(texts(&either)
        .iter()
        .all(|t| t.contains("ISIS") || t.contains("ISIL")));

    let excluded = search_json(&corpus, dir, &["text:hezbollah -lebanon", "-n", "100"]);
    assert!(!texts(&excluded).is_empty());
    assert!(texts(&excluded).iter().all(|t| !t.contains("Lebanon")));
    assert!(texts(&excluded)
        .iter()
        .all(|t| t.to_lowercase().contains("hezbollah")));
    // An exclusion without a field looks in the title too: the paragraphs of an article
    // titled after Sadr City go with the ones that name it.
    let sadr = search_json(&corpus, dir, &["text:sadr", "-n", "100"]);
    let without_sadr_city = search_json(&corpus, dir, &["text:sadr -\"Sadr City\"", "-n", "100"]);
    let only_text = search_json(
        &corpus,
        dir,
        &["text:sadr -text:\"Sadr City\"", "-n", "100"],
    );
    let naming = |field: &str| {
        sadr["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h[field].as_str().unwrap().contains("Sadr City"))
            .count()
    };
    let in_text_or_title = sadr["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| format!("{} {}", h["title"], h["text"]).contains("Sadr City"))
        .count();
    assert_eq!(sadr["total_hits"], 22);
    assert_eq!((naming("text"), in_text_or_title), (4, 7));
    assert_eq!(without_sadr_city["total_hits"], 22 - 7);
    assert_eq!(only_text["total_hits"], 22 - 4);
    assert!(texts(&without_sadr_city)
        .iter()
        .all(|t| !t.contains("Sadr City")));

    let title = search_json(&corpus, dir, &["title:baghouz"]);
    assert_eq!(title["total_hits"], 5);
    assert!(hit_ids(&title)
        .iter()
        .all(|(id, _)| id == "lwj/2019/2019-03-23-baghouz-falls.txt"));

    let prefix = search_json(&corpus, dir, &["text:militia*", "-n", "100"]);
    assert!(texts(&prefix).iter().any(|t| t.contains("militias")));
    assert!(texts(&prefix)
        .iter()
        .all(|t| t.to_lowercase().contains("militia")));
}

#[test]
fn paging_with_limit_and_offset() {
    let (corpus, dir) = sample();
    let all = hit_ids(&search_json(&corpus, dir, &["sadr", "-n", "8"]));
    let first = hit_ids(&search_json(&corpus, dir, &["sadr", "-n", "3"]));
    let second = hit_ids(&search_json(
        &corpus,
        dir,
        &["sadr", "-n", "5", "--offset", "3"],
    ));
    assert_eq!(first, all[..3]);
    assert_eq!(second, all[3..8]);
}

#[test]
fn dates_filter_hits() {
    let (corpus, dir) = sample();
    let r = search_json(
        &corpus,
        dir,
        &[
            "sadr",
            "--since",
            "2014-01-01",
            "--until",
            "2018-12-31",
            "-n",
            "50",
        ],
    );
    let dates: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(!dates.is_empty());
    assert!(
        dates
            .iter()
            .all(|d| ("2014-01-01".."2018-12-32").contains(d)),
        "{dates:?}"
    );
}

#[test]
fn seed_article_paragraphs_and_spelling_traps() {
    let (_keep, corpus, dir) = seed();
    // Lines 3 and 4 of the file are identical: one hit, one duplicate.
    let r = search_json(&corpus, &dir, &["reactivated two of his longstanding"]);
    assert_eq!(r["total_hits"], 1);
    assert_eq!(r["duplicates_collapsed"], 1);
    assert_eq!(hit_ids(&r), [(SEED_ID.to_string(), 1)]);
    assert_eq!(
        r["hits"][0]["duplicates"],
        serde_json::json!([{"article_id": SEED_ID, "paragraph": 2}])
    );
    assert_eq!(
        r["hits"][0]["title"],
        "Muqtada al Sadr reactivates Mahdi Army, Promised Day Brigade"
    );

    // The misspelt "Soliemani" paragraph is tagged as Qassem Soleimani, so searching the
    // right spelling finds it through the entity.
    let r = search_json(&corpus, &dir, &["\"Qassem Soleimani\"", "-n", "20"]);
    let ids: Vec<u64> = hit_ids(&r).into_iter().map(|(_, p)| p).collect();
    assert!(ids.contains(&6), "{ids:?}");
    let hit = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["paragraph"] == 6)
        .unwrap();
    let text = hit["text"].as_str().unwrap();
    assert!(text.contains("Qassem Soliemani"));
    let highlighted: Vec<&str> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(highlighted, ["Qassem Soliemani"]);

    // "Kataib Hezbollah" finds the paragraphs that only say "Hezbollah Brigades".
    let r = search_json(&corpus, &dir, &["\"Kataib Hezbollah\""]);
    assert!(
        texts(&r).iter().all(|t| t.contains("Hezbollah Brigades")),
        "{:?}",
        texts(&r)
    );
    assert_eq!(r["total_hits"], 4);

    // Curly apostrophe in "Iraq’s Popular Mobilization Forces" and a possessive.
    let r = search_json(&corpus, &dir, &["\"iraq popular mobilization forces\""]);
    assert_eq!(hit_ids(&r), [(SEED_ID.to_string(), 10)]);
}

#[test]
fn entity_phrases_rank_paragraphs_naming_the_entity_first() {
    let (corpus, dir) = sample();
    let r = search_json(&corpus, dir, &["Quds Force", "-n", "20"]);
    let hits = r["hits"].as_array().unwrap();
    let names = |h: &Value| -> bool {
        h["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "Qods Force")
    };
    let first_without = hits.iter().position(|h| !names(h)).unwrap_or(hits.len());
    assert!(first_without >= 8, "entity paragraphs first");
    assert!(hits[first_without..].iter().all(|h| !names(h)));
    // The paragraph that only says "IRGC-QF" is found, with the acronym highlighted.
    let qf = hits
        .iter()
        .find(|h| h["text"].as_str().unwrap().contains("IRGC-QF"))
        .expect("IRGC-QF paragraph found through the entity");
    let text = qf["text"].as_str().unwrap();
    assert!(!text.contains("Quds") && !text.contains("Qods"));
    let range = &qf["highlights"][0];
    assert_eq!(
        &text[range[0].as_u64().unwrap() as usize..range[1].as_u64().unwrap() as usize],
        "IRGC-QF"
    );
}

#[test]
fn entity_filters_and_unknown_names() {
    let (corpus, dir) = sample();
    let by_alias = search_json(
        &corpus,
        dir,
        &["sadr", "--person", "Moqtada al-Sadr", "-n", "100"],
    );
    let by_name = search_json(
        &corpus,
        dir,
        &["sadr", "--person", "Muqtada al-Sadr", "-n", "100"],
    );
    assert_eq!(hit_ids(&by_alias), hit_ids(&by_name));
    assert!(by_alias["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "Muqtada al-Sadr")));
    // A parent includes its children: --org PMF matches paragraphs tagged Kata'ib Hezbollah.
    let pmf = search_json(&corpus, dir, &["rockets", "--org", "PMF", "-n", "100"]);
    assert!(pmf["hits"].as_array().unwrap().iter().any(|h| h["entities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "/org/Popular Mobilization Forces/Kata'ib Hezbollah")));

    // A query that spells a name in a transliteration no alias lists finds the paragraphs
    // tagged with it, as an alias does.
    let query_ids = |query: &str| {
        let mut ids = hit_ids(&search_json(&corpus, dir, &[query, "-n", "200"]));
        ids.sort();
        ids
    };
    let tagged = query_ids("\"Muqtada al-Sadr\"");
    assert!(tagged.len() >= 5, "{tagged:?}");
    assert_eq!(query_ids("\"Moktada el-Sadr\""), tagged);
    assert_eq!(query_ids("Moktada al-Sadr"), query_ids("Muqtada al-Sadr"));
    // A transliteration no alias lists names the same person.
    let by_variant = search_json(
        &corpus,
        dir,
        &["sadr", "--person", "Moktada el-Sadr", "-n", "100"],
    );
    assert_eq!(hit_ids(&by_variant), hit_ids(&by_name));
    sitrep(&corpus, &index_path(dir))
        .args(["search", "sadr", "--person", "Moqtada Badri"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: unknown person 'Moqtada Badri'; did you mean 'Muqtada al-Sadr'",
        ));
    sitrep(&corpus, &index_path(dir))
        .args(["search", "x", "--person", "Hezbollah"])
        .assert()
        .code(2)
        .stderr(
            "error: unknown person 'Hezbollah' (it is the org 'Hezbollah' in the gazetteer); \
             use --org 'Hezbollah'\n",
        );
}

#[test]
fn syntax_errors_name_the_position() {
    let (corpus, dir) = sample();
    sitrep(&corpus, &index_path(dir))
        .args(["search", "sadr \"mahdi army"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: query syntax error at column 6: unclosed quote; expected a closing \"\n  sadr \"mahdi army\n       ^\n");
    sitrep(&corpus, &index_path(dir))
        .args(["search", "isis OR"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: query syntax error at column 6: expected a term or phrase after OR",
        ));
    sitrep(&corpus, &index_path(dir))
        .args(["search", "author:smith"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown field 'author'; the fields are title: and text:",
        ));
}

#[test]
fn first_search_builds_the_index_and_missing_things_say_what_to_run() {
    let corpus = sample_corpus();
    let dir = TempDir::new().unwrap();
    let index = dir.path().join("index");
    sitrep(&corpus, &index)
        .args(["search", "Baghouz", "-n", "1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no index in"))
        .stderr(predicate::str::contains("building it from"))
        .stdout(predicate::str::contains("SDF declares the fall of Baghouz"));
    // Second search: no rebuild message.
    sitrep(&corpus, &index)
        .args(["search", "Baghouz", "-n", "1"])
        .assert()
        .success()
        .stderr("");

    let nowhere = dir.path().join("nowhere");
    sitrep(&nowhere, &nowhere)
        .args(["search", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no index at"))
        .stderr(predicate::str::contains("run `sitrep index`"))
        .stderr(predicate::str::contains("no corpus folder"));
    sitrep(&nowhere, &nowhere)
        .args(["stats"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("run `sitrep index`"));
    sitrep(&nowhere, &nowhere).args(["bogus"]).assert().code(2);
}

#[test]
fn fuzzy_retry_when_nothing_matches() {
    let (corpus, dir) = sample();
    let out = sitrep(&corpus, &index_path(dir))
        .args(["search", "Baghous", "--json"])
        .assert()
        .success()
        .stderr("no exact match; showing results for baghous~1\n")
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    // "Baghous" is one edit from "Baghouz": the paragraph that names the village ranks first
    // and is highlighted there; the article's other paragraphs match through its title.
    let article = "lwj/2019/2019-03-23-baghouz-falls.txt";
    assert_eq!(
        hit_ids(&r),
        (1..=5)
            .map(|p| (article.to_string(), p))
            .collect::<Vec<_>>()
    );
    assert_eq!(r["total_hits"], 5);
    let first = &r["hits"][0];
    let text = first["text"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| first["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], "Baghouz");
    for hit in r["hits"].as_array().unwrap() {
        assert!(hit["title"].as_str().unwrap().contains("Baghouz"), "{hit}");
    }
}

#[test]
fn zero_hits_is_success() {
    let (corpus, dir) = sample();
    sitrep(&corpus, &index_path(dir))
        .args(["search", "zanzibar"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("0 paragraphs in 0 articles"));
}

#[test]
fn human_output_marks_matches_when_piped() {
    let (corpus, dir) = sample();
    sitrep(&corpus, &index_path(dir))
        .args(["search", "\"Promised Day Brigade\"", "-n", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[Promised Day Brigade]"))
        .stdout(predicate::str::contains(
            "analysis/2014/saraya-al-salam.md ¶2 · 2014-06-21",
        ))
        .stdout(predicate::str::contains("\x1b[").not());
    sitrep(&corpus, &index_path(dir))
        .args([
            "search",
            "\"Promised Day Brigade\"",
            "-n",
            "1",
            "--color",
            "always",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\x1b[1;33mPromised Day Brigade\x1b[0m",
        ));
}

#[test]
fn show_and_stats() {
    let (corpus, dir) = sample();
    sitrep(&corpus, &index_path(dir))
        .args(["show", "sample-jsonl-005", "--paragraph", "2"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Houthis hijack the Galaxy Leader in the Red Sea\n",
        ))
        .stdout(predicate::str::contains(
            "¶2 The Houthi movement, formally known as Ansar Allah",
        ));
    sitrep(&corpus, &index_path(dir))
        .args(["show", "no/such.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no article 'no/such.txt'"));
    let stats = json_stdout(sitrep(&corpus, &index_path(dir)).args(["stats", "--json"]));
    assert_eq!(stats["articles"], 37);
    let paragraphs = stats["paragraphs"].as_u64().unwrap();
    assert!(paragraphs > 150, "{paragraphs}");
    assert!(stats["size_bytes"].as_u64().unwrap() > 10_000);
}

#[test]
fn long_questions_relax_and_say_so() {
    let (corpus, dir) = sample();
    let question = "which militia leaders were killed in the drone strike at Baghdad airport?";
    let out = sitrep(&corpus, &index_path(dir))
        .args(["search", question, "-n", "3", "--json"])
        .assert()
        .success()
        .stderr(
            "few paragraphs have all 7 words; showing those with at least 4 of: militia, \
             leaders, killed, drone, strike, baghdad, airport, best first (which, were, in, \
             the, at optional)\n",
        )
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        r["relaxed"],
        serde_json::json!({
            "words": 7,
            "required": 4,
            "of": ["militia", "leaders", "killed", "drone", "strike", "baghdad", "airport"],
            "optional": ["which", "were", "in", "the", "at"]
        })
    );
    assert_eq!(r["total_hits"], 12);
    assert_eq!(
        hit_ids(&r)[0],
        ("notes/2024-02-10-red-sea-roundup.txt".to_string(), 3)
    );

    // Explicit syntax is never rewritten, and short queries keep every word required.
    for query in [
        "\"drone strike killed the militia leaders at the airport\"",
        "drone strike killed militia leaders -airport baghdad",
        "sadr mahdi army",
    ] {
        let r = search_json(&corpus, dir, &[query]);
        assert!(r.get("relaxed").is_none(), "{query}: {r}");
    }
    let r = search_json(&corpus, dir, &["sadr mahdi army"]);
    for hit in r["hits"].as_array().unwrap() {
        let both = format!("{} {}", hit["title"], hit["text"]).to_lowercase();
        assert!(
            ["sadr", "mahdi", "army"].iter().all(|w| both.contains(w)),
            "{hit}"
        );
    }
}

#[test]
fn word_forms_match_with_exact_spellings_first() {
    let (corpus, dir) = sample();
    let r = search_json(&corpus, dir, &["militias", "-n", "100"]);
    let exact: Vec<bool> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let both = format!("{} {}", h["title"], h["text"]).to_lowercase();
            both.contains("militias")
        })
        .collect();
    let first_stemmed = exact
        .iter()
        .position(|e| !e)
        .expect("a paragraph saying only 'militia'");
    assert!(
        first_stemmed > 0 && exact[first_stemmed..].iter().all(|e| !e),
        "{exact:?}"
    );
    assert!(texts(&r)[first_stemmed].to_lowercase().contains("militia"));
}

#[test]
fn per_article_gives_each_article_once_with_its_best_paragraph() {
    let (corpus, dir) = sample();
    let paragraphs = search_json(&corpus, dir, &["militias", "-n", "100"]);
    let articles = search_json(&corpus, dir, &["militias", "-n", "100", "--per-article"]);
    let ids: Vec<(String, u64)> = hit_ids(&articles);
    let distinct: BTreeSet<&String> = ids.iter().map(|(a, _)| a).collect();
    assert_eq!(distinct.len(), ids.len());
    assert_eq!(articles["total_hits"].as_u64().unwrap() as usize, ids.len());
    // Each article's hit is its best-ranked paragraph in the paragraph view.
    let by_paragraph = hit_ids(&paragraphs);
    for (article, paragraph) in &ids {
        let best = by_paragraph.iter().find(|(a, _)| a == article).unwrap();
        assert_eq!(best.1, *paragraph, "{article}");
    }
    let matched: u64 = articles["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["paragraphs_matched"].as_u64().unwrap())
        .sum();
    assert_eq!(
        matched,
        paragraphs["total_hits"].as_u64().unwrap()
            + paragraphs["duplicates_collapsed"].as_u64().unwrap()
    );
}

#[test]
fn counting_alone_agrees_on_tokens_that_folding_leaves_unusual() {
    // "2½" folds to the one token "21⁄2", which a second pass through the tokenizer would
    // split; the stemmed clause must stem the token as indexed.
    let corpus = TempDir::new().unwrap();
    std::fs::write(
        corpus.path().join("a.txt"),
        "Ration\n\nThe unit received 2½ days of rations.\n",
    )
    .unwrap();
    std::fs::write(
        corpus.path().join("b.txt"),
        "Count\n\nThe unit counted 21 vehicles.\n",
    )
    .unwrap();
    let path = corpus.path().to_path_buf();
    let dir = build_index(&path);
    for query in ["2½", "unit -2½"] {
        let ranked = search_json(&path, &dir, &[query, "-n", "10"]);
        let counted = search_json(&path, &dir, &[query, "-n", "0"]);
        assert_eq!(ranked["total_hits"], 1, "{query}");
        assert_eq!(counted["total_hits"], ranked["total_hits"], "{query}");
    }
}

#[test]
fn counting_alone_finds_what_ranking_finds() {
    // `-n 0` only counts, with a lighter query (no score-only clauses, the exact-word field
    // left to the stemmed one); the counts must not move.
    let (corpus, dir) = sample();
    let queries = [
        "militias",
        "kataib hezbollah",
        "\"quds force\"",
        "sadr OR khazali",
        "soleimani -baghdad",
        "what did the militias do after the drone strike",
    ];
    for query in queries {
        let ranked = search_json(&corpus, dir, &[query, "-n", "10"]);
        let counted = search_json(&corpus, dir, &[query, "-n", "0"]);
        assert!(ranked["total_hits"].as_u64().unwrap() > 0, "{query}");
        assert_eq!(counted["hits"].as_array().unwrap().len(), 0, "{query}");
        for key in ["total_hits", "duplicates_collapsed"] {
            assert_eq!(counted[key], ranked[key], "{key} of {query}");
        }
    }
}
