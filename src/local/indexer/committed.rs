//! Lookups in the last commit, made per changed file only: decoding every article id of a
//! large index would dominate a sync that has little to do.

use std::collections::{BTreeSet, HashMap};

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::error::Result;
use crate::schema::{names, Fields};

/// Every file path the committed index has documents for (deleted documents may still list
/// a path until segments merge; such a path simply has no articles left).
pub fn indexed_paths(searcher: &Searcher, fields: &Fields) -> Result<BTreeSet<String>> {
    let mut paths = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.path)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            paths.insert(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    Ok(paths)
}

/// Article id → article hash for the articles the committed index holds from one file.
pub fn articles_at_path(
    searcher: &Searcher,
    fields: &Fields,
    path: &str,
) -> Result<HashMap<String, u64>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.path, path),
        IndexRecordOption::Basic,
    );
    // Opening a column decodes its block index: open each segment's columns once, not once
    // per document (a changed JSONL file can hold tens of thousands of paragraphs).
    let mut by_segment: HashMap<u32, Vec<u32>> = HashMap::new();
    for address in searcher.search(&query, &DocSetCollector)? {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push(address.doc_id);
    }
    let mut articles = HashMap::new();
    for (segment_ord, docs) in by_segment {
        let fast = searcher.segment_reader(segment_ord).fast_fields();
        let paragraphs = fast.u64(names::PARAGRAPH)?;
        let hashes = fast.u64(names::ARTICLE_HASH)?;
        let Some(ids) = fast.str(names::ARTICLE_ID)? else {
            continue;
        };
        for doc in docs {
            if paragraphs.first(doc) != Some(1) {
                continue;
            }
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(doc).next() {
                ids.ord_to_str(ord, &mut id)?;
            }
            articles.insert(id, hashes.first(doc).unwrap_or(0));
        }
    }
    Ok(articles)
}

/// The file an article id is indexed from, if any.
pub fn article_path(searcher: &Searcher, fields: &Fields, id: &str) -> Result<Option<String>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, address)) = found.first() else {
        return Ok(None);
    };
    let fast = searcher.segment_reader(address.segment_ord).fast_fields();
    let Some(paths) = fast.str(names::PATH)? else {
        return Ok(None);
    };
    let mut path = String::new();
    if let Some(ord) = paths.term_ords(address.doc_id).next() {
        paths.ord_to_str(ord, &mut path)?;
    }
    Ok(Some(path))
}

/// Text hash → sync number of the paragraphs the committed index holds for one article: a
/// paragraph whose text an update leaves as it was keeps the sync that first added it.
pub fn paragraph_syncs(
    searcher: &Searcher,
    fields: &Fields,
    id: &str,
) -> Result<HashMap<u64, u64>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, id),
        IndexRecordOption::Basic,
    );
    let mut syncs = HashMap::new();
    for address in searcher.search(&query, &DocSetCollector)? {
        let fast = searcher.segment_reader(address.segment_ord).fast_fields();
        let text_hash = fast.u64(names::TEXT_HASH)?.first(address.doc_id);
        let sync = fast.u64(names::SYNC)?.first(address.doc_id);
        if let (Some(text_hash), Some(sync)) = (text_hash, sync) {
            syncs.insert(text_hash, sync);
        }
    }
    Ok(syncs)
}
