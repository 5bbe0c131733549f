/*!
`.docx` articles (Office Open XML word-processing files): the body's paragraphs in order.

A `.docx` is a zip archive. `word/document.xml` holds the body: each `w:p` is a paragraph
(headings, list items and table cells included), its text in `w:t` runs; `w:tab` and line breaks
become spaces. Deleted text of tracked changes (`w:delText`) and field instructions
(`w:instrText`) are not text a reader sees, so they are left out. The title and date come from
the document properties (`docProps/core.xml`: `dc:title`, `dcterms:created`, else
`dcterms:modified`); without a title property, the first paragraph styled as a title or
heading is the title.
*/

use std::io::{Cursor, Read};

use super::{collapse_whitespace, hash_bytes, parse_date, Article};

/// The namespace of WordprocessingML's elements.
const WORD_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// The magic number of an OLE compound file: what Word writes for a password-protected
/// document (the encrypted package sits inside one), and the old binary `.doc` format.
const COMPOUND_FILE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// `document.xml` larger than this is refused: a zip bomb, not a briefing.
const MAX_PART_BYTES: u64 = 256 << 20;

pub(super) fn parse_docx(path: &str, bytes: &[u8]) -> Result<Article, String> {
    if bytes.is_empty() {
        return Err("damaged (empty file); skipped".to_string());
    }
    if bytes.starts_with(COMPOUND_FILE_MAGIC) {
        return Err(
            "encrypted (password-protected, or an old binary .doc renamed); skipped".to_string(),
        );
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|err| format!("damaged (not a readable .docx zip archive: {err}); skipped"))?;
    let body = read_part(&mut archive, "word/document.xml")?
        .ok_or_else(|| "damaged (no word/document.xml in the archive); skipped".to_string())?;
    let body = roxmltree::Document::parse(&body)
        .map_err(|err| format!("damaged (word/document.xml: {err}); skipped"))?;
    let properties = match read_part(&mut archive, "docProps/core.xml")? {
        Some(xml) => CoreProperties::parse(&xml),
        None => CoreProperties::default(),
    };
    let mut paragraphs = Vec::new();
    let mut heading_title = None;
    for paragraph in body.descendants().filter(|n| is_word(n, "p")) {
        let text = paragraph_text(paragraph);
        if text.is_empty() {
            continue;
        }
        if heading_title.is_none() && is_heading(paragraph) {
            heading_title = Some(text.clone());
        }
        paragraphs.push(text);
    }
    let title = properties.title.or(heading_title);
    let date = properties
        .created
        .or(properties.modified)
        .and_then(|date| parse_date(&date).ok());
    Ok(Article {
        id: path.to_string(),
        path: path.to_string(),
        title,
        date,
        url: None,
        source: None,
        paragraphs,
        hash: hash_bytes(bytes),
    })
}

/// One part of the archive as text; `None` when the archive has no such part.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, String> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(zip::result::ZipError::UnsupportedArchive(message)) if message.contains("ncrypt") => {
            return Err("encrypted; skipped".to_string())
        }
        Err(err) => return Err(format!("damaged ({name}: {err}); skipped")),
    };
    if file.size() > MAX_PART_BYTES {
        return Err(format!(
            "{name} unpacks to {} MB, over the {} MB limit; skipped",
            file.size() >> 20,
            MAX_PART_BYTES >> 20
        ));
    }
    let mut text = String::with_capacity(file.size() as usize);
    file.take(MAX_PART_BYTES)
        .read_to_string(&mut text)
        .map_err(|err| format!("damaged ({name}: {err}); skipped"))?;
    Ok(Some(text))
}

fn is_word(node: &roxmltree::Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(WORD_NS)
}

/// The text a reader sees in one paragraph, whitespace collapsed. Text of paragraphs nested
/// inside it (a text box's) is left to those paragraphs.
fn paragraph_text(paragraph: roxmltree::Node) -> String {
    let mut text = String::new();
    let mut stack: Vec<roxmltree::Node> = paragraph.children().collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        if !node.is_element() || node.tag_name().namespace() != Some(WORD_NS) {
            continue;
        }
        match node.tag_name().name() {
            "t" => text.push_str(node.text().unwrap_or("")),
            "tab" | "br" | "cr" => text.push(' '),
            "noBreakHyphen" => text.push('-'),
            // Deleted revisions, field codes and nested paragraphs are not this paragraph's
            // visible text.
            "delText" | "instrText" | "p" | "pPr" | "rPr" => {}
            _ => {
                let first = stack.len();
                stack.extend(node.children());
                stack[first..].reverse();
            }
        }
    }
    collapse_whitespace(&text)
}

fn is_heading(paragraph: roxmltree::Node) -> bool {
    paragraph
        .children()
        .filter(|n| is_word(n, "pPr"))
        .flat_map(|properties| properties.children())
        .filter(|n| is_word(n, "pStyle"))
        .filter_map(|style| style.attribute((WORD_NS, "val")))
        .any(|style| {
            let style = style.to_ascii_lowercase();
            style == "title" || style.starts_with("heading")
        })
}

/// What `docProps/core.xml` says of the document.
#[derive(Debug, Default)]
struct CoreProperties {
    title: Option<String>,
    created: Option<String>,
    modified: Option<String>,
}

impl CoreProperties {
    /// Unreadable properties are treated as absent: the body is what the article is.
    fn parse(xml: &str) -> CoreProperties {
        let Ok(document) = roxmltree::Document::parse(xml) else {
            return CoreProperties::default();
        };
        let value = |name: &str| {
            document
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(collapse_whitespace)
                .filter(|text| !text.is_empty())
        };
        CoreProperties {
            title: value("title"),
            created: value("created"),
            modified: value("modified"),
        }
    }
}
