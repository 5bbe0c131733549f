//! The paragraphs a query matches, with the entities each names, for co-occurrence counting
//! (`entities --with`, `network`): one pass over the matches reading fast columns and the
//! entity facet ords, the ords turned into paths once per segment.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::{DateTime, DocId, Score, SegmentReader};

use crate::local::copies::{Copies, DocBits};
use crate::local::snapshot::facet_paths;
use crate::network::{Observations, ParagraphEntities};
use crate::schema::names;

/// Collects [`Observations`]; the copy groups, when saved, spare looking up the text of every
/// paragraph that has no copy.
pub(super) struct Observe {
    pub copies: Option<Arc<Copies>>,
}

/// An ord not seen yet in [`ObserveSegment::local`].
const UNSEEN: u32 = u32::MAX;

pub(super) struct ObserveSegment {
    facets: FacetReader,
    text_hash: Column<u64>,
    article_key: Column<u64>,
    paragraph: Column<u64>,
    dates: Column<DateTime>,
    copies: Option<Arc<DocBits>>,
    /// Per segment ord, the entity's number among those seen (in first-seen order), or
    /// [`UNSEEN`]; and the ords seen, by number.
    local: Vec<u32>,
    ords: Vec<u64>,
    /// This segment's paragraphs, their entities numbered as in `ords`.
    observed: Observations,
    /// The current paragraph's entities.
    scratch: Vec<u32>,
}

/// One segment's paragraphs, their entities numbered by `ords`, and those ords' paths.
pub(super) struct SegmentObservations {
    paths: Vec<String>,
    observed: Observations,
}

impl Collector for Observe {
    type Fruit = Observations;
    type Child = ObserveSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<ObserveSegment> {
        let fast = segment.fast_fields();
        let facets = segment.facet_reader(names::ENTITY)?;
        let known = facets.facet_dict().num_terms();
        Ok(ObserveSegment {
            facets,
            text_hash: fast.u64(names::TEXT_HASH)?,
            article_key: fast.u64(names::ARTICLE_KEY)?,
            paragraph: fast.u64(names::PARAGRAPH)?,
            dates: fast.date(names::DATE)?,
            copies: self.copies.as_ref().and_then(|copies| copies.of(segment)),
            local: vec![UNSEEN; known],
            ords: Vec::new(),
            observed: Observations::default(),
            scratch: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentObservations>) -> tantivy::Result<Observations> {
        let mut merged = Observations::default();
        for fruit in fruits {
            merged.append_part(&fruit.paths, fruit.observed);
        }
        Ok(merged)
    }
}

impl SegmentCollector for ObserveSegment {
    type Fruit = SegmentObservations;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.scratch.clear();
        for ord in self.facets.facet_ords(doc) {
            let Some(slot) = self.local.get_mut(ord as usize) else {
                continue;
            };
            if *slot == UNSEEN {
                *slot = self.ords.len() as u32;
                self.ords.push(ord);
            }
            self.scratch.push(*slot);
        }
        let mut paragraph = ParagraphEntities::new(
            self.text_hash.first(doc).unwrap_or(0),
            self.article_key.first(doc).unwrap_or(0),
            self.paragraph.first(doc).unwrap_or(0),
            self.dates
                .first(doc)
                .map(|date| date.into_timestamp_secs().div_euclid(86_400)),
        );
        paragraph.unique = self
            .copies
            .as_ref()
            .is_some_and(|copies| copies.group(doc).is_none());
        self.observed.push(paragraph, &self.scratch);
    }

    fn harvest(self) -> SegmentObservations {
        let mut by_ord: Vec<(u64, u32)> = self
            .ords
            .iter()
            .enumerate()
            .map(|(local, &ord)| (ord, local as u32))
            .collect();
        by_ord.sort_unstable();
        let sorted: Vec<u64> = by_ord.iter().map(|(ord, _)| *ord).collect();
        let mut paths = vec![String::new(); by_ord.len()];
        for ((_, local), path) in by_ord.iter().zip(facet_paths(&self.facets, &sorted)) {
            paths[*local as usize] = path.unwrap_or_default();
        }
        SegmentObservations {
            paths,
            observed: self.observed,
        }
    }
}
