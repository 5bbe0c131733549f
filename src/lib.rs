/*!
sitrep: full-text and entity search for archives of conflict reporting.

The engine lives here, one module per responsibility; the binary only parses flags, calls
these modules and prints. The read side is [`Engine`] (open once, query from any thread); the
write side is [`sync_index`]. See the README's Architecture section.
*/

pub mod analysis;
pub mod bench;
pub mod copies;
pub mod corpus;
pub mod engine;
pub mod entities;
pub mod error;
pub mod indexer;
pub mod inspect;
pub mod output;
pub mod query;
pub mod remote;
pub mod saved;
pub mod schema;
pub mod search;
pub mod serve;
pub mod snapshot;
pub mod store;

pub use engine::Engine;
pub use entities::{EntityMatch, Gazetteer};
pub use error::{Error, Result};
pub use indexer::{needs_first_build, sync_index, IndexOptions, Progress, SyncReport};
pub use query::{parse_query, QuerySyntaxError};
pub use search::{SearchOptions, SearchResults, Timeline};
pub use snapshot::Snapshot;
