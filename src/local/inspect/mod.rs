/*!
The index folder's answers to the read-only views of [`inspect`](crate::inspect): an article's
paragraphs, index statistics, entity usage and name candidates, each over one
[`Snapshot`](crate::Snapshot).
*/

mod article;
mod candidates;
mod entities;
mod stats;

pub use article::show_article;
pub use candidates::name_candidates;
pub use entities::entity_usage;
pub use stats::index_stats;
