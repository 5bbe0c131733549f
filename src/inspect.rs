/*!
Read-only views of an index other than search: one article's paragraphs (`sitrep show`),
index statistics (`sitrep stats`), per-entity counts and gazetteer candidates
(`sitrep entities`). Results are plain data for `output` to render.
*/

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocId, Score, SegmentReader, TantivyDocument, Term};

use crate::indexer::OpenIndex;
use crate::schema::names;
use crate::searcher::{format_date, stored_entities, stored_str, EntityRef};

#[derive(Debug, Clone, Serialize)]
pub struct ShownParagraph {
    pub paragraph: u64,
    pub text: String,
    pub entities: Vec<EntityRef>,
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
    index: &OpenIndex,
    article_id: &str,
    paragraph: Option<u64>,
) -> anyhow::Result<Option<ShownArticle>> {
    let fields = &index.fields;
    let searcher = index.reader.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.article_id, article_id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(100_000).order_by_score())?;
    let mut article: Option<ShownArticle> = None;
    for (_, address) in found {
        let doc: TantivyDocument = searcher.doc(address)?;
        let number = doc
            .get_first(fields.paragraph)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let shown = article.get_or_insert_with(|| ShownArticle {
            article_id: article_id.to_string(),
            title: stored_str(&doc, fields.title).unwrap_or_default(),
            date: doc
                .get_first(fields.date)
                .and_then(|v| v.as_datetime())
                .map(format_date),
            url: stored_str(&doc, fields.url),
            source: stored_str(&doc, fields.source),
            path: stored_str(&doc, fields.path).unwrap_or_default(),
            paragraphs: Vec::new(),
        });
        if paragraph.is_none_or(|p| p == number) {
            shown.paragraphs.push(ShownParagraph {
                paragraph: number,
                text: stored_str(&doc, fields.text).unwrap_or_default(),
                entities: stored_entities(&doc, fields),
            });
        }
    }
    if let Some(article) = &mut article {
        article.paragraphs.sort_by_key(|p| p.paragraph);
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

pub fn index_stats(index: &OpenIndex) -> anyhow::Result<IndexStats> {
    let fields = &index.fields;
    let searcher = index.reader.searcher();
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
        index: index.path.display().to_string(),
        corpus: index.payload.as_ref().map(|p| p.corpus.clone()),
        articles,
        paragraphs: searcher.num_docs(),
        distinct_terms,
        size_bytes: folder_size(&index.path),
        segments: searcher.segment_readers().len(),
        last_sync: index.payload.as_ref().map(|p| p.synced_at.clone()),
        gazetteer_entities: index.gazetteer.entities.len(),
    })
}

pub fn folder_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
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
pub fn entity_usage(index: &OpenIndex, kind: Option<&str>) -> anyhow::Result<Vec<EntityUsage>> {
    let searcher = index.reader.searcher();
    let counts = searcher.search(&AllQuery, &FacetArticles)?;
    let mut usage: Vec<EntityUsage> = index
        .gazetteer
        .entities
        .iter()
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .map(|e| {
            let (paragraphs, articles) = counts
                .get(&e.facet)
                .map_or((0, 0), |(p, a)| (*p, a.len() as u64));
            EntityUsage {
                kind: e.kind.clone(),
                name: e.name.clone(),
                path: e.facet.clone(),
                aliases: e.aliases.clone(),
                paragraphs,
                articles,
            }
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

type FacetArticleCounts = HashMap<String, (u64, HashSet<u64>)>;

/// Paragraph count and distinct articles per entity facet.
struct FacetArticles;

struct FacetArticlesSegment {
    reader: FacetReader,
    article_key: Column<u64>,
    counts: HashMap<u64, (u64, HashSet<u64>)>,
}

impl Collector for FacetArticles {
    type Fruit = FacetArticleCounts;
    type Child = FacetArticlesSegment;

    fn for_segment(
        &self,
        _: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetArticlesSegment> {
        Ok(FacetArticlesSegment {
            reader: segment.facet_reader(names::ENTITY)?,
            article_key: segment.fast_fields().u64(names::ARTICLE_KEY)?,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetArticleCounts>) -> tantivy::Result<FacetArticleCounts> {
        let mut merged: FacetArticleCounts = HashMap::new();
        for fruit in fruits {
            for (path, (paragraphs, articles)) in fruit {
                let entry = merged.entry(path).or_default();
                entry.0 += paragraphs;
                entry.1.extend(articles);
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetArticlesSegment {
    type Fruit = FacetArticleCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let article = self.article_key.first(doc).unwrap_or(0);
        for ord in self.reader.facet_ords(doc) {
            let entry = self.counts.entry(ord).or_default();
            entry.0 += 1;
            entry.1.insert(article);
        }
    }

    fn harvest(self) -> FacetArticleCounts {
        let mut by_path = HashMap::new();
        let mut facet = Facet::root();
        for (ord, counts) in self.counts {
            if self.reader.facet_from_ord(ord, &mut facet).is_ok() {
                by_path.insert(facet.to_path_string(), counts);
            }
        }
        by_path
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    /// Distinct paragraphs mentioning it.
    pub count: u64,
}

/// Capitalised names in the indexed paragraphs that the gazetteer does not cover, most
/// frequent first. Identical paragraphs are read once, so a repeated teaser does not inflate
/// its names.
pub fn name_candidates(index: &OpenIndex, limit: usize) -> anyhow::Result<Vec<Candidate>> {
    let searcher = index.reader.searcher();
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
            let Some(text) = stored_str(&stored, index.fields.text) else {
                continue;
            };
            let mut in_paragraph = HashSet::new();
            for name in index.gazetteer.name_candidates(&text) {
                if in_paragraph.insert(name.clone()) {
                    *counts.entry(name).or_default() += 1;
                }
            }
        }
    }
    let mut candidates: Vec<Candidate> = counts
        .into_iter()
        .map(|(name, count)| Candidate { name, count })
        .collect();
    candidates.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    candidates.truncate(limit);
    Ok(candidates)
}
