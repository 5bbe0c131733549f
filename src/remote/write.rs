//! `sitrep index --to`: the embedded indexer's read, parse and tag steps, then `_bulk`
//! requests. Only added, changed and removed articles are sent; a bulk item the cluster
//! refuses leaves its article unrecorded, so the next sync sends it again.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use serde_json::{json, Value};

use super::bulk_load::BulkLoad;
use super::client::{reason, Client, Method};
use super::documents::{article_documents, paragraph_id};
use super::mapping;
use super::state::{self, ArticleState, SyncMeta};
use super::RemoteTarget;
use crate::analysis::AnalyserPool;
use crate::corpus::{walk_corpus, Article, Warning};
use crate::entities::{builtin_tagger, Gazetteer, GazetteerSpec, Tagger};
use crate::error::{Error, Result};
use crate::paragraph::article_key;
use crate::schema::SCHEMA_VERSION;
use crate::sync::chunks::{for_each_chunk, ChunkFile, CHUNK_BYTES};
use crate::sync::{self, LastSync, Progress, SyncReport};

/// Bulk requests of about this size: large enough to amortise a request, small enough not to
/// hold up a node's write queue.
const BULK_BYTES: usize = 8 << 20;
/// Bulk requests in flight at once: one per core of a small node.
const BULK_IN_FLIGHT: usize = 2;

#[derive(Debug, Clone)]
pub struct RemoteIndexOptions {
    pub corpus: PathBuf,
    pub target: RemoteTarget,
    pub entities: Option<PathBuf>,
    /// Send every article again, whatever the cluster holds.
    pub rebuild: bool,
    /// For a new index: primary shards and replicas of each.
    pub shards: u32,
    pub replicas: u32,
    /// Also tag names no gazetteer entry holds, with the learned tagger: `Some` turns it on or
    /// off, `None` keeps what the last sync did.
    pub unlisted: Option<bool>,
    /// This corpus's name in an index that several corpora (or machines) sync into; a sync
    /// removes only its own share's articles. Default: the corpus folder's absolute path.
    pub share: Option<String>,
}

impl RemoteIndexOptions {
    pub fn new(corpus: impl Into<PathBuf>, target: RemoteTarget) -> RemoteIndexOptions {
        RemoteIndexOptions {
            corpus: corpus.into(),
            target,
            entities: None,
            rebuild: false,
            shards: 1,
            replicas: 1,
            unlisted: None,
            share: None,
        }
    }
}

/// Syncs the cluster index with the corpus: the whole of `sitrep index --to`.
pub fn sync_remote(
    options: &RemoteIndexOptions,
    progress: &dyn Fn(Progress),
) -> Result<SyncReport> {
    let started = Instant::now();
    if !options.corpus.is_dir() {
        return Err(Error::CorpusMissing(options.corpus.clone()));
    }
    let target = &options.target;
    let client = target.client();
    let (shards, replicas) = (options.shards.max(1), options.replicas);
    state::ensure_index(
        &client,
        &target.index,
        &mapping::paragraph_index(shards, replicas),
    )?;
    state::ensure_index(
        &client,
        &target.articles_index(),
        &mapping::articles_index(shards, replicas),
    )?;
    state::ensure_index(
        &client,
        &target.meta_index(),
        &mapping::meta_index(replicas),
    )?;

    let spec = GazetteerSpec::resolve(options.entities.as_deref(), &options.corpus)?;
    let previous = state::load_meta(&client, target)?;
    let unlisted = options.unlisted.unwrap_or_else(|| {
        previous
            .as_ref()
            .is_some_and(|meta| sync::tagged_unlisted(&meta.gazetteer_hash))
    });
    let gazetteer_hash = sync::tagging_hash(spec.hash, true, unlisted);
    let last = previous.as_ref().map(|meta| LastSync {
        schema_version: meta.schema_version,
        tagging_hash: &meta.gazetteer_hash,
    });
    let full_reason = sync::full_sync_reason(options.rebuild, last, &gazetteer_hash, &spec.source);
    let full = full_reason.is_some();
    let mut report = SyncReport {
        full_reason,
        ..SyncReport::default()
    };
    let gazetteer = spec.build()?;
    let share = match &options.share {
        Some(share) => share.clone(),
        None => std::fs::canonicalize(&options.corpus)
            .unwrap_or_else(|_| options.corpus.clone())
            .display()
            .to_string(),
    };
    let held = state::load_articles(&client, target, &share)?;
    let sync = previous.as_ref().map_or(0, |meta| meta.number) + 1;

    // The first sync into an index is a build: nobody searches it yet, so it may go without
    // replicas until the end (later syncs leave a live index's settings alone).
    let bulk_load = if previous.is_none() {
        Some(BulkLoad::start(
            &client,
            &[&target.index, &target.articles_index()],
            replicas,
        )?)
    } else {
        None
    };
    let (files, walk_warnings) = walk_corpus(&options.corpus);
    report.warnings.extend(walk_warnings);
    let total_files = files.len() as u64;
    progress(Progress::Reading {
        files: 0,
        total_files,
    });
    let total_bytes: u64 = files.iter().map(ChunkFile::size).sum();
    let sender = Sender {
        client: &client,
        target,
        gazetteer: &gazetteer,
        tagger: unlisted.then(builtin_tagger),
        share: &share,
        sync,
        analysers: AnalyserPool::default(),
    };
    let mut seen: HashSet<String> = HashSet::new();
    for_each_chunk(&files, CHUNK_BYTES, |chunk, parsed| {
        let mut to_send: Vec<Article> = Vec::new();
        for (walked, parsed) in chunk.iter().zip(parsed) {
            let parsed = match parsed {
                Ok((_, parsed)) => parsed,
                Err(err) => {
                    report.skipped += 1;
                    report.warnings.push(Warning {
                        path: walked.file.path.clone(),
                        line: None,
                        message: format!("cannot read: {err}"),
                        skipped: true,
                    });
                    continue;
                }
            };
            report.skipped += parsed.warnings.iter().filter(|w| w.skipped).count();
            report.warnings.extend(parsed.warnings);
            for article in parsed.articles {
                if !seen.insert(article.id.clone()) {
                    continue;
                }
                match held.get(&article.id) {
                    Some(old) if !full && old.hash == hash_hex(article.hash) => {
                        report.unchanged += 1
                    }
                    Some(_) => {
                        report.updated += 1;
                        to_send.push(article);
                    }
                    None => {
                        report.added += 1;
                        to_send.push(article);
                    }
                }
            }
        }
        report.bytes_parsed += chunk.iter().map(ChunkFile::size).sum::<u64>();
        let failed = sender.send_articles(&to_send, &held, &mut report)?;
        for article in &to_send {
            if failed.contains(&article_key(&article.id)) {
                report.skipped += 1;
            } else {
                report.paragraphs_written += article.paragraphs.len();
            }
        }
        progress(Progress::Indexing {
            bytes: report.bytes_parsed,
            total_bytes,
        });
        Ok(())
    })?;
    let removed: Vec<&ArticleState> = held
        .values()
        .filter(|article| !seen.contains(&article.article_id))
        .collect();
    report.removed = removed.len();
    sender.remove_articles(&removed, &mut report)?;

    progress(Progress::Committing);
    let indices = format!("{},{}", target.index, target.articles_index());
    client.expect(Method::Post, &format!("/{indices}/_refresh"), None)?;
    if let Some(bulk_load) = bulk_load {
        bulk_load.finish()?;
    }
    let changed = report.added + report.updated + report.removed > 0;
    if changed || previous.is_none() || full {
        state::save_meta(
            &client,
            target,
            &SyncMeta {
                number: sync,
                time: now_rfc3339(),
                corpus: options.corpus.display().to_string(),
                gazetteer_hash,
                gazetteer_toml: spec.toml().to_string(),
                schema_version: SCHEMA_VERSION,
            },
        )?;
        report.committed = Some(sync);
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn hash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What every bulk request of one sync shares.
struct Sender<'a> {
    client: &'a Client,
    target: &'a RemoteTarget,
    gazetteer: &'a Gazetteer,
    /// The learned tagger, when unlisted names are tagged too.
    tagger: Option<&'static Tagger>,
    share: &'a str,
    sync: u64,
    /// The analysers of the threads that build documents; their stem memos last the sync.
    analysers: AnalyserPool,
}

impl Sender<'_> {
    /// Sends the articles' paragraphs, each routed by its text hash so that the copies of a
    /// text share a shard (and are counted exactly), deletes the old paragraphs a new version
    /// no longer has where they were, then records the articles whose paragraphs all landed. Returns the keys
    /// of the articles that did not.
    fn send_articles(
        &self,
        articles: &[Article],
        held: &HashMap<String, ArticleState>,
        report: &mut SyncReport,
    ) -> Result<HashSet<u64>> {
        let index = &self.target.index;
        let bodies: Vec<(String, Vec<String>)> = articles
            .par_iter()
            .map_init(
                || self.analysers.take(),
                |analyser, article| {
                    let mut lines = String::new();
                    let key = article_key(&article.id);
                    let documents = article_documents(
                        article,
                        self.gazetteer,
                        self.tagger,
                        analyser,
                        self.sync,
                    );
                    let texts: Vec<&str> = documents
                        .iter()
                        .map(|(_, source)| source[mapping::TEXT_HASH].as_str().unwrap_or_default())
                        .collect();
                    // A paragraph whose text changed moves to another shard: the old copy goes.
                    let old: &[String] = held.get(&article.id).map_or(&[], |a| &a.texts);
                    for (n, old_text) in old.iter().enumerate() {
                        if texts.get(n) != Some(&old_text.as_str()) {
                            push_delete(
                                &mut lines,
                                index,
                                &paragraph_id(key, n as u64 + 1),
                                old_text,
                            );
                        }
                    }
                    for ((id, source), text) in documents.iter().zip(&texts) {
                        let action =
                            json!({"index": {"_index": index, "_id": id, "routing": text}});
                        lines.push_str(&action.to_string());
                        lines.push('\n');
                        lines.push_str(&source.to_string());
                        lines.push('\n');
                    }
                    (
                        lines,
                        texts.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                    )
                },
            )
            .collect();
        let (bodies, texts): (Vec<String>, Vec<Vec<String>>) = bodies.into_iter().unzip();
        let failures = self.bulk(bodies)?;
        let mut failed = HashSet::new();
        for (id, why) in failures {
            let key = id
                .split('-')
                .next()
                .and_then(|k| u64::from_str_radix(k, 16).ok());
            if let Some(key) = key {
                if failed.insert(key) {
                    let article = articles.iter().find(|a| article_key(&a.id) == key);
                    report.warnings.push(Warning {
                        path: article.map(|a| a.id.clone()).unwrap_or(id.clone()),
                        line: None,
                        message: format!("the cluster refused a paragraph: {why}"),
                        skipped: true,
                    });
                }
            }
        }
        let states: Vec<String> = articles
            .iter()
            .zip(texts)
            .filter(|(a, _)| !failed.contains(&article_key(&a.id)))
            .map(|(article, texts)| {
                let state = ArticleState {
                    article_id: article.id.clone(),
                    share: self.share.to_string(),
                    hash: hash_hex(article.hash),
                    texts,
                };
                let id = hash_hex(article_key(&article.id));
                let action = json!({"index": {"_index": self.target.articles_index(), "_id": id}});
                format!(
                    "{action}\n{}\n",
                    serde_json::to_string(&state).expect("state")
                )
            })
            .collect();
        let refused = self.bulk(states)?;
        if let Some((id, why)) = refused.first() {
            return Err(Error::Remote {
                url: self.target.display(),
                detail: format!("recording article {id}: {why}"),
            });
        }
        Ok(failed)
    }

    fn remove_articles(&self, removed: &[&ArticleState], report: &mut SyncReport) -> Result<()> {
        let mut lines = Vec::new();
        for article in removed {
            let key = article_key(&article.article_id);
            let mut body = String::new();
            for (n, text) in article.texts.iter().enumerate() {
                push_delete(
                    &mut body,
                    &self.target.index,
                    &paragraph_id(key, n as u64 + 1),
                    text,
                );
            }
            let state =
                json!({"delete": {"_index": self.target.articles_index(), "_id": hash_hex(key)}});
            body.push_str(&format!("{state}\n"));
            lines.push(body);
        }
        for (id, why) in self.bulk(lines)? {
            report.warnings.push(Warning {
                path: id,
                line: None,
                message: format!("the cluster did not delete it: {why}"),
                skipped: false,
            });
        }
        Ok(())
    }

    /// Sends the NDJSON pieces in bulk requests of about [`BULK_BYTES`], a few at a time, and
    /// returns the items the cluster refused, as (document id, reason).
    fn bulk(&self, pieces: Vec<String>) -> Result<Vec<(String, String)>> {
        let mut bodies = vec![String::new()];
        for piece in pieces {
            let body = bodies.last_mut().expect("one body");
            if !body.is_empty() && body.len() + piece.len() > BULK_BYTES {
                bodies.push(piece);
            } else {
                body.push_str(&piece);
            }
        }
        bodies.retain(|b| !b.is_empty());
        let mut refused = Vec::new();
        for batch in bodies.chunks(BULK_IN_FLIGHT) {
            let replies: Vec<Result<Value>> = std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|body| {
                        scope.spawn(move || self.client.expect(Method::Post, "/_bulk", Some(body)))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("bulk thread"))
                    .collect()
            });
            for reply in replies {
                refused.extend(refused_items(&reply?));
            }
        }
        Ok(refused)
    }
}

/// A paragraph's delete action; `routing` is the text hash it was sent with.
fn push_delete(lines: &mut String, index: &str, id: &str, routing: &str) {
    let action = json!({"delete": {"_index": index, "_id": id, "routing": routing}});
    lines.push_str(&action.to_string());
    lines.push('\n');
}

/// The items of a bulk reply that failed, as (document id, reason). Deleting a document that
/// is not there is not a failure.
fn refused_items(reply: &Value) -> Vec<(String, String)> {
    if reply["errors"] != Value::Bool(true) {
        return Vec::new();
    }
    let items = reply["items"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    items
        .iter()
        .filter_map(|item| item.as_object()?.values().next())
        .filter(|result| {
            let status = result["status"].as_u64().unwrap_or(500);
            status >= 300 && !(status == 404 && result["result"] == "not_found")
        })
        .map(|result| {
            (
                result["_id"].as_str().unwrap_or_default().to_string(),
                reason(&serde_json::json!({"error": result["error"].clone()})),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_bulk_item_is_named_with_the_clusters_reason() {
        let reply = super::super::stored_reply("bulk.json");
        let refused = refused_items(&reply);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].0, "b");
        assert!(
            refused[0].1.contains("failed to parse field [date]"),
            "{}",
            refused[0].1
        );
        assert!(refused_items(&json!({"errors": false, "items": []})).is_empty());
        // Deleting what is already gone is no refusal.
        let gone = json!({"errors": true, "items": [
            {"delete": {"_id": "x", "status": 404, "result": "not_found"}}
        ]});
        assert!(refused_items(&gone).is_empty());
    }
}
