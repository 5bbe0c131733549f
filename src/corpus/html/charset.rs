//! A saved page's bytes as text, in the encoding the page declares.
//!
//! The order is the HTML standard's: a byte-order mark; else the `<meta charset>` or
//! `<meta http-equiv="Content-Type">` in the first 1024 bytes (an XML declaration's `encoding`
//! for XHTML), unless the page is valid UTF-8 above ASCII, which is what a browser's "Save
//! page as" writes whatever the page declared; else what the bytes are: UTF-8 when they are
//! valid UTF-8, otherwise the
//! encoding a statistical detector guesses (pages saved without a declaration are mostly
//! windows-1252 or ISO-8859-x). Labels map as browsers map them, so `iso-8859-1` and `ascii`
//! read as windows-1252.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// How far into the page a declaration counts, as browsers look.
const PRESCAN_BYTES: usize = 1024;

pub(super) fn decode_page(bytes: &[u8]) -> String {
    let encoding = sniff(bytes);
    // `decode` drops a byte-order mark of the encoding it uses and replaces bytes that are not
    // valid in it with U+FFFD: a stray byte costs one character, not the page.
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

fn sniff(bytes: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    if let Some(declared) = declared_encoding(&bytes[..bytes.len().min(PRESCAN_BYTES)]) {
        // A page that calls itself UTF-16 but has no byte-order mark was saved as ASCII-
        // compatible bytes (the declaration itself is readable): browsers read it as UTF-8.
        if declared == UTF_16LE || declared == UTF_16BE {
            return UTF_8;
        }
        // Browsers save pages as UTF-8 and keep the page's old declaration. Text in a legacy
        // encoding is almost never valid UTF-8 once it has a byte above ASCII, so such bytes
        // are taken at their word.
        if declared != UTF_8 && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
            return UTF_8;
        }
        return declared;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// The encoding named by a `charset` in a `<meta>` tag or an XML declaration.
fn declared_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<?xml") {
        let end = lower.iter().position(|&b| b == b'>').unwrap_or(lower.len());
        if let Some(label) = attribute_value(&lower[..end], b"encoding") {
            return Encoding::for_label(label);
        }
    }
    let mut rest = &lower[..];
    while let Some(at) = find(rest, b"<meta") {
        rest = &rest[at + 5..];
        let end = rest.iter().position(|&b| b == b'>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(label) = attribute_value(tag, b"charset") {
            if let Some(encoding) = Encoding::for_label(label) {
                return Some(encoding);
            }
        }
    }
    None
}

/// The value after `name=` (quoted or not) in a tag or in a `content="text/html;
/// charset=..."` attribute, which the same search finds.
fn attribute_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let at = find(tag, name)?;
    let rest = &tag[at + name.len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_charset_wins_over_the_bytes() {
        let page =
            b"<html><head><meta charset=\"windows-1252\"></head><p>Caf\xe9 \x93Kata\x92ib\x94</p>";
        assert!(decode_page(page).contains("Café “Kata’ib”"));
        let http_equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>\xe9";
        assert!(decode_page(http_equiv).ends_with("<p>é"));
    }

    #[test]
    fn a_page_saved_as_utf8_under_its_old_declaration_reads_as_utf8() {
        let page = "<meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"><p>深度学习 Kata’ib</p>";
        assert!(decode_page(page.as_bytes()).ends_with("<p>深度学习 Kata’ib</p>"));
    }

    #[test]
    fn a_byte_order_mark_decides_and_is_dropped() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "<p>Mosul</p>".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(decode_page(&utf16), "<p>Mosul</p>");
        assert_eq!(decode_page(b"\xEF\xBB\xBF<p>x</p>"), "<p>x</p>");
    }

    #[test]
    fn undeclared_pages_read_as_their_bytes_say() {
        assert_eq!(decode_page("<p>Kata’ib</p>".as_bytes()), "<p>Kata’ib</p>");
        let latin = b"<p>Le minist\xe8re de l'int\xe9rieur a d\xe9clar\xe9 que la r\xe9gion \xe9tait s\xfbre.</p>";
        assert!(decode_page(latin).contains("ministère de l'intérieur a déclaré"));
    }
}
