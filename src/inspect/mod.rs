/*!
Read-only views of an index other than search, one file per question, as plain data for
`output` to render, whichever store answers: what an article says (`article`, for
`sitrep show`), how big the index is (`stats`), how often each entity is named (`entities`),
and which names the gazetteer lacks (`candidates`). The stores fill them in
(`local::inspect`, `remote`); the [`Engine`] is the way in.

[`Engine`]: crate::Engine
*/

mod article;
mod candidates;
mod entities;
mod stats;

pub use article::{ShownArticle, ShownParagraph};
pub use candidates::Candidate;
pub(crate) use entities::check_kind;
pub use entities::{rank_usage, EntityUsage};
pub use stats::IndexStats;
