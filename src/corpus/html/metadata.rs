//! What a page says about itself, read from its `<head>` and markup before extraction.
//!
//! Readability reads the title and the publication date the way the page declares them
//! (JSON-LD `headline` and `datePublished`, Open Graph and `article:` meta tags, then the
//! `<title>` without its site-name suffix). What it does not read is found here: the page's
//! address (`<link rel=canonical>`, else `og:url`), a date given only by a `<time datetime>`
//! element or by the address itself (`/2020/01/03/`), the site's name, and a title for pages
//! where Readability finds none.

use dom_query::Document;
use tantivy::DateTime;
use time::format_description::well_known::Rfc2822;
use time::OffsetDateTime;

use crate::corpus::{collapse_whitespace, parse_date};

#[derive(Debug, Default, PartialEq)]
pub(super) struct PageMetadata {
    pub title: Option<String>,
    /// The page's first `<h1>`: the headline as the page shows it.
    pub headline: Option<String>,
    pub date: Option<DateTime>,
    pub url: Option<String>,
    pub site_name: Option<String>,
}

impl PageMetadata {
    pub fn read(document: &Document) -> PageMetadata {
        let meta = |selector: &str| {
            document
                .select(selector)
                .attr("content")
                .map(|value| collapse_whitespace(&value))
                .filter(|value| !value.is_empty())
        };
        let url = document
            .select("link[rel~=canonical]")
            .attr("href")
            .map(|href| href.trim().to_string())
            .filter(|href| is_absolute(href))
            .or_else(|| meta("meta[property='og:url']").filter(|url| is_absolute(url)));
        let time_element = [
            "time[itemprop~=datePublished]",
            "time[pubdate]",
            "article time",
            "time",
        ]
        .iter()
        .find_map(|selector| document.select(selector).attr("datetime"))
        .and_then(|value| parse_page_date(&value));
        let date = time_element.or_else(|| url.as_deref().and_then(date_in_url));
        let headline = text_of(document, "h1");
        let title = meta("meta[property='og:title']")
            .or_else(|| headline.clone())
            .or_else(|| text_of(document, "title"));
        PageMetadata {
            title,
            headline,
            date,
            url,
            site_name: meta("meta[property='og:site_name']"),
        }
    }
}

/// Separators between a page's title and its site's name ("Strike on convoy | Monitor").
const TITLE_SEPARATORS: [&str; 6] = [" | ", " - ", " – ", " — ", " · ", " :: "];

impl PageMetadata {
    /// A title without the site's name after it: cut where the rest is the site's name, or
    /// where what comes before is the page's own headline.
    pub fn without_site_suffix(&self, title: String) -> String {
        for separator in TITLE_SEPARATORS {
            let Some((head, tail)) = title.rsplit_once(separator) else {
                continue;
            };
            let is_site = self
                .site_name
                .as_deref()
                .is_some_and(|site| tail.eq_ignore_ascii_case(site));
            let is_headline = self.headline.as_deref() == Some(head);
            if (is_site || is_headline) && !head.trim().is_empty() {
                return head.trim().to_string();
            }
        }
        title
    }
}

fn text_of(document: &Document, selector: &str) -> Option<String> {
    let text = collapse_whitespace(&document.select(selector).first().text());
    (!text.is_empty()).then_some(text)
}

fn is_absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// A date as pages write them: RFC 3339 or `YYYY-MM-DD` (with or without a time, with an
/// offset written `+0100`), or RFC 2822 (`Tue, 03 Mar 2020 10:00:00 GMT`).
pub(super) fn parse_page_date(text: &str) -> Option<DateTime> {
    let text = text.trim();
    if let Ok(date) = parse_date(text) {
        return Some(date);
    }
    if let Ok(moment) = OffsetDateTime::parse(text, &Rfc2822) {
        return Some(DateTime::from_utc(moment));
    }
    // An offset written without its colon (`+0100`).
    let bytes = text.as_bytes();
    if bytes.len() > 5 && matches!(bytes[bytes.len() - 5], b'+' | b'-') {
        let (moment, offset) = text.split_at(text.len() - 2);
        if let Ok(date) = parse_date(&format!("{moment}:{offset}")) {
            return Some(date);
        }
    }
    // A zone name or another clock format: the day is what a date filter needs.
    text.get(..10).and_then(|day| parse_date(day).ok())
}

/// A date in a page's address: `/2020/01/03/` or `/2020-01-03`.
fn date_in_url(url: &str) -> Option<DateTime> {
    let parts: Vec<&str> = url.split(['/', '?', '#']).collect();
    for (i, part) in parts.iter().enumerate() {
        if let Some(date) = part.get(..10).and_then(|day| parse_date(day).ok()) {
            return Some(date);
        }
        if part.len() == 4 && part.bytes().all(|b| b.is_ascii_digit()) {
            if let (Some(month), Some(day)) = (parts.get(i + 1), parts.get(i + 2)) {
                let day = &day[..day.len().min(2)];
                if let Ok(date) = parse_date(&format!("{part}-{month:0>2}-{day:0>2}")) {
                    return Some(date);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_address_time_element_and_site_name() {
        let page = Document::from(
            "<html><head><title>Strike on convoy | Militia Monitor</title>\
             <link rel=canonical href='https://example.org/iraq/strike'>\
             <meta property='og:url' content='https://example.org/other'>\
             <meta property='og:site_name' content='Militia Monitor'></head>\
             <body><time datetime='2020-01-03T01:00:00+03:00'>3 January</time></body></html>",
        );
        let metadata = PageMetadata::read(&page);
        assert_eq!(
            metadata.url.as_deref(),
            Some("https://example.org/iraq/strike")
        );
        assert_eq!(metadata.site_name.as_deref(), Some("Militia Monitor"));
        assert_eq!(
            metadata.date,
            Some(parse_date("2020-01-02T22:00:00Z").unwrap())
        );
        assert_eq!(
            metadata.title.as_deref(),
            Some("Strike on convoy | Militia Monitor")
        );
    }

    #[test]
    fn dates_from_the_address_and_loose_formats() {
        let day = parse_date("2019-12-29").ok();
        assert_eq!(date_in_url("https://x.org/2019/12/29/kh-strikes"), day);
        assert_eq!(date_in_url("https://x.org/news/2019-12-29-kh-strikes"), day);
        assert_eq!(date_in_url("https://x.org/news/kh-strikes"), None);
        assert_eq!(
            parse_page_date("2019-12-29T10:00:00.000+0100").map(|d| d.into_utc().date()),
            day.map(|d| d.into_utc().date())
        );
        assert_eq!(
            parse_page_date("Sun, 29 Dec 2019 10:00:00 GMT"),
            parse_date("2019-12-29T10:00:00Z").ok()
        );
    }
}
