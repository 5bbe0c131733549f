/*!
Executing a search: top hits with identical paragraphs collapsed, totals, facet counts,
highlights and snippets, returned as plain data ([`SearchResults`]) for `output` to render.

One pass over the matching documents feeds three collectors at once: tantivy's top-k, a
[`HitStats`] collector (distinct texts and articles, for honest totals) and, when asked, an
[`EntityCounts`] collector over the entity facets.
*/

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::schema::{Facet, Value};
use tantivy::{DateTime, DocAddress, DocId, Score, Searcher, SegmentReader, TantivyDocument};

use crate::analysis::words;
use crate::entities::{Gazetteer, MentionFinder};
use crate::indexer::OpenIndex;
use crate::query::{build_query, parse_query, BuiltQuery, Filters, HighlightTerms, ParsedQuery};
use crate::schema::{names, Fields};

/// Paragraphs up to this many bytes are shown whole; longer ones are cut around the matches.
const SNIPPET_BYTES: usize = 280;
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

/// A filter named an entity the gazetteer does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {kind} '{name}'{}", suggestion_text(.suggestions))]
pub struct UnknownEntity {
    pub kind: String,
    pub name: String,
    pub suggestions: Vec<String>,
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            suggestions
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityRef {
    pub kind: String,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DuplicateRef {
    pub article_id: String,
    pub paragraph: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub rank: usize,
    pub score: f32,
    pub article_id: String,
    pub title: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub path: String,
    pub paragraph: u64,
    pub text: String,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    #[serde(skip)]
    pub snippet_highlights: Vec<Range<usize>>,
    pub entities: Vec<EntityRef>,
    pub duplicates: Vec<DuplicateRef>,
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
    pub facets: Option<std::collections::BTreeMap<String, Vec<FacetCount>>>,
    #[serde(skip)]
    pub articles: u64,
    /// Set when zero exact hits led to the one-edit retry.
    #[serde(skip)]
    pub notice: Option<String>,
    #[serde(skip)]
    pub offset: usize,
}

/// Resolves `--person/--org/--place NAME` to facet paths.
pub fn resolve_entity_filters(
    gazetteer: &Gazetteer,
    filters: &[(String, String)],
) -> Result<Vec<String>, UnknownEntity> {
    filters
        .iter()
        .map(|(kind, name)| match gazetteer.lookup(name) {
            Some(entity) if &entity.kind == kind => Ok(entity.facet.clone()),
            Some(entity) => Err(UnknownEntity {
                kind: kind.clone(),
                name: format!(
                    "{name}' (it is a {} in the gazetteer: use --{} '{}')",
                    entity.kind, entity.kind, entity.name
                ),
                suggestions: Vec::new(),
            }),
            None => Err(UnknownEntity {
                kind: kind.clone(),
                name: name.clone(),
                suggestions: gazetteer.suggest(name, Some(kind)),
            }),
        })
        .collect()
}

pub fn search(index: &OpenIndex, options: &SearchOptions) -> anyhow::Result<SearchResults> {
    let started = Instant::now();
    let parsed = parse_query(&options.query)?;
    let filters = Filters {
        entities: resolve_entity_filters(&index.gazetteer, &options.entity_filters)?,
        since: options.since,
        until: options.until,
    };
    let searcher = index.reader.searcher();
    let mut built = build_query(&parsed, &filters, &index.fields, &index.gazetteer, false);
    let mut run = execute(&searcher, &built, options)?;
    let mut notice = None;
    if run.stats.raw_hits == 0 && !built.fuzzy_candidates.is_empty() {
        built = build_query(&parsed, &filters, &index.fields, &index.gazetteer, true);
        run = execute(&searcher, &built, options)?;
        notice = Some(format!(
            "no exact match; showing results for {}",
            built
                .fuzzy_candidates
                .iter()
                .map(|t| format!("{t}~1"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    let hits = if options.count_only {
        Vec::new()
    } else {
        let wanted = run.groups.iter().skip(options.offset).take(options.limit);
        let finder = (!built.expanded_entities.is_empty())
            .then(|| index.gazetteer.mention_finder(&built.expanded_entities));
        let mut hits = Vec::new();
        for (i, group) in wanted.enumerate() {
            let rank = options.offset + i + 1;
            let hit = make_hit(
                index,
                &searcher,
                &built,
                &parsed,
                finder.as_ref(),
                group,
                rank,
            )?;
            hits.push(hit);
        }
        hits
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
            .map(|counts| facet_table(counts, &index.gazetteer)),
        articles: run.stats.distinct_articles(),
        notice,
        offset: options.offset,
    })
}

/// The best-ranked paragraph of one distinct text among the hits.
struct HitGroup {
    score: Score,
    address: DocAddress,
    text_hash: u64,
    /// Other hits with the same text.
    duplicates: Vec<DocAddress>,
}

struct Run {
    groups: Vec<HitGroup>,
    stats: HitStatsFruit,
    facets: Option<HashMap<String, u64>>,
}

fn execute(
    searcher: &Searcher,
    built: &BuiltQuery,
    options: &SearchOptions,
) -> anyhow::Result<Run> {
    let wanted = options.offset + options.limit;
    let stats_collector = HitStats {
        articles: options.count_articles,
    };
    let facet_collector = EntityCounts {
        enabled: options.facets,
    };
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
) -> anyhow::Result<Vec<HitGroup>> {
    struct Ranked {
        score: Score,
        address: DocAddress,
        article_key: u64,
        paragraph: u64,
        text_hash: u64,
    }
    // Opening a column decodes its block index, so each segment's columns are opened once.
    let mut columns: HashMap<u32, [Column<u64>; 3]> = HashMap::new();
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

fn make_hit(
    index: &OpenIndex,
    searcher: &Searcher,
    built: &BuiltQuery,
    parsed: &ParsedQuery,
    mentions: Option<&MentionFinder>,
    group: &HitGroup,
    rank: usize,
) -> anyhow::Result<SearchHit> {
    let fields = &index.fields;
    let doc: TantivyDocument = searcher.doc(group.address)?;
    let text = stored_str(&doc, fields.text).unwrap_or_default();
    let article_id = stored_str(&doc, fields.article_id).unwrap_or_default();
    let paragraph = doc
        .get_first(fields.paragraph)
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let highlights = highlight_ranges(&text, &built.highlight, parsed, mentions);
    let (snippet, snippet_highlights) = make_snippet(&text, &highlights);
    let duplicates = describe_duplicates(searcher, fields, &group.duplicates)?;
    let corpus = index.payload.as_ref().map(|p| p.corpus.clone());
    let relative = stored_str(&doc, fields.path).unwrap_or_default();
    let path = match corpus {
        Some(corpus) if !corpus.is_empty() => {
            format!("{}/{}", corpus.trim_end_matches('/'), relative)
        }
        _ => relative,
    };
    Ok(SearchHit {
        rank,
        score: group.score,
        article_id,
        title: stored_str(&doc, fields.title).unwrap_or_default(),
        date: doc
            .get_first(fields.date)
            .and_then(|v| v.as_datetime())
            .map(format_date),
        url: stored_str(&doc, fields.url),
        path,
        paragraph,
        highlights: highlights.iter().map(|r| [r.start, r.end]).collect(),
        snippet,
        snippet_highlights,
        text,
        entities: stored_entities(&doc, fields),
        duplicates,
    })
}

pub fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

pub fn stored_entities(doc: &TantivyDocument, fields: &Fields) -> Vec<EntityRef> {
    doc.get_all(fields.entity)
        .filter_map(|v| {
            v.as_facet()
                .and_then(|s| Facet::from_encoded(s.as_bytes().to_vec()).ok())
        })
        .map(|facet| entity_ref(&facet))
        .collect()
}

fn entity_ref(facet: &Facet) -> EntityRef {
    let path = facet.to_path();
    EntityRef {
        kind: path.first().map(|s| s.to_string()).unwrap_or_default(),
        name: path.last().map(|s| s.to_string()).unwrap_or_default(),
        path: facet.to_path_string(),
    }
}

/// `YYYY-MM-DD` for dates at midnight (most articles), RFC 3339 otherwise.
pub fn format_date(date: DateTime) -> String {
    let utc = date.into_utc();
    if utc.time() == time::Time::MIDNIGHT {
        format!(
            "{:04}-{:02}-{:02}",
            utc.year(),
            u8::from(utc.month()),
            utc.day()
        )
    } else {
        utc.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }
}

/// Article and paragraph of the other hits with the same text as a hit (at most 100).
fn describe_duplicates(
    searcher: &Searcher,
    fields: &Fields,
    addresses: &[DocAddress],
) -> anyhow::Result<Vec<DuplicateRef>> {
    let mut duplicates = Vec::new();
    for &address in addresses.iter().take(100) {
        let doc: TantivyDocument = searcher.doc(address)?;
        duplicates.push(DuplicateRef {
            article_id: stored_str(&doc, fields.article_id).unwrap_or_default(),
            paragraph: doc
                .get_first(fields.paragraph)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
        });
    }
    duplicates.sort_by(|a, b| (&a.article_id, a.paragraph).cmp(&(&b.article_id, b.paragraph)));
    Ok(duplicates)
}

/// Byte ranges in `text` to highlight: query words, exact phrases as one span, and mentions
/// of the entities the query was expanded to (so "Quds Force" lights up "IRGC-QF").
pub fn highlight_ranges(
    text: &str,
    terms: &HighlightTerms,
    parsed: &ParsedQuery,
    mentions: Option<&MentionFinder>,
) -> Vec<Range<usize>> {
    let tokens = words(text);
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let phrases: Vec<&Vec<String>> = parsed
        .required
        .iter()
        .flatten()
        .filter_map(|c| match &c.atom {
            crate::query::Atom::Phrase {
                tokens, slop: 0, ..
            } if tokens.len() > 1 => Some(tokens),
            crate::query::Atom::Word { tokens, .. } if tokens.len() > 1 => Some(tokens),
            _ => None,
        })
        .collect();
    let in_phrase: HashSet<&str> = phrases
        .iter()
        .flat_map(|p| p.iter().map(String::as_str))
        .collect();
    for (i, (token, range)) in tokens.iter().enumerate() {
        for phrase in &phrases {
            let n = phrase.len();
            if i + n <= tokens.len()
                && tokens[i..i + n]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(t, p)| &t.0 == p)
            {
                ranges.push(range.start..tokens[i + n - 1].1.end);
            }
        }
        // Words that occur only inside a phrase are highlighted only where the phrase is.
        let standalone = terms.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || terms
                .fuzzy
                .iter()
                .any(|f| crate::entities::within_one_edit(f, token))
            || (terms.exact.iter().any(|t| t == token) && !in_phrase.contains(token.as_str()));
        if standalone || (terms.matches(token) && phrases.is_empty()) {
            ranges.push(range.clone());
        }
    }
    if let Some(finder) = mentions {
        for mention in finder.find_mentions(text) {
            ranges.push(mention.range[0]..mention.range[1]);
        }
    }
    merge_ranges(ranges)
}

fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// The part of `text` around its densest cluster of highlights, cut at word boundaries, with
/// `…` where it was cut; highlight ranges are returned relative to the snippet.
pub fn make_snippet(text: &str, highlights: &[Range<usize>]) -> (String, Vec<Range<usize>>) {
    if text.len() <= SNIPPET_BYTES {
        return (text.to_string(), highlights.to_vec());
    }
    let anchor = highlights
        .iter()
        .enumerate()
        .max_by_key(|(i, h)| {
            let covered = highlights[*i..]
                .iter()
                .take_while(|o| o.end <= h.start + SNIPPET_BYTES - 40)
                .count();
            (covered, std::cmp::Reverse(h.start))
        })
        .map_or(0, |(_, h)| h.start);
    let mut start = floor_char(text, anchor.saturating_sub(40));
    if start > 0 {
        start = text[..start]
            .rfind(char::is_whitespace)
            .map_or(0, |i| i + 1);
        if anchor.saturating_sub(start) > 80 {
            start = floor_char(text, anchor.saturating_sub(40));
        }
    }
    if start + SNIPPET_BYTES > text.len() {
        // Near the end: use the room before the match instead of wasting it.
        start = floor_char(text, text.len().saturating_sub(SNIPPET_BYTES));
        start = text[start..]
            .find(char::is_whitespace)
            .map_or(start, |i| start + i + 1)
            .min(anchor);
    }
    let mut end = floor_char(text, (start + SNIPPET_BYTES).min(text.len()));
    if end < text.len() {
        end = text[..end]
            .rfind(char::is_whitespace)
            .filter(|&i| i > start)
            .unwrap_or(end);
    }
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < text.len() { "…" } else { "" };
    let snippet = format!("{prefix}{}{suffix}", text[start..end].trim_end());
    let shift = prefix.len();
    let inner_end = start + text[start..end].trim_end().len();
    let ranges = highlights
        .iter()
        .filter(|h| h.start >= start && h.end <= inner_end)
        .map(|h| h.start - start + shift..h.end - start + shift)
        .collect();
    (snippet, ranges)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn facet_table(
    counts: HashMap<String, u64>,
    gazetteer: &Gazetteer,
) -> std::collections::BTreeMap<String, Vec<FacetCount>> {
    let mut table: std::collections::BTreeMap<String, Vec<FacetCount>> = ["person", "org", "place"]
        .iter()
        .map(|k| (k.to_string(), Vec::new()))
        .collect();
    for kind in gazetteer.kinds() {
        table.entry(kind).or_default();
    }
    for (path, count) in counts {
        let facet = Facet::from(path.as_str());
        let entity = entity_ref(&facet);
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

/// Counts matching paragraphs, distinct texts and (optionally) distinct articles.
#[derive(Clone, Copy)]
pub struct HitStats {
    pub articles: bool,
}

/// Text hashes and article keys of every hit, sorted (duplicates kept, so the number of
/// copies of a text among the hits is a range length). Sorting two flat vectors once beats a
/// hash-set insert per hit on frequent terms.
#[derive(Default)]
pub struct HitStatsFruit {
    pub raw_hits: u64,
    /// (text hash, document) of every hit, sorted: the copies of a text among the hits are
    /// one contiguous range, so duplicates need no second query.
    texts: Vec<(u64, DocAddress)>,
    article_keys: Vec<u64>,
}

impl HitStatsFruit {
    pub fn distinct_texts(&self) -> u64 {
        count_distinct(self.texts.iter().map(|t| t.0))
    }

    pub fn distinct_articles(&self) -> u64 {
        count_distinct(self.article_keys.iter().copied())
    }

    /// The hits that have this text, this one included.
    pub fn copies(&self, text_hash: u64) -> impl Iterator<Item = DocAddress> + '_ {
        let start = self.texts.partition_point(|t| t.0 < text_hash);
        let end = self.texts.partition_point(|t| t.0 <= text_hash);
        self.texts[start..end].iter().map(|t| t.1)
    }
}

fn count_distinct(sorted: impl Iterator<Item = u64>) -> u64 {
    let mut previous = None;
    let mut distinct = 0;
    for value in sorted {
        if previous != Some(value) {
            distinct += 1;
            previous = Some(value);
        }
    }
    distinct
}

pub struct HitStatsSegment {
    segment_ord: u32,
    text_hash: Column<u64>,
    article_key: Option<Column<u64>>,
    fruit: HitStatsFruit,
    buffer: Vec<Option<u64>>,
    /// Scored searches hand over one document at a time; reading fast fields in blocks is
    /// several times cheaper than one call per document.
    pending: Vec<DocId>,
}

const STATS_BLOCK: usize = 128;

impl HitStatsSegment {
    fn push_block(&mut self, docs: &[DocId]) {
        self.buffer.resize(docs.len(), None);
        self.text_hash.first_vals(docs, &mut self.buffer);
        let segment_ord = self.segment_ord;
        self.fruit.texts.extend(
            self.buffer
                .iter()
                .zip(docs)
                .map(|(h, &doc)| (h.unwrap_or(0), DocAddress::new(segment_ord, doc))),
        );
        if let Some(article_key) = &self.article_key {
            article_key.first_vals(docs, &mut self.buffer);
            self.fruit
                .article_keys
                .extend(self.buffer.iter().map(|k| k.unwrap_or(0)));
        }
        self.fruit.raw_hits += docs.len() as u64;
    }
}

impl Collector for HitStats {
    type Fruit = HitStatsFruit;
    type Child = HitStatsSegment;

    fn for_segment(
        &self,
        segment_ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<HitStatsSegment> {
        Ok(HitStatsSegment {
            segment_ord,
            text_hash: segment.fast_fields().u64(names::TEXT_HASH)?,
            article_key: if self.articles {
                Some(segment.fast_fields().u64(names::ARTICLE_KEY)?)
            } else {
                None
            },
            fruit: HitStatsFruit::default(),
            buffer: Vec::new(),
            pending: Vec::with_capacity(STATS_BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HitStatsFruit>) -> tantivy::Result<HitStatsFruit> {
        let mut merged = HitStatsFruit::default();
        for fruit in fruits {
            merged.raw_hits += fruit.raw_hits;
            merged.texts.extend(fruit.texts);
            merged.article_keys.extend(fruit.article_keys);
        }
        merged.texts.sort_unstable();
        merged.article_keys.sort_unstable();
        Ok(merged)
    }
}

impl SegmentCollector for HitStatsSegment {
    type Fruit = HitStatsFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.pending.push(doc);
        if self.pending.len() == STATS_BLOCK {
            let block = std::mem::take(&mut self.pending);
            self.push_block(&block);
            self.pending = block;
            self.pending.clear();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.push_block(docs);
    }

    fn harvest(mut self) -> HitStatsFruit {
        let block = std::mem::take(&mut self.pending);
        self.push_block(&block);
        self.fruit
    }
}

/// Matching paragraphs per entity facet (the entity itself, not its ancestors).
#[derive(Clone, Copy)]
pub struct EntityCounts {
    pub enabled: bool,
}

pub struct EntityCountsSegment {
    reader: Option<FacetReader>,
    counts: HashMap<u64, u64>,
}

impl Collector for EntityCounts {
    type Fruit = Option<HashMap<String, u64>>;
    type Child = EntityCountsSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<EntityCountsSegment> {
        let reader = if self.enabled {
            Some(segment.facet_reader(names::ENTITY)?)
        } else {
            None
        };
        Ok(EntityCountsSegment {
            reader,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Option<HashMap<String, u64>>>,
    ) -> tantivy::Result<Self::Fruit> {
        if !self.enabled {
            return Ok(None);
        }
        let mut merged: HashMap<String, u64> = HashMap::new();
        for fruit in fruits.into_iter().flatten() {
            for (path, count) in fruit {
                *merged.entry(path).or_default() += count;
            }
        }
        Ok(Some(merged))
    }
}

impl SegmentCollector for EntityCountsSegment {
    type Fruit = Option<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(reader) = &self.reader {
            for ord in reader.facet_ords(doc) {
                *self.counts.entry(ord).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let reader = self.reader?;
        let mut by_path = HashMap::new();
        let mut facet = Facet::root();
        for (ord, count) in self.counts {
            if reader.facet_from_ord(ord, &mut facet).is_ok() {
                by_path.insert(facet.to_path_string(), count);
            }
        }
        Some(by_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paragraphs_are_their_own_snippet() {
        let (snippet, ranges) = make_snippet("Short text here.", &[Range { start: 6, end: 10 }]);
        assert_eq!(snippet, "Short text here.");
        assert_eq!(ranges, [Range { start: 6, end: 10 }]);
    }

    #[test]
    fn long_paragraphs_are_cut_around_matches() {
        let text = format!(
            "{} Soleimani was killed. {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let at = text.find("Soleimani").unwrap();
        let (snippet, ranges) = make_snippet(
            &text,
            &[Range {
                start: at,
                end: at + 9,
            }],
        );
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert_eq!(&snippet[ranges[0].clone()], "Soleimani");
        assert!(snippet.len() <= SNIPPET_BYTES + 8);
    }

    #[test]
    fn ranges_merge() {
        assert_eq!(merge_ranges(vec![5..9, 0..3, 2..4, 9..12]), [0..4, 5..12]);
    }
}
