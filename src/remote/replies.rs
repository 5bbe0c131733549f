//! Reading the cluster's replies to a search: ranked hits grouped as the embedded engine groups
//! them, distinct texts from the copies aggregation, facet and month buckets. Kept apart from
//! the requests so that they are tested on stored replies, without a cluster.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::mapping::*;
use crate::network::{Observations, ParagraphEntities};
use crate::search::{rank_key, DuplicateRef, FacetTally};

/// What the embedded tantivy score is, times the cluster's BM25 score.
const SCORE_SCALE: f32 = 1.0;

/// One distinct hit: the best-ranked paragraph of a text (or of an article).
pub(super) struct Group {
    pub score: f32,
    pub source: Value,
    pub text_hash: String,
    pub article_key: String,
    pub duplicates: Vec<DuplicateRef>,
    pub paragraphs_matched: Option<u64>,
}

/// The buckets of a terms or histogram aggregation (none when it is missing).
pub(super) fn buckets(aggregation: &Value) -> &[Value] {
    aggregation["buckets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// How hits are ordered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    Score,
    /// A search of filters alone: by date, as the embedded engine orders it (its "score" is
    /// the day of the date, undated paragraphs last).
    NewestFirst,
}

/// The day (since 1970-01-01) of a paragraph's stored RFC 3339 date.
fn stored_day(source: &Value) -> Option<i64> {
    let date = source[DATE].as_str()?;
    let parsed =
        time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339).ok()?;
    Some(parsed.unix_timestamp().div_euclid(86_400))
}

/// The day of the date, as the embedded engine scores a hit of filters alone.
fn day_score(source: &Value) -> f64 {
    stored_day(source).map_or(f64::from(f32::MIN), |day| day as f64)
}

/// A score's bits in the order of the scores themselves, negative ones (an undated hit of
/// filters alone) included, as `f32::total_cmp` orders them.
fn ordered_bits(score: f32) -> u32 {
    let bits = score.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    }
}

/// The hits of a ranked search in the embedded engine's order (scores equal but for rounding
/// tie, and ties go by article and paragraph), one per text, or per article with
/// `per_article`; and how many hits the reply held.
pub(super) fn ranked_groups(reply: &Value, order: Order, per_article: bool) -> (Vec<Group>, u64) {
    let mut hits = reply["hits"]["hits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fetched = hits.len() as u64;
    if order == Order::NewestFirst {
        for hit in &mut hits {
            hit["_score"] = Value::from(day_score(&hit["_source"]));
        }
    }
    hits.sort_by_cached_key(|hit| {
        let source = &hit["_source"];
        let score = rank_key(hit["_score"].as_f64().unwrap_or(0.0) as f32);
        (
            std::cmp::Reverse(ordered_bits(score)),
            source[ARTICLE_KEY].as_str().unwrap_or_default().to_string(),
            source[PARAGRAPH].as_u64().unwrap_or(0),
        )
    });
    let mut seen = HashSet::new();
    let mut groups: Vec<Group> = Vec::new();
    for hit in hits {
        let source = hit["_source"].clone();
        let text_hash = source[TEXT_HASH].as_str().unwrap_or_default().to_string();
        let article_key = source[ARTICLE_KEY].as_str().unwrap_or_default().to_string();
        let key = if per_article {
            article_key.clone()
        } else {
            text_hash.clone()
        };
        if seen.insert(key) {
            groups.push(Group {
                score: hit["_score"].as_f64().unwrap_or(0.0) as f32 * SCORE_SCALE,
                source,
                text_hash,
                article_key,
                duplicates: Vec::new(),
                paragraphs_matched: None,
            });
        }
    }
    (groups, fetched)
}

/// Distinct texts among `raw_hits` matches, each group of copies counted once, when the
/// copies aggregation (`limit` buckets at most) holds every group; `None` when it was cut off.
pub(super) fn distinct_from_copies(raw_hits: u64, copies: &Value, limit: usize) -> Option<u64> {
    let groups = buckets(copies);
    if groups.len() >= limit {
        return None;
    }
    let copies: u64 = groups
        .iter()
        .map(|g| g["doc_count"].as_u64().unwrap_or(1) - 1)
        .sum();
    Some(raw_hits.saturating_sub(copies))
}

/// Paragraphs per entity facet path from the `facet:KIND` aggregations of `kinds`.
pub(super) fn facet_tally(aggregations: &Value, kinds: &[String]) -> FacetTally {
    let mut tally = FacetTally::new();
    for kind in kinds {
        for bucket in buckets(&aggregations[format!("facet:{kind}")]) {
            let path = bucket["key"].as_str().unwrap_or_default().to_string();
            let count = bucket["doc_count"].as_u64().unwrap_or(0);
            tally.insert(path, (count, HashSet::new()));
        }
    }
    tally
}

/// Adds one paragraph to `observations`, as co-occurrence counting sees it, from its
/// `docvalue_fields` (every value a list; the date in epoch seconds).
pub(super) fn observe(observations: &mut Observations, fields: &Value) {
    let first = |name: &str| &fields[name][0];
    let hex = |name: &str| {
        first(name)
            .as_str()
            .and_then(|hex| u64::from_str_radix(hex, 16).ok())
            .unwrap_or(0)
    };
    let mut entities: Vec<u32> = fields[ENTITY]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
        .map(|path| observations.entity_id(path))
        .collect();
    entities.sort_unstable();
    entities.dedup();
    let paragraph = ParagraphEntities::new(
        hex(TEXT_HASH),
        hex(ARTICLE_KEY),
        first(PARAGRAPH).as_u64().unwrap_or(0),
        first(DATE)
            .as_str()
            .and_then(|seconds| seconds.parse::<i64>().ok())
            .map(|seconds| seconds.div_euclid(86_400)),
    );
    observations.push(paragraph, &entities);
}

/// Hits per (year, month) from a `yyyy-MM` date histogram.
pub(super) fn month_counts(aggregation: &Value) -> BTreeMap<(i32, u8), u64> {
    let mut counts = BTreeMap::new();
    for bucket in buckets(aggregation) {
        let month = bucket["key_as_string"].as_str().unwrap_or_default();
        if let Some((year, month_number)) = month.split_once('-') {
            if let (Ok(year), Ok(month_number)) = (year.parse(), month_number.parse()) {
                counts.insert(
                    (year, month_number),
                    bucket["doc_count"].as_u64().unwrap_or(0),
                );
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replies of a 3-node OpenSearch 2 cluster to a search for "houthi" on the sample corpus.
    fn stored(name: &str) -> Value {
        super::super::stored_reply(name)
    }

    fn article(group: &Group) -> (&str, u64) {
        (
            group.source[ARTICLE_ID].as_str().unwrap(),
            group.source[PARAGRAPH].as_u64().unwrap(),
        )
    }

    #[test]
    fn copies_collapse_to_their_first_article_and_ties_go_by_article_key() {
        // In reverse, so that the order is the one this side gives, not the cluster's.
        let mut reply = stored("ranked.json");
        reply["hits"]["hits"].as_array_mut().unwrap().reverse();
        let (groups, fetched) = ranked_groups(&reply, Order::Score, false);
        assert_eq!(fetched, 6);
        let shown: Vec<(&str, u64)> = groups.iter().map(article).collect();
        // Three articles repeat one paragraph at the same score: the smallest article key
        // (1de7…) stands for the text.
        assert_eq!(
            shown,
            [
                ("analysis/2023/houthis-red-sea.md", 2),
                ("notes/2024-02-10-red-sea-roundup.txt", 1),
                ("sample-jsonl-005", 1),
                ("analysis/2023/houthis-red-sea.md", 1),
            ]
        );
        assert_eq!(groups[0].text_hash, "a973d4840b9a1945");
        assert!((groups[0].score - 4.574_730_4).abs() < 1e-6);
        let (by_article, _) = ranked_groups(&reply, Order::Score, true);
        let per_article: Vec<(&str, u64)> = by_article.iter().map(article).collect();
        assert_eq!(
            per_article,
            [
                ("analysis/2023/houthis-red-sea.md", 2),
                ("analysis/2018/hodeidah-offensive.md", 2),
                ("sample-jsonl-005", 2),
                ("notes/2024-02-10-red-sea-roundup.txt", 1),
            ]
        );
    }

    #[test]
    fn a_search_of_filters_alone_orders_by_date_undated_last() {
        let mut reply = stored("ranked.json");
        let hits = reply["hits"]["hits"].as_array_mut().unwrap();
        // The round-up undated.
        hits[3]["_source"][DATE] = Value::Null;
        let (groups, _) = ranked_groups(&reply, Order::NewestFirst, false);
        let shown: Vec<(&str, u64)> = groups.iter().map(article).collect();
        // Newest first, then by article key and paragraph; the Houthi paragraph stands for its
        // older copies; the undated round-up comes last.
        assert_eq!(
            shown,
            [
                ("analysis/2023/houthis-red-sea.md", 1),
                ("analysis/2023/houthis-red-sea.md", 2),
                ("sample-jsonl-005", 1),
                ("notes/2024-02-10-red-sea-roundup.txt", 1),
            ]
        );
        assert!(ordered_bits(-2.0) < ordered_bits(-1.0));
        assert!(ordered_bits(-1.0) < ordered_bits(0.0));
        assert!(ordered_bits(0.0) < ordered_bits(3.5));
    }

    #[test]
    fn totals_facets_and_months_come_from_the_aggregations() {
        let counted = stored("counted.json");
        let aggregations = &counted["aggregations"];
        assert_eq!(counted["hits"]["total"]["value"], 6);
        assert_eq!(
            distinct_from_copies(6, &aggregations["copies"], 10),
            Some(4)
        );
        assert_eq!(distinct_from_copies(6, &aggregations["copies"], 1), None);
        let kinds = ["place".to_string(), "person".to_string()];
        let tally = facet_tally(aggregations, &kinds);
        let mut places: Vec<(&str, u64)> =
            tally.iter().map(|(k, (n, _))| (k.as_str(), *n)).collect();
        places.sort();
        assert_eq!(
            places,
            [
                ("/place/Bab el-Mandeb", 1),
                ("/place/Red Sea", 3),
                ("/place/United States", 1),
                ("/place/Yemen/Hodeidah", 3),
                ("/place/Yemen/Sanaa", 3),
            ]
        );
        let months: Vec<((i32, u8), u64)> =
            month_counts(&aggregations["months"]).into_iter().collect();
        assert_eq!(
            months,
            [
                ((2018, 6), 1),
                ((2023, 11), 2),
                ((2023, 12), 2),
                ((2024, 2), 1)
            ]
        );
        assert!(buckets(&aggregations["missing"]).is_empty());
    }
}
