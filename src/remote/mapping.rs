//! What the cluster's indices hold: field names and the index bodies `sync_remote` creates.
//!
//! Matched fields hold sitrep's analysed tokens separated by spaces and are split on
//! whitespace only (the built-in `whitespace` analyser, which even a minimal node has), so the cluster indexes exactly the terms (and positions) the embedded
//! analyser produces; shown fields keep the original text and are not indexed.

use serde_json::{json, Value};

use crate::query::QueryField;

pub const ARTICLE_ID: &str = "article_id";
pub const PARAGRAPH: &str = "paragraph";
pub const TITLE: &str = "title";
pub const TEXT: &str = "text";
pub const TITLE_TOKENS: &str = "title_tokens";
pub const TEXT_TOKENS: &str = "text_tokens";
pub const TEXT_STEM: &str = "text_stem";
pub const DATE: &str = "date";
pub const URL: &str = "url";
pub const PATH: &str = "path";
pub const SOURCE: &str = "source";
/// The exact facet path of each entity the paragraph names (hits show these; facets count them).
pub const ENTITY: &str = "entity";
/// Those paths and their ancestors, for filters on a kind or a parent place.
pub const ENTITY_PATH: &str = "entity_path";
pub const ARTICLE_KEY: &str = "article_key";
pub const TEXT_HASH: &str = "text_hash";
pub const SYNC: &str = "sync";

/// The cluster field a query clause names.
pub fn field_name(field: QueryField) -> &'static str {
    match field {
        QueryField::Title => TITLE_TOKENS,
        QueryField::Text => TEXT_TOKENS,
        QueryField::TextStem => TEXT_STEM,
        QueryField::EntityExact => ENTITY,
    }
}

/// The paragraph index: one document per paragraph.
pub fn paragraph_index(shards: u32, replicas: u32) -> Value {
    let shown = json!({"type": "keyword", "index": false, "doc_values": false});
    let keyword = json!({"type": "keyword"});
    json!({
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas
        },
        "mappings": {
            "dynamic": "strict",
            "_source": {"excludes": [TITLE_TOKENS, TEXT_TOKENS, TEXT_STEM]},
            "properties": {
                ARTICLE_ID: keyword,
                PARAGRAPH: {"type": "integer"},
                TITLE: shown,
                TEXT: {"type": "text", "index": false},
                TITLE_TOKENS: {"type": "text", "analyzer": "whitespace"},
                TEXT_TOKENS: {"type": "text", "analyzer": "whitespace"},
                // As in the embedded index: no norms, frequencies without positions.
                TEXT_STEM: {"type": "text", "analyzer": "whitespace", "norms": false,
                            "index_options": "freqs"},
                DATE: {"type": "date", "format": "strict_date_optional_time"},
                URL: shown,
                PATH: keyword,
                SOURCE: shown,
                ENTITY: keyword,
                ENTITY_PATH: keyword,
                ARTICLE_KEY: keyword,
                TEXT_HASH: keyword,
                SYNC: {"type": "long"}
            }
        }
    })
}

/// The sync state: one document per article, keyed by the hash of its id.
pub fn articles_index(shards: u32, replicas: u32) -> Value {
    json!({
        "settings": {"number_of_shards": shards, "number_of_replicas": replicas},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "article_id": {"type": "keyword"},
                "share": {"type": "keyword"},
                "hash": {"type": "keyword"},
                "texts": {"type": "keyword", "index": false, "doc_values": false}
            }
        }
    })
}

/// Gazetteer and last sync: a few documents, never searched, only fetched by id.
pub fn meta_index(replicas: u32) -> Value {
    json!({
        "settings": {"number_of_shards": 1, "number_of_replicas": replicas},
        "mappings": {"dynamic": false, "properties": {}}
    })
}
