//! [`RemoteStore`]: the read side on a cluster, answering as [`Engine`](crate::Engine) does.

use std::any::Any;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tantivy::schema::Facet;

use super::client::{Client, Method};
use super::mapping::*;
use super::search;
use super::state::{self, SyncMeta};
use super::RemoteTarget;
use crate::entities::{Gazetteer, GazetteerSource};
use crate::error::{Error, Result};
use crate::inspect::{check_kind, rank_usage, EntityUsage, IndexStats, ShownArticle};
use crate::paragraph::{entity_ref, format_date, StoredParagraph};
use crate::search::{SearchOptions, SearchResults, Timeline};
use crate::store::{page, Store};

/// How long a read trusts the sync record it last fetched: a sync by `sitrep index --to` is
/// seen within this.
const META_TTL: Duration = Duration::from_secs(1);

/// A cluster index opened for reading, shared by any number of threads.
pub struct RemoteStore {
    target: RemoteTarget,
    client: Client,
    current: Mutex<Arc<Current>>,
    gazetteer_cache: Option<PathBuf>,
}

/// The last sync as last read, with its gazetteer.
pub(super) struct Current {
    pub meta: SyncMeta,
    pub gazetteer: Arc<Gazetteer>,
    read_at: Instant,
}

impl RemoteStore {
    /// Opens the index `target` names; an error says so when no sync has written it.
    ///
    /// The cluster holds the gazetteer as TOML, and compiling it takes a few hundred
    /// milliseconds: with `gazetteer_cache`, the compiled form is kept in that folder, under
    /// the gazetteer's hash, for the next process to map (a one-shot search then opens as fast
    /// as from an index folder). The cache is best-effort: a file that cannot be written or
    /// read is compiled again.
    pub fn open(target: &RemoteTarget, gazetteer_cache: Option<&Path>) -> Result<RemoteStore> {
        let client = target.client();
        let gazetteer_cache = gazetteer_cache.map(Path::to_path_buf);
        let current = read_current(&client, target, None, gazetteer_cache.as_deref())?;
        Ok(RemoteStore {
            target: target.clone(),
            client,
            current: Mutex::new(Arc::new(current)),
            gazetteer_cache,
        })
    }

    pub fn target(&self) -> &RemoteTarget {
        &self.target
    }

    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    /// The last sync's record and gazetteer, re-read when older than [`META_TTL`].
    pub(super) fn current(&self) -> Result<Arc<Current>> {
        let mut current = self.current.lock().expect("sync record lock");
        if current.read_at.elapsed() > META_TTL {
            *current = Arc::new(read_current(
                &self.client,
                &self.target,
                Some(&current),
                self.gazetteer_cache.as_deref(),
            )?);
        }
        Ok(Arc::clone(&current))
    }

    /// Runs a search request on the paragraph index, with global term statistics so that
    /// scores do not depend on how documents fell into shards, and never with some shards
    /// missing: a partial answer would drop hits silently.
    pub(super) fn query(&self, body: &Value) -> Result<Value> {
        let path = format!(
            "/{}/_search?search_type=dfs_query_then_fetch&allow_partial_search_results=false",
            self.target.index
        );
        self.client.post_json(&path, body)
    }

    /// Runs a ranked search and an aggregation-only search of the same query in one round
    /// trip (`_msearch`: the cluster runs them side by side). Counting copies with a terms
    /// aggregation slows the collection of top hits when both share one request; apart, the
    /// pair takes about as long as the slower one. A part that fails (a node leaving, a full
    /// queue) is run again on its own, with the retries of a single search.
    pub(super) fn query_pair(&self, hits: &Value, aggregations: &Value) -> Result<(Value, Value)> {
        let ranked = json!({
            "search_type": "dfs_query_then_fetch",
            "allow_partial_search_results": false
        });
        let counted = json!({"allow_partial_search_results": false});
        let body = format!("{ranked}\n{hits}\n{counted}\n{aggregations}\n");
        let path = format!("/{}/_msearch", self.target.index);
        if let Ok(mut reply) = self.client.expect(Method::Post, &path, Some(&body)) {
            let answered = |r: &Value| r.get("error").is_none() && r["_shards"]["failed"] == 0;
            if let Some([first, second]) = reply["responses"].as_array_mut().map(Vec::as_mut_slice)
            {
                if answered(first) && answered(second) {
                    return Ok((first.take(), second.take()));
                }
            }
        }
        Ok((self.query(hits)?, self.query(aggregations)?))
    }
}

impl Store for RemoteStore {
    fn location(&self) -> String {
        self.target.display()
    }

    fn describe(&self) -> String {
        format!("the cluster at {}", self.target.display())
    }

    fn gazetteer(&self) -> Result<Arc<Gazetteer>> {
        Ok(Arc::clone(&self.current()?.gazetteer))
    }

    fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        search::run(self, options)
    }

    fn timeline(&self, options: &SearchOptions) -> Result<Timeline> {
        search::timeline(self, options)
    }

    fn show(
        &self,
        article_id: &str,
        paragraph: Option<u64>,
        with_mentions: bool,
    ) -> Result<ShownArticle> {
        let current = self.current()?;
        let reply = self.query(&json!({
            "size": 10000,
            "query": {"term": {ARTICLE_ID: article_id}},
            "sort": [{PARAGRAPH: "asc"}],
            "_source": [ARTICLE_ID, PARAGRAPH, TITLE, TEXT, DATE, URL, SOURCE, PATH, ENTITY]
        }))?;
        let paragraphs = reply["hits"]["hits"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|hit| stored_paragraph(&hit["_source"]))
            .collect();
        ShownArticle::of(
            article_id,
            paragraphs,
            paragraph,
            with_mentions.then_some(current.gazetteer.as_ref()),
            &self.target.display(),
        )
    }

    fn stats(&self) -> Result<IndexStats> {
        let current = self.current()?;
        let count = |index: &str| -> Result<u64> {
            let reply = self.client.get(&format!("/{index}/_count"))?;
            Ok(reply["count"].as_u64().unwrap_or(0))
        };
        let index = &self.target.index;
        let stats = self
            .client
            .get(&format!("/{index}/_stats/store,segments"))?;
        let primaries = &stats["_all"]["primaries"];
        Ok(IndexStats {
            index: self.target.display(),
            corpus: Some(current.meta.corpus.clone()),
            articles: count(&self.target.articles_index())?,
            paragraphs: count(index)?,
            // A cluster does not count the terms of its dictionaries; 0 says "not known".
            distinct_terms: 0,
            size_bytes: primaries["store"]["size_in_bytes"].as_u64().unwrap_or(0),
            segments: primaries["segments"]["count"].as_u64().unwrap_or(0) as usize,
            last_sync: Some(current.meta.time.clone()),
            last_sync_number: current.meta.number,
            gazetteer_entities: current.gazetteer.len(),
        })
    }

    /// Gazetteer entities (of one kind, or all) with their counts, most named first.
    fn entities(&self, kind: Option<&str>, rows: Range<usize>) -> Result<Vec<EntityUsage>> {
        let current = self.current()?;
        check_kind(&current.gazetteer, kind)?;
        let reply = self.query(&json!({
            "size": 0,
            "aggs": {"entities": {
                "terms": {"field": ENTITY, "size": 65536},
                "aggs": {"articles": {"cardinality": {"field": ARTICLE_KEY, "precision_threshold": 40000}}}
            }}
        }))?;
        let mut counts = std::collections::HashMap::new();
        for bucket in reply["aggregations"]["entities"]["buckets"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let key = bucket["key"].as_str().unwrap_or_default().to_string();
            let paragraphs = bucket["doc_count"].as_u64().unwrap_or(0);
            let articles = bucket["articles"]["value"].as_u64().unwrap_or(0);
            counts.insert(key, (paragraphs, articles));
        }
        let usage = rank_usage(&current.gazetteer, kind, |facet| {
            counts.get(facet).copied().unwrap_or((0, 0))
        });
        Ok(page(usage, rows))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn read_current(
    client: &Client,
    target: &RemoteTarget,
    previous: Option<&Current>,
    gazetteer_cache: Option<&Path>,
) -> Result<Current> {
    let Some(meta) = state::load_meta(client, target)? else {
        return Err(Error::Remote {
            url: target.display(),
            detail: format!(
                "no sitrep index there yet; build it with `sitrep index --to {}`",
                target.display()
            ),
        });
    };
    let gazetteer = match previous {
        Some(previous) if previous.meta.gazetteer_hash == meta.gazetteer_hash => {
            Arc::clone(&previous.gazetteer)
        }
        _ => Arc::new(cluster_gazetteer(&meta, target, gazetteer_cache)?),
    };
    Ok(Current {
        meta,
        gazetteer,
        read_at: Instant::now(),
    })
}

/// The gazetteer the last sync recorded: mapped from the cache when compiled there before,
/// else compiled from its TOML (and then cached).
fn cluster_gazetteer(
    meta: &SyncMeta,
    target: &RemoteTarget,
    cache: Option<&Path>,
) -> Result<Gazetteer> {
    let cached = cache.map(|dir| dir.join(format!("gazetteer-{}.compiled", meta.gazetteer_hash)));
    if let Some(gazetteer) = cached.as_deref().and_then(Gazetteer::map_compiled) {
        return Ok(gazetteer);
    }
    let gazetteer = Gazetteer::parse(
        &meta.gazetteer_toml,
        GazetteerSource::File(format!("{}/{}", target.display(), "gazetteer").into()),
    )?;
    if let Some(file) = &cached {
        // Best-effort: a cache that cannot be written is compiled again next time.
        let _ = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(Error::from)
            .and_then(|()| {
                crate::files::write_atomically(file, gazetteer.to_compiled().as_bytes())
            });
    }
    Ok(gazetteer)
}

/// A paragraph document's `_source` as the stores' shared [`StoredParagraph`].
pub(super) fn stored_paragraph(source: &Value) -> StoredParagraph {
    let text = |name: &str| source[name].as_str().unwrap_or_default().to_string();
    let optional = |name: &str| source[name].as_str().map(str::to_string);
    StoredParagraph {
        article_id: text(ARTICLE_ID),
        paragraph: source[PARAGRAPH].as_u64().unwrap_or(0),
        title: text(TITLE),
        text: text(TEXT),
        date: source[DATE].as_str().and_then(display_date),
        url: optional(URL),
        source: optional(SOURCE),
        path: text(PATH),
        entities: source[ENTITY]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter_map(Value::as_str)
            .map(|path| entity_ref(&Facet::from(path)))
            .collect(),
    }
}

/// A stored RFC 3339 date as the embedded engine shows dates.
fn display_date(stored: &str) -> Option<String> {
    let parsed =
        time::OffsetDateTime::parse(stored, &time::format_description::well_known::Rfc3339).ok()?;
    Some(format_date(tantivy::DateTime::from_utc(parsed)))
}
