//! Entity tagging: quality against a hand annotation of the seed article, and the `entities`,
//! `extract` and gazetteer-error paths of the CLI.

mod common;

use std::collections::BTreeSet;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use sitrep::entities::Gazetteer;
use tempfile::TempDir;

fn repo_gazetteer() -> Gazetteer {
    let path = sample_corpus().join("entities.toml");
    Gazetteer::from_file(&path).expect("the repository gazetteer loads")
}

/// Precision and recall per kind of the tagger on the seed article, against
/// tests/fixtures/seed_entities.json (annotated by reading, not by running the tagger).
#[test]
fn tagger_precision_and_recall_on_the_seed_article() {
    let gazetteer = repo_gazetteer();
    let seed = std::fs::read(shared_data().join("seed/000_a072b550ad523d40.txt")).unwrap();
    let article = sitrep::corpus::parse_file("seed.txt", &seed)
        .articles
        .remove(0);
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/seed_entities.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let gold_paragraphs = gold["paragraphs"].as_array().unwrap();
    assert_eq!(gold_paragraphs.len(), article.paragraphs.len());

    let mut report = String::new();
    let mut totals = std::collections::BTreeMap::new();
    // Tagged as one article, as the indexer does, so short names it sets up count.
    let texts: Vec<&str> = article.paragraphs.iter().map(String::as_str).collect();
    let tagged: Vec<Vec<sitrep::entities::EntityMatch>> =
        gazetteer.find_article_mentions(&texts, None);
    for ((annotation, text), mentions) in
        gold_paragraphs.iter().zip(&article.paragraphs).zip(tagged)
    {
        let starts = annotation["starts_with"].as_str().unwrap();
        assert!(text.starts_with(starts), "fixture out of step at {starts}");
        let expected: BTreeSet<(String, String)> = annotation["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap().to_string(),
                    e["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let found: BTreeSet<(String, String)> =
            mentions.into_iter().map(|m| (m.kind, m.name)).collect();
        for kind in ["person", "org", "place"] {
            let e: BTreeSet<_> = expected.iter().filter(|x| x.0 == kind).collect();
            let f: BTreeSet<_> = found.iter().filter(|x| x.0 == kind).collect();
            let t: &mut (usize, usize, usize) = totals.entry(kind).or_default();
            t.0 += e.intersection(&f).count();
            t.1 += f.len();
            t.2 += e.len();
        }
        for missed in expected.difference(&found) {
            report.push_str(&format!(
                "missed ¶{}: {missed:?}\n",
                annotation["paragraph"]
            ));
        }
        for extra in found.difference(&expected) {
            report.push_str(&format!("extra ¶{}: {extra:?}\n", annotation["paragraph"]));
        }
    }
    let (mut tp, mut predicted, mut gold_count) = (0, 0, 0);
    for (kind, (t, f, e)) in &totals {
        let precision = *t as f64 / (*f).max(1) as f64;
        let recall = *t as f64 / (*e).max(1) as f64;
        println!(
            "{kind:<7} precision {precision:.3} recall {recall:.3} ({t} of {e} found, {f} tagged)"
        );
        assert!(
            precision >= 0.95,
            "{kind} precision {precision:.3}\n{report}"
        );
        assert!(recall >= 0.90, "{kind} recall {recall:.3}\n{report}");
        tp += t;
        predicted += f;
        gold_count += e;
    }
    println!(
        "all     precision {:.3} recall {:.3}\n{report}",
        tp as f64 / predicted as f64,
        tp as f64 / gold_count as f64
    );
}

#[test]
fn extract_lists_mentions_with_byte_ranges() {
    let dir = TempDir::new().unwrap();
    let text = "Kata’ib Hezbollah and the IRGC-QF met Qassem Soliemani in Sadr City.";
    let mentions = json_stdout(
        sitrep(&sample_corpus(), &dir.path().join("none"))
            .args(["extract", "-", "--json"])
            .write_stdin(text),
    );
    let got: Vec<(String, String, String, bool)> = mentions
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let [s, e] = [&m["range"][0], &m["range"][1]].map(|v| v.as_u64().unwrap() as usize);
            assert_eq!(&text[s..e], m["text"].as_str().unwrap());
            (
                m["kind"].as_str().unwrap().to_string(),
                m["name"].as_str().unwrap().to_string(),
                m["text"].as_str().unwrap().to_string(),
                m["variant"].as_bool().unwrap(),
            )
        })
        .collect();
    let expect =
        |k: &str, n: &str, t: &str, v: bool| (k.to_string(), n.to_string(), t.to_string(), v);
    assert_eq!(
        got,
        [
            expect("org", "Kata'ib Hezbollah", "Kata’ib Hezbollah", false),
            expect("org", "Qods Force", "IRGC-QF", false),
            expect("person", "Qassem Soleimani", "Qassem Soliemani", true),
            expect("place", "Sadr City", "Sadr City", false),
        ]
    );
}

#[test]
fn entities_command_counts_paragraphs_and_articles() {
    let corpus = sample_corpus();
    let dir = build_index(&corpus);
    let usage = json_stdout(
        sitrep(&corpus, &index_path(&dir))
            .args(["entities", "--kind", "person", "--json", "--limit", "3"]),
    );
    let usage = usage.as_array().unwrap();
    assert_eq!(usage.len(), 3);
    assert!(usage.iter().all(|e| e["kind"] == "person"));
    let counts: Vec<u64> = usage
        .iter()
        .map(|e| e["paragraphs"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most named first: {counts:?}"
    );
    // Cross-check against search: the --facets count of a person over a query that matches
    // every paragraph naming them equals the entities count.
    let name = usage[0]["name"].as_str().unwrap();
    let paragraphs = usage[0]["paragraphs"].as_u64().unwrap();
    let quoted = format!("\"{name}\"");
    let r = search_json(
        &corpus,
        &dir,
        &[&quoted, "--person", name, "--facets", "-n", "0"],
    );
    let facet = r["facets"]["person"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(facet, paragraphs);
    assert_eq!(
        r["total_hits"].as_u64().unwrap() + r["duplicates_collapsed"].as_u64().unwrap(),
        paragraphs
    );

    // The gazetteer in use: the corpus folder's entities.toml, as recorded in the index.
    sitrep(&corpus, &index_path(&dir))
        .args(["entities", "--gazetteer"])
        .assert()
        .success()
        .stdout(predicate::str::contains("corpus/entities.toml ("))
        .stdout(predicate::str::contains(" entities; the copy saved in "));
    sitrep(&corpus, &index_path(&dir))
        .args(["entities", "--kind", "vehicle"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown kind 'vehicle'"));
    // Candidates: capitalised words the gazetteer does not hold, most frequent first. The
    // sample corpus's are demonyms and sects, which the gazetteer leaves out on purpose.
    let candidates = json_stdout(sitrep(&corpus, &index_path(&dir)).args([
        "entities",
        "--candidates",
        "--limit",
        "3",
        "--json",
    ]));
    let names: Vec<(&str, u64)> = candidates
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(names, [("American", 24), ("Iraqi", 16), ("Shia", 12)]);
}

#[test]
fn bad_gazetteers_are_reported_precisely() {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "Title\n\nSome text about Mosul.\n").unwrap();
    let index = dir.path().join("index");
    let cases = [
        ("[[place]]\nname = \"Mosul\"\nparent = Nineveh\n", "at line 3, column 10"),
        (
            "[[org]]\nname = \"A\"\naliases = [\"X Y\"]\n[[org]]\nname = \"B\"\naliases = [\"x-y\"]\n",
            "alias 'x-y' is claimed by both org 'A' and org 'B'",
        ),
        ("[[place]]\nname = \"Mosul\"\nparent = \"Nineveh\"\n", "place 'Mosul' has parent 'Nineveh', which is not a place"),
    ];
    for (toml, message) in cases {
        std::fs::write(corpus.join("entities.toml"), toml).unwrap();
        sitrep(&corpus, &index)
            .arg("index")
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("entities.toml"));
    }
}

#[test]
fn gazetteer_parses_the_repository_file() {
    let g = repo_gazetteer();
    assert!(g.len() >= 200, "{}", g.len());
    for kind in ["person", "org", "place"] {
        assert!(g.by_kind(kind).count() >= 50, "{kind}");
    }
    assert_eq!(
        g.lookup("Hashd al-Shaabi").unwrap().name,
        "Popular Mobilization Forces"
    );
    assert_eq!(g.lookup("daesh").unwrap().name, "Islamic State");
    assert_eq!(
        g.lookup("Ansar Allah").unwrap().name,
        g.lookup("Houthis").unwrap().name
    );
}

#[test]
fn a_corpus_without_a_gazetteer_is_tagged_with_the_built_in_one() {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "Strike\n\nKataib Hezbollah fighters were hit near al-Qaim.\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    sitrep(&corpus, &index).arg("index").assert().success();
    sitrep(&corpus, &index)
        .args(["entities", "--gazetteer"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "built-in (corpus/entities.toml of sitrep) (",
        ));
    let r = search_json(&corpus, &dir, &["fighters"]);
    let entities: Vec<&str> = r["hits"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(entities, ["Kata'ib Hezbollah", "Al-Qaim"]);
}

fn tsv_rows(name: &str) -> Vec<Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Spellings of listed people and organisations that no alias spells out (tests/data, written
/// from how English and French reporting transliterates them): at least 90% must be tagged as
/// the right entity, in running text and as a query name, and none as a wrong one.
#[test]
fn unlisted_transliterations_are_tagged_as_the_right_entity() {
    let gazetteer = repo_gazetteer();
    let rows = tsv_rows("transliterations.tsv");
    let (mut tagged, mut looked_up) = (0, 0);
    let mut wrong = Vec::new();
    for row in &rows {
        let (spelling, expected) = (&row[0], &row[1]);
        assert!(
            gazetteer
                .lookup(expected)
                .is_some_and(|e| &e.name == expected),
            "{expected} is not a gazetteer entry"
        );
        let text = format!("On Monday {spelling} said the talks had failed.");
        let names: Vec<String> = gazetteer
            .find_mentions(&text)
            .into_iter()
            .filter(|m| m.kind != "place")
            .map(|m| m.name)
            .collect();
        if names.contains(expected) {
            tagged += 1;
        }
        wrong.extend(
            names
                .into_iter()
                .filter(|n| n != expected)
                .map(|n| (spelling.clone(), n)),
        );
        match gazetteer.lookup(spelling) {
            Some(entity) if &entity.name == expected => looked_up += 1,
            Some(entity) => wrong.push((spelling.clone(), entity.name.clone())),
            None => {}
        }
    }
    let total = rows.len();
    println!("tagged {tagged}/{total}, looked up {looked_up}/{total}, wrong: {wrong:?}");
    assert!(total >= 80, "{total} spellings");
    assert!(tagged * 10 >= total * 9, "tagged {tagged}/{total}");
    assert!(looked_up * 10 >= total * 9, "looked up {looked_up}/{total}");
    assert_eq!(wrong, Vec::<(String, String)>::new());
}

/// Different people whose names look alike in transliteration are never merged: a mention of
/// one is never tagged, nor looked up, as the other.
#[test]
fn distinct_people_are_never_merged() {
    let gazetteer = repo_gazetteer();
    let rows = tsv_rows("distinct_people.tsv");
    assert!(rows.len() >= 25);
    for row in &rows {
        let (mention, not, listed_as) = (&row[0], &row[1], &row[2]);
        let text = format!("On Monday {mention} said the talks had failed.");
        let names: Vec<String> = gazetteer
            .find_mentions(&text)
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert!(!names.contains(not), "{mention} tagged as {not}: {names:?}");
        let found = gazetteer.lookup(mention).map(|e| e.name.clone());
        assert_ne!(found.as_ref(), Some(not), "{mention} looked up as {not}");
        if listed_as != "none" {
            assert_eq!(found.as_deref(), Some(listed_as.as_str()), "{mention}");
        }
    }
}

/// `index --unlisted`: names no entry holds are indexed under their kind's `unlisted` branch,
/// filterable, ranked as candidates, kept by later syncs until turned off.
#[test]
fn unlisted_names_are_indexed_filtered_and_ranked() {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    write_unlisted_corpus(&corpus);
    let index = index_path(&dir);
    sitrep(&corpus, &index)
        .args(["index", "--unlisted"])
        .assert()
        .success();
    let paragraphs = |args: &[&str]| -> Vec<u64> {
        let mut found: Vec<u64> = hit_ids(&search_json(&corpus, &dir, args))
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        found.sort();
        found
    };
    // The full name, then the surname alone in the next paragraph.
    assert_eq!(
        paragraphs(&[
            "-n",
            "10",
            "--person",
            "Wissam Kadhim al-Zubaidi",
            "killed OR led"
        ]),
        [1, 2]
    );
    // The acronym defined in parentheses binds for the rest of the article.
    assert_eq!(
        paragraphs(&[
            "-n",
            "10",
            "--org",
            "Saraya Awliya al-Dam",
            "group OR fighters"
        ]),
        [2, 3]
    );
    let candidates = || -> Vec<(String, String, u64)> {
        json_stdout(sitrep(&corpus, &index).args(["entities", "--candidates", "--json"]))
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap_or("-").to_string(),
                    c["name"].as_str().unwrap().to_string(),
                    c["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let ranked = vec![
        ("org".to_string(), "Saraya Awliya al-Dam".to_string(), 2),
        (
            "person".to_string(),
            "Wissam Kadhim al-Zubaidi".to_string(),
            2,
        ),
        ("person".to_string(), "Karim Nouri".to_string(), 1),
    ];
    assert_eq!(candidates(), ranked);
    // A sync without the flag keeps the setting and re-tags nothing.
    sitrep(&corpus, &index)
        .arg("index")
        .assert()
        .success()
        .stderr(predicate::str::contains("re-tagged").not());
    assert_eq!(candidates(), ranked);
    // Turning it off re-tags, and the names are gone from the facets.
    sitrep(&corpus, &index)
        .args(["index", "--unlisted=false", "-v"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "tagging of unlisted names was turned off",
        ));
    assert!(candidates().iter().all(|(kind, _, _)| kind == "-"));
    sitrep(&corpus, &index)
        .args(["search", "x", "--person", "Karim Nouri"])
        .assert()
        .code(2);
}

/// `sitrep train-tagger` trains on CoNLL files, reports F1 per type, writes a model the
/// library loads, and names the file when one is missing.
#[test]
fn train_tagger_writes_a_model_and_reports_scores() {
    let dir = TempDir::new().unwrap();
    let conll = dir.path().join("conll");
    std::fs::create_dir(&conll).unwrap();
    let sentences = "-DOCSTART- -X- -X- O\n\n\
        Ali NNP B-NP B-PER\nHassan NNP I-NP I-PER\nvisited VBD B-VP O\nBaghdad NNP B-NP B-LOC\n. . O O\n\n\
        Reuters NNP B-NP B-ORG\nsaid VBD B-VP O\nMosul NNP B-NP B-LOC\nfell VBD B-VP O\n. . O O\n";
    std::fs::write(conll.join("train.txt"), sentences).unwrap();
    std::fs::write(conll.join("valid.txt"), sentences).unwrap();
    let model = dir.path().join("model.bin");
    sitrep(&sample_corpus(), &index_path(&dir))
        .args(["train-tagger", "--epochs", "5", "--conll"])
        .arg(&conll)
        .arg("--out")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("PER+ORG+LOC"))
        .stdout(predicate::str::contains("gold 4, predicted 4, correct 4"));
    let tagger = sitrep::entities::Tagger::from_bytes(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(tagger.find("Ali Hassan visited Baghdad.").len(), 2);
    std::fs::remove_file(conll.join("valid.txt")).unwrap();
    sitrep(&sample_corpus(), &index_path(&dir))
        .args(["train-tagger", "--conll"])
        .arg(&conll)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("valid.txt"));
}

/// Generated places: found where a name stands as a place, not in people's names, ordinary
/// words, speech or foreign alternate names; a state keeps its name from same-named towns.
#[test]
fn generated_places_stand_as_places() {
    let gazetteer = repo_gazetteer();
    let places = |text: &str| -> Vec<(String, String)> {
        gazetteer
            .find_mentions(text)
            .into_iter()
            .filter(|m| m.kind == "place")
            .map(|m| {
                (
                    m.text,
                    gazetteer
                        .lookup(&m.name)
                        .map(|e| e.facet.clone())
                        .unwrap_or_default(),
                )
            })
            .collect()
    };
    let rawanduz = places("Shelling hit Rawanduz on Monday.");
    assert_eq!(rawanduz.len(), 1);
    assert!(rawanduz[0].1.starts_with("/place/Iraq/"), "{rawanduz:?}");
    for text in [
        "Scott Lucas, a professor, disagreed.",
        "Mr Florin resigned.",
        "The bank said profits rose.",
        "I've got to go.",
        "Carson said the talks failed.",
        "Reporters saw it at the Center for Strategic Studies.",
        "Haj Omran fell.",
    ] {
        assert_eq!(places(text), Vec::<(String, String)>::new(), "{text}");
    }
    let florida = places("Voters in Florida and Ontario went to the polls.");
    assert_eq!(florida.len(), 2, "{florida:?}");
    assert!(
        florida[0].1.starts_with("/place/United States"),
        "{florida:?}"
    );
    assert!(florida[1].1.starts_with("/place/Canada"), "{florida:?}");
}
