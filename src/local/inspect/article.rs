//! One article's paragraphs, in order, with their entities (`sitrep show`).

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::error::Result;
use crate::inspect::ShownArticle;
use crate::local::snapshot::{fetch_paragraph, Columns, Snapshot};

/// An article's paragraphs in order (or the one asked for).
pub fn show_article(
    snapshot: &Snapshot,
    article_id: &str,
    paragraph: Option<u64>,
    with_mentions: bool,
    location: &str,
) -> Result<ShownArticle> {
    let fields = snapshot.fields();
    let searcher = snapshot.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(100_000).order_by_score())?;
    let columns = Columns::new(searcher);
    let paragraphs = found
        .into_iter()
        .map(|(_, address)| fetch_paragraph(&columns, fields, address))
        .collect::<Result<Vec<_>>>()?;
    ShownArticle::of(
        article_id,
        paragraphs,
        paragraph,
        with_mentions.then(|| snapshot.gazetteer().as_ref()),
        location,
    )
}
