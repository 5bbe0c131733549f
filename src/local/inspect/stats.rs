//! How big the index is and when it was last synced (`sitrep stats`).

use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::error::Result;
use crate::inspect::IndexStats;
use crate::local::folder::folder_size;
use crate::local::snapshot::Snapshot;

pub fn index_stats(snapshot: &Snapshot) -> Result<IndexStats> {
    let fields = snapshot.fields();
    let searcher = snapshot.searcher();
    let first_paragraphs = TermQuery::new(
        Term::from_field_u64(fields.paragraph, 1),
        IndexRecordOption::Basic,
    );
    let articles = searcher.search(&first_paragraphs, &Count)? as u64;
    // Terms are counted per segment; after merges there is usually one, so this is close to
    // the distinct count, and an upper bound otherwise.
    let mut distinct_terms = 0;
    for segment in searcher.segment_readers() {
        distinct_terms += segment.inverted_index(fields.text)?.terms().num_terms() as u64;
    }
    Ok(IndexStats {
        index: snapshot.path().display().to_string(),
        corpus: snapshot.payload().map(|p| p.corpus.clone()),
        articles,
        paragraphs: searcher.num_docs(),
        distinct_terms,
        size_bytes: folder_size(snapshot.path()),
        segments: searcher.segment_readers().len(),
        last_sync: snapshot.payload().map(|p| p.synced_at.clone()),
        last_sync_number: snapshot.payload().map_or(0, |p| p.sync),
        gazetteer_entities: snapshot.gazetteer().len(),
    })
}
