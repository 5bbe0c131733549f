//! Collectors that run beside tantivy's top-k in the same pass over the matching documents:
//! [`HitStats`] (distinct texts and articles, for honest totals and the duplicates of a hit)
//! and [`FacetCounts`] (paragraphs, and optionally distinct articles, per entity facet).

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use crate::schema::names;

/// Counts matching paragraphs, distinct texts and (optionally) distinct articles.
#[derive(Clone, Copy)]
pub struct HitStats {
    pub articles: bool,
}

/// Text hashes and article keys of every hit, sorted (duplicates kept, so the number of
/// copies of a text among the hits is a range length). Sorting two flat vectors once beats a
/// hash-set insert per hit on frequent terms.
#[derive(Default)]
pub struct HitStatsFruit {
    pub raw_hits: u64,
    /// (text hash, document) of every hit, sorted: the copies of a text among the hits are
    /// one contiguous range, so duplicates need no second query.
    texts: Vec<(u64, DocAddress)>,
    article_keys: Vec<u64>,
}

impl HitStatsFruit {
    pub fn distinct_texts(&self) -> u64 {
        count_distinct(self.texts.iter().map(|t| t.0))
    }

    pub fn distinct_articles(&self) -> u64 {
        count_distinct(self.article_keys.iter().copied())
    }

    /// Matching paragraphs of one article (article keys must have been collected).
    pub fn paragraphs_of_article(&self, article_key: u64) -> u64 {
        let start = self.article_keys.partition_point(|&k| k < article_key);
        let end = self.article_keys.partition_point(|&k| k <= article_key);
        (end - start) as u64
    }

    /// The hits that have this text, this one included.
    pub fn copies(&self, text_hash: u64) -> impl Iterator<Item = DocAddress> + '_ {
        let start = self.texts.partition_point(|t| t.0 < text_hash);
        let end = self.texts.partition_point(|t| t.0 <= text_hash);
        self.texts[start..end].iter().map(|t| t.1)
    }
}

fn count_distinct(sorted: impl Iterator<Item = u64>) -> u64 {
    let mut previous = None;
    let mut distinct = 0;
    for value in sorted {
        if previous != Some(value) {
            distinct += 1;
            previous = Some(value);
        }
    }
    distinct
}

pub struct HitStatsSegment {
    segment_ord: u32,
    text_hash: Column<u64>,
    article_key: Option<Column<u64>>,
    fruit: HitStatsFruit,
    buffer: Vec<Option<u64>>,
    /// Scored searches hand over one document at a time; reading fast fields in blocks is
    /// several times cheaper than one call per document.
    pending: Vec<DocId>,
}

const STATS_BLOCK: usize = 128;

impl HitStatsSegment {
    fn push_block(&mut self, docs: &[DocId]) {
        self.buffer.resize(docs.len(), None);
        self.text_hash.first_vals(docs, &mut self.buffer);
        let segment_ord = self.segment_ord;
        self.fruit.texts.extend(
            self.buffer
                .iter()
                .zip(docs)
                .map(|(h, &doc)| (h.unwrap_or(0), DocAddress::new(segment_ord, doc))),
        );
        if let Some(article_key) = &self.article_key {
            article_key.first_vals(docs, &mut self.buffer);
            self.fruit
                .article_keys
                .extend(self.buffer.iter().map(|k| k.unwrap_or(0)));
        }
        self.fruit.raw_hits += docs.len() as u64;
    }
}

impl Collector for HitStats {
    type Fruit = HitStatsFruit;
    type Child = HitStatsSegment;

    fn for_segment(
        &self,
        segment_ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<HitStatsSegment> {
        Ok(HitStatsSegment {
            segment_ord,
            text_hash: segment.fast_fields().u64(names::TEXT_HASH)?,
            article_key: if self.articles {
                Some(segment.fast_fields().u64(names::ARTICLE_KEY)?)
            } else {
                None
            },
            fruit: HitStatsFruit::default(),
            buffer: Vec::new(),
            pending: Vec::with_capacity(STATS_BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HitStatsFruit>) -> tantivy::Result<HitStatsFruit> {
        let mut merged = HitStatsFruit::default();
        for fruit in fruits {
            merged.raw_hits += fruit.raw_hits;
            merged.texts.extend(fruit.texts);
            merged.article_keys.extend(fruit.article_keys);
        }
        merged.texts.sort_unstable();
        merged.article_keys.sort_unstable();
        Ok(merged)
    }
}

impl SegmentCollector for HitStatsSegment {
    type Fruit = HitStatsFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.pending.push(doc);
        if self.pending.len() == STATS_BLOCK {
            let block = std::mem::take(&mut self.pending);
            self.push_block(&block);
            self.pending = block;
            self.pending.clear();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.push_block(docs);
    }

    fn harvest(mut self) -> HitStatsFruit {
        let block = std::mem::take(&mut self.pending);
        self.push_block(&block);
        self.fruit
    }
}

/// Paragraphs per entity facet (the entity itself, not its ancestors) among the documents
/// collected, and with `articles` also the distinct articles naming it.
#[derive(Clone, Copy)]
pub struct FacetCounts {
    pub articles: bool,
}

/// Per facet path: paragraphs, and the article keys when asked for.
pub type FacetTally = HashMap<String, (u64, HashSet<u64>)>;

pub struct FacetCountsSegment {
    reader: FacetReader,
    article_key: Option<Column<u64>>,
    counts: HashMap<u64, (u64, HashSet<u64>)>,
}

impl Collector for FacetCounts {
    type Fruit = FacetTally;
    type Child = FacetCountsSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<FacetCountsSegment> {
        Ok(FacetCountsSegment {
            reader: segment.facet_reader(names::ENTITY)?,
            article_key: if self.articles {
                Some(segment.fast_fields().u64(names::ARTICLE_KEY)?)
            } else {
                None
            },
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetTally>) -> tantivy::Result<FacetTally> {
        let mut merged: FacetTally = HashMap::new();
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

impl SegmentCollector for FacetCountsSegment {
    type Fruit = FacetTally;

    fn collect(&mut self, doc: DocId, _: Score) {
        let article = self.article_key.as_ref().map(|k| k.first(doc).unwrap_or(0));
        for ord in self.reader.facet_ords(doc) {
            let entry = self.counts.entry(ord).or_default();
            entry.0 += 1;
            if let Some(article) = article {
                entry.1.insert(article);
            }
        }
    }

    fn harvest(self) -> FacetTally {
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
