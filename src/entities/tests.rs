/*!
Gazetteer loading, matching and candidates on a small gazetteer written for the tests.
*/

use super::*;

const SAMPLE: &str = r#"
[[org]]
name = "Islamic Revolutionary Guard Corps"
aliases = ["IRGC", "Revolutionary Guards"]

[[org]]
name = "Qods Force"
parent = "Islamic Revolutionary Guard Corps"
aliases = ["Quds Force", "IRGC-QF"]

[[org]]
name = "Kata'ib Hezbollah"
aliases = ["Hezbollah Brigades", "KH"]

[[org]]
name = "Hezbollah"

[[person]]
name = "Qassem Soleimani"
aliases = ["Qasem Soleimani", "Soleimani", "Suleimani"]

[[person]]
name = "Abu Mahdi al-Muhandis"

[[person]]
name = "Muqtada al-Sadr"
aliases = ["Sadr"]

[[place]]
name = "Iraq"

[[place]]
name = "Baghdad"
parent = "Iraq"

[[place]]
name = "Sadr City"
parent = "Baghdad"

[[place]]
name = "United States"
aliases = ["U.S.", "US"]
"#;

fn gazetteer() -> Gazetteer {
    Gazetteer::parse(SAMPLE, GazetteerSource::BuiltIn).unwrap()
}

fn names(text: &str) -> Vec<(String, String)> {
    gazetteer()
        .find_mentions(text)
        .into_iter()
        .map(|m| (m.name, m.text))
        .collect()
}

#[test]
fn compiled_form_round_trips() {
    let g = gazetteer();
    let back = Gazetteer::from_compiled(g.to_compiled()).unwrap();
    assert!(g.entities().zip(back.entities()).all(|(a, b)| a == b));
    assert_eq!(back.len(), g.len());
    assert_eq!(back.hash, g.hash);
    assert_eq!(back.source, GazetteerSource::BuiltIn);
    assert_eq!(back.lookup("IRGC-QF").unwrap().name, "Qods Force");
    assert_eq!(back.find_mentions("Qassem Soliemani").len(), 1);
    assert!(Gazetteer::from_compiled("[[org]]".to_string()).is_err());
    // Entities are parsed when first used, but a damaged one still fails the open (so the
    // saved TOML is used instead) rather than its first lookup.
    let compiled = g.to_compiled();
    let damaged = compiled.replacen("\ne\torg\t", "\ne\torg ", 1);
    assert_ne!(damaged, compiled);
    let Err(error) = Gazetteer::from_compiled(damaged) else {
        panic!("a damaged compiled gazetteer opened");
    };
    let error = error.to_string();
    assert!(error.contains("checksum"), "{error}");
}

#[test]
fn facets_follow_parents() {
    let g = gazetteer();
    assert_eq!(
        g.lookup("IRGC-QF").unwrap().facet,
        "/org/Islamic Revolutionary Guard Corps/Qods Force"
    );
    assert_eq!(
        g.lookup("sadr city").unwrap().facet,
        "/place/Iraq/Baghdad/Sadr City"
    );
    assert_eq!(
        g.lookup("kataib hezbollah").unwrap().name,
        "Kata'ib Hezbollah"
    );
}

#[test]
fn apostrophes_hyphens_and_longest_match() {
    assert_eq!(
        names("Kata’ib Hezbollah and al Muhandis: Abu Mahdi al Muhandis in Sadr City."),
        [
            ("Kata'ib Hezbollah".into(), "Kata’ib Hezbollah".into()),
            (
                "Abu Mahdi al-Muhandis".into(),
                "Abu Mahdi al Muhandis".into()
            ),
            ("Sadr City".into(), "Sadr City".into()),
        ]
    );
}

#[test]
fn word_boundaries_are_required() {
    assert!(names("Iraqis and Iraqi militias; Sadrists").is_empty());
    assert_eq!(names("the U.S.-backed forces")[0].0, "United States");
}

#[test]
fn short_acronyms_match_only_in_capitals() {
    assert_eq!(names("KH fired rockets")[0].0, "Kata'ib Hezbollah");
    assert!(names("the kh sound; us and them").is_empty());
    assert_eq!(names("US troops")[0].0, "United States");
}

#[test]
fn a_listed_mixed_case_spelling_lifts_the_capitals_rule() {
    let toml = "[[org]]\nname = \"OPEC\"\naliases = [\"Opec\"]\n[[org]]\nname = \"Kata'ib Hezbollah\"\naliases = [\"KH\"]\n";
    let g = Gazetteer::parse(toml, GazetteerSource::BuiltIn).unwrap();
    assert_eq!(g.find_mentions("Opec ministers").len(), 1);
    assert_eq!(g.find_mentions("opec ministers").len(), 1);
    assert!(g.find_mentions("kh sound").is_empty());
}

#[test]
fn one_edit_variants_of_multiword_names() {
    assert_eq!(
        names("Qods Force commander Qassem Soliemani and Qasem Suleimani"),
        [
            ("Qods Force".into(), "Qods Force".into()),
            ("Qassem Soleimani".into(), "Qassem Soliemani".into()),
            ("Qassem Soleimani".into(), "Qasem Suleimani".into()),
        ]
    );
    // A single word needs an exact match.
    assert!(names("Soliemani").is_empty());
}

#[test]
fn mentions_point_into_the_original_text() {
    let text = "“IRGC-QF” chief";
    let m = &gazetteer().find_mentions(text)[0];
    assert_eq!(&text[m.range[0]..m.range[1]], "IRGC-QF");
}

#[test]
fn duplicate_alias_names_both_entities() {
    let bad = format!("{SAMPLE}\n[[org]]\nname = \"Other\"\naliases = [\"Quds  force\"]\n");
    let err = Gazetteer::parse(&bad, GazetteerSource::BuiltIn)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'Quds  force' is claimed by both org 'Qods Force' and org 'Other'"),
        "{err}"
    );
}

#[test]
fn missing_parent_and_toml_errors() {
    let err = Gazetteer::parse(
        "[[place]]\nname = \"Mosul\"\nparent = \"Nineveh\"\n",
        GazetteerSource::BuiltIn,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("parent 'Nineveh', which is not a place"),
        "{err}"
    );
    let err = Gazetteer::parse("[[place]]\nname = Mosul\n", GazetteerSource::BuiltIn)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2, column"), "{err}");
}

#[test]
fn suggestions_and_candidates() {
    let g = gazetteer();
    assert_eq!(
        g.suggest("Soleimany", Some("person"))[0],
        "Qassem Soleimani"
    );
    assert_eq!(
        g.name_candidates(
            "Then Harakat al Nujaba met Akram Kaabi in Baghdad. Following that, nothing."
        ),
        ["Harakat al Nujaba", "Akram Kaabi"]
    );
}

#[test]
fn transliterations_tag_and_look_up_names_no_alias_spells() {
    let g = gazetteer();
    let found = names("Qasim Sulaymani met Abou Mahdi el-Mohandes in Baghdad.");
    assert_eq!(
        found,
        [
            (
                "Qassem Soleimani".to_string(),
                "Qasim Sulaymani".to_string()
            ),
            (
                "Abu Mahdi al-Muhandis".to_string(),
                "Abou Mahdi el-Mohandes".to_string()
            ),
            ("Baghdad".to_string(), "Baghdad".to_string()),
        ]
    );
    assert_eq!(g.lookup("Moktada al-Sadr").unwrap().name, "Muqtada al-Sadr");
    // Lower case is prose, not a name: tagging needs the capital, a query does not.
    assert!(names("qasim sulaymani").is_empty());
    assert_eq!(
        g.lookup("qasim sulaymani").unwrap().name,
        "Qassem Soleimani"
    );
    // One word is too little to go on, and other people stay apart.
    assert_eq!(g.lookup("Sulaymani"), None);
    assert!(names("Michel Suleiman spoke.").is_empty());
}

#[test]
fn names_that_agree_with_two_entries_name_neither() {
    let g = Gazetteer::parse(
        "[[person]]\nname = \"Mohammed Sadiq\"\n[[person]]\nname = \"Muhammad Sadeq\"\n",
        GazetteerSource::BuiltIn,
    )
    .unwrap();
    assert_eq!(g.transliteration_collisions(), [(0, 1)]);
    assert_eq!(g.lookup("Mohamad Sadek"), None);
    assert_eq!(g.lookup("Muhammad Sadeq").unwrap().name, "Muhammad Sadeq");
    assert!(g.find_mentions("Mohamad Sadek").is_empty());
}

/// Every pair of built-in gazetteer entries with names that agree in transliteration. A
/// spelling that fits both names neither (exact aliases still name each), so a new pair here
/// means an edit made two entries look alike: check that they are really different and add the
/// pair, or merge them.
#[test]
fn transliteration_collisions_in_the_builtin_gazetteer_are_all_known() {
    let g = Gazetteer::parse(BUILTIN_GAZETTEER, GazetteerSource::BuiltIn).unwrap();
    let collisions: Vec<(String, String)> = g
        .transliteration_collisions()
        .into_iter()
        .map(|(a, b)| (g.entity(a).name.clone(), g.entity(b).name.clone()))
        .collect();
    let known: [(&str, &str); 0] = [];
    let known: Vec<(String, String)> = known
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(collisions, known);
    for (a, b) in &collisions {
        for name in [a, b] {
            assert_eq!(
                &g.lookup(name).unwrap().name,
                name,
                "exact names still resolve"
            );
        }
    }
}

#[test]
fn an_article_binds_short_names_and_acronyms_it_sets_up() {
    let g = Gazetteer::parse(
        r#"
[[person]]
name = "Saddam Hussein"
[[person]]
name = "Uday Hussein"
[[org]]
name = "Popular Mobilization Forces"
[[org]]
name = "Palestinian Media Forum"
aliases = ["PMF"]
"#,
        GazetteerSource::BuiltIn,
    )
    .unwrap();
    let article = [
        "Saddam Hussein addressed the Popular Mobilization Forces (PMF) on Monday.",
        "Hussein warned that the PMF would fight. Saddam left.",
        "Later Uday Hussein spoke; Hussein was not named again.",
    ];
    let found: Vec<Vec<(String, String)>> = g
        .find_article_mentions(&article, None)
        .into_iter()
        .map(|p| p.into_iter().map(|m| (m.name, m.text)).collect())
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        found,
        [
            vec![
                pair("Saddam Hussein", "Saddam Hussein"),
                pair("Popular Mobilization Forces", "Popular Mobilization Forces"),
                pair("Popular Mobilization Forces", "PMF"),
            ],
            vec![
                pair("Saddam Hussein", "Hussein"),
                pair("Popular Mobilization Forces", "PMF"),
                pair("Saddam Hussein", "Saddam"),
            ],
            // A second Hussein makes the surname name neither.
            vec![pair("Uday Hussein", "Uday Hussein")],
        ]
    );
    // Outside the article that set it up, a surname alone names nobody.
    assert!(g.find_mentions("Hussein warned.").is_empty());
    assert_eq!(
        g.find_mentions("the PMF said")[0].name,
        "Palestinian Media Forum"
    );
}

#[test]
fn capitalised_aliases_match_only_as_names() {
    let g = Gazetteer::parse(
        "[[place]]\nname = \"Persian Gulf\"\ncapitalised = [\"Gulf\"]\n",
        GazetteerSource::BuiltIn,
    )
    .unwrap();
    let found =
        |text: &str| -> Vec<String> { g.find_mentions(text).into_iter().map(|m| m.text).collect() };
    assert_eq!(found("Tankers left the Gulf's mouth."), ["Gulf"]);
    assert!(found("a widening gulf between them").is_empty());
    assert!(found("oil in the Gulf of Mexico").is_empty());
    assert_eq!(g.lookup("gulf").unwrap().name, "Persian Gulf");
    let back = Gazetteer::from_compiled(g.to_compiled()).unwrap();
    assert_eq!(back.entity(0).capitalised, ["Gulf"]);
}

#[test]
fn sorted_word_lines_are_searched_for_whole_words() {
    let line = "#a #b bd bdr bkr brhm qsm slmn";
    for word in line.split(' ') {
        assert!(super::sorted_words_contain(line, word), "{word}");
    }
    for absent in ["", "#", "b", "bdrx", "br", "brhmx", "zz", "a"] {
        assert!(!super::sorted_words_contain(line, absent), "{absent}");
    }
    assert!(!super::sorted_words_contain("", "bd"));
    assert!(super::sorted_words_contain("bd", "bd"));
}

/// `compiled` with `places` (entity lines) appended as generated entities, of which the header
/// announces `announced`, and its alias lines passed through `aliases`.
fn with_generated(
    compiled: &str,
    places: &str,
    announced: usize,
    aliases: impl Fn(&str) -> String,
) -> String {
    let (header, rest) = compiled.split_once('\n').unwrap();
    let mut fields: Vec<String> = header.split('\t').map(str::to_string).collect();
    let entity_bytes: usize = fields[8].parse().unwrap();
    let (entities, alias_lines) = rest.split_at(entity_bytes);
    let alias_lines = aliases(alias_lines);
    fields[4] = (fields[4].parse::<usize>().unwrap() + announced).to_string();
    fields[8] = (entity_bytes + places.len()).to_string();
    fields[9] = alias_lines.len().to_string();
    format!("{}\n{entities}{places}{alias_lines}", fields.join("\t"))
}

#[test]
fn a_damaged_compiled_gazetteer_fails_at_open_or_names_nothing_but_never_panics() {
    let compiled = gazetteer().to_compiled();
    let hand = gazetteer().len();
    let place = "e\tplace\tRawanduz\t\t/place/Rawanduz\t\tg\t\n";
    let opened = Gazetteer::from_compiled(with_generated(&compiled, place, 1, str::to_string));
    assert_eq!(opened.unwrap().entity(hand).name, "Rawanduz");

    // A generated line that no longer parses, or one the header announces but the file lacks,
    // is an entity that names nothing.
    let broken = with_generated(&compiled, "e\tplace\tbroken\n", 2, str::to_string);
    let g = Gazetteer::from_compiled(broken).unwrap();
    for id in [hand, hand + 1] {
        assert_eq!(g.entity(id).facet, "");
        assert_eq!(g.entity(id).spellings().count(), 0);
    }
    assert_eq!(g.find_mentions("Qassem Soleimani in Baghdad").len(), 2);

    // An alias line whose id is past the last entity finds nothing.
    let far = with_generated(&compiled, "", 0, |lines| {
        lines.replace("a\tsadr city\t", "a\tsadr city\t9")
    });
    let g = Gazetteer::from_compiled(far).unwrap();
    assert!(g.lookup("Sadr City").is_none());
    assert!(!g.suggest("Sadr Cty", None).is_empty());

    // Whatever else the header or sections say wrongly fails the open.
    let (header, rest) = compiled.split_once('\n').unwrap();
    let mut fields: Vec<&str> = header.split('\t').collect();
    fields[9] = "18446744073709551615";
    let huge = fields.join("\t");
    let cases = [
        format!("{huge}\n{rest}"),
        compiled[..compiled.len() - 3].to_string(),
        with_generated(&compiled, "", 1, str::to_string),
        with_generated(&compiled, "x\tplace\n", 1, str::to_string),
        with_generated(&compiled, "e\tplace\tno newline", 1, str::to_string),
        with_generated(&compiled, "", 0, |lines| format!("{lines}a\tzz")),
        "\u{ff}\u{fe}\n".to_string(),
    ];
    for (n, case) in cases.into_iter().enumerate() {
        assert!(Gazetteer::from_compiled(case).is_err(), "case {n}");
    }
}
