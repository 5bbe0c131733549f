/*!
Executing a search: top hits with identical paragraphs collapsed, totals, facet counts,
highlights and snippets, returned as plain data ([`SearchResults`]) for `output` to render.

One pass over the matching documents feeds several collectors at once (`collectors`): tantivy's
top-k, [`HitStats`](collectors::HitStats) (distinct texts and articles, for honest totals) and,
when asked, [`FacetCounts`](collectors::FacetCounts). `hits` turns the best groups into
[`SearchHit`]s with `highlight` and `snippet`.
*/

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::schema::Facet;
use tantivy::{DocAddress, Score};

use crate::entities::{self, Gazetteer, UNLISTED};
use crate::error::{Error, Result};
use crate::query::{BuiltQuery, QueryField, SearcherStatistics, TermStatistics};
use crate::schema::names;
use crate::snapshot::{entity_ref, Columns, FacetCounts, FacetTally, Snapshot};

mod batch;
mod collectors;
mod fallbacks;
pub(crate) mod highlight;
mod hits;
mod options;
pub(crate) mod snippet;
mod timeline;

pub use crate::snapshot::{format_date, EntityRef};
pub use batch::{parse_batch, BatchQuery, BatchRow};
pub use hits::{DuplicateRef, SearchHit};
pub use options::{SearchOptions, DEFAULT_LIMIT};
pub use timeline::{Timeline, TimelineMonth};

use collectors::{HitStats, HitStatsFruit};
pub(crate) use fallbacks::{search_with_fallbacks, Matches, Outcome, Prepared};
use highlight::Highlighter;

const FACETS_PER_KIND: usize = 10;
/// How many hits a search fetches at most to order those tied with the last one shown.
const MAX_TIED_FETCH: usize = 1 << 20;

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

pub(crate) fn run(snapshot: &Snapshot, options: &SearchOptions) -> Result<SearchResults> {
    let started = std::time::Instant::now();
    let columns = Columns::new(snapshot.searcher());
    let statistics = SearcherStatistics {
        searcher: snapshot.searcher(),
        fields: snapshot.fields(),
    };
    let prepared = Prepared::new(snapshot.gazetteer(), &statistics, options)?;
    let Outcome {
        built,
        run,
        notice,
        relaxed,
    } = search_with_fallbacks(&prepared, options, |built| {
        execute(snapshot, &columns, built, options)
    })?;
    let hits = if options.count_only {
        Vec::new()
    } else {
        let gazetteer = snapshot.gazetteer();
        let expanded = &built.expanded_entities;
        let finder = (!expanded.is_empty()).then(|| gazetteer.mention_finder(expanded));
        let context = hits::HitContext {
            columns: &columns,
            fields: snapshot.fields(),
            highlighter: Highlighter::new(&built.highlight, finder),
            corpus: snapshot.payload().map(|p| p.corpus.as_str()),
        };
        let wanted = run.groups.iter().skip(options.offset).take(options.limit);
        let mut hits = wanted
            .enumerate()
            .map(|(i, group)| context.hit(group, options.offset + i + 1))
            .collect::<Result<Vec<_>>>()?;
        if options.per_article {
            for (hit, group) in hits.iter_mut().zip(run.groups.iter().skip(options.offset)) {
                hit.paragraphs_matched = Some(run.stats.paragraphs_of_article(group.article_key));
            }
        }
        hits
    };
    let total_hits = run.distinct(options);
    // Per article, nothing is collapsed as a duplicate: copies are other articles.
    let duplicates_collapsed = if options.per_article {
        0
    } else {
        run.stats.raw_hits - total_hits
    };
    Ok(SearchResults {
        query: options.query.clone(),
        total_hits,
        duplicates_collapsed,
        elapsed_us: started.elapsed().as_micros() as u64,
        hits,
        facets: run
            .facets
            .map(|counts| facet_table(counts, snapshot.gazetteer())),
        notice,
        relaxed,
        articles: run.stats.distinct_articles(),
        offset: options.offset,
        per_article: options.per_article,
    })
}

/// Hits per month of the query (relaxed or retried as a search would be), for the server's
/// timeline.
/// The query a search runs for `options` (relaxed or retried as `run` would), for counts
/// over all its matches.
fn matched_query(snapshot: &Snapshot, options: &SearchOptions) -> Result<BuiltQuery> {
    let mut counting = options.clone();
    counting.count_only = true;
    let statistics = SearcherStatistics {
        searcher: snapshot.searcher(),
        fields: snapshot.fields(),
    };
    let prepared = Prepared::new(snapshot.gazetteer(), &statistics, &counting)?;
    let columns = Columns::new(snapshot.searcher());
    let outcome = search_with_fallbacks(&prepared, &counting, |built| {
        execute(snapshot, &columns, built, &counting)
    })?;
    Ok(outcome.built)
}

/// The earliest and latest date of the paragraphs a query matches, formatted as hits are.
pub(crate) fn date_span(
    snapshot: &Snapshot,
    options: &SearchOptions,
) -> Result<Option<(String, String)>> {
    let built = matched_query(snapshot, options)?;
    let span = timeline::date_span(
        snapshot.searcher(),
        &*built.query.to_tantivy(snapshot.fields()),
    )?;
    Ok(span.map(|(first, last)| (format_date(first), format_date(last))))
}

pub(crate) fn timeline(snapshot: &Snapshot, options: &SearchOptions) -> Result<Timeline> {
    let built = matched_query(snapshot, options)?;
    let counts = timeline::count_months(
        snapshot.searcher(),
        &*built.query.to_tantivy(snapshot.fields()),
    )?;
    Ok(Timeline::new(&options.query, counts))
}

/// The best-ranked paragraph of one distinct text among the hits.
pub(crate) struct HitGroup {
    pub score: Score,
    pub address: DocAddress,
    text_hash: u64,
    article_key: u64,
    /// Other hits with the same text.
    pub duplicates: Vec<DocAddress>,
}

struct Run {
    groups: Vec<HitGroup>,
    stats: HitStatsFruit,
    facets: Option<FacetTally>,
}

impl Matches for Run {
    fn raw_hits(&self) -> u64 {
        self.stats.raw_hits
    }

    /// Distinct hits as the user counts them: paragraph texts, or articles with
    /// `--per-article`.
    fn distinct(&self, options: &SearchOptions) -> u64 {
        if options.per_article {
            self.stats.distinct_articles()
        } else {
            self.stats.distinct_texts()
        }
    }
}

fn execute(
    snapshot: &Snapshot,
    columns: &Columns,
    built: &BuiltQuery,
    options: &SearchOptions,
) -> Result<Run> {
    let searcher = snapshot.searcher();
    let query = built.query.to_tantivy(snapshot.fields());
    let wanted = options.offset + options.limit;
    let counting = options.count_only || wanted == 0;
    let stats_collector = HitStats {
        articles: options.count_articles || options.per_article,
        duplicates: !counting && !options.per_article,
        copies: snapshot.copies().cloned(),
    };
    let facet_collector = options.facets.then_some(FacetCounts { articles: false });
    if counting {
        let (stats, facets) = searcher.search(&*query, &(stats_collector, facet_collector))?;
        return Ok(Run {
            groups: Vec::new(),
            stats,
            facets,
        });
    }
    // Fetch more than asked so that collapsing duplicates still leaves enough distinct hits;
    // widen and retry in the rare case it does not.
    // Per article, several top paragraphs may belong to one article: look deeper.
    let mut k = if options.per_article {
        (wanted * 5).max(100)
    } else {
        (wanted * 3).max(50)
    };
    loop {
        let top = TopDocs::with_limit(k).order_by_score();
        let (top_docs, stats, facets) =
            searcher.search(&*query, &(top, stats_collector.clone(), facet_collector))?;
        let exhausted = (top_docs.len() as u64) >= stats.raw_hits;
        let mut groups = group_duplicates(columns, &top_docs, options.per_article)?;
        // Hits tied with the last one shown may not all have been fetched (top-k keeps the
        // first it meets); which of them are shown must not depend on that.
        let tied_beyond = match (groups.get(wanted.saturating_sub(1)), top_docs.last()) {
            (Some(last_shown), Some(&(lowest, _))) => lowest >= last_shown.score,
            _ => false,
        };
        if !options.per_article {
            let shown = wanted.min(groups.len());
            list_duplicates(snapshot, &stats, &mut groups[..shown]);
        }
        if (groups.len() >= wanted && !(tied_beyond && k < MAX_TIED_FETCH)) || exhausted {
            return Ok(Run {
                groups,
                stats,
                facets,
            });
        }
        k *= 4;
    }
}

/// Fills in the other hits that have each group's text.
fn list_duplicates(snapshot: &Snapshot, stats: &HitStatsFruit, groups: &mut [HitGroup]) {
    let keys: Vec<u64> = groups
        .iter()
        .map(|group| {
            if stats.keyed_by_hash() {
                return group.text_hash;
            }
            let address = group.address;
            let segment = snapshot.searcher().segment_reader(address.segment_ord);
            snapshot
                .copies()
                .as_ref()
                .and_then(|copies| copies.of(segment))
                .and_then(|bits| bits.group(address.doc_id))
                // A text without copies has no group: no hit matches this key.
                .map_or(u64::MAX, u64::from)
        })
        .collect();
    for (group, copies) in groups.iter_mut().zip(stats.copies_of(&keys)) {
        let address = group.address;
        group.duplicates = copies.into_iter().filter(|&a| a != address).collect();
    }
}

/// The top documents in rank order with identical texts collapsed, or with `per_article` one
/// (the best) paragraph per article.
fn group_duplicates(
    columns: &Columns,
    top_docs: &[(Score, DocAddress)],
    per_article: bool,
) -> Result<Vec<HitGroup>> {
    struct Ranked {
        score: Score,
        address: DocAddress,
        article_key: u64,
        paragraph: u64,
        text_hash: u64,
    }
    let mut ranked = Vec::with_capacity(top_docs.len());
    for &(score, address) in top_docs {
        let column = |name| columns.u64(address.segment_ord, name);
        let [keys, paragraphs, hashes] = [
            column(names::ARTICLE_KEY)?,
            column(names::PARAGRAPH)?,
            column(names::TEXT_HASH)?,
        ];
        let doc = address.doc_id;
        ranked.push(Ranked {
            score,
            address,
            article_key: keys.first(doc).unwrap_or(0),
            paragraph: paragraphs.first(doc).unwrap_or(0),
            text_hash: hashes.first(doc).unwrap_or(0),
        });
    }
    // Equal scores (identical paragraphs above all) are ordered by article (its id's hash:
    // decoding ids costs more than the search) and paragraph, so the paragraph shown for a
    // collapsed group and the order of pages do not depend on how documents fell into segments.
    ranked.sort_by(|a, b| {
        rank_key(b.score)
            .total_cmp(&rank_key(a.score))
            .then_with(|| a.article_key.cmp(&b.article_key))
            .then_with(|| a.paragraph.cmp(&b.paragraph))
    });
    let mut seen = HashSet::new();
    let groups: Vec<HitGroup> = ranked
        .iter()
        .filter(|r| {
            seen.insert(if per_article {
                r.article_key
            } else {
                r.text_hash
            })
        })
        .map(|r| HitGroup {
            score: r.score,
            address: r.address,
            text_hash: r.text_hash,
            article_key: r.article_key,
            duplicates: Vec::new(),
        })
        .collect();
    Ok(groups)
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
