//! The query as run: built strict, then relaxed when a long plain query finds too little, then
//! retried with one edit when nothing matched. Either store runs it through `execute`.

use super::{resolve_entity_filters, Relaxation, SearchOptions};
use crate::entities::Gazetteer;
use crate::error::Result;
use crate::query::relax::{self, RELAX_MIN_WORDS};
use crate::query::{
    build_query, parse_query, Atom, BuildMode, BuiltQuery, Filters, Matching, ParsedQuery, Ranking,
    TermStatistics,
};

/// A parsed query with its filters resolved, ready to be built in any [`Matching`], by
/// either store.
pub(crate) struct Prepared<'a> {
    gazetteer: &'a Gazetteer,
    statistics: &'a dyn TermStatistics,
    parsed: ParsedQuery,
    filters: Filters,
    /// Hits are counted, not ranked.
    counting: bool,
    ranking: Ranking,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        gazetteer: &'a Gazetteer,
        statistics: &'a dyn TermStatistics,
        options: &SearchOptions,
    ) -> Result<Self> {
        Ok(Prepared {
            gazetteer,
            statistics,
            // No words: the filters alone (or every paragraph, for a network of the archive).
            parsed: if options.is_filters_only() {
                ParsedQuery::default()
            } else {
                parse_query(&options.query)?
            },
            filters: Filters {
                entities: resolve_entity_filters(gazetteer, statistics, &options.entity_filters)?,
                since: options.since,
                after_sync: options.after_sync,
                until: options.until,
            },
            counting: options.count_only || options.offset + options.limit == 0,
            ranking: options.ranking,
        })
    }

    /// The stems a build will weigh by their document frequencies (none when hits are only
    /// counted), for a store that fetches statistics ahead in one request.
    pub(crate) fn stems_to_weigh(&self) -> Vec<String> {
        if self.counting {
            Vec::new()
        } else {
            self.parsed.stems_to_weigh()
        }
    }

    fn build(&self, matching: Matching) -> BuiltQuery {
        build_query(
            &self.parsed,
            &self.filters,
            self.statistics,
            self.gazetteer,
            BuildMode {
                matching,
                counting: self.counting,
                ranking: self.ranking,
            },
        )
    }
}

/// What the fallbacks need to know of a run: how many paragraphs matched, and how many
/// distinct hits the user would count.
pub(crate) trait Matches {
    fn raw_hits(&self) -> u64;
    fn distinct(&self, options: &SearchOptions) -> u64;
}

/// The query as run: strict, else relaxed (a long plain query that found too little), else
/// the one-edit retry (nothing found).
pub(crate) struct Outcome<R> {
    pub built: BuiltQuery,
    pub run: R,
    pub notice: Option<String>,
    pub relaxed: Option<Relaxation>,
}

/// The query a search runs for `options`, for counts over all its matches: a query of filters
/// alone has no fallback and is built without a run; any other is run as a search would run it.
pub(crate) fn matched_query<R: Matches>(
    prepared: &Prepared,
    options: &SearchOptions,
    execute: impl Fn(&BuiltQuery) -> Result<R>,
) -> Result<BuiltQuery> {
    if options.is_filters_only() {
        return Ok(prepared.build(Matching::Strict));
    }
    Ok(search_with_fallbacks(prepared, options, execute)?.built)
}

pub(crate) fn search_with_fallbacks<R: Matches>(
    prepared: &Prepared,
    options: &SearchOptions,
    execute: impl Fn(&BuiltQuery) -> Result<R>,
) -> Result<Outcome<R>> {
    let built = prepared.build(Matching::Strict);
    let run = execute(&built)?;
    let wanted = (options.offset + options.limit).max(1);
    if let Some(words) = relax::plain_words(&prepared.parsed) {
        let content = relax::content_words(&words);
        if content >= RELAX_MIN_WORDS && relax::too_few(run.distinct(options), wanted, content) {
            let mut required_of = Vec::new();
            let mut optional = Vec::new();
            for word in &words {
                if let Atom::Word { tokens, .. } = word {
                    let analysed = tokens.join(" ");
                    if relax::is_stop_atom(word) {
                        optional.push(analysed);
                    } else {
                        required_of.push(analysed);
                    }
                }
            }
            if required_of.is_empty() {
                // Only stop words ("the who"): they are what there is to require.
                required_of = std::mem::take(&mut optional);
            }
            let mut minimum = relax::minimum_should_match(required_of.len());
            loop {
                let built = prepared.build(Matching::Relaxed { minimum });
                let run = execute(&built)?;
                if minimum > 1 && relax::too_few(run.distinct(options), wanted, content) {
                    minimum = 1;
                    continue;
                }
                let mut notice = format!(
                    "few paragraphs have all {content} words; showing those with at least \
                     {minimum} of: {}, best first",
                    required_of.join(", ")
                );
                if !optional.is_empty() {
                    notice.push_str(&format!(" ({} optional)", optional.join(", ")));
                }
                return Ok(Outcome {
                    built,
                    run,
                    notice: Some(notice),
                    relaxed: Some(Relaxation {
                        words: content,
                        required: minimum,
                        of: required_of,
                        optional,
                    }),
                });
            }
        }
    }
    if run.raw_hits() == 0 && !built.fuzzy_candidates.is_empty() {
        let built = prepared.build(Matching::Fuzzy);
        let run = execute(&built)?;
        let terms: Vec<String> = built
            .fuzzy_candidates
            .iter()
            .map(|t| format!("{t}~1"))
            .collect();
        let notice = format!("no exact match; showing results for {}", terms.join(" "));
        return Ok(Outcome {
            built,
            run,
            notice: Some(notice),
            relaxed: None,
        });
    }
    Ok(Outcome {
        built,
        run,
        notice: None,
        relaxed: None,
    })
}
