//! Building queries against a small in-memory index: what matches, what ranks first, what is
//! highlighted, and which entities a query expands to.

use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Facet;
use tantivy::{doc, Index, Searcher};

use super::relax::minimum_should_match;
use super::*;
use crate::analysis::{ParagraphAnalyser, TOKEN_SEPARATOR};
use crate::entities::{Gazetteer, GazetteerSource};
use crate::schema::{self, Fields};

const GAZETTEER: &str = r#"
[[org]]
name = "Qods Force"
aliases = ["Quds Force", "IRGC-QF"]

[[place]]
name = "Doha"
"#;

/// One document per text; the first is tagged with the Qods Force.
fn index(texts: &[&str]) -> (Searcher, Fields) {
    let (schema, fields) = schema::build_schema();
    let index = Index::create_in_ram(schema);
    schema::register_tokenizer(&index);
    let mut writer = index.writer(20_000_000).unwrap();
    let mut analyser = ParagraphAnalyser::default();
    for (n, text) in texts.iter().enumerate() {
        let words = analyser.analyse(text, TOKEN_SEPARATOR).words;
        let title = analyser.words("", TOKEN_SEPARATOR);
        let mut document = doc!(fields.text => words, fields.title => title);
        if n == 0 {
            document.add_facet(fields.entity, Facet::from("/org/Qods Force"));
            document.add_text(fields.entity_exact, "/org/Qods Force");
        }
        writer.add_document(document).unwrap();
    }
    writer.commit().unwrap();
    (index.reader().unwrap().searcher(), fields)
}

fn gazetteer() -> Gazetteer {
    Gazetteer::parse(GAZETTEER, GazetteerSource::BuiltIn).unwrap()
}

fn build(query: &str, searcher: &Searcher, fields: &Fields, matching: Matching) -> BuiltQuery {
    let how = BuildMode {
        matching,
        counting: false,
        ranking: Ranking::default(),
    };
    let parsed = parse_query(query).unwrap();
    let statistics = SearcherStatistics { searcher, fields };
    build_query(&parsed, &Filters::default(), &statistics, &gazetteer(), how)
}

const TEXTS: [&str; 3] = [
    "The IRGC-QF commander was killed near the airport.",
    "The Quds Force commander met officials in Doha.",
    "Officials in Doha negotiated the hostage deal.",
];

#[test]
fn an_alias_matches_the_tagged_entity_and_ranks_it_first() {
    let (searcher, fields) = index(&TEXTS);
    let built = build("\"Quds Force\"", &searcher, &fields, Matching::Strict);
    assert_eq!(
        searcher
            .search(&*built.query.to_tantivy(&fields), &Count)
            .unwrap(),
        2
    );
    let top = searcher
        .search(
            &*built.query.to_tantivy(&fields),
            &TopDocs::with_limit(2).order_by_score(),
        )
        .unwrap();
    // The tagged paragraph says IRGC-QF, not the words typed; the entity ranks it first.
    assert_eq!(top[0].1.doc_id, 0);
    assert_eq!(built.expanded_entities.len(), 1);
    assert_eq!(built.highlight.phrases, [vec!["quds", "force"]]);
}

#[test]
fn a_relaxed_question_needs_its_content_words_and_marks_only_them() {
    let (searcher, fields) = index(&TEXTS);
    let query = "who negotiated the hostage deal in doha";
    let strict = build(query, &searcher, &fields, Matching::Strict);
    assert_eq!(
        searcher
            .search(&*strict.query.to_tantivy(&fields), &Count)
            .unwrap(),
        0
    );
    // Three of the four content words: the Doha paragraph that negotiated a deal, not the
    // one that only names Doha.
    let minimum = minimum_should_match(4);
    assert_eq!(minimum, 3);
    let relaxed = build(query, &searcher, &fields, Matching::Relaxed { minimum });
    assert_eq!(
        searcher
            .search(&*relaxed.query.to_tantivy(&fields), &Count)
            .unwrap(),
        1
    );
    let mut marked = relaxed.highlight.exact.clone();
    marked.sort();
    assert_eq!(marked, ["deal", "doha", "hostage", "negotiated"]);
}

#[test]
fn prefixes_exclusions_and_fields_build_what_they_say() {
    let (searcher, fields) = index(&TEXTS);
    let count = |query: &str| {
        let built = build(query, &searcher, &fields, Matching::Strict);
        searcher
            .search(&*built.query.to_tantivy(&fields), &Count)
            .unwrap()
    };
    assert_eq!(count("offic*"), 2);
    assert_eq!(count("officials -doha"), 0);
    // An exclusion is textual: the paragraph tagged with the entity under another name stays.
    assert_eq!(count("commander -\"Quds Force\""), 1);
    assert_eq!(count("text:hostage"), 1);
    assert_eq!(count("title:hostage"), 0);
    assert_eq!(count("airport OR hostage"), 2);
    let prefix = build("offic*", &searcher, &fields, Matching::Strict);
    assert_eq!(prefix.highlight.prefixes, ["offic"]);
}

#[test]
fn only_long_words_are_offered_to_the_one_edit_retry() {
    let (searcher, fields) = index(&TEXTS);
    let built = build("comander in dooha", &searcher, &fields, Matching::Strict);
    assert_eq!(
        searcher
            .search(&*built.query.to_tantivy(&fields), &Count)
            .unwrap(),
        0
    );
    assert_eq!(built.fuzzy_candidates, ["comander", "dooha"]);
    let fuzzy = build("comander", &searcher, &fields, Matching::Fuzzy);
    assert_eq!(
        searcher
            .search(&*fuzzy.query.to_tantivy(&fields), &Count)
            .unwrap(),
        2
    );
}

#[test]
fn the_stems_to_weigh_are_those_of_single_plain_words_outside_titles() {
    let parsed =
        parse_query("militias title:baghdad \"kata'ib hezbollah\" al-Muhandis drones -iran")
            .unwrap();
    let stem = crate::analysis::stem_word;
    assert_eq!(
        parsed.stems_to_weigh(),
        vec![stem("drones"), stem("militias")]
    );
    assert_eq!(stem("militias"), "militia");
}
