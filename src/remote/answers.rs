//! The cluster's answers to the [`Store`] reads: search and timeline (`search`), show, stats and
//! entity usage, each from one or two requests.

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use serde_json::json;

use super::mapping::*;
use super::read::{stored_paragraph, RemoteStore};
use super::search;
use crate::entities::Gazetteer;
use crate::error::Result;
use crate::inspect::{check_kind, rank_usage, EntityUsage, IndexStats, ShownArticle};
use crate::network::Observations;
use crate::search::{SearchOptions, SearchResults, Timeline};
use crate::store::{page, Store};

impl Store for RemoteStore {
    fn location(&self) -> String {
        self.target().display()
    }

    fn describe(&self) -> String {
        format!("the cluster at {}", self.target().display())
    }

    fn gazetteer(&self) -> Result<Arc<Gazetteer>> {
        Ok(Arc::clone(&self.current()?.gazetteer))
    }

    fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        search::run(self, options)
    }

    fn observations(&self, options: &SearchOptions) -> Result<Observations> {
        search::observations(self, options)
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
            &self.target().display(),
        )
    }

    fn stats(&self) -> Result<IndexStats> {
        let current = self.current()?;
        let count = |index: &str| -> Result<u64> {
            let reply = self.client().get(&format!("/{index}/_count"))?;
            Ok(reply["count"].as_u64().unwrap_or(0))
        };
        let index = &self.target().index;
        let stats = self
            .client()
            .get(&format!("/{index}/_stats/store,segments"))?;
        let primaries = &stats["_all"]["primaries"];
        Ok(IndexStats {
            index: self.target().display(),
            corpus: Some(current.meta.corpus.clone()),
            articles: count(&self.target().articles_index())?,
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
