//! The paragraphs of an extracted article: its text blocks, each one paragraph.
//!
//! A paragraph is the text between two block boundaries: `p`, list items, block quotes,
//! headings, preformatted text, table rows and the containers around them all start and end
//! one, while inline markup (links, emphasis, spans) stays inside it. A line break is a space,
//! as it is within a paragraph on screen. Soft hyphens, which only say where a word may be
//! broken, are dropped.
//!
//! What Readability keeps around an article but a reader does not count as its text is left
//! out too: figure captions and photo credits, a block repeated within the page (a caption
//! shown twice, a gallery's "Image 1 of 8"), and copyright notices.

use dom_query::{Document, NodeRef};

use crate::corpus::collapse_whitespace;

/// Elements whose text is not read: code, styles, embedded documents, form controls and
/// figure captions. Formulas (`math`) are read: their text is part of the sentence around them.
const UNREAD: [&str; 10] = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "button",
    "select",
    "figcaption",
];

/// A notice longer than this is prose that mentions copyright, not a notice.
const NOTICE_MAX_BYTES: usize = 300;

/// Elements that start and end a paragraph.
const BLOCKS: [&str; 35] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

pub(super) fn paragraphs(article_html: &str) -> Vec<String> {
    let fragment = Document::fragment(article_html);
    let mut collected = Collected::default();
    collected.walk(&fragment.root());
    collected.flush();
    let mut seen = rustc_hash::FxHashSet::default();
    collected
        .paragraphs
        .into_iter()
        .filter(|paragraph| !is_notice(paragraph))
        .filter(|paragraph| seen.insert(paragraph.clone()))
        .collect()
}

/// A copyright or rights notice ("© 2019 Capitol Hill Publishing Corp.").
fn is_notice(paragraph: &str) -> bool {
    if paragraph.len() > NOTICE_MAX_BYTES {
        return false;
    }
    let lower = paragraph.to_lowercase();
    lower.contains('©') || lower.contains("all rights reserved") || lower.starts_with("copyright")
}

#[derive(Default)]
struct Collected {
    paragraphs: Vec<String>,
    current: String,
}

impl Collected {
    fn walk(&mut self, node: &NodeRef) {
        for child in node.children_it(false) {
            if child.is_text() {
                self.current.push_str(&child.text());
                continue;
            }
            if !child.is_element() {
                continue;
            }
            let name = child.node_name().unwrap_or_default();
            let name = name.to_ascii_lowercase();
            if UNREAD.contains(&name.as_str()) {
                continue;
            }
            if name == "br" {
                self.current.push(' ');
            } else if BLOCKS.contains(&name.as_str()) {
                self.flush();
                self.walk(&child);
                self.flush();
            } else {
                // Table cells of one row read as one line; inline elements run on.
                if matches!(name.as_str(), "td" | "th") {
                    self.current.push(' ');
                }
                self.walk(&child);
            }
        }
    }

    fn flush(&mut self) {
        let text = collapse_whitespace(&self.current.replace('\u{AD}', ""));
        self.current.clear();
        if !text.is_empty() {
            self.paragraphs.push(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_paragraphs_and_inline_markup_stays_inside() {
        let html = "<div><h2>The <em>PMF</em> law</h2><p>Passed in\n 2016, it made the \
                    <a href=x>Popular Mobilization</a> Forces a&nbsp;state body.<br>It took \
                    effect at once.</p><ul><li>Badr</li><li>Kata\u{2019}ib Hezbollah</li></ul>\
                    <blockquote>We are the state, said one.</blockquote>\
                    <p>counter\u{AD}terrorism<script>track()</script></p>\
                    <figure><img src=a.jpg><figcaption>Fighters in Jurf al-Sakhar. Photo: AP\
                    </figcaption></figure><p>Badr</p><p>© 2020 Monitor. All rights reserved.</p>\
                    </div>";
        assert_eq!(
            paragraphs(html),
            [
                "The PMF law",
                "Passed in 2016, it made the Popular Mobilization Forces a state body. It took \
                 effect at once.",
                "Badr",
                "Kata\u{2019}ib Hezbollah",
                "We are the state, said one.",
                "counterterrorism",
            ]
        );
    }

    #[test]
    fn a_table_row_is_one_paragraph() {
        let html = "<table><tr><th>Group</th><th>Leader</th></tr>\
                    <tr><td>Badr</td><td>Hadi al-Amiri</td></tr></table>";
        assert_eq!(paragraphs(html), ["Group Leader", "Badr Hadi al-Amiri"]);
    }
}
