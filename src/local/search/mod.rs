/*!
Searching the index folder: top hits with identical paragraphs collapsed, totals, facet counts,
the timeline and date spans, over one [`Snapshot`].

One pass over the matching documents feeds several collectors at once (`collectors`): tantivy's
top-k, [`HitStats`](collectors::HitStats) (distinct texts and articles, for honest totals) and,
when asked, [`FacetCounts`]. `hits` reads the best groups and hands them to the
stores' shared [`HitMaker`].
*/

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Score};

use crate::error::Result;
use crate::local::snapshot::{Columns, FacetCounts, Snapshot};
use crate::network::Observations;
use crate::query::{BuiltQuery, SearcherStatistics};
use crate::schema::names;
use crate::search::{
    self, facet_table, format_date, rank_key, search_with_fallbacks, FacetTally, HitMaker, Matches,
    Outcome, Prepared, SearchOptions, SearchResults, Timeline,
};

mod collectors;
mod hits;
mod observe;
mod timeline;

use collectors::{HitStats, HitStatsFruit};

/// How many hits a search fetches at most to order those tied with the last one shown.
const MAX_TIED_FETCH: usize = 1 << 20;

pub fn run(snapshot: &Snapshot, options: &SearchOptions) -> Result<SearchResults> {
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
        let corpus = snapshot.payload().map_or("", |p| p.corpus.as_str());
        let context = hits::HitContext {
            columns: &columns,
            fields: snapshot.fields(),
            maker: HitMaker::new(&built, snapshot.gazetteer(), corpus),
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
    search::matched_query(&prepared, &counting, |built| {
        execute(snapshot, &columns, built, &counting)
    })
}

/// The earliest and latest date of the paragraphs a query matches, formatted as hits are.
pub fn date_span(snapshot: &Snapshot, options: &SearchOptions) -> Result<Option<(String, String)>> {
    let built = matched_query(snapshot, options)?;
    let span = timeline::date_span(
        snapshot.searcher(),
        &*built.query.to_tantivy(snapshot.fields()),
    )?;
    Ok(span.map(|(first, last)| (format_date(first), format_date(last))))
}

/// Every paragraph the query and its filters match (relaxed or retried as a search would be),
/// with the entities each names.
pub fn observations(snapshot: &Snapshot, options: &SearchOptions) -> Result<Observations> {
    let built = matched_query(snapshot, options)?;
    Ok(snapshot.searcher().search(
        &*built.query.to_tantivy(snapshot.fields()),
        &observe::Observe {
            copies: snapshot.copies().cloned(),
        },
    )?)
}

pub fn timeline(snapshot: &Snapshot, options: &SearchOptions) -> Result<Timeline> {
    let built = matched_query(snapshot, options)?;
    let counts = timeline::count_months(
        snapshot.searcher(),
        &*built.query.to_tantivy(snapshot.fields()),
    )?;
    Ok(Timeline::new(&options.query, counts))
}

/// The best-ranked paragraph of one distinct text among the hits.
struct HitGroup {
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
        let collectors = (stats_collector.clone(), facet_collector);
        let (top_docs, (stats, facets)) = if options.is_filters_only() {
            searcher.search(&*query, &(newest_first(k), collectors))?
        } else {
            searcher.search(
                &*query,
                &(TopDocs::with_limit(k).order_by_score(), collectors),
            )?
        };
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

/// The `k` newest paragraphs (undated ones last), for a search of filters alone. The "score"
/// is the day of the date, so that hits group and page as ranked ones do; it is shown as 0.
fn newest_first(k: usize) -> impl tantivy::collector::Collector<Fruit = Vec<(Score, DocAddress)>> {
    TopDocs::with_limit(k).tweak_score(|segment: &tantivy::SegmentReader| {
        let dates = segment.fast_fields().date(names::DATE).ok();
        move |doc: tantivy::DocId, _score: Score| -> Score {
            match dates.as_ref().and_then(|dates| dates.first(doc)) {
                Some(date) => (date.into_timestamp_secs().div_euclid(86_400)) as Score,
                None => Score::MIN,
            }
        }
    })
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
