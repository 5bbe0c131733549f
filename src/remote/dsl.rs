//! [`QueryNode`] → Query DSL. Each node becomes the Lucene query the embedded node's tantivy
//! query mirrors: terms and phrases on the token fields (split on whitespace, so the query
//! text is matched token for token), constant scores for prefixes, one-edit matches and
//! entity matches, and filters that do not score.

use serde_json::{json, Value};

use super::mapping::{field_name, DATE, ENTITY_PATH, SYNC};
use crate::query::{Must, QueryNode};

pub fn to_dsl(node: &QueryNode) -> Value {
    match node {
        QueryNode::Term { field, token, .. } => {
            json!({"term": {field_name(*field): {"value": token}}})
        }
        QueryNode::Phrase {
            field,
            tokens,
            slop,
        } => {
            json!({"match_phrase": {field_name(*field): {"query": tokens.join(" "), "slop": slop}}})
        }
        QueryNode::PhrasePrefix { field, tokens } => json!({"match_phrase_prefix": {
            field_name(*field): {"query": tokens.join(" "), "max_expansions": 50}
        }}),
        QueryNode::Prefix { field, prefix } => json!({"prefix": {
            field_name(*field): {"value": prefix, "rewrite": "constant_score"}
        }}),
        QueryNode::Fuzzy { field, token } => json!({"constant_score": {
            "filter": {"fuzzy": {field_name(*field): {
                "value": token, "fuzziness": 1, "transpositions": true,
                "prefix_length": 0, "max_expansions": 10000
            }}},
            "boost": 1.0
        }}),
        QueryNode::Bool { clauses, minimum } => {
            let mut must = Vec::new();
            let mut should = Vec::new();
            let mut must_not = Vec::new();
            let mut filter = Vec::new();
            for (occur, clause) in clauses {
                match (occur, clause) {
                    // A clause that only restricts: a filter, which scores nothing.
                    (Must::Must, QueryNode::ConstScore(inner, score)) if *score == 0.0 => {
                        filter.push(to_dsl(inner))
                    }
                    (Must::Must, clause) => must.push(to_dsl(clause)),
                    (Must::Should, clause) => should.push(to_dsl(clause)),
                    (Must::MustNot, clause) => must_not.push(to_dsl(clause)),
                }
            }
            let mut bool = serde_json::Map::new();
            for (name, list) in [
                ("must", must),
                ("should", should),
                ("must_not", must_not),
                ("filter", filter),
            ] {
                if !list.is_empty() {
                    bool.insert(name.to_string(), Value::Array(list));
                }
            }
            if *minimum > 0 {
                bool.insert("minimum_should_match".to_string(), json!(minimum));
            }
            json!({ "bool": bool })
        }
        QueryNode::Boost(inner, boost) => {
            json!({"bool": {"must": [to_dsl(inner)], "boost": boost}})
        }
        QueryNode::ConstScore(inner, score) => {
            json!({"constant_score": {"filter": to_dsl(inner), "boost": score}})
        }
        QueryNode::EntityFacet(path) => json!({"term": {ENTITY_PATH: path}}),
        QueryNode::DateRange { since, until } => {
            let mut range = serde_json::Map::new();
            if let Some(since) = since {
                range.insert("gte".into(), json!(rfc3339(*since)));
            }
            if let Some(until) = until {
                range.insert("lte".into(), json!(rfc3339(*until)));
            }
            json!({"range": {DATE: range}})
        }
        QueryNode::SyncAfter(after) => json!({"range": {SYNC: {"gt": after}}}),
        QueryNode::All => json!({"match_all": {}}),
    }
}

fn rfc3339(date: tantivy::DateTime) -> String {
    date.into_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::QueryField;

    #[test]
    fn score_free_requirements_become_filters_and_weights_carry_over() {
        let node = QueryNode::bool(vec![
            (
                Must::Must,
                QueryNode::Boost(
                    Box::new(QueryNode::Term {
                        field: QueryField::Title,
                        token: "sadr".into(),
                        scored: true,
                    }),
                    2.0,
                ),
            ),
            (
                Must::Must,
                QueryNode::ConstScore(Box::new(QueryNode::EntityFacet("/org".into())), 0.0),
            ),
            (
                Must::MustNot,
                QueryNode::Phrase {
                    field: QueryField::Text,
                    tokens: vec!["sadr".into(), "city".into()],
                    slop: 0,
                },
            ),
        ]);
        assert_eq!(
            to_dsl(&node),
            json!({"bool": {
                "must": [{"bool": {"must": [{"term": {"title_tokens": {"value": "sadr"}}}], "boost": 2.0}}],
                "must_not": [{"match_phrase": {"text_tokens": {"query": "sadr city", "slop": 0}}}],
                "filter": [{"term": {"entity_path": "/org"}}]
            }})
        );
    }

    #[test]
    fn prefixes_edits_ranges_and_optional_clauses_keep_the_embedded_meaning() {
        let day = |y, m, d| {
            let date = time::Date::from_calendar_date(y, m, d).unwrap();
            tantivy::DateTime::from_utc(date.midnight().assume_utc())
        };
        let node = QueryNode::Bool {
            clauses: vec![
                (
                    Must::Should,
                    QueryNode::Prefix {
                        field: QueryField::Text,
                        prefix: "muhand".into(),
                    },
                ),
                (
                    Must::Should,
                    QueryNode::Fuzzy {
                        field: QueryField::Text,
                        token: "soliemani".into(),
                    },
                ),
                (
                    Must::Should,
                    QueryNode::PhrasePrefix {
                        field: QueryField::Text,
                        tokens: vec!["kataib".into(), "hez".into()],
                    },
                ),
                (
                    Must::Must,
                    QueryNode::ConstScore(
                        Box::new(QueryNode::DateRange {
                            since: Some(day(2020, time::Month::January, 3)),
                            until: None,
                        }),
                        0.0,
                    ),
                ),
                (
                    Must::Must,
                    QueryNode::ConstScore(Box::new(QueryNode::SyncAfter(4)), 0.0),
                ),
            ],
            minimum: 2,
        };
        assert_eq!(
            to_dsl(&node),
            json!({"bool": {
                "should": [
                    {"prefix": {"text_tokens": {"value": "muhand", "rewrite": "constant_score"}}},
                    {"constant_score": {"filter": {"fuzzy": {"text_tokens": {
                        "value": "soliemani", "fuzziness": 1, "transpositions": true,
                        "prefix_length": 0, "max_expansions": 10000
                    }}}, "boost": 1.0}},
                    {"match_phrase_prefix": {"text_tokens": {"query": "kataib hez", "max_expansions": 50}}}
                ],
                "filter": [
                    {"range": {"date": {"gte": "2020-01-03T00:00:00Z"}}},
                    {"range": {"sync": {"gt": 4}}}
                ],
                "minimum_should_match": 2
            }})
        );
    }
}
