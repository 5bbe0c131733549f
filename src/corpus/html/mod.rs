/*!
Saved web pages (`.html`, `.htm`, `.xhtml`): the article alone, as paragraphs.

The page is decoded as its charset says ([`charset`]) and parsed once. Its metadata (title,
date, canonical URL) is read from that tree ([`metadata`]) before `dom_smoothie`, a port of
Firefox Reader View's Readability, scores the tree's blocks and keeps the article: navigation,
share buttons, cookie banners, related stories, comments and footers are left behind. The
article's blocks (paragraphs, list items, block quotes, sub-headings) become paragraphs
([`blocks`]).

The extractor was chosen by measurement against the alternatives (README, "Reading pages,
PDFs and Word files: how well, how fast"): with the blocks step here it is as accurate as the
best of them on a public article-extraction benchmark, and five times faster than the one that
comes closest.
*/

mod blocks;
mod charset;
mod metadata;

use super::{hash_bytes, Article};

/// Pages larger than this are not articles (a data dump, an archive of a whole site).
const MAX_PAGE_BYTES: usize = 64 << 20;

pub(super) fn parse_html(path: &str, bytes: &[u8]) -> Result<Article, String> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(format!(
            "{} MB page, over the {} MB limit for one page; skipped",
            bytes.len() >> 20,
            MAX_PAGE_BYTES >> 20
        ));
    }
    let text = charset::decode_page(bytes);
    if text.contains('\0') && !text.contains('<') {
        return Err("binary file (contains NUL bytes); skipped".to_string());
    }
    let document = dom_query::Document::from(text.as_str());
    // The parsed tree holds the text from here on; a 20 MB page is then held about five times
    // over at the peak (tree, extracted article, its blocks), not seven.
    drop(text);
    let page = metadata::PageMetadata::read(&document);
    let article = dom_smoothie::Readability::with_document(document, None, None)
        .map_err(|err| format!("cannot read the page ({err}); skipped"))?
        .parse()
        .map_err(|err| format!("no article text found in the page ({err}); skipped"))?;
    let extracted_title =
        Some(super::collapse_whitespace(&article.title)).filter(|t| !t.is_empty());
    let date = article
        .published_time
        .as_deref()
        .and_then(metadata::parse_page_date)
        .or(page.date);
    let paragraphs = blocks::paragraphs(&article.content);
    Ok(Article {
        id: path.to_string(),
        path: path.to_string(),
        title: extracted_title
            .or(page.title.clone())
            .map(|title| page.without_site_suffix(title)),
        date,
        url: page.url,
        source: page.site_name,
        paragraphs,
        hash: hash_bytes(bytes),
    })
}
