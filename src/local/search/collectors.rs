//! The collector that runs beside tantivy's top-k in the same pass over the matching
//! documents: [`HitStats`] (distinct texts and articles, for honest totals and the duplicates
//! of a hit). Entity facets are counted in the same pass by
//! [`FacetCounts`](crate::local::snapshot::FacetCounts).

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FastFieldReaders;
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use crate::local::copies::{Copies, DocBits};
use crate::schema::names;

/// Counts matching paragraphs, distinct texts and (optionally) distinct articles.
#[derive(Clone)]
pub struct HitStats {
    pub articles: bool,
    /// Keep the hits that have copies, so that shown hits can list their duplicates; counting
    /// alone needs only which copy groups were seen.
    pub duplicates: bool,
    /// Which documents have copies, and their copy groups: without them every hit's text
    /// hash is read.
    pub copies: Option<Arc<Copies>>,
}

/// What the hits add up to. Texts with copies are known by their copy group when the index
/// has them, else by their text hash.
#[derive(Default)]
pub struct HitStatsFruit {
    pub raw_hits: u64,
    /// Hits whose text no other document has.
    unique_texts: u64,
    /// The copy groups seen among the hits.
    groups_seen: GroupSet,
    /// Text hashes, not groups, are the keys of `texts` (and they are sorted, so the copies
    /// of a text among the hits are one range).
    by_hash: bool,
    /// (text key, document) of hits that have copies: all of them when keyed by hash, and
    /// with groups only when duplicates are to be listed.
    texts: Vec<(u64, DocAddress)>,
    /// Article keys of every hit, sorted, when asked for.
    article_keys: Vec<u64>,
}

/// The copy groups seen among the hits, one bit each, with the words that have bits listed:
/// counting and merging segments' sets then cost what the hits touched, where a popcount over
/// every group's bit was a tenth of counting a rare term.
#[derive(Default)]
struct GroupSet {
    words: Vec<u64>,
    touched: Vec<u32>,
}

impl GroupSet {
    fn insert(&mut self, group: u32, group_count: u32) {
        if self.words.is_empty() {
            self.words = vec![0; (group_count as usize).div_ceil(64)];
        }
        let at = group as usize / 64;
        let word = &mut self.words[at];
        if *word == 0 {
            self.touched.push(at as u32);
        }
        *word |= 1 << (group % 64);
    }

    fn count(&self) -> u64 {
        self.touched
            .iter()
            .map(|&at| u64::from(self.words[at as usize].count_ones()))
            .sum()
    }

    /// Both sets in one: the smaller is folded into the larger, word by touched word.
    fn union(self, other: GroupSet) -> GroupSet {
        let (mut base, small) = if self.touched.len() >= other.touched.len() {
            (self, other)
        } else {
            (other, self)
        };
        if base.words.len() < small.words.len() {
            base.words.resize(small.words.len(), 0);
        }
        for &at in &small.touched {
            let word = &mut base.words[at as usize];
            if *word == 0 {
                base.touched.push(at);
            }
            *word |= small.words[at as usize];
        }
        base
    }
}

impl HitStatsFruit {
    pub fn distinct_texts(&self) -> u64 {
        let with_copies = if self.by_hash {
            count_distinct(self.texts.iter().map(|t| t.0))
        } else {
            self.groups_seen.count()
        };
        self.unique_texts + with_copies
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

    /// Whether [`Self::copies_of`] takes text hashes rather than copy groups.
    pub fn keyed_by_hash(&self) -> bool {
        self.by_hash
    }

    /// For each text key (copy group or hash, see [`Self::keyed_by_hash`]), the hits that
    /// have that text, in one pass over the hits with copies.
    pub fn copies_of(&self, keys: &[u64]) -> Vec<Vec<DocAddress>> {
        let mut found = vec![Vec::new(); keys.len()];
        if self.by_hash {
            for (key, found) in keys.iter().zip(&mut found) {
                let start = self.texts.partition_point(|t| t.0 < *key);
                let end = self.texts.partition_point(|t| t.0 <= *key);
                found.extend(self.texts[start..end].iter().map(|t| t.1));
            }
        } else {
            for &(key, address) in &self.texts {
                for (wanted, found) in keys.iter().zip(&mut found) {
                    if *wanted == key {
                        found.push(address);
                    }
                }
            }
        }
        found
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
    /// Not the segment reader itself: cloning and dropping one per search (its file maps
    /// and their tables) was a twentieth of a rare term's count.
    fast_fields: FastFieldReaders,
    duplicates: bool,
    /// Opened on the first hit that needs it: a rare term often never does.
    text_hash: Option<Column<u64>>,
    article_key: Option<Column<u64>>,
    /// None when unknown: every hit's hash is read.
    copies: Option<Arc<DocBits>>,
    fruit: HitStatsFruit,
    buffer: Vec<Option<u64>>,
    /// Hits whose hash (or article) is to be read: scored searches hand over one document at
    /// a time, and reading fast fields in blocks is several times cheaper.
    pending: Vec<DocId>,
}

const STATS_BLOCK: usize = 128;

impl HitStatsSegment {
    fn push(&mut self, doc: DocId) {
        self.fruit.raw_hits += 1;
        let Some(bits) = &self.copies else {
            // Its hash is read (and its article, if asked for) with the next block.
            return self.queue(doc);
        };
        match bits.group(doc) {
            None => self.fruit.unique_texts += 1,
            Some(group) => {
                self.fruit.groups_seen.insert(group, bits.group_count());
                if self.duplicates {
                    let address = DocAddress::new(self.segment_ord, doc);
                    self.fruit.texts.push((u64::from(group), address));
                }
            }
        }
        if self.article_key.is_some() {
            self.queue(doc);
        }
    }

    fn queue(&mut self, doc: DocId) {
        self.pending.push(doc);
        if self.pending.len() == STATS_BLOCK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let block = std::mem::take(&mut self.pending);
        if let Some(article_key) = &self.article_key {
            self.buffer.resize(block.len(), None);
            article_key.first_vals(&block, &mut self.buffer);
            self.fruit
                .article_keys
                .extend(self.buffer.iter().map(|k| k.unwrap_or(0)));
        }
        if self.fruit.by_hash && !block.is_empty() {
            self.read_text_hashes(&block);
        }
        self.pending = block;
        self.pending.clear();
    }

    fn read_text_hashes(&mut self, docs: &[DocId]) {
        let column = match &self.text_hash {
            Some(column) => column,
            None => match self.fast_fields.u64(names::TEXT_HASH) {
                Ok(column) => self.text_hash.insert(column),
                // The schema check at open makes this unreachable; count the hits as distinct
                // rather than lose them.
                Err(_) => {
                    self.fruit.unique_texts += docs.len() as u64;
                    return;
                }
            },
        };
        self.buffer.resize(docs.len(), None);
        column.first_vals(docs, &mut self.buffer);
        let segment_ord = self.segment_ord;
        self.fruit.texts.extend(
            self.buffer
                .iter()
                .zip(docs)
                .map(|(h, &doc)| (h.unwrap_or(0), DocAddress::new(segment_ord, doc))),
        );
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
        let copies = self.copies.as_ref().and_then(|copies| copies.of(segment));
        Ok(HitStatsSegment {
            segment_ord,
            fast_fields: segment.fast_fields().clone(),
            duplicates: self.duplicates,
            text_hash: None,
            article_key: if self.articles {
                Some(segment.fast_fields().u64(names::ARTICLE_KEY)?)
            } else {
                None
            },
            fruit: HitStatsFruit {
                by_hash: copies.is_none(),
                ..HitStatsFruit::default()
            },
            copies,
            buffer: Vec::new(),
            pending: Vec::with_capacity(STATS_BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HitStatsFruit>) -> tantivy::Result<HitStatsFruit> {
        // Copies are loaded for every segment of a searcher or for none.
        let mut merged = HitStatsFruit {
            by_hash: fruits.iter().any(|f| f.by_hash),
            ..HitStatsFruit::default()
        };
        for fruit in fruits {
            merged.raw_hits += fruit.raw_hits;
            merged.unique_texts += fruit.unique_texts;
            merged.groups_seen = std::mem::take(&mut merged.groups_seen).union(fruit.groups_seen);
            merged.texts.extend(fruit.texts);
            merged.article_keys.extend(fruit.article_keys);
        }
        if merged.by_hash {
            merged.texts.sort_unstable();
        }
        merged.article_keys.sort_unstable();
        Ok(merged)
    }
}

impl SegmentCollector for HitStatsSegment {
    type Fruit = HitStatsFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.push(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.push(doc);
        }
    }

    fn harvest(mut self) -> HitStatsFruit {
        self.flush();
        self.fruit
    }
}

#[cfg(test)]
mod tests {
    use super::GroupSet;

    #[test]
    fn group_sets_count_distinct_groups_across_segments() {
        let set = |groups: &[u32]| {
            let mut set = GroupSet::default();
            for &g in groups {
                set.insert(g, 300);
            }
            set
        };
        let first = set(&[3, 3, 64, 299]);
        assert_eq!(first.count(), 3);
        let second = set(&[3, 65, 128, 200, 299]);
        assert_eq!(first.union(second).count(), 6);
        // An empty set (a segment whose hits have no copies) changes nothing, either side.
        assert_eq!(GroupSet::default().union(set(&[7, 8])).count(), 2);
        assert_eq!(set(&[7, 8]).union(GroupSet::default()).count(), 2);
        // A union's result keeps counting right when merged again.
        let merged = set(&[1]).union(set(&[2, 130]));
        assert_eq!(merged.union(set(&[130, 131, 1])).count(), 4);
    }
}
