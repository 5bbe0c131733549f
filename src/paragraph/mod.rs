/*!
A paragraph, the unit both stores index and return: [`build_article`] makes what a sync
writes, [`StoredParagraph`] is what a read gives back, whichever store it came from, with its
entities as [`EntityRef`]s.
*/

mod built;
mod stored;

pub use built::{article_key, build_article, paragraph_text_hash, BuiltArticle, BuiltParagraph};
pub use stored::{entity_ref, facet_path, format_date, EntityRef, StoredParagraph};
