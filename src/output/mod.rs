/*!
Rendering results for people (terminal text, optionally coloured) and for scripts (JSON).

Searching and indexing produce plain data; this module decides what it looks like. Nothing here
touches the index.
*/

use std::fmt::Write as _;

use serde::Serialize;

use crate::bench::{BenchReport, WARMUP_RUNS};
use crate::corpus::ReadArticle;
use crate::entities::EntityMatch;
use crate::inspect::{Candidate, EntityUsage, IndexStats, ShownArticle};
use crate::saved::{NewMatches, SavedSearch};
use crate::search::{BatchRow, EntityRef, SearchResults};
use crate::store::GazetteerInfo;
use crate::sync::SyncReport;

mod network;

pub use network::{render_network, render_ties, ties_csv};

const BOLD_YELLOW: &str = "\x1b[1;33m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// How highlights and metadata are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn highlight(&self, text: &str) -> String {
        if self.color {
            format!("{BOLD_YELLOW}{text}{RESET}")
        } else {
            format!("[{}]", self.plain(text))
        }
    }

    /// Text around and inside marks. Without colour, marks are brackets, so the text's own
    /// brackets (an editor's "[Hamas leader Yahya] Sinwar" in a quote) are escaped as `\[`
    /// and `\]`: every unescaped bracket is a mark.
    fn plain<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.color || !text.contains(['[', ']', '\\']) {
            return text.into();
        }
        let mut escaped = String::with_capacity(text.len() + 4);
        for c in text.chars() {
            if matches!(c, '[' | ']' | '\\') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        escaped.into()
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("our result types always serialise")
}

fn mark(text: &str, ranges: &[[usize; 2]], style: Style) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut at = 0;
    for &[start, end] in ranges {
        if start < at || end > text.len() {
            continue;
        }
        out.push_str(&style.plain(&text[at..start]));
        out.push_str(&style.highlight(&text[start..end]));
        at = end;
    }
    out.push_str(&style.plain(&text[at..]));
    out
}

fn entity_line(entities: &[EntityRef]) -> String {
    let mut by_kind: Vec<(String, Vec<String>)> = Vec::new();
    for entity in entities {
        match by_kind.iter_mut().find(|(k, _)| *k == entity.kind) {
            Some((_, names)) => names.push(entity.name.clone()),
            None => by_kind.push((entity.kind.clone(), vec![entity.name.clone()])),
        }
    }
    by_kind
        .into_iter()
        .map(|(kind, names)| format!("{kind}: {}", names.join(", ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The human summary line: "37 paragraphs (+5 duplicates) in 12 articles".
pub fn search_summary(results: &SearchResults) -> String {
    let mut line = if results.per_article {
        plural(results.total_hits, "article", "articles")
    } else {
        let mut line = plural(results.total_hits, "paragraph", "paragraphs");
        if results.duplicates_collapsed > 0 {
            let _ = write!(
                line,
                " (+{})",
                plural(results.duplicates_collapsed, "duplicate", "duplicates")
            );
        }
        let _ = write!(
            line,
            " in {}",
            plural(results.articles, "article", "articles")
        );
        line
    };
    if !results.hits.is_empty() {
        let first = results.offset + 1;
        let last = results.offset + results.hits.len();
        let _ = write!(line, ", showing {first}–{last}");
    }
    let _ = write!(line, " ({:.1} ms)", results.elapsed_us as f64 / 1000.0);
    line
}

pub fn render_search(results: &SearchResults, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", search_summary(results));
    for hit in &results.hits {
        let _ = writeln!(out);
        let title = if hit.title.is_empty() {
            "(untitled)"
        } else {
            &hit.title
        };
        let _ = writeln!(out, "{:>3}. {}", hit.rank, style.paint(BOLD, title));
        let mut meta = format!("{} ¶{}", hit.article_id, hit.paragraph);
        if let Some(date) = &hit.date {
            let _ = write!(meta, " · {date}");
        }
        let _ = write!(meta, " · score {:.2}", hit.score);
        if let Some(matched) = hit.paragraphs_matched {
            let _ = write!(
                meta,
                " · {}",
                plural(matched, "paragraph matches", "paragraphs match")
            );
        }
        let _ = writeln!(out, "     {}", style.paint(DIM, &meta));
        let _ = writeln!(
            out,
            "     {}",
            mark(&hit.snippet, &hit.snippet_highlights, style)
        );
        if !hit.entities.is_empty() {
            let _ = writeln!(
                out,
                "     {}",
                style.paint(DIM, &entity_line(&hit.entities))
            );
        }
        if !hit.duplicates.is_empty() {
            let listed: Vec<String> = hit
                .duplicates
                .iter()
                .map(|d| format!("{} ¶{}", d.article_id, d.paragraph))
                .collect();
            let _ = writeln!(
                out,
                "     {}",
                style.paint(DIM, &format!("also in: {}", listed.join(", ")))
            );
        }
    }
    if let Some(facets) = &results.facets {
        let _ = writeln!(out);
        for (kind, counts) in facets {
            let list: Vec<String> = counts
                .iter()
                .map(|c| format!("{} ({})", c.name, c.count))
                .collect();
            let shown = if list.is_empty() {
                "-".to_string()
            } else {
                list.join(", ")
            };
            let _ = writeln!(out, "{}: {shown}", style.paint(BOLD, kind));
        }
    }
    out
}

/// The one-line summary of `sitrep index`.
pub fn sync_summary(report: &SyncReport) -> String {
    let mut line = format!(
        "+{} added, {} updated, {} removed, {} unchanged; {} in {:.2} s",
        thousands(report.added as u64),
        thousands(report.updated as u64),
        thousands(report.removed as u64),
        thousands(report.unchanged as u64),
        plural(report.paragraphs_written as u64, "paragraph", "paragraphs"),
        report.elapsed.as_secs_f64()
    );
    if report.bytes_parsed >= 1_000_000 {
        let _ = write!(
            line,
            " ({:.1} MB at {:.1} MB/s)",
            report.bytes_parsed as f64 / 1e6,
            report.megabytes_per_second()
        );
    } else if report.bytes_parsed > 0 {
        let _ = write!(line, " ({:.0} KB)", report.bytes_parsed as f64 / 1e3);
    }
    if report.skipped > 0 {
        let _ = write!(
            line,
            "; {} skipped (see warnings above)",
            thousands(report.skipped as u64)
        );
    }
    line
}

pub fn render_article(article: &ShownArticle, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            BOLD,
            if article.title.is_empty() {
                "(untitled)"
            } else {
                &article.title
            }
        )
    );
    let mut meta = vec![article.article_id.clone()];
    meta.extend(article.date.clone());
    meta.extend(article.source.clone());
    meta.extend(article.url.clone());
    let _ = writeln!(out, "{}", style.paint(DIM, &meta.join(" · ")));
    for p in &article.paragraphs {
        let _ = writeln!(out);
        let _ = writeln!(out, "¶{} {}", p.paragraph, p.text);
        if !p.entities.is_empty() {
            let _ = writeln!(out, "   {}", style.paint(DIM, &entity_line(&p.entities)));
        }
    }
    out
}

/// An article file as `sitrep read` shows it: title, date and URL, then numbered paragraphs.
pub fn render_read_article(article: &ReadArticle, style: Style) -> String {
    let mut out = String::new();
    let title = article.title.as_deref().unwrap_or("(untitled)");
    let _ = writeln!(out, "{}", style.paint(BOLD, title));
    let mut meta = vec![article.path.clone()];
    meta.push(
        article
            .date
            .clone()
            .unwrap_or_else(|| "no date".to_string()),
    );
    meta.extend(article.url.clone());
    let _ = writeln!(out, "{}", style.paint(DIM, &meta.join(" · ")));
    for (n, paragraph) in article.paragraphs.iter().enumerate() {
        let _ = writeln!(out, "\n¶{} {paragraph}", n + 1);
    }
    out
}

pub fn render_stats(stats: &IndexStats) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "index       {}", stats.index);
    let _ = writeln!(
        out,
        "corpus      {}",
        stats.corpus.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "articles    {}", thousands(stats.articles));
    let _ = writeln!(out, "paragraphs  {}", thousands(stats.paragraphs));
    let _ = writeln!(out, "terms       {}", thousands(stats.distinct_terms));
    let _ = writeln!(out, "size        {:.1} MB", stats.size_bytes as f64 / 1e6);
    let _ = writeln!(out, "segments    {}", stats.segments);
    let _ = writeln!(
        out,
        "entities    {} in the gazetteer",
        thousands(stats.gazetteer_entities as u64)
    );
    let _ = writeln!(
        out,
        "last sync   {} (sync {})",
        stats.last_sync.as_deref().unwrap_or("-"),
        stats.last_sync_number
    );
    out
}

pub fn render_entities(usage: &[EntityUsage]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<7} {:>10} {:>9}  name",
        "kind", "paragraphs", "articles"
    );
    for e in usage {
        let _ = writeln!(
            out,
            "{:<7} {:>10} {:>9}  {}",
            e.kind,
            thousands(e.paragraphs),
            thousands(e.articles),
            e.path
        );
    }
    out
}

pub fn render_candidates(candidates: &[Candidate]) -> String {
    let mut out = String::new();
    let tagged = candidates.iter().any(|c| c.kind.is_some());
    let what = if tagged {
        "names the learned tagger found that the gazetteer does not hold"
    } else {
        "capitalised names the gazetteer does not cover; `index --unlisted` finds typed names"
    };
    let _ = writeln!(
        out,
        "{:>10}  {:<7} candidate ({what})",
        "paragraphs", "kind"
    );
    for c in candidates {
        let kind = c.kind.as_deref().unwrap_or("?");
        let _ = writeln!(out, "{:>10}  {kind:<7} {}", thousands(c.count), c.name);
    }
    out
}

pub fn render_mentions(mentions: &[EntityMatch]) -> String {
    let mut out = String::new();
    for m in mentions {
        let variant = match (m.variant, m.unlisted) {
            (_, true) => "  (unlisted)",
            (true, false) => "  (variant)",
            (false, false) => "",
        };
        let _ = writeln!(
            out,
            "{:<7} {:<40} {:<30} {}..{}{variant}",
            m.kind,
            m.name,
            format!("\"{}\"", m.text),
            m.range[0],
            m.range[1]
        );
    }
    out
}

/// `sitrep entities --gazetteer`: where the gazetteer in use comes from.
pub fn render_gazetteer_info(info: &GazetteerInfo) -> String {
    match &info.saved_in {
        Some(index) => format!(
            "{} ({} entities; the copy saved in {index} when {} was indexed, hash {})\n",
            info.source,
            info.entities,
            info.corpus.as_deref().unwrap_or(""),
            info.hash
        ),
        None => format!("{} ({} entities)\n", info.source, info.entities),
    }
}

/// The table of `sitrep bench`.
pub fn render_bench(report: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} paragraphs in {}; {} timed runs per query after {} warm-up runs; times in µs",
        report.paragraphs, report.index, report.iterations, WARMUP_RUNS
    );
    let _ = writeln!(
        out,
        "{:<14} {:>3} {:>9} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>8} {:>8} {:>8}",
        "class",
        "n",
        "hits",
        "top10 p50",
        "p95",
        "p99",
        "mean",
        "QPS",
        "count p50",
        "p95",
        "p99",
        "QPS"
    );
    for c in &report.classes {
        let _ = writeln!(
            out,
            "{:<14} {:>3} {:>9.0} | {:>9.0} {:>8.0} {:>8.0} {:>8.0} {:>8.0} | {:>9.0} {:>8.0} {:>8.0} {:>8.0}",
            c.class,
            c.queries.len(),
            c.mean_hits,
            c.top10.p50_us,
            c.top10.p95_us,
            c.top10.p99_us,
            c.top10.mean_us,
            c.top10.qps,
            c.count_only.p50_us,
            c.count_only.p95_us,
            c.count_only.p99_us,
            c.count_only.qps
        );
    }
    out
}

/// The saved searches, one a line.
pub fn render_saved(searches: &[SavedSearch]) -> String {
    let mut out = String::new();
    for search in searches {
        let filters: Vec<String> = search
            .filters
            .iter()
            .map(|(k, v)| format!("--{k} '{v}'"))
            .collect();
        let _ = writeln!(
            out,
            "{}: {} {}",
            search.name,
            search.query,
            filters.join(" ")
        );
    }
    out
}

/// What each saved search found among new paragraphs: a count line, then its best hits.
pub fn render_new(found: &[NewMatches], style: Style) -> String {
    let mut out = String::new();
    for matches in found {
        let results = &matches.results;
        let _ = writeln!(
            out,
            "{} ({}): {} new since sync {}",
            style.paint(BOLD, &matches.name),
            matches.query,
            plural(results.total_hits, "paragraph", "paragraphs"),
            matches.after_sync
        );
        if results.total_hits > 0 {
            let hits = render_search(results, style);
            // The per-search line above replaces the search's own summary line.
            out.push_str(hits.split_once('\n').map_or("", |(_, rest)| rest));
            out.push('\n');
        }
    }
    out
}

/// Batch search rows as a table: one line per query.
pub fn render_batch(rows: &[BatchRow]) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>10}  {:>8}  {:<10}  {:<10}  best article",
        "name", "paragraphs", "articles", "first", "last"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:<width$}  {:>10}  {:>8}  {:<10}  {:<10}  {}",
            row.name,
            thousands(row.paragraphs),
            thousands(row.articles),
            row.first_date.as_deref().unwrap_or("-"),
            row.last_date.as_deref().unwrap_or("-"),
            row.best_article.as_deref().unwrap_or("-"),
        );
    }
    out
}

/// Batch search rows as CSV, for spreadsheets.
pub fn batch_csv(rows: &[BatchRow]) -> String {
    let header = [
        "line",
        "name",
        "query",
        "paragraphs",
        "articles",
        "first_date",
        "last_date",
        "best_article",
        "best_title",
    ];
    let mut records = vec![header.map(String::from).to_vec()];
    for row in rows {
        records.push(vec![
            row.line.to_string(),
            row.name.clone(),
            row.query.clone(),
            row.paragraphs.to_string(),
            row.articles.to_string(),
            row.first_date.clone().unwrap_or_default(),
            row.last_date.clone().unwrap_or_default(),
            row.best_article.clone().unwrap_or_default(),
            row.best_title.clone().unwrap_or_default(),
        ]);
    }
    to_csv(records)
}

/// Records as CSV, the first one the header.
fn to_csv(records: Vec<Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8 fields")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn marks_without_colour_use_brackets() {
        let style = Style { color: false };
        assert_eq!(
            mark("the Qods Force chief", &[[4, 14]], style),
            "the [Qods Force] chief"
        );
        // The text's own brackets are escaped, so marks never look nested.
        let quote = "with [Hamas leader Yahya] Sinwar";
        assert_eq!(
            mark(quote, &[[19, 24], [26, 32]], style),
            r"with \[Hamas leader [Yahya]\] [Sinwar]"
        );
        let coloured = Style { color: true };
        assert_eq!(
            mark(quote, &[[19, 24]], coloured),
            format!("with [Hamas leader {BOLD_YELLOW}Yahya{RESET}] Sinwar")
        );
    }
}
