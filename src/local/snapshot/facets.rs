//! Counting entity facets over a set of documents: per entity, the paragraphs that name it and,
//! when asked, the distinct articles. Search counts them over its hits, `entities` over the
//! whole index.

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentReader};

use crate::paragraph::facet_path;
use crate::schema::names;
use crate::search::FacetTally;

/// Paragraphs per entity facet (the entity itself, not its ancestors) among the documents
/// collected, and with `articles` also the distinct articles naming it.
#[derive(Clone, Copy)]
pub struct FacetCounts {
    pub articles: bool,
}

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

/// The facet paths of a segment's sorted `ords`, in one pass over the facet dictionary: looking
/// ords up one at a time decodes (and sets up a zstd context for) a dictionary block per facet.
pub fn facet_paths(reader: &FacetReader, sorted_ords: &[u64]) -> Vec<Option<String>> {
    let mut paths = Vec::with_capacity(sorted_ords.len());
    let all_found = reader
        .facet_dict()
        .sorted_ords_to_term_cb(sorted_ords, |bytes| {
            paths.push(
                Facet::from_encoded(bytes.to_vec())
                    .ok()
                    .map(|f| facet_path(&f)),
            )
        })
        .unwrap_or(false);
    if !all_found {
        // Not expected with ords read from the same segment: look each one up instead.
        paths = sorted_ords
            .iter()
            .map(|&ord| {
                let mut facet = Facet::root();
                let found = reader.facet_from_ord(ord, &mut facet).is_ok();
                found.then(|| facet_path(&facet))
            })
            .collect();
    }
    paths
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
        let mut counts: Vec<(u64, (u64, HashSet<u64>))> = self.counts.into_iter().collect();
        counts.sort_unstable_by_key(|(ord, _)| *ord);
        let ords: Vec<u64> = counts.iter().map(|(ord, _)| *ord).collect();
        facet_paths(&self.reader, &ords)
            .into_iter()
            .zip(counts)
            .filter_map(|(path, (_, counts))| Some((path?, counts)))
            .collect()
    }
}
