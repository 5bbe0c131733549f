//! The paragraphs a query matches, with the entities each names, for co-occurrence counting
//! (`entities --with`, `network`): one pass over the matches reading fast columns and the
//! entity facet ords, the ords turned into paths once per segment.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DateTime, DocId, Score, SegmentReader};

use crate::network::{Observations, ParagraphEntities};
use crate::paragraph::facet_path;
use crate::schema::names;

/// Collects [`Observations`].
pub(super) struct Observe;

pub(super) struct ObserveSegment {
    facets: FacetReader,
    text_hash: Column<u64>,
    article_key: Column<u64>,
    paragraph: Column<u64>,
    dates: Column<DateTime>,
    /// Segment ords of the entities seen, in first-seen order; paragraphs index into it.
    ords: HashMap<u64, u32>,
    paragraphs: Vec<ParagraphEntities>,
}

/// One segment's paragraphs, their entities numbered by `ords`, and those ords.
pub(super) struct SegmentObservations {
    paths: Vec<String>,
    paragraphs: Vec<ParagraphEntities>,
}

impl Collector for Observe {
    type Fruit = Observations;
    type Child = ObserveSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<ObserveSegment> {
        let fast = segment.fast_fields();
        Ok(ObserveSegment {
            facets: segment.facet_reader(names::ENTITY)?,
            text_hash: fast.u64(names::TEXT_HASH)?,
            article_key: fast.u64(names::ARTICLE_KEY)?,
            paragraph: fast.u64(names::PARAGRAPH)?,
            dates: fast.date(names::DATE)?,
            ords: HashMap::new(),
            paragraphs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentObservations>) -> tantivy::Result<Observations> {
        let mut merged = Observations::default();
        for fruit in fruits {
            let ids: Vec<u32> = fruit
                .paths
                .iter()
                .map(|path| merged.entity_id(path))
                .collect();
            merged
                .paragraphs
                .extend(fruit.paragraphs.into_iter().map(|mut paragraph| {
                    for entity in &mut paragraph.entities {
                        *entity = ids[*entity as usize];
                    }
                    paragraph
                }));
        }
        Ok(merged)
    }
}

impl SegmentCollector for ObserveSegment {
    type Fruit = SegmentObservations;

    fn collect(&mut self, doc: DocId, _: Score) {
        let mut entities = Vec::new();
        for ord in self.facets.facet_ords(doc) {
            let next = self.ords.len() as u32;
            entities.push(*self.ords.entry(ord).or_insert(next));
        }
        self.paragraphs.push(ParagraphEntities {
            text_hash: self.text_hash.first(doc).unwrap_or(0),
            article_key: self.article_key.first(doc).unwrap_or(0),
            paragraph: self.paragraph.first(doc).unwrap_or(0),
            day: self
                .dates
                .first(doc)
                .map(|date| date.into_timestamp_secs().div_euclid(86_400)),
            entities,
        });
    }

    fn harvest(self) -> SegmentObservations {
        let mut by_ord: Vec<(u64, u32)> = self.ords.into_iter().collect();
        by_ord.sort_unstable();
        let mut paths = vec![String::new(); by_ord.len()];
        for (ord, local) in by_ord {
            let mut facet = Facet::root();
            if self.facets.facet_from_ord(ord, &mut facet).is_ok() {
                paths[local as usize] = facet_path(&facet);
            }
        }
        SegmentObservations {
            paths,
            paragraphs: self.paragraphs,
        }
    }
}
