/*!
`.pdf` articles: the text layer of a report, as paragraphs.

`pdf_oxide` parses the file and decodes each page's text into positioned runs (fonts, encodings
and `ToUnicode` maps are its job); [`layout`] turns the runs into paragraphs. Text a tagged PDF
marks as an artifact (running headers, footers, page numbers) is dropped before layout. The
title is the document information's `/Title`, else the largest text on page one; the date is
its `/CreationDate`, else `/ModDate`.

A file that cannot give text is skipped with the reason a user can act on: `encrypted` (a
password is needed to open it), `no text layer (scanned?)` (pages of images: OCR it first), or
`damaged` (truncated, empty, or not a PDF).
*/

mod layout;

use pdf_oxide::document::PdfDocument;
use pdf_oxide::object::Object;
use tantivy::DateTime;
use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

use super::{collapse_whitespace, hash_bytes, Article};
use layout::{Page, Run};

pub(super) fn parse_pdf(path: &str, bytes: &[u8]) -> Result<Article, String> {
    if bytes.is_empty() {
        return Err("damaged (empty file); skipped".to_string());
    }
    // Readers accept the header anywhere in the first kilobyte, after junk a mailer prepended.
    if !bytes[..bytes.len().min(1024)]
        .windows(4)
        .any(|w| w == b"%PDF")
    {
        return Err("damaged (not a PDF: no %PDF header); skipped".to_string());
    }
    // Every PDF, incremental updates included, ends with an end-of-file marker; without it the
    // file was cut short, and whatever text survives is not the whole report.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err("damaged (truncated: no end-of-file marker); skipped".to_string());
    }
    // A parser fault on a malformed file must cost that file only, never the whole sync.
    let read = std::panic::catch_unwind(|| read_pdf(bytes));
    let document = match read {
        Ok(document) => document?,
        Err(_) => return Err("damaged (the PDF parser failed on it); skipped".to_string()),
    };
    let (paragraphs, largest_text) = layout::paragraphs(&document.pages);
    if paragraphs.is_empty() {
        return Err("no text layer (scanned?); skipped (run OCR on it first)".to_string());
    }
    Ok(Article {
        id: path.to_string(),
        path: path.to_string(),
        title: document.title.or(largest_text),
        date: document.date,
        url: None,
        source: None,
        paragraphs,
        hash: hash_bytes(bytes),
    })
}

/// What the PDF parser gives: pages of runs and the document information.
struct PdfText {
    pages: Vec<Page>,
    title: Option<String>,
    date: Option<DateTime>,
}

fn read_pdf(bytes: &[u8]) -> Result<PdfText, String> {
    let document = PdfDocument::from_bytes(bytes.to_vec())
        .map_err(|err| format!("damaged ({err}); skipped"))?;
    if document.is_encrypted() && !document.authenticate(b"").unwrap_or(false) {
        return Err("encrypted (it needs a password to open); skipped".to_string());
    }
    let page_count = document
        .page_count()
        .map_err(|err| format!("damaged ({err}); skipped"))?;
    let mut pages = Vec::with_capacity(page_count);
    for number in 0..page_count {
        pages.push(
            read_page(&document, number)
                .map_err(|err| format!("damaged (page {}: {err}); skipped", number + 1))?,
        );
    }
    Ok(PdfText {
        pages,
        title: info_text(&document, "Title").filter(|title| is_real_title(title)),
        date: info_text(&document, "CreationDate")
            .or_else(|| info_text(&document, "ModDate"))
            .and_then(|date| parse_pdf_date(&date)),
    })
}

fn read_page(document: &PdfDocument, number: usize) -> pdf_oxide::error::Result<Page> {
    let (x0, y0, x1, y1) = document.get_page_media_box(number)?;
    let (left, top) = (x0.min(x1), y0.max(y1));
    let runs = document
        .extract_spans(number)?
        .into_iter()
        .filter(|span| span.artifact_type.is_none())
        .map(|span| Run {
            left: span.bbox.x - left,
            right: span.bbox.x + span.bbox.width - left,
            top: top - (span.bbox.y + span.bbox.height),
            bottom: top - span.bbox.y,
            size: span.font_size.abs(),
            text: span.text,
        })
        .collect();
    Ok(Page {
        width: (x1 - x0).abs(),
        height: (y1 - y0).abs(),
        runs,
    })
}

/// A text entry of the document information dictionary, decoded (UTF-16 with its byte order
/// mark, else PDFDocEncoding, which is Latin-1 for the characters that matter here).
fn info_text(document: &PdfDocument, key: &str) -> Option<String> {
    let resolve = |object: &Object| match object.as_reference() {
        Some(reference) => document.load_object(reference).ok(),
        None => Some(object.clone()),
    };
    let info = resolve(document.trailer().as_dict()?.get("Info")?)?;
    let value = resolve(info.as_dict()?.get(key)?)?;
    let text = collapse_whitespace(&decode_text_string(value.as_string()?));
    (!text.is_empty()).then_some(text)
}

fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// Titles that word processors and converters write in place of one.
fn is_real_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    !(lower == "untitled"
        || lower.starts_with("untitled document")
        || lower.starts_with("microsoft word - ")
        || lower.ends_with(".doc")
        || lower.ends_with(".docx")
        || lower.ends_with(".pdf"))
}

/// A PDF date: `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional.
fn parse_pdf_date(text: &str) -> Option<DateTime> {
    let text = text.trim().strip_prefix("D:").unwrap_or(text.trim());
    let digits = |from: usize, len: usize, default: u32| -> Option<u32> {
        match text.get(from..from + len) {
            Some(part) if part.bytes().all(|b| b.is_ascii_digit()) => part.parse().ok(),
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = digits(0, 4, 0).filter(|_| text.len() >= 4)? as i32;
    let month = Month::try_from(digits(4, 2, 1)? as u8).ok()?;
    let date = Date::from_calendar_date(year, month, digits(6, 2, 1)? as u8).ok()?;
    let time = Time::from_hms(
        digits(8, 2, 0)? as u8,
        digits(10, 2, 0)? as u8,
        digits(12, 2, 0)? as u8,
    )
    .ok()?;
    let offset = match text.get(14..).map(|zone| zone.trim_end_matches('\'')) {
        Some(zone) if zone.starts_with(['+', '-']) => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let mut parts = zone[1..].split('\'');
            let hours: i8 = parts.next()?.parse().ok()?;
            let minutes: i8 = parts.next().unwrap_or("0").parse().unwrap_or(0);
            UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
        _ => UtcOffset::UTC,
    };
    let moment = OffsetDateTime::new_in_offset(date, time, offset);
    Some(DateTime::from_utc(moment))
}
