//! [`RemoteStore`]: a cluster index opened for reading: its connection, the last sync's record
//! and gazetteer, and the requests every read makes (`answers` and `search` build on these).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tantivy::schema::Facet;

use super::client::{Client, Method};
use super::mapping::*;
use super::state::{self, SyncMeta};
use super::RemoteTarget;
use crate::entities::{Gazetteer, GazetteerSource};
use crate::error::{Error, Result};
use crate::paragraph::{entity_ref, format_date, StoredParagraph};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_source_reads_as_the_index_folder_shows_a_paragraph() {
        let reply = super::super::stored_reply("ranked.json");
        let stored = stored_paragraph(&reply["hits"]["hits"][3]["_source"]);
        assert_eq!(stored.article_id, "notes/2024-02-10-red-sea-roundup.txt");
        assert_eq!(stored.paragraph, 1);
        assert_eq!(stored.path, "notes/2024-02-10-red-sea-roundup.txt");
        // Stored as an RFC 3339 moment at midnight, shown as the day.
        assert_eq!(stored.date.as_deref(), Some("2024-02-10"));
        assert!(
            stored.text.starts_with("US and British warships"),
            "{}",
            stored.text
        );
        let entities: Vec<(&str, &str)> = stored
            .entities
            .iter()
            .map(|e| (e.kind.as_str(), e.name.as_str()))
            .collect();
        assert!(entities.contains(&("place", "Red Sea")), "{entities:?}");
        assert_eq!(
            display_date("2024-02-10T06:30:00Z").as_deref(),
            Some("2024-02-10T06:30:00Z")
        );
        assert_eq!(display_date("yesterday"), None);
    }
}
