//! Searching a cluster store: the embedded engine's query building and fallbacks, run as
//! Query DSL; totals from the hit count and a distinct count of text hashes, facets from terms
//! aggregations, the timeline from a date histogram.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};

use super::client::Method;
use super::dsl::to_dsl;
use super::mapping::*;
use super::read::{stored_paragraph, Current, RemoteStore};
use super::replies::{
    buckets, distinct_from_copies, facet_tally, month_counts, observe, ranked_groups, Group, Order,
};
use crate::entities::UNLISTED_KINDS;
use crate::error::Result;
use crate::network::Observations;
use crate::query::{BuiltQuery, QueryField, TermStatistics};
use crate::search::{
    self, facet_table, search_with_fallbacks, DuplicateRef, FacetTally, HitMaker, Matches, Outcome,
    Prepared, SearchOptions, SearchResults, Timeline,
};

/// The most precise distinct count the cluster makes (HyperLogLog++): estimates within a
/// fraction of a percent, for what cannot be counted exactly (articles among hits, and texts
/// when there are more than [`COPY_GROUPS`] groups of copies).
const PRECISION_THRESHOLD: u64 = 40_000;
/// Groups of copies among the hits counted exactly, one terms bucket each. Paragraphs are
/// routed by their text hash, so a group never spans shards and each shard counts its own.
const COPY_GROUPS: usize = 10_000;
/// Entities listed per kind before the embedded order (count, then name) picks the top ten:
/// enough for ties at the tenth place.
const FACET_CANDIDATES: usize = 100;

/// Paragraphs read per request when every match is observed, and how long the cluster keeps
/// the scroll between two of them.
const OBSERVED_PAGE: usize = 10_000;
const SCROLL_KEEP: &str = "1m";

/// Document frequencies asked of the cluster, once per term and search.
struct RemoteStatistics<'a> {
    engine: &'a RemoteStore,
    seen: Mutex<HashMap<(QueryField, String), u64>>,
    docs: Mutex<Option<u64>>,
}

impl TermStatistics for RemoteStatistics<'_> {
    fn doc_freq(&self, field: QueryField, token: &str) -> u64 {
        let key = (field, token.to_string());
        if let Some(&n) = self.seen.lock().expect("statistics lock").get(&key) {
            return n;
        }
        let n = self.count(&json!({"term": {field_name(field): token}}));
        self.seen.lock().expect("statistics lock").insert(key, n);
        n
    }

    fn num_docs(&self) -> u64 {
        let mut docs = self.docs.lock().expect("statistics lock");
        *docs.get_or_insert_with(|| self.count(&json!({"match_all": {}})))
    }
}

impl<'a> RemoteStatistics<'a> {
    fn new(engine: &'a RemoteStore) -> RemoteStatistics<'a> {
        RemoteStatistics {
            engine,
            seen: Mutex::default(),
            docs: Mutex::default(),
        }
    }

    /// Asks the cluster, in one request, for the paragraph count and the document frequency
    /// of each stem in both fields a stem clause weighs, instead of a count per term.
    fn prefetch(&self, stems: &[String]) {
        if stems.is_empty() {
            return;
        }
        let fields = [QueryField::TextStem, QueryField::Text];
        let lookups: Vec<(QueryField, &String)> = stems
            .iter()
            .flat_map(|stem| fields.map(|field| (field, stem)))
            .collect();
        let filters: serde_json::Map<String, Value> = lookups
            .iter()
            .enumerate()
            .map(|(i, (field, stem))| (i.to_string(), json!({"term": {field_name(*field): stem}})))
            .collect();
        let index = &self.engine.target().index;
        let Ok(reply) = self.engine.client().post_json(
            &format!("/{index}/_search"),
            &json!({
                "size": 0,
                "track_total_hits": true,
                "aggs": {"frequencies": {"filters": {"filters": filters}}}
            }),
        ) else {
            return;
        };
        if let Some(docs) = reply["hits"]["total"]["value"].as_u64() {
            *self.docs.lock().expect("statistics lock") = Some(docs);
        }
        let buckets = &reply["aggregations"]["frequencies"]["buckets"];
        let mut seen = self.seen.lock().expect("statistics lock");
        for (i, (field, stem)) in lookups.into_iter().enumerate() {
            if let Some(n) = buckets[i.to_string()]["doc_count"].as_u64() {
                seen.insert((field, stem.clone()), n);
            }
        }
    }

    /// Paragraphs matching `query`; 0 when the cluster cannot say (the weights it feeds then
    /// fall back to those of a term no paragraph has).
    fn count(&self, query: &Value) -> u64 {
        let index = &self.engine.target().index;
        self.engine
            .client()
            .post_json(&format!("/{index}/_count"), &json!({ "query": query }))
            .ok()
            .and_then(|reply| reply["count"].as_u64())
            .unwrap_or(0)
    }
}

struct RemoteRun {
    raw_hits: u64,
    distinct: u64,
    articles: u64,
    groups: Vec<Group>,
    facets: Option<FacetTally>,
}

impl Matches for RemoteRun {
    fn raw_hits(&self) -> u64 {
        self.raw_hits
    }

    fn distinct(&self, _: &SearchOptions) -> u64 {
        self.distinct
    }
}

pub(super) fn run(engine: &RemoteStore, options: &SearchOptions) -> Result<SearchResults> {
    let started = Instant::now();
    let current = engine.current()?;
    let statistics = RemoteStatistics::new(engine);
    let prepared = Prepared::new(&current.gazetteer, &statistics, options)?;
    statistics.prefetch(&prepared.stems_to_weigh());
    let Outcome {
        built,
        run,
        notice,
        relaxed,
    } = search_with_fallbacks(&prepared, options, |built| {
        execute(engine, &current, built, options)
    })?;
    let gazetteer = &current.gazetteer;
    let maker = HitMaker::new(&built, gazetteer, &current.meta.corpus);
    let hits = run
        .groups
        .iter()
        .skip(options.offset)
        .take(if options.count_only { 0 } else { options.limit })
        .enumerate()
        .map(|(i, group)| {
            let stored = stored_paragraph(&group.source);
            let mut hit = maker.hit(
                stored,
                options.offset + i + 1,
                group.score,
                group.duplicates.clone(),
            );
            hit.paragraphs_matched = group.paragraphs_matched;
            hit
        })
        .collect();
    let duplicates_collapsed = if options.per_article {
        0
    } else {
        run.raw_hits.saturating_sub(run.distinct)
    };
    Ok(SearchResults {
        query: options.query.clone(),
        total_hits: run.distinct,
        duplicates_collapsed,
        elapsed_us: started.elapsed().as_micros() as u64,
        hits,
        facets: run.facets.map(|counts| facet_table(counts, gazetteer)),
        notice,
        relaxed,
        articles: run.articles,
        offset: options.offset,
        per_article: options.per_article,
    })
}

/// The query a search runs for `options` (relaxed or retried as `run` would), for counts
/// over all its matches.
fn matched_query(engine: &RemoteStore, options: &SearchOptions) -> Result<Value> {
    let current = engine.current()?;
    let statistics = RemoteStatistics::new(engine);
    let mut counting = options.clone();
    counting.count_only = true;
    let prepared = Prepared::new(&current.gazetteer, &statistics, &counting)?;
    let built = search::matched_query(&prepared, &counting, |built| {
        execute(engine, &current, built, &counting)
    })?;
    Ok(to_dsl(&built.query))
}

/// Every paragraph the query and its filters match, with the entities each names: one scroll
/// in index order (no scoring, no sort), [`OBSERVED_PAGE`] paragraphs a page, read from the
/// columns rather than the stored source.
pub(super) fn observations(engine: &RemoteStore, options: &SearchOptions) -> Result<Observations> {
    let query = matched_query(engine, options)?;
    let client = engine.client();
    let index = &engine.target().index;
    let mut reply = client.post_json(
        &format!("/{index}/_search?scroll={SCROLL_KEEP}&allow_partial_search_results=false"),
        &json!({
            "query": query,
            "size": OBSERVED_PAGE,
            "sort": ["_doc"],
            "_source": false,
            "docvalue_fields": [ENTITY, TEXT_HASH, ARTICLE_KEY, PARAGRAPH,
                                {"field": DATE, "format": "epoch_second"}],
        }),
    )?;
    let mut observations = Observations::default();
    loop {
        let hits = reply["hits"]["hits"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for hit in hits {
            observe(&mut observations, &hit["fields"]);
        }
        let scroll_id = reply["_scroll_id"].as_str().unwrap_or_default().to_string();
        if hits.len() < OBSERVED_PAGE || scroll_id.is_empty() {
            // Best-effort: an unreleased context expires by itself.
            let release = json!({ "scroll_id": scroll_id }).to_string();
            let _ = client.expect(Method::Delete, "/_search/scroll", Some(&release));
            return Ok(observations);
        }
        reply = client.post_json(
            "/_search/scroll",
            &json!({"scroll": SCROLL_KEEP, "scroll_id": scroll_id}),
        )?;
    }
}

pub(super) fn timeline(engine: &RemoteStore, options: &SearchOptions) -> Result<Timeline> {
    let query = matched_query(engine, options)?;
    let reply = engine.query(&json!({
        "size": 0,
        "query": query,
        "aggs": {"months": {"date_histogram": {
            "field": DATE, "calendar_interval": "month", "format": "yyyy-MM", "min_doc_count": 1
        }}}
    }))?;
    let counts = month_counts(&reply["aggregations"]["months"]);
    Ok(Timeline::new(&options.query, counts))
}

fn execute(
    engine: &RemoteStore,
    current: &Current,
    built: &BuiltQuery,
    options: &SearchOptions,
) -> Result<RemoteRun> {
    let query = to_dsl(&built.query);
    let wanted = options.offset + options.limit;
    let counting = options.count_only || wanted == 0;
    let mut aggs = if options.per_article {
        json!({})
    } else {
        // Collected into a hash map rather than through global ordinals: measured 2-3x
        // faster on the few thousand hits of a typical query.
        json!({"copies": {"terms": {
            "field": TEXT_HASH, "min_doc_count": 2, "shard_min_doc_count": 2,
            "size": COPY_GROUPS, "shard_size": COPY_GROUPS, "execution_hint": "map"
        }}})
    };
    if options.count_articles || options.per_article {
        aggs["articles"] = json!({"cardinality": {"field": ARTICLE_KEY, "precision_threshold": PRECISION_THRESHOLD}});
    }
    let mut kinds = current.gazetteer.kinds();
    for kind in UNLISTED_KINDS {
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.to_string());
        }
    }
    if options.facets {
        for kind in &kinds {
            aggs[format!("facet:{kind}")] = json!({"terms": {
                "field": ENTITY, "include": format!("/{}/.*", regex_escape(kind)),
                "size": FACET_CANDIDATES, "shard_size": FACET_CANDIDATES * 20
            }});
        }
    }
    let mut k = if options.per_article {
        (wanted * 5).max(100)
    } else {
        (wanted * 3).max(50)
    };
    if counting {
        k = 0;
    }
    // Totals and aggregations come from one size-0 search, run once; the ranked search for the
    // hits runs beside it, and again with a larger `k` if copies left too few distinct hits.
    let counted = json!({"query": query, "size": 0, "track_total_hits": true, "aggs": aggs});
    let mut counts: Option<Value> = None;
    loop {
        let ranked = json!({
            "query": query,
            "size": k,
            "track_total_hits": false,
            "track_scores": true,
            "sort": if options.is_filters_only() {
                json!([{DATE: {"order": "desc", "missing": "_last"}}, {ARTICLE_KEY: "asc"}, {PARAGRAPH: "asc"}])
            } else {
                json!([{"_score": "desc"}, {ARTICLE_KEY: "asc"}, {PARAGRAPH: "asc"}])
            },
            "_source": [ARTICLE_ID, PARAGRAPH, TITLE, TEXT, DATE, URL, PATH, ENTITY, ARTICLE_KEY, TEXT_HASH],
        });
        let reply = match &counts {
            Some(_) => engine.query(&ranked)?,
            None if counting => {
                counts = Some(engine.query(&counted)?);
                Value::Null
            }
            None => {
                let (reply, counted) = engine.query_pair(&ranked, &counted)?;
                counts = Some(counted);
                reply
            }
        };
        let totals = counts.as_ref().expect("counted above");
        let raw_hits = totals["hits"]["total"]["value"].as_u64().unwrap_or(0);
        let aggregations = &totals["aggregations"];
        let distinct = if options.per_article {
            aggregations["articles"]["value"].as_u64().unwrap_or(0)
        } else {
            distinct_texts(engine, &query, raw_hits, &aggregations["copies"])?
        }
        .min(raw_hits);
        let order = if options.is_filters_only() {
            Order::NewestFirst
        } else {
            Order::Score
        };
        let (mut groups, fetched) = ranked_groups(&reply, order, options.per_article);
        let exhausted = fetched >= raw_hits;
        if counting || groups.len() >= wanted || exhausted {
            let shown = wanted.min(groups.len());
            if options.per_article {
                count_paragraphs(
                    engine,
                    &query,
                    &mut groups[options.offset.min(shown)..shown],
                )?;
            } else if raw_hits > groups.len() as u64 {
                // The copies aggregation names every text held more than once (unless it
                // was cut off): without one among the shown hits there is nothing to list.
                let copied: HashSet<&str> = buckets(&aggregations["copies"])
                    .iter()
                    .filter_map(|bucket| bucket["key"].as_str())
                    .collect();
                let any_copied = copied.len() >= COPY_GROUPS
                    || groups[..shown]
                        .iter()
                        .any(|group| copied.contains(group.text_hash.as_str()));
                if any_copied {
                    list_duplicates(engine, &query, &mut groups[..shown])?;
                }
            }
            let facets = options.facets.then(|| facet_tally(aggregations, &kinds));
            return Ok(RemoteRun {
                raw_hits,
                distinct,
                articles: aggregations["articles"]["value"].as_u64().unwrap_or(0),
                groups,
                facets,
            });
        }
        k *= 4;
    }
}

/// Distinct texts among `raw_hits` matches: each group of copies counts once. Exact when the
/// groups fit in the terms aggregation, an estimate of the distinct hashes otherwise.
fn distinct_texts(
    engine: &RemoteStore,
    query: &Value,
    raw_hits: u64,
    copies: &Value,
) -> Result<u64> {
    if let Some(distinct) = distinct_from_copies(raw_hits, copies, COPY_GROUPS) {
        return Ok(distinct);
    }
    let reply = engine.query(&json!({
        "size": 0,
        "query": query,
        "aggs": {"texts": {"cardinality": {"field": TEXT_HASH, "precision_threshold": PRECISION_THRESHOLD}}}
    }))?;
    Ok(reply["aggregations"]["texts"]["value"]
        .as_u64()
        .unwrap_or(raw_hits))
}

/// Fills in the other matching paragraphs that have each group's text.
fn list_duplicates(engine: &RemoteStore, query: &Value, groups: &mut [Group]) -> Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let hashes: Vec<&str> = groups.iter().map(|g| g.text_hash.as_str()).collect();
    let reply = engine.query(&json!({
        "size": 10000,
        "query": {"bool": {"must": [query], "filter": [{"terms": {TEXT_HASH: hashes}}]}},
        "_source": [ARTICLE_ID, PARAGRAPH, TEXT_HASH],
    }))?;
    let mut by_hash: HashMap<String, Vec<DuplicateRef>> = HashMap::new();
    for hit in reply["hits"]["hits"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let source = &hit["_source"];
        by_hash
            .entry(source[TEXT_HASH].as_str().unwrap_or_default().to_string())
            .or_default()
            .push(DuplicateRef {
                article_id: source[ARTICLE_ID].as_str().unwrap_or_default().to_string(),
                paragraph: source[PARAGRAPH].as_u64().unwrap_or(0),
            });
    }
    for group in groups {
        let own = (
            group.source[ARTICLE_ID].as_str().unwrap_or_default(),
            group.source[PARAGRAPH].as_u64().unwrap_or(0),
        );
        let mut copies: Vec<DuplicateRef> = by_hash
            .remove(&group.text_hash)
            .unwrap_or_default()
            .into_iter()
            .filter(|d| (d.article_id.as_str(), d.paragraph) != own)
            .collect();
        copies.sort_by(|a, b| (&a.article_id, a.paragraph).cmp(&(&b.article_id, b.paragraph)));
        copies.truncate(100);
        group.duplicates = copies;
    }
    Ok(())
}

/// With `--per-article`: how many paragraphs of each shown article match.
fn count_paragraphs(engine: &RemoteStore, query: &Value, groups: &mut [Group]) -> Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = groups.iter().map(|g| g.article_key.as_str()).collect();
    let reply = engine.query(&json!({
        "size": 0,
        "query": {"bool": {"must": [query], "filter": [{"terms": {ARTICLE_KEY: keys}}]}},
        "aggs": {"articles": {"terms": {"field": ARTICLE_KEY, "size": keys.len()}}},
    }))?;
    let counts: HashMap<&str, u64> = buckets(&reply["aggregations"]["articles"])
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap_or_default(),
                b["doc_count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    for group in groups {
        group.paragraphs_matched =
            Some(counts.get(group.article_key.as_str()).copied().unwrap_or(0));
    }
    Ok(())
}

/// Escapes a kind name for a Lucene regular expression.
fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_alphanumeric() {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
