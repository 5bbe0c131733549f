//! JSON over HTTP to a cluster, with failover and a bounded retry: a request that meets a
//! node down moves on to the next node named; one that meets a shard failing over or a full
//! queue waits and tries again, up to a deadline.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Error, Result};

/// How long a request keeps retrying a cluster that does not answer or answers 429/5xx.
const RETRY_FOR: Duration = Duration::from_secs(30);
/// One attempt's limit: a bulk request of a few MB on a busy cluster takes seconds.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    /// `http://host:port` of each node, no trailing slash.
    nodes: Arc<[String]>,
    /// The node a request tries first: the last one that answered.
    preferred: Arc<AtomicUsize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Head,
}

/// A response the cluster gave: status and body (JSON when it is).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// A search or count some shards did not answer (a node just left and its copies are
    /// being promoted elsewhere): its numbers are partial, so the request is tried again.
    pub fn missed_shards(&self) -> bool {
        self.body["_shards"]["failed"].as_u64().unwrap_or(0) > 0
    }
}

impl Client {
    pub fn new(nodes: &[String]) -> Client {
        assert!(
            !nodes.is_empty(),
            "a cluster target names at least one node"
        );
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(ATTEMPT_TIMEOUT))
            .timeout_connect(Some(Duration::from_secs(2)))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            nodes: nodes
                .iter()
                .map(|node| node.trim_end_matches('/').to_string())
                .collect(),
            preferred: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The node requests go to now, as error messages name it.
    pub fn base(&self) -> &str {
        &self.nodes[self.preferred.load(Ordering::Relaxed) % self.nodes.len()]
    }

    /// Sends a request and returns the reply, whatever its status, once the cluster has
    /// answered with something other than 429 or 5xx (or the retry deadline has passed).
    /// Each failed attempt moves on to the next node; the pause between attempts comes once
    /// every node has been tried.
    pub fn send(&self, method: Method, path: &str, body: Option<&str>) -> Result<Reply> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        let mut tried_this_round = 0;
        loop {
            let node = self.preferred.load(Ordering::Relaxed) % self.nodes.len();
            let url = format!("{}{}", self.nodes[node], path);
            let outcome = self.attempt(method, &url, body);
            let retry = match &outcome {
                Ok(reply) => reply.status == 429 || reply.status >= 500 || reply.missed_shards(),
                Err(_) => true,
            };
            if !retry {
                return outcome;
            }
            // Another request may have moved on already; only the first to fail moves.
            let _ = self.preferred.compare_exchange(
                node,
                (node + 1) % self.nodes.len(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            tried_this_round += 1;
            if tried_this_round < self.nodes.len() {
                continue;
            }
            if started.elapsed() + pause > RETRY_FOR {
                return outcome;
            }
            tried_this_round = 0;
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    fn attempt(&self, method: Method, url: &str, body: Option<&str>) -> Result<Reply> {
        let failed = |detail: String| Error::Remote {
            url: url.to_string(),
            detail,
        };
        let content_type = if url.contains("/_bulk") || url.contains("/_msearch") {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        let response = match (method, body) {
            (Method::Get, None) => self.agent.get(url).call(),
            (Method::Head, _) => self.agent.head(url).call(),
            (Method::Delete, None) => self.agent.delete(url).call(),
            (Method::Get, Some(body)) => self
                .agent
                .get(url)
                .force_send_body()
                .header("Content-Type", content_type)
                .send(body),
            (Method::Delete, Some(body)) => self
                .agent
                .delete(url)
                .force_send_body()
                .header("Content-Type", content_type)
                .send(body),
            (Method::Put, body) => self
                .agent
                .put(url)
                .header("Content-Type", content_type)
                .send(body.unwrap_or("")),
            (Method::Post, body) => self
                .agent
                .post(url)
                .header("Content-Type", content_type)
                .send(body.unwrap_or("")),
        };
        let mut response = response.map_err(|e| failed(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_string()
            .map_err(|e| failed(e.to_string()))?;
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Reply { status, body })
    }

    /// A request that must succeed (2xx, every shard answering); anything else is an error
    /// quoting the cluster's own reason.
    pub fn expect(&self, method: Method, path: &str, body: Option<&str>) -> Result<Value> {
        let reply = self.send(method, path, body)?;
        let detail = if reply.missed_shards() {
            let shards = &reply.body["_shards"];
            format!(
                "{} of {} shards did not answer: {}",
                shards["failed"],
                shards["total"],
                shards["failures"][0]["reason"]["reason"]
                    .as_str()
                    .unwrap_or("no reason given")
            )
        } else if (200..300).contains(&reply.status) {
            return Ok(reply.body);
        } else {
            format!("HTTP {}: {}", reply.status, reason(&reply.body))
        };
        Err(Error::Remote {
            url: format!("{}{}", self.base(), path),
            detail,
        })
    }

    pub fn get(&self, path: &str) -> Result<Value> {
        self.expect(Method::Get, path, None)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Result<Value> {
        self.expect(Method::Post, path, Some(&body.to_string()))
    }
}

/// The cluster's own words for a failure: `error.root_cause[0].reason`, else `error.reason`,
/// else the body.
pub fn reason(body: &Value) -> String {
    let error = &body["error"];
    error["root_cause"][0]["reason"]
        .as_str()
        .or_else(|| error["reason"].as_str())
        .or_else(|| error.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let text = body.to_string();
            text.chars().take(300).collect()
        })
}
