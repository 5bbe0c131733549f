/*!
What a search is and what it answers, whichever store runs it: the options
([`SearchOptions`]), the query's fallbacks (the one-edit retry, relaxation), entity filters,
the results ([`SearchResults`], [`SearchHit`] built by one `HitMaker` with `highlight` and
`snippet`), facet tables and the timeline, as plain data for `output` to render. The stores
run it: `local::search` over the index folder, `remote` on a cluster.
*/

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use tantivy::schema::Facet;
use tantivy::Score;

use crate::entities::{self, Gazetteer, UNLISTED};
use crate::error::{Error, Result};
use crate::paragraph::entity_ref;
use crate::query::{QueryField, TermStatistics};

mod batch;
mod fallbacks;
mod highlight;
mod hits;
mod options;
mod snippet;
mod timeline;

pub use crate::paragraph::{format_date, EntityRef};
pub use batch::{parse_batch, BatchQuery, BatchRow};
pub(crate) use fallbacks::{matched_query, search_with_fallbacks, Matches, Outcome, Prepared};
pub(crate) use hits::HitMaker;
pub use hits::{DuplicateRef, SearchHit};
pub use options::{SearchOptions, DEFAULT_LIMIT};
pub use timeline::{Timeline, TimelineMonth};

const FACETS_PER_KIND: usize = 10;

/// Per facet path: paragraphs, and the article keys when asked for; what a store counts for a
/// facet table.
pub type FacetTally = HashMap<String, (u64, HashSet<u64>)>;

/// What search did to a plain query that matched too little with every word required.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Relaxation {
    /// Content words in the query.
    pub words: usize,
    /// How many of `of` a hit needed.
    pub required: usize,
    /// The words counted towards `required`.
    pub of: Vec<String>,
    /// Stop words, not required.
    pub optional: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// Matching paragraphs, identical texts counted once.
    pub total_hits: u64,
    pub duplicates_collapsed: u64,
    pub elapsed_us: u64,
    pub hits: Vec<SearchHit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
    /// What was done to the query, when anything was (the one-edit retry, relaxation); the
    /// CLI prints it on stderr.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxation>,
    #[serde(skip)]
    pub articles: u64,
    #[serde(skip)]
    pub offset: usize,
    /// Hits are articles (`--per-article`): `total_hits` counts articles.
    #[serde(skip)]
    pub per_article: bool,
}

/// Resolves `--person/--org/--place NAME` to facet paths: a gazetteer entity, else a name the
/// learned tagger indexed under the kind's `unlisted` branch.
pub fn resolve_entity_filters(
    gazetteer: &Gazetteer,
    statistics: &dyn TermStatistics,
    filters: &[(String, String)],
) -> Result<Vec<String>> {
    filters
        .iter()
        .map(|(kind, name)| match gazetteer.lookup(name) {
            Some(entity) if &entity.kind == kind => Ok(entity.facet.clone()),
            None if is_indexed_facet(statistics, &unlisted_facet(kind, name)) => {
                Ok(unlisted_facet(kind, name))
            }
            Some(entity) => Err(Error::UnknownEntity {
                kind: kind.clone(),
                name: name.clone(),
                suggestions: Vec::new(),
                listed_as: Some((entity.kind.clone(), entity.name.clone())),
            }),
            None => Err(Error::UnknownEntity {
                kind: kind.clone(),
                name: name.clone(),
                suggestions: gazetteer.suggest(name, Some(kind)),
                listed_as: None,
            }),
        })
        .collect()
}

fn unlisted_facet(kind: &str, name: &str) -> String {
    let entities::EntityRef::Unlisted { kind, name } = entities::EntityRef::unlisted(kind, name)
    else {
        unreachable!("unlisted() makes an unlisted reference");
    };
    format!("/{kind}/{UNLISTED}/{name}")
}

fn is_indexed_facet(statistics: &dyn TermStatistics, facet: &str) -> bool {
    statistics.doc_freq(QueryField::EntityExact, facet) > 0
}

/// A score as hits are ordered by: the last 7 bits of its mantissa dropped, so that scores
/// equal but for rounding (a sum of the same parts added in another order, as in copies of a
/// paragraph, or on a cluster) tie, and the tie is broken by article and paragraph.
pub(crate) fn rank_key(score: Score) -> Score {
    Score::from_bits(score.to_bits() & !0x7f)
}

/// Top entities per kind; every kind of the gazetteer has a (possibly empty) list.
pub(crate) fn facet_table(
    counts: FacetTally,
    gazetteer: &Gazetteer,
) -> BTreeMap<String, Vec<FacetCount>> {
    let mut table: BTreeMap<String, Vec<FacetCount>> = gazetteer
        .kinds()
        .into_iter()
        .map(|kind| (kind, Vec::new()))
        .collect();
    for (path, (count, _)) in counts {
        let entity = entity_ref(&Facet::from(path.as_str()));
        table.entry(entity.kind).or_default().push(FacetCount {
            name: entity.name,
            count,
        });
    }
    for list in table.values_mut() {
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        list.truncate(FACETS_PER_KIND);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::GazetteerSource;

    #[test]
    fn facet_tables_list_every_kind_most_named_first_ten_at_most() {
        let gazetteer = Gazetteer::parse(
            "[[org]]\nname = \"Hezbollah\"\n\n[[place]]\nname = \"Iraq\"\n",
            GazetteerSource::BuiltIn,
        )
        .unwrap();
        let mut counts = FacetTally::new();
        for n in 0..12u64 {
            counts.insert(format!("/place/Iraq/City {n:02}"), (n + 1, HashSet::new()));
        }
        counts.insert("/org/Hezbollah".into(), (3, HashSet::new()));
        counts.insert("/org/Badr".into(), (3, HashSet::new()));
        let table = facet_table(counts, &gazetteer);
        let names = |kind: &str| -> Vec<(String, u64)> {
            table[kind]
                .iter()
                .map(|f| (f.name.clone(), f.count))
                .collect()
        };
        assert_eq!(table.keys().collect::<Vec<_>>(), ["org", "place"]);
        assert_eq!(names("org"), [("Badr".into(), 3), ("Hezbollah".into(), 3)]);
        let places = names("place");
        assert_eq!(places.len(), FACETS_PER_KIND);
        assert_eq!(places[0], ("City 11".into(), 12));
        assert_eq!(places[9], ("City 02".into(), 3));
    }

    #[test]
    fn unlisted_names_are_filed_under_their_kind() {
        assert_eq!(
            unlisted_facet("person", "Karim Nouri"),
            "/person/unlisted/Karim Nouri"
        );
    }
}
