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
use tantivy::columnar::Column;
use tantivy::schema::Facet;
use tantivy::{DateTime, DocAddress, Score, Searcher};

use crate::engine::Snapshot;
use crate::entities::Gazetteer;
use crate::error::{Error, Result};
use crate::query::{build_query, parse_query, BuiltQuery, Filters};
use crate::schema::names;

mod collectors;
mod highlight;
mod hits;
mod snippet;
mod timeline;

pub(crate) use collectors::{FacetCounts, FacetTally};
pub(crate) use hits::{entity_ref, StoredParagraph};
pub use hits::{format_date, DuplicateRef, EntityRef, SearchHit};
pub use timeline::{Timeline, TimelineMonth};

use collectors::{HitStats, HitStatsFruit};
use highlight::Highlighter;

const FACETS_PER_KIND: usize = 10;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchOptions {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// (kind, name as typed) — resolved against the gazetteer.
    pub entity_filters: Vec<(String, String)>,
    pub since: Option<DateTime>,
    pub until: Option<DateTime>,
    pub facets: bool,
    /// Count matches only: no hits, snippets or stored documents (benchmarks).
    pub count_only: bool,
    /// Also count distinct articles among the hits (the human summary line shows it; JSON
    /// does not, and it costs a fast-field read per hit).
    pub count_articles: bool,
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
    /// Set when zero exact hits led to the one-edit retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    #[serde(skip)]
    pub articles: u64,
    #[serde(skip)]
    pub offset: usize,
}

/// Resolves `--person/--org/--place NAME` to facet paths.
pub fn resolve_entity_filters(
    gazetteer: &Gazetteer,
    filters: &[(String, String)],
) -> Result<Vec<String>> {
    filters
        .iter()
        .map(|(kind, name)| match gazetteer.lookup(name) {
            Some(entity) if &entity.kind == kind => Ok(entity.facet.clone()),
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

/// The query parsed, filtered and built against one commit (`fuzzy`: the one-edit retry), and
/// whether a retry is possible at all.
fn prepare(
    snapshot: &Snapshot,
    options: &SearchOptions,
    fuzzy: bool,
) -> Result<(BuiltQuery, bool)> {
    let parsed = parse_query(&options.query)?;
    let filters = Filters {
        entities: resolve_entity_filters(&snapshot.gazetteer, &options.entity_filters)?,
        since: options.since,
        until: options.until,
    };
    let built = build_query(
        &parsed,
        &filters,
        &snapshot.fields,
        &snapshot.gazetteer,
        fuzzy,
    );
    let retry_possible = !built.fuzzy_candidates.is_empty();
    Ok((built, retry_possible))
}

fn fuzzy_notice(built: &BuiltQuery) -> String {
    let terms: Vec<String> = built
        .fuzzy_candidates
        .iter()
        .map(|t| format!("{t}~1"))
        .collect();
    format!("no exact match; showing results for {}", terms.join(" "))
}

pub(crate) fn run(snapshot: &Snapshot, options: &SearchOptions) -> Result<SearchResults> {
    let started = std::time::Instant::now();
    let searcher = &snapshot.searcher;
    let (mut built, retry_possible) = prepare(snapshot, options, false)?;
    let mut run = execute(searcher, &built, options)?;
    let mut notice = None;
    if run.stats.raw_hits == 0 && retry_possible {
        built = prepare(snapshot, options, true)?.0;
        run = execute(searcher, &built, options)?;
        notice = Some(fuzzy_notice(&built));
    }
    let hits = if options.count_only {
        Vec::new()
    } else {
        let gazetteer = &snapshot.gazetteer;
        let expanded = &built.expanded_entities;
        let finder = (!expanded.is_empty()).then(|| gazetteer.mention_finder(expanded));
        let context = hits::HitContext {
            searcher,
            fields: &snapshot.fields,
            highlighter: Highlighter::new(&built.highlight, finder),
            corpus: snapshot.payload.as_ref().map(|p| p.corpus.as_str()),
        };
        let wanted = run.groups.iter().skip(options.offset).take(options.limit);
        wanted
            .enumerate()
            .map(|(i, group)| context.hit(group, options.offset + i + 1))
            .collect::<Result<Vec<_>>>()?
    };
    let unique = run.stats.distinct_texts();
    Ok(SearchResults {
        query: options.query.clone(),
        total_hits: unique,
        duplicates_collapsed: run.stats.raw_hits - unique,
        elapsed_us: started.elapsed().as_micros() as u64,
        hits,
        facets: run
            .facets
            .map(|counts| facet_table(counts, &snapshot.gazetteer)),
        notice,
        articles: run.stats.distinct_articles(),
        offset: options.offset,
    })
}

/// Hits per month of the query (fuzzy retry included), for the server's timeline.
pub(crate) fn timeline(snapshot: &Snapshot, options: &SearchOptions) -> Result<Timeline> {
    let (built, retry_possible) = prepare(snapshot, options, false)?;
    let counts = timeline::count_months(&snapshot.searcher, &*built.query)?;
    if counts.is_empty() && retry_possible {
        let built = prepare(snapshot, options, true)?.0;
        let counts = timeline::count_months(&snapshot.searcher, &*built.query)?;
        return Ok(Timeline::new(&options.query, counts));
    }
    Ok(Timeline::new(&options.query, counts))
}

/// The best-ranked paragraph of one distinct text among the hits.
pub(crate) struct HitGroup {
    pub score: Score,
    pub address: DocAddress,
    text_hash: u64,
    /// Other hits with the same text.
    pub duplicates: Vec<DocAddress>,
}

struct Run {
    groups: Vec<HitGroup>,
    stats: HitStatsFruit,
    facets: Option<FacetTally>,
}

fn execute(searcher: &Searcher, built: &BuiltQuery, options: &SearchOptions) -> Result<Run> {
    let wanted = options.offset + options.limit;
    let stats_collector = HitStats {
        articles: options.count_articles,
    };
    let facet_collector = options.facets.then_some(FacetCounts { articles: false });
    if options.count_only || wanted == 0 {
        let (stats, facets) =
            searcher.search(&*built.query, &(stats_collector, facet_collector))?;
        return Ok(Run {
            groups: Vec::new(),
            stats,
            facets,
        });
    }
    // Fetch more than asked so that collapsing duplicates still leaves enough distinct hits;
    // widen and retry in the rare case it does not.
    let mut k = (wanted * 3).max(50);
    loop {
        let top = TopDocs::with_limit(k).order_by_score();
        let (top_docs, stats, facets) =
            searcher.search(&*built.query, &(top, stats_collector, facet_collector))?;
        let exhausted = (top_docs.len() as u64) >= stats.raw_hits;
        let mut groups = group_duplicates(searcher, &top_docs)?;
        for group in groups.iter_mut().take(wanted) {
            let address = group.address;
            group.duplicates = stats
                .copies(group.text_hash)
                .filter(|&a| a != address)
                .collect();
        }
        if groups.len() >= wanted || exhausted {
            return Ok(Run {
                groups,
                stats,
                facets,
            });
        }
        k *= 4;
    }
}

fn group_duplicates(
    searcher: &Searcher,
    top_docs: &[(Score, DocAddress)],
) -> Result<Vec<HitGroup>> {
    struct Ranked {
        score: Score,
        address: DocAddress,
        article_key: u64,
        paragraph: u64,
        text_hash: u64,
    }
    // Opening a column decodes its block index, so each segment's columns are opened once.
    let mut columns: std::collections::HashMap<u32, [Column<u64>; 3]> = Default::default();
    let mut ranked = Vec::with_capacity(top_docs.len());
    for &(score, address) in top_docs {
        let [keys, paragraphs, hashes] = match columns.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                entry.insert([
                    fast.u64(names::ARTICLE_KEY)?,
                    fast.u64(names::PARAGRAPH)?,
                    fast.u64(names::TEXT_HASH)?,
                ])
            }
        };
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
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.article_key.cmp(&b.article_key))
            .then_with(|| a.paragraph.cmp(&b.paragraph))
    });
    let mut seen = HashSet::new();
    Ok(ranked
        .into_iter()
        .filter(|r| seen.insert(r.text_hash))
        .map(|r| HitGroup {
            score: r.score,
            address: r.address,
            text_hash: r.text_hash,
            duplicates: Vec::new(),
        })
        .collect())
}

/// Top entities per kind; every kind of the gazetteer has a (possibly empty) list.
fn facet_table(counts: FacetTally, gazetteer: &Gazetteer) -> BTreeMap<String, Vec<FacetCount>> {
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
