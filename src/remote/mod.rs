/*!
The cluster store: the same articles, entities and queries on an OpenSearch (or
Elasticsearch) cluster, for archives, query loads or uptime one machine cannot carry.

- [`sync_remote`] runs the embedded indexer's parse and tag steps and sends paragraphs with
  `_bulk`. Matching cannot drift from the embedded engine: each paragraph carries sitrep's own
  analysed tokens (and stems) in fields the cluster splits on whitespace only, beside the
  original text for display. The sync state (article → content hash) lives in the cluster.
- [`RemoteEngine`] answers search, timeline, show, stats and entities with the JSON shapes of
  the embedded [`Engine`](crate::Engine): queries are built as the same
  [`QueryNode`](crate::query::QueryNode) tree and compiled to Query DSL (`dsl`).

A cluster is named `URL[/INDEX]` ([`RemoteTarget`]); the index defaults to `sitrep`, and two
companion indices hold the sync state (`INDEX-articles`) and what the last sync recorded
(`INDEX-meta`: gazetteer, corpus, sync number).
*/

mod client;
mod documents;
mod dsl;
mod mapping;
mod read;
mod search;
mod state;
mod write;

pub use client::Client;
pub use read::RemoteEngine;
pub use write::{sync_remote, RemoteIndexOptions};

use crate::error::{Error, Result};

/// The index a cluster store uses when the URL names none.
pub const DEFAULT_INDEX: &str = "sitrep";

/// A cluster and an index on it, parsed from `URL[/INDEX]`.
///
/// ```
/// use sitrep::remote::RemoteTarget;
///
/// let target = RemoteTarget::parse("http://127.0.0.1:9200/archive").unwrap();
/// assert_eq!((target.url.as_str(), target.index.as_str()), ("http://127.0.0.1:9200", "archive"));
/// let default = RemoteTarget::parse("127.0.0.1:9200").unwrap();
/// assert_eq!((default.url.as_str(), default.index.as_str()), ("http://127.0.0.1:9200", "sitrep"));
/// assert!(RemoteTarget::parse("http://127.0.0.1:9200/Bad Name").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTarget {
    /// `http://host:port`.
    pub url: String,
    pub index: String,
}

impl RemoteTarget {
    pub fn parse(spec: &str) -> Result<RemoteTarget> {
        let invalid = |message: String| Error::InvalidArgument {
            what: "cluster".to_string(),
            message,
        };
        let spec = spec.trim().trim_end_matches('/');
        let (scheme, rest) = match spec.split_once("://") {
            Some((scheme, rest)) => (scheme, rest),
            None => ("http", spec),
        };
        if scheme != "http" && scheme != "https" {
            return Err(invalid(format!(
                "'{spec}' is not an http:// URL (expected URL[/INDEX])"
            )));
        }
        let (host, index) = match rest.split_once('/') {
            Some((host, index)) => (host, index),
            None => (rest, DEFAULT_INDEX),
        };
        if host.is_empty() {
            return Err(invalid(format!(
                "'{spec}' names no host (expected URL[/INDEX])"
            )));
        }
        let valid_index = !index.is_empty()
            && !index.starts_with(['-', '_', '+'])
            && index
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
        if !valid_index {
            return Err(invalid(format!(
                "'{index}' is not an index name: lowercase letters, digits, '-', '_' and '.', \
                 not starting with '-' or '_'"
            )));
        }
        Ok(RemoteTarget {
            url: format!("{scheme}://{host}"),
            index: index.to_string(),
        })
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// The index holding one document per article: its content hash and paragraph count.
    pub fn articles_index(&self) -> String {
        format!("{}-articles", self.index)
    }

    /// The index holding the gazetteer and what the last sync recorded.
    pub fn meta_index(&self) -> String {
        format!("{}-meta", self.index)
    }

    pub fn display(&self) -> String {
        format!("{}/{}", self.url, self.index)
    }
}
