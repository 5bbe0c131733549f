/*!
sitrep: full-text and entity search for archives of conflict reporting.

The engine lives here, one module per responsibility; `main.rs` only parses flags, calls
these modules and prints. See DESIGN.md for the contracts.
*/

pub mod analysis;
pub mod bench;
pub mod corpus;
pub mod entities;
pub mod indexer;
pub mod inspect;
pub mod output;
pub mod query;
pub mod schema;
pub mod searcher;

pub use entities::{EntityMatch, Gazetteer};
pub use indexer::{open_index, sync_index, IndexError, IndexOptions, OpenIndex, SyncReport};
pub use query::{parse_query, QuerySyntaxError};
pub use searcher::{search, SearchOptions, SearchResults, UnknownEntity};
