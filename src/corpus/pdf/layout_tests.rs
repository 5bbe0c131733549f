//! Layout on pages written by hand: A4 pages of 10-point text, 12 points between baselines.

use super::*;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;

/// A run of 10-point text whose baseline is `bottom` points from the top; 5 points a character.
fn run(text: &str, left: f32, bottom: f32) -> Run {
    run_sized(text, left, bottom, 10.0)
}

fn run_sized(text: &str, left: f32, bottom: f32, size: f32) -> Run {
    Run {
        text: text.to_string(),
        left,
        right: left + text.chars().count() as f32 * size / 2.0,
        top: bottom - size,
        bottom,
        size,
    }
}

fn page(runs: Vec<Run>) -> Page {
    Page {
        width: WIDTH,
        height: HEIGHT,
        runs,
    }
}

/// Lines of text set one under the other from `bottom`, 12 points apart.
fn lines(texts: &[&str], left: f32, bottom: f32) -> Vec<Run> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| run(text, left, bottom + 12.0 * i as f32))
        .collect()
}

#[test]
fn lines_join_into_paragraphs_that_end_at_a_gap() {
    let mut runs = lines(
        &[
            "Kata'ib Hezbollah claimed the attack on",
            "the base near Baghdad on Sunday.",
        ],
        50.0,
        200.0,
    );
    runs.extend(lines(
        &["The Popular Mobilization Forces denied it."],
        50.0,
        240.0,
    ));
    let (paragraphs, _) = paragraphs(&[page(runs)]);
    assert_eq!(
        paragraphs,
        [
            "Kata'ib Hezbollah claimed the attack on the base near Baghdad on Sunday.",
            "The Popular Mobilization Forces denied it."
        ]
    );
}

#[test]
fn runs_of_one_line_are_spaced_only_where_the_page_leaves_a_gap() {
    // "Qods F" + "orce" is one word split by kerning; "Force," and "said" have a space.
    let runs = vec![
        run("the Qods F", 50.0, 200.0),
        run("orce,", 100.0, 200.0),
        run("officials", 130.0, 200.0),
        run("said.", 180.0, 200.0),
    ];
    assert_eq!(
        paragraphs(&[page(runs)]).0,
        ["the Qods Force, officials said."]
    );
}

#[test]
fn hyphens_at_line_ends_are_joined_unless_the_word_owns_them() {
    let runs = lines(
        &[
            "The para-",
            "military groups and the settler-colonial",
            "argument; a settler-",
            "colonial frame, Abu Mahdi al-",
            "Muhandis and the post-",
            "2014 order.",
        ],
        50.0,
        200.0,
    );
    assert_eq!(
        paragraphs(&[page(runs)]).0,
        [
            "The paramilitary groups and the settler-colonial argument; a settler-colonial frame, \
          Abu Mahdi al-Muhandis and the post-2014 order."
        ]
    );
}

#[test]
fn soft_hyphen_breaks_join_and_then_plain_hyphens_are_written_ones() {
    // Browsers draw a break at a soft hyphen as U+00AD followed by a hyphen (U+2010).
    let runs = lines(
        &[
            "a counter\u{AD}\u{2010}",
            "terrorism force of able-",
            "bodied com\u{AD}man\u{AD}ders.",
        ],
        50.0,
        200.0,
    );
    assert_eq!(
        paragraphs(&[page(runs)]).0,
        ["a counterterrorism force of able-bodied commanders."]
    );
}

#[test]
fn running_headers_footers_and_page_numbers_are_dropped() {
    let pages: Vec<Page> = (1..=3)
        .map(|number| {
            let mut runs = vec![
                run("Militia Monitor — Briefing 7", 50.0, 30.0),
                run(&format!("Page {number} of 3"), 450.0, 30.0),
                run(&number.to_string(), 290.0, 820.0),
            ];
            runs.extend(lines(
                &[&format!("Body text of page {number}.")],
                50.0,
                200.0,
            ));
            page(runs)
        })
        .collect();
    assert_eq!(
        paragraphs(&pages).0,
        [
            "Body text of page 1.",
            "Body text of page 2.",
            "Body text of page 3."
        ]
    );
}

#[test]
fn two_columns_are_read_one_after_the_other_and_a_paragraph_runs_on() {
    let left: Vec<&str> = vec![
        "Iraqi militias have operated in",
        "Syria since at least 2012, when",
        "fighters deployed to defend the",
        "shrine south of Damascus. By",
        "2017 they fought in the desert,",
        "and the corridor through al-Qaim",
    ];
    let right: Vec<&str> = vec![
        "became the route for supplies",
        "to Hezbollah.",
        "Israel struck it repeatedly.",
        "",
        "Convoys were hit in 2019 and",
        "again in 2023.",
    ];
    let mut runs = vec![run_sized("Across the border", 50.0, 150.0, 16.0)];
    runs.extend(lines(&left, 50.0, 200.0));
    let right: Vec<Run> = lines(&right, 320.0, 205.0)
        .into_iter()
        .filter(|run| !run.text.is_empty())
        .collect();
    runs.extend(right);
    let (paragraphs, title) = paragraphs(&[page(runs)]);
    assert_eq!(title.as_deref(), Some("Across the border"));
    assert_eq!(
        paragraphs,
        [
            "Across the border",
            "Iraqi militias have operated in Syria since at least 2012, when fighters deployed \
             to defend the shrine south of Damascus. By 2017 they fought in the desert, and the \
             corridor through al-Qaim became the route for supplies to Hezbollah.",
            "Israel struck it repeatedly.",
            "Convoys were hit in 2019 and again in 2023.",
        ]
    );
}

#[test]
fn a_paragraph_runs_on_to_the_next_page_until_its_sentence_ends() {
    let first = page(lines(
        &["The strike killed Qassem Soleimani and"],
        50.0,
        780.0,
    ));
    let second = page(lines(
        &["Abu Mahdi al-Muhandis.", "Iran answered with missiles."],
        50.0,
        80.0,
    ));
    // The second line starts a paragraph although no gap shows it: the lines are set close,
    // but a short line that ends a sentence closes its paragraph.
    assert_eq!(
        paragraphs(&[first, second]).0,
        [
            "The strike killed Qassem Soleimani and Abu Mahdi al-Muhandis.",
            "Iran answered with missiles."
        ]
    );
}

#[test]
fn ligatures_read_as_their_letters() {
    let runs = vec![run("The \u{FB01}rst o\u{FB03}cial statement.", 50.0, 200.0)];
    assert_eq!(
        paragraphs(&[page(runs)]).0,
        ["The first official statement."]
    );
}

#[test]
fn page_numbers_in_their_forms() {
    for number in [
        "7",
        "- 7 -",
        "Page 7",
        "7/12",
        "7 of 12",
        "vii",
        "page 3 of 12",
    ] {
        assert!(is_page_number(number), "{number}");
    }
    for text in ["Page seven", "Mosul 7", "7 militias", "Chapter 7"] {
        assert!(!is_page_number(text), "{text}");
    }
}
