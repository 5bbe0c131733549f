/*!
Read-only views of an index other than search, one file per question: what an article says
(`article`, for `sitrep show`), how big the index is (`stats`), how often each entity is named
(`entities`), and which names the gazetteer lacks (`candidates`). Results are plain data for
`output` to render; the [`Engine`] is the way in.

[`Engine`]: crate::Engine
*/

mod article;
mod candidates;
mod entities;
mod stats;

pub use article::{show_article, ShownArticle, ShownParagraph};
pub use candidates::{name_candidates, Candidate};
pub use entities::{entity_usage, rank_usage, EntityUsage};
pub use stats::{index_stats, IndexStats};
