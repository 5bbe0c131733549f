/*!
Read-only views of an index other than search: one article's paragraphs (`sitrep show`),
index statistics (`sitrep stats`), per-entity counts and gazetteer candidates
(`sitrep entities`). Results are plain data for `output` to render; the [`Engine`] is the way in.

[`Engine`]: crate::Engine
*/

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::engine::Snapshot;
use crate::entities::{EntityMatch, UNLISTED};
use crate::error::Result;
use crate::schema::names;
use crate::search::{Columns, EntityRef, FacetCounts, StoredParagraph};
use crate::store::folder_size;

#[derive(Debug, Clone, Serialize)]
pub struct ShownParagraph {
    pub paragraph: u64,
    pub text: String,
    pub entities: Vec<EntityRef>,
    /// Where the paragraph names its entities (byte ranges into `text`); filled for the web
    /// page's article view only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<EntityMatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownArticle {
    pub article_id: String,
    pub title: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub path: String,
    pub paragraphs: Vec<ShownParagraph>,
}

/// An article's paragraphs in order, or `None` when the id is not in the index.
pub fn show_article(
    snapshot: &Snapshot,
    article_id: &str,
    paragraph: Option<u64>,
    with_mentions: bool,
) -> Result<Option<ShownArticle>> {
    let fields = &snapshot.fields;
    let searcher = &snapshot.searcher;
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(100_000).order_by_score())?;
    let columns = Columns::new(searcher);
    let mut article: Option<ShownArticle> = None;
    for (_, address) in found {
        let stored = StoredParagraph::fetch(&columns, fields, address)?;
        let shown = article.get_or_insert_with(|| ShownArticle {
            article_id: article_id.to_string(),
            title: stored.title.clone(),
            date: stored.date.clone(),
            url: stored.url.clone(),
            source: stored.source.clone(),
            path: stored.path.clone(),
            paragraphs: Vec::new(),
        });
        if paragraph.is_none_or(|p| p == stored.paragraph) {
            shown.paragraphs.push(ShownParagraph {
                paragraph: stored.paragraph,
                text: stored.text,
                entities: stored.entities,
                mentions: Vec::new(),
            });
        }
    }
    if let Some(article) = &mut article {
        article.paragraphs.sort_by_key(|p| p.paragraph);
        if with_mentions {
            // Read as one article, so its short names and acronyms are found too.
            let texts: Vec<&str> = article.paragraphs.iter().map(|p| p.text.as_str()).collect();
            let mentions = snapshot.gazetteer.find_article_mentions(&texts, None);
            for (shown, mentions) in article.paragraphs.iter_mut().zip(mentions) {
                shown.mentions = mentions;
            }
        }
    }
    Ok(article)
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    pub index: String,
    pub corpus: Option<String>,
    pub articles: u64,
    pub paragraphs: u64,
    pub distinct_terms: u64,
    pub size_bytes: u64,
    pub segments: usize,
    pub last_sync: Option<String>,
    pub gazetteer_entities: usize,
}

pub fn index_stats(snapshot: &Snapshot) -> Result<IndexStats> {
    let fields = &snapshot.fields;
    let searcher = &snapshot.searcher;
    let first_paragraphs = TermQuery::new(
        Term::from_field_u64(fields.paragraph, 1),
        IndexRecordOption::Basic,
    );
    let articles = searcher.search(&first_paragraphs, &Count)? as u64;
    // Terms are counted per segment; after merges there is usually one, so this is close to
    // the distinct count, and an upper bound otherwise.
    let mut distinct_terms = 0;
    for segment in searcher.segment_readers() {
        distinct_terms += segment.inverted_index(fields.text)?.terms().num_terms() as u64;
    }
    Ok(IndexStats {
        index: snapshot.path.display().to_string(),
        corpus: snapshot.payload.as_ref().map(|p| p.corpus.clone()),
        articles,
        paragraphs: searcher.num_docs(),
        distinct_terms,
        size_bytes: folder_size(&snapshot.path),
        segments: searcher.segment_readers().len(),
        last_sync: snapshot.payload.as_ref().map(|p| p.synced_at.clone()),
        gazetteer_entities: snapshot.gazetteer.len(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityUsage {
    pub kind: String,
    pub name: String,
    pub path: String,
    pub aliases: Vec<String>,
    pub paragraphs: u64,
    pub articles: u64,
}

/// Every gazetteer entity of `kind` (or all) with the paragraphs and articles naming it, most
/// named first.
pub fn entity_usage(snapshot: &Snapshot, kind: Option<&str>) -> Result<Vec<EntityUsage>> {
    let counts = snapshot
        .searcher
        .search(&AllQuery, &FacetCounts { articles: true })?;
    let mut usage: Vec<EntityUsage> = snapshot
        .gazetteer
        .entities()
        .map(|(_, e)| e)
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .filter_map(|e| {
            let (paragraphs, articles) = counts
                .get(&e.facet)
                .map_or((0, 0), |(p, a)| (*p, a.len() as u64));
            // Tens of thousands of generated places: list those the corpus names.
            if paragraphs == 0 && e.is_generated() {
                return None;
            }
            Some(EntityUsage {
                kind: e.kind.clone(),
                name: e.name.clone(),
                path: e.facet.clone(),
                aliases: e.aliases.clone(),
                paragraphs,
                articles,
            })
        })
        .collect();
    usage.sort_by(|a, b| {
        b.paragraphs
            .cmp(&a.paragraphs)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(usage)
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// person, org or place, for names the learned tagger found (`index --unlisted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Paragraphs mentioning it.
    pub count: u64,
}

/// Names the gazetteer does not cover, most frequent first: those the learned tagger indexed
/// (`index --unlisted`), else capitalised word sequences read from the stored paragraphs.
pub fn name_candidates(snapshot: &Snapshot, limit: usize) -> Result<Vec<Candidate>> {
    let counts = snapshot
        .searcher
        .search(&AllQuery, &FacetCounts { articles: false })?;
    let mut candidates: Vec<Candidate> = counts
        .into_iter()
        .filter_map(|(path, (paragraphs, _))| {
            let parts: Vec<&str> = path.trim_start_matches('/').splitn(3, '/').collect();
            match parts[..] {
                [kind, UNLISTED, name] => Some(Candidate {
                    name: name.to_string(),
                    kind: Some(kind.to_string()),
                    count: paragraphs,
                }),
                _ => None,
            }
        })
        .collect();
    if candidates.is_empty() {
        return capitalised_candidates(snapshot, limit);
    }
    candidates.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    candidates.truncate(limit);
    Ok(candidates)
}

/// Capitalised names in the indexed paragraphs that the gazetteer does not cover. Identical
/// paragraphs are read once, so a repeated teaser does not inflate its names.
fn capitalised_candidates(snapshot: &Snapshot, limit: usize) -> Result<Vec<Candidate>> {
    let searcher = &snapshot.searcher;
    let mut seen_texts = HashSet::new();
    let mut counts: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(64)?;
        let hashes = segment.fast_fields().u64(names::TEXT_HASH)?;
        for doc in segment.doc_ids_alive() {
            if !seen_texts.insert(hashes.first(doc).unwrap_or(0)) {
                continue;
            }
            let stored: TantivyDocument = store.get(doc)?;
            let Some(text) = stored
                .get_first(snapshot.fields.text)
                .and_then(|v| v.as_str())
            else {
                continue;
            };
            let mut in_paragraph = HashSet::new();
            for name in snapshot.gazetteer.name_candidates(text) {
                if in_paragraph.insert(name.clone()) {
                    *counts.entry(name).or_default() += 1;
                }
            }
        }
    }
    let mut candidates: Vec<Candidate> = counts
        .into_iter()
        .map(|(name, count)| Candidate {
            name,
            kind: None,
            count,
        })
        .collect();
    candidates.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    candidates.truncate(limit);
    Ok(candidates)
}
