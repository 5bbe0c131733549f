//! Parsing every article format, and the bad input that must become warnings.

use super::*;

fn one(path: &str, text: &str) -> Article {
    let parsed = parse_file(path, text.as_bytes());
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.articles.len(), 1);
    parsed.articles.into_iter().next().unwrap()
}

#[test]
fn txt_blocks_join_lines() {
    let a = one(
        "2020-01-03-x.txt",
        "\u{feff}Title here\r\n\r\nFirst line\r\ncontinues.\r\n\r\nSecond.\r\n",
    );
    assert_eq!(a.title.as_deref(), Some("Title here"));
    assert_eq!(a.paragraphs, ["First line continues.", "Second."]);
    assert_eq!(a.date, Some(parse_date("2020-01-03").unwrap()));
}

#[test]
fn txt_without_blank_lines_has_one_paragraph_per_line() {
    let a = one("seed.txt", "\nTitle\nOne.\nTwo.\nTwo.\n");
    assert_eq!(a.paragraphs, ["One.", "Two.", "Two."]);
    assert_eq!(a.date, None);
}

#[test]
fn markdown_front_matter_and_markup() {
    let a = one(
        "a.md",
        "---\ntitle: \"Kata'ib: a profile\"\ndate: 2020-03-14\ntags: [iraq]\nurl: https://x.org/a\n---\n\n## Origins\n\nThe **group** was *formed* by [Muhandis](https://x.org).\n\n- first point\n- second point\n",
    );
    assert_eq!(a.title.as_deref(), Some("Kata'ib: a profile"));
    assert_eq!(a.url.as_deref(), Some("https://x.org/a"));
    assert_eq!(
        a.paragraphs,
        [
            "Origins",
            "The group was formed by Muhandis.",
            "first point",
            "second point"
        ]
    );
}

#[test]
fn markdown_toml_front_matter_and_heading_title() {
    let a = one(
        "b.md",
        "+++\ntitle = \"T\"\ndate = 2019-06-01\n+++\nBody.\n",
    );
    assert_eq!(a.title.as_deref(), Some("T"));
    assert_eq!(a.date, Some(parse_date("2019-06-01").unwrap()));
    let b = one("c.md", "# The heading\n\nBody text.\n");
    assert_eq!(b.title.as_deref(), Some("The heading"));
    assert_eq!(b.paragraphs, ["Body text."]);
}

#[test]
fn unclosed_front_matter_is_a_warning() {
    let parsed = parse_file("d.md", b"---\ntitle: x\nBody\n");
    assert!(parsed.articles.is_empty());
    assert!(parsed.warnings[0].message.contains("never closed"));
}

#[test]
fn json_array_and_text_field() {
    let parsed = parse_file(
        "a.json",
        br#"[{"id": "x1", "title": "A", "text": "p1\n\np2"}, {"title": "B", "paragraphs": ["q"], "date": "2019-05-14T08:30:00Z"}]"#,
    );
    assert_eq!(parsed.articles.len(), 2);
    assert_eq!(parsed.articles[0].id, "x1");
    assert_eq!(parsed.articles[0].paragraphs, ["p1", "p2"]);
    assert_eq!(parsed.articles[1].id, "a.json#2");
}

#[test]
fn jsonl_bad_line_is_reported_with_its_number() {
    let parsed = parse_file(
        "w.jsonl",
        b"{\"id\": \"a\", \"paragraphs\": [\"x\"]}\n{not json\n{\"id\": \"c\", \"paragraphs\": []}\n",
    );
    assert_eq!(parsed.articles.len(), 1);
    assert_eq!(parsed.warnings.len(), 2);
    assert_eq!(parsed.warnings[0].line, Some(2));
    assert!(parsed.warnings[0]
        .to_string()
        .starts_with("w.jsonl:2: invalid JSON"));
    assert!(!parsed.warnings[0].message.contains("line 1"));
    assert_eq!(parsed.warnings[1].line, Some(3));
    assert!(parsed.warnings[1].message.contains("no text"));
}

#[test]
fn invalid_utf8_and_binary_are_skipped() {
    let parsed = parse_file("bad.txt", b"Title\n\nok \xff\xfe text\n");
    assert!(parsed.articles.is_empty());
    assert_eq!(parsed.warnings[0].line, Some(3));
    assert!(parsed.warnings[0].message.contains("invalid UTF-8"));
    let parsed = parse_file("bin.txt", b"\x00\x01\x02ELF");
    assert!(parsed.warnings[0].message.contains("binary"));
}

#[test]
fn dates_in_both_formats() {
    assert!(parse_date("2019-09-02").is_ok());
    assert!(parse_date("1987-02-26T15:01:01Z").is_ok());
    assert!(parse_date("02/09/2019").is_err());
}
