/*!
The cluster store: the same articles, entities and queries on an OpenSearch (or
Elasticsearch) cluster, for archives, query loads or uptime one machine cannot carry.

- [`sync_remote`] runs the embedded indexer's parse and tag steps and sends paragraphs with
  `_bulk`. Matching cannot drift from the embedded engine: each paragraph carries sitrep's own
  analysed tokens (and stems) in fields the cluster splits on whitespace only, beside the
  original text for display. The sync state (article → content hash) lives in the cluster.
- [`RemoteStore`] answers search, timeline, show, stats and entities with the JSON shapes of
  the embedded [`Engine`](crate::Engine): queries are built as the same
  [`QueryNode`](crate::query::QueryNode) tree and compiled to Query DSL (`dsl`).

A cluster is named `URL[,URL...][/INDEX]` ([`RemoteTarget`]); the index defaults to `sitrep`, and two
companion indices hold the sync state (`INDEX-articles`) and what the last sync recorded
(`INDEX-meta`: gazetteer, corpus, sync number).
*/

mod answers;
mod bulk_load;
mod client;
mod documents;
mod dsl;
mod mapping;
mod read;
mod replies;
mod search;
mod state;
mod write;

pub use client::Client;
pub use read::RemoteStore;
pub use write::{sync_remote, RemoteIndexOptions};

use crate::error::{Error, Result};

/// A cluster reply stored for the unit tests (`tests/fixtures/cluster`, written by its
/// `capture.py` from a real 3-node cluster).
#[cfg(test)]
fn stored_reply(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/tests/fixtures/cluster/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The index a cluster store uses when the URL names none.
pub const DEFAULT_INDEX: &str = "sitrep";

/// A cluster and an index on it, parsed from `URL[,URL...][/INDEX]`: one or more nodes of
/// the same cluster, so that requests fail over to the next node when one is down.
///
/// ```
/// use sitrep::remote::RemoteTarget;
///
/// let target = RemoteTarget::parse("http://127.0.0.1:9200/archive").unwrap();
/// assert_eq!((target.nodes[0].as_str(), target.index.as_str()), ("http://127.0.0.1:9200", "archive"));
/// let default = RemoteTarget::parse("127.0.0.1:9200").unwrap();
/// assert_eq!((default.nodes[0].as_str(), default.index.as_str()), ("http://127.0.0.1:9200", "sitrep"));
/// let three = RemoteTarget::parse("http://127.0.0.1:9250,127.0.0.1:9251,https://h:9252/a").unwrap();
/// assert_eq!(three.nodes, ["http://127.0.0.1:9250", "http://127.0.0.1:9251", "https://h:9252"]);
/// assert_eq!(three.display(), "http://127.0.0.1:9250/a");
/// assert!(RemoteTarget::parse("http://127.0.0.1:9200/Bad Name").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTarget {
    /// `http://host:port` of each node named, in the order requests try them.
    pub nodes: Vec<String>,
    pub index: String,
}

impl RemoteTarget {
    pub fn parse(spec: &str) -> Result<RemoteTarget> {
        let invalid = |message: String| Error::InvalidArgument {
            what: "cluster".to_string(),
            message,
        };
        let spec = spec.trim().trim_end_matches('/');
        let mut nodes = Vec::new();
        let mut index = DEFAULT_INDEX;
        let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
        for (n, part) in parts.iter().enumerate() {
            let (scheme, rest) = match part.split_once("://") {
                Some((scheme, rest)) => (scheme, rest),
                None => ("http", *part),
            };
            if scheme != "http" && scheme != "https" {
                return Err(invalid(format!(
                    "'{part}' is not an http:// URL (expected URL[,URL...][/INDEX])"
                )));
            }
            let host = match rest.split_once('/') {
                Some((host, named)) if n + 1 == parts.len() => {
                    index = named;
                    host
                }
                Some(_) => {
                    return Err(invalid(format!(
                        "'{spec}': only the last URL may name the index (URL[,URL...][/INDEX])"
                    )))
                }
                None => rest,
            };
            if host.is_empty() {
                return Err(invalid(format!(
                    "'{spec}' names no host (expected URL[,URL...][/INDEX])"
                )));
            }
            nodes.push(format!("{scheme}://{host}"));
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
            nodes,
            index: index.to_string(),
        })
    }

    pub fn client(&self) -> Client {
        Client::new(&self.nodes)
    }

    /// The index holding one document per article: its content hash and paragraph count.
    pub fn articles_index(&self) -> String {
        format!("{}-articles", self.index)
    }

    /// The index holding the gazetteer and what the last sync recorded.
    pub fn meta_index(&self) -> String {
        format!("{}-meta", self.index)
    }

    /// The first node and the index, as messages name the target.
    pub fn display(&self) -> String {
        format!("{}/{}", self.nodes[0], self.index)
    }
}
