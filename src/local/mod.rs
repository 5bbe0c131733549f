/*!
The embedded store: a tantivy index folder, and everything that reads and writes it.

- [`LocalStore`] answers the [`Store`](crate::store::Store) reads over one [`Snapshot`] per
  request: `search` (top hits, totals, facets, timeline) and `inspect` (show, stats, entity
  usage, name candidates).
- `indexer` syncs a corpus folder into it ([`sync_index`]).
- `folder` names and reads the folder's files (the commit payload, side files, the sync log,
  the watch lock); `copies` keeps which paragraphs repeat one another per segment.
*/

pub mod copies;
pub mod folder;
pub mod indexer;
pub mod inspect;
pub mod search;
pub mod snapshot;
mod store;

pub use indexer::sync_index;
pub use snapshot::Snapshot;
pub use store::LocalStore;
