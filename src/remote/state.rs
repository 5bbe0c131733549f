//! What a cluster store remembers between syncs: per article its content hash and paragraph
//! count (in `INDEX-articles`, scoped by corpus share), and the gazetteer and last sync (in
//! `INDEX-meta`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::client::{Client, Method};
use super::RemoteTarget;
use crate::error::{Error, Result};

/// What the cluster holds of one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleState {
    pub article_id: String,
    /// The corpus the article was synced from; a sync removes only its own share's articles.
    pub share: String,
    /// The article's content hash, hex.
    pub hash: String,
    /// Each paragraph's text hash, hex, in order: the routing key its document was sent
    /// with, which deleting it needs.
    pub texts: Vec<String>,
}

/// What the last sync recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SyncMeta {
    pub number: u64,
    /// RFC 3339.
    pub time: String,
    pub corpus: String,
    pub gazetteer_hash: String,
    /// The gazetteer's TOML, so every reader expands aliases as the paragraphs were tagged.
    pub gazetteer_toml: String,
    pub schema_version: u32,
}

const SYNC_META_ID: &str = "sync";

/// Creates the index with `body` unless it exists.
pub fn ensure_index(client: &Client, index: &str, body: &Value) -> Result<()> {
    let exists = client.send(Method::Head, &format!("/{index}"), None)?;
    match exists.status {
        200 => Ok(()),
        404 => {
            let reply = client.send(Method::Put, &format!("/{index}"), Some(&body.to_string()))?;
            let raced = reply.body["error"]["type"] == "resource_already_exists_exception";
            if (200..300).contains(&reply.status) || raced {
                Ok(())
            } else {
                Err(Error::Remote {
                    url: format!("{}/{index}", client.base()),
                    detail: format!(
                        "creating the index: HTTP {}: {}",
                        reply.status,
                        super::client::reason(&reply.body)
                    ),
                })
            }
        }
        status => Err(Error::Remote {
            url: format!("{}/{index}", client.base()),
            detail: format!("HTTP {status} asking whether the index exists"),
        }),
    }
}

/// Every article of `share` the cluster holds, by id.
pub fn load_articles(
    client: &Client,
    target: &RemoteTarget,
    share: &str,
) -> Result<HashMap<String, ArticleState>> {
    let mut articles = HashMap::new();
    let mut after: Option<Value> = None;
    loop {
        let mut body = json!({
            "size": 5000,
            "query": {"term": {"share": share}},
            "sort": [{"article_id": "asc"}],
            "_source": ["article_id", "share", "hash", "texts"]
        });
        if let Some(after) = &after {
            body["search_after"] = after.clone();
        }
        let reply = client.post_json(&format!("/{}/_search", target.articles_index()), &body)?;
        let hits = reply["hits"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if hits.is_empty() {
            return Ok(articles);
        }
        after = hits.last().map(|hit| hit["sort"].clone());
        for hit in hits {
            let state: ArticleState =
                serde_json::from_value(hit["_source"].clone()).map_err(|e| Error::Remote {
                    url: format!("{}/{}", client.base(), target.articles_index()),
                    detail: format!("unreadable sync state: {e}"),
                })?;
            articles.insert(state.article_id.clone(), state);
        }
    }
}

pub fn load_meta(client: &Client, target: &RemoteTarget) -> Result<Option<SyncMeta>> {
    let path = format!("/{}/_doc/{SYNC_META_ID}", target.meta_index());
    let reply = client.send(Method::Get, &path, None)?;
    match reply.status {
        404 => Ok(None),
        200 => serde_json::from_value(reply.body["_source"].clone())
            .map(Some)
            .map_err(|e| Error::Remote {
                url: format!("{}{path}", client.base()),
                detail: format!("unreadable sync record: {e}"),
            }),
        status => Err(Error::Remote {
            url: format!("{}{path}", client.base()),
            detail: format!("HTTP {status}: {}", super::client::reason(&reply.body)),
        }),
    }
}

pub fn save_meta(client: &Client, target: &RemoteTarget, meta: &SyncMeta) -> Result<()> {
    let path = format!("/{}/_doc/{SYNC_META_ID}?refresh=true", target.meta_index());
    let body = serde_json::to_string(meta).expect("sync record serialises");
    client.expect(Method::Put, &path, Some(&body))?;
    Ok(())
}
