//! Counting a query's matches by month and finding their date span, over the fast date column.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DateTime, DocId, Score, Searcher, SegmentReader};

use crate::error::Result;
use crate::schema::names;

pub(super) fn count_months(
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<BTreeMap<(i32, u8), u64>> {
    Ok(searcher.search(query, &MonthCounts)?)
}

/// Matching documents per (year, month) of their date.
struct MonthCounts;

struct MonthCountsSegment {
    dates: Column<DateTime>,
    /// Per day since the epoch: articles are dated by day, and a day maps to one month, so the
    /// calendar arithmetic runs once per distinct day rather than once per hit.
    per_day: BTreeMap<i64, u64>,
}

impl Collector for MonthCounts {
    type Fruit = BTreeMap<(i32, u8), u64>;
    type Child = MonthCountsSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<MonthCountsSegment> {
        Ok(MonthCountsSegment {
            dates: segment.fast_fields().date(names::DATE)?,
            per_day: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged = BTreeMap::new();
        for fruit in fruits {
            for (month, hits) in fruit {
                *merged.entry(month).or_default() += hits;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for MonthCountsSegment {
    type Fruit = BTreeMap<(i32, u8), u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(date) = self.dates.first(doc) {
            let day = date.into_timestamp_secs().div_euclid(86_400);
            *self.per_day.entry(day).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut months = BTreeMap::new();
        for (day, hits) in self.per_day {
            let date = DateTime::from_timestamp_secs(day * 86_400).into_utc();
            *months
                .entry((date.year(), u8::from(date.month())))
                .or_default() += hits;
        }
        months
    }
}

/// The earliest and latest date among the matching documents (undated ones aside).
pub(super) fn date_span(
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<Option<(DateTime, DateTime)>> {
    Ok(searcher.search(query, &DateSpan)?)
}

struct DateSpan;

struct DateSpanSegment {
    dates: Column<DateTime>,
    span: Option<(DateTime, DateTime)>,
}

fn widen(span: Option<(DateTime, DateTime)>, date: DateTime) -> Option<(DateTime, DateTime)> {
    Some(match span {
        Some((first, last)) => (first.min(date), last.max(date)),
        None => (date, date),
    })
}

impl Collector for DateSpan {
    type Fruit = Option<(DateTime, DateTime)>;
    type Child = DateSpanSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<DateSpanSegment> {
        Ok(DateSpanSegment {
            dates: segment.fast_fields().date(names::DATE)?,
            span: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits
            .into_iter()
            .flatten()
            .fold(None, |span, (first, last)| widen(widen(span, first), last)))
    }
}

impl SegmentCollector for DateSpanSegment {
    type Fruit = Option<(DateTime, DateTime)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(date) = self.dates.first(doc) {
            self.span = widen(self.span, date);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.span
    }
}
