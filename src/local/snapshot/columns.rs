//! The fast columns of a searcher's segments, opened once per request and shared by every
//! document the request reads.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::columnar::Column;
use tantivy::{DateTime, DocAddress, Searcher};

use crate::error::Result;
use crate::schema::names;

/// The fast columns of a searcher's segments, each opened once: opening one looks its name up
/// in the segment's column directory, which costs more than reading a few values from it.
pub struct Columns<'a> {
    searcher: &'a Searcher,
    u64s: RefCell<HashMap<(u32, &'static str), Column<u64>>>,
    dates: RefCell<HashMap<u32, Column<DateTime>>>,
}

impl<'a> Columns<'a> {
    pub fn new(searcher: &'a Searcher) -> Self {
        Columns {
            searcher,
            u64s: RefCell::default(),
            dates: RefCell::default(),
        }
    }

    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }

    pub fn u64(&self, segment: u32, name: &'static str) -> Result<Column<u64>> {
        let fast = || {
            self.searcher
                .segment_reader(segment)
                .fast_fields()
                .u64(name)
        };
        Ok(cached(&self.u64s, (segment, name), fast)?)
    }

    pub fn date(&self, segment: u32) -> Result<Column<DateTime>> {
        let fast = || {
            self.searcher
                .segment_reader(segment)
                .fast_fields()
                .date(names::DATE)
        };
        Ok(cached(&self.dates, segment, fast)?)
    }

    pub fn paragraph(&self, address: DocAddress) -> Result<u64> {
        let column = self.u64(address.segment_ord, names::PARAGRAPH)?;
        Ok(column.first(address.doc_id).unwrap_or(0))
    }
}

/// The column under `key`, opened on first use (a column is a cheap handle to clone).
fn cached<K: std::hash::Hash + Eq, C: Clone>(
    opened: &RefCell<HashMap<K, C>>,
    key: K,
    open: impl FnOnce() -> tantivy::Result<C>,
) -> tantivy::Result<C> {
    if let Some(column) = opened.borrow().get(&key) {
        return Ok(column.clone());
    }
    let column = open()?;
    opened.borrow_mut().insert(key, column.clone());
    Ok(column)
}
