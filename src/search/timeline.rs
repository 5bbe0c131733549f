//! Hits per month of a query: the data behind the server's timeline chart.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TimelineMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Matching paragraphs dated in that month (copies in several articles count each).
    pub hits: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub query: String,
    /// Months with hits, oldest first; undated articles are left out.
    pub months: Vec<TimelineMonth>,
}

impl Timeline {
    pub(crate) fn new(query: &str, counts: BTreeMap<(i32, u8), u64>) -> Self {
        Timeline {
            query: query.to_string(),
            months: counts
                .into_iter()
                .map(|((year, month), hits)| TimelineMonth {
                    month: format!("{year:04}-{month:02}"),
                    hits,
                })
                .collect(),
        }
    }
}
