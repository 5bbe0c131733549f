/*!
sitrep: full-text and entity search for archives of conflict reporting.

The engine lives here, one module per responsibility; the binary only parses flags, calls
these modules and prints. The read side is [`Engine`] (open once, query from any thread); the
write side is [`sync_index`]. See the README's Architecture section.
*/

pub mod analysis;
pub mod bench;
pub mod corpus;
pub mod engine;
pub mod entities;
pub mod error;
pub mod files;
pub mod inspect;
pub mod local;
pub mod network;
pub mod output;
pub mod paragraph;
pub mod query;
pub mod remote;
pub mod saved;
pub mod schema;
pub mod search;
pub mod serve;
pub mod store;
pub mod sync;

pub use engine::Engine;
pub use entities::{EntityMatch, Gazetteer};
pub use error::{Error, Result};
pub use local::indexer::{needs_first_build, sync_index, IndexOptions};
pub use local::snapshot::Snapshot;
pub use query::{parse_query, QuerySyntaxError};
pub use search::{SearchOptions, SearchResults, Timeline};
pub use sync::{Progress, SyncReport};
