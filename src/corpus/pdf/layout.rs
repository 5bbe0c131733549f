/*!
From positioned runs of text to the paragraphs a person reads.

A PDF's text layer is glyphs at positions, with no paragraphs, columns or reading order. This
module rebuilds them, page by page and then across pages:

1. Runs on one baseline, close enough to be one line of one column, become a [`Line`].
2. Where consecutive rows leave a vertical gutter free between two columns, they are read
   column by column (each column split again if it holds columns of its own); rows that cross
   the gutter (a title, an abstract, a figure caption across the page) are read across.
3. Lines at the top and bottom of pages that repeat on many pages with only their digits
   changing (running headers and footers, "3/12") and lone page numbers are dropped.
4. Lines are joined into paragraphs: a paragraph ends at a gap wider than the line spacing, a
   change of type size, an indented first line, or a short line that ends a sentence. At the
   foot of a column or page, a paragraph that has not ended its sentence runs on into the next.
5. A word broken at a line end by a hyphen is joined, unless the hyphen is the word's own: the
   document writes the compound with a hyphen elsewhere, the second part starts with a capital
   or a digit (`al-` / `Muhandis`, `post-` / `2014`), the first part is a name particle, or the
   document marks its typesetter's breaks with soft hyphens (browsers do), so that a plain
   hyphen at a line end is a written one.

This module knows nothing of the PDF format: it takes [`Page`]s of [`Run`]s, so it is tested on
runs written by hand.
*/

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::{is_hyphen, ARABIC_NAME_PARTICLES};
use crate::corpus::collapse_whitespace;

/// A piece of text on one baseline in one font, as the PDF draws it. Coordinates are in
/// points from the page's top-left corner, growing right and down.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Run {
    pub text: String,
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
    pub size: f32,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Page {
    pub width: f32,
    pub height: f32,
    pub runs: Vec<Run>,
}

/// One line of one column.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    size: f32,
    page: usize,
    /// Which column of its band the line is in, and the band's extent, to tell a column's end.
    column: usize,
    column_left: f32,
    column_right: f32,
}

impl Line {
    fn middle(&self) -> f32 {
        (self.top + self.bottom) / 2.0
    }
}

/// Share of the page's height at the top and at the bottom where running headers and footers sit.
const MARGIN_SHARE: f32 = 0.12;
/// Half the width, in ems of body text, of the white band a gutter between columns leaves:
/// wider than any word space, even in justified text, and narrower than real gutters (1.5 to
/// 3 ems).
const GUTTER_HALF_EMS: f32 = 0.6;

/// The paragraphs of a document's pages, and the text of its largest type on the first page
/// (a title when the document's metadata has none).
pub(super) fn paragraphs(pages: &[Page]) -> (Vec<String>, Option<String>) {
    let mut lines: Vec<Vec<Line>> = pages
        .iter()
        .enumerate()
        .map(|(number, page)| page_lines(page, number))
        .collect();
    drop_running_lines(pages, &mut lines);
    let title = largest_text(lines.first().map_or(&[][..], Vec::as_slice));
    let lines: Vec<Line> = lines.into_iter().flatten().collect();
    (join_paragraphs(&lines), title)
}

/// The runs that share a baseline, left to right.
type Row<'a> = Vec<&'a Run>;

/// A page's lines in reading order: top to bottom, and column by column where the page is set
/// in columns.
fn page_lines(page: &Page, number: usize) -> Vec<Line> {
    let rows = rows_of(page);
    let em = most_common_size(rows.iter().flatten().map(|run| (run.size, run.text.len())))
        .unwrap_or(10.0);
    let mut layout = PageLayout {
        page: number,
        em,
        next_column: 0,
        lines: Vec::new(),
    };
    layout.place(&rows, 0.0, page.width, 0);
    layout.lines
}

/// Columns nested deeper than this are read as one (three columns need two levels).
const MAX_COLUMN_DEPTH: usize = 3;

/// The lines of one page in reading order, as its rows are split into columns.
struct PageLayout {
    page: usize,
    em: f32,
    /// Every column (and every stretch of text across the page) gets its own number, so a
    /// paragraph knows when it reaches the foot of one.
    next_column: usize,
    lines: Vec<Line>,
}

impl PageLayout {
    /// Places the rows of the horizontal span `left..right`: rows in a stretch set in two
    /// columns are read left column first (each column split again if it holds columns), the
    /// rest top to bottom.
    fn place(&mut self, rows: &[Row], left: f32, right: f32, depth: usize) {
        let gutter = (depth < MAX_COLUMN_DEPTH)
            .then(|| find_gutter(rows, left, right, self.em))
            .flatten();
        let Some((x, stretches)) = gutter else {
            self.place_across(rows);
            return;
        };
        let mut done = 0;
        for stretch in stretches {
            self.place_across(&rows[done..stretch.start]);
            let (mut left_rows, mut right_rows) = (Vec::new(), Vec::new());
            for row in &rows[stretch.clone()] {
                let (l, r): (Row, Row) = row.iter().partition(|run| run.right <= x);
                left_rows.extend((!l.is_empty()).then_some(l));
                right_rows.extend((!r.is_empty()).then_some(r));
            }
            self.place(&left_rows, left, x, depth + 1);
            self.place(&right_rows, x, right, depth + 1);
            done = stretch.end;
        }
        self.place_across(&rows[done..]);
    }

    /// Rows read one under the other as one column.
    fn place_across(&mut self, rows: &[Row]) {
        if rows.is_empty() {
            return;
        }
        let column = self.next_column;
        self.next_column += 1;
        let start = self.lines.len();
        self.lines
            .extend(rows.iter().filter_map(|row| line_of(row, self.page)));
        let placed = &mut self.lines[start..];
        let left = placed.iter().map(|l| l.left).fold(f32::INFINITY, f32::min);
        let right = placed.iter().map(|l| l.right).fold(0.0, f32::max);
        for line in placed {
            (line.column, line.column_left, line.column_right) = (column, left, right);
        }
    }
}

/// Runs grouped by baseline, top to bottom, each row left to right. Runs of one baseline can
/// differ by a fraction of a point, so a run joins the row whose baseline is within a third
/// of its type size.
fn rows_of(page: &Page) -> Vec<Row<'_>> {
    let mut runs: Vec<&Run> = page
        .runs
        .iter()
        .filter(|run| !run.text.trim().is_empty() && run.size > 0.0)
        .collect();
    runs.sort_by(|a, b| {
        a.bottom
            .total_cmp(&b.bottom)
            .then(a.left.total_cmp(&b.left))
    });
    let mut rows: Vec<Row> = Vec::new();
    for run in runs {
        match rows.last_mut() {
            Some(row) if (row[0].bottom - run.bottom).abs() < row[0].size.min(run.size) * 0.3 => {
                row.push(run)
            }
            _ => rows.push(vec![run]),
        }
    }
    for row in &mut rows {
        row.sort_by(|a, b| a.left.total_cmp(&b.left));
    }
    rows
}

/// One row's runs as a line of text: a space where the gap between two runs is wider than a
/// thin space and neither brings its own.
fn line_of(row: &[&Run], page: usize) -> Option<Line> {
    let first = row.first()?;
    let mut line = Line {
        text: String::new(),
        left: first.left,
        right: first.right,
        top: first.top,
        bottom: first.bottom,
        size: first.size,
        page,
        column: 0,
        column_left: 0.0,
        column_right: 0.0,
    };
    for run in row {
        let gap = run.left - line.right;
        if !line.text.is_empty()
            && gap > 0.15 * run.size
            && !line.text.ends_with(char::is_whitespace)
            && !run.text.starts_with(char::is_whitespace)
        {
            line.text.push(' ');
        }
        line.text.push_str(&run.text);
        line.right = line.right.max(run.right);
        line.top = line.top.min(run.top);
        line.bottom = line.bottom.max(run.bottom);
        line.size = line.size.max(run.size);
    }
    line.text = collapse_whitespace(&line.text)
        .chars()
        .flat_map(expand_ligature)
        .collect();
    (!line.text.is_empty()).then_some(line)
}

/// Typographic ligatures (U+FB00–FB06) as the letters they join: fonts set "ﬁrst" as one
/// glyph, and readers (and snippets) expect "first".
fn expand_ligature(c: char) -> std::iter::Take<std::array::IntoIter<char, 3>> {
    let (letters, len) = match c {
        '\u{FB00}' => (['f', 'f', ' '], 2),
        '\u{FB01}' => (['f', 'i', ' '], 2),
        '\u{FB02}' => (['f', 'l', ' '], 2),
        '\u{FB03}' => (['f', 'f', 'i'], 3),
        '\u{FB04}' => (['f', 'f', 'l'], 3),
        '\u{FB05}' | '\u{FB06}' => (['s', 't', ' '], 2),
        _ => ([c, ' ', ' '], 1),
    };
    letters.into_iter().take(len)
}

/// A gutter between two columns in the span `left..right`: a vertical white band, wider than
/// any word space, in the middle of the span, and the stretches of consecutive rows that leave
/// it free with text on both sides (at least three rows on each). A title, an abstract or a
/// figure across the page ends a stretch. The gutter chosen is the one free in most rows of
/// such stretches.
fn find_gutter(
    rows: &[Row],
    left: f32,
    right: f32,
    em: f32,
) -> Option<(f32, Vec<std::ops::Range<usize>>)> {
    if rows.len() < 6 {
        return None;
    }
    let half = GUTTER_HALF_EMS * em;
    let width = right - left;
    let (low, high) = (left + width * 0.3, left + width * 0.7);
    let mut best: Option<(usize, f32, Vec<std::ops::Range<usize>>)> = None;
    let mut x = low;
    while x <= high {
        let mut stretches = Vec::new();
        let mut covered = 0;
        let mut start = 0;
        let (mut on_left, mut on_right) = (0, 0);
        for (i, row) in rows.iter().enumerate().chain([(rows.len(), &Vec::new())]) {
            let free = i < rows.len()
                && row
                    .iter()
                    .all(|run| run.right <= x - half || run.left >= x + half);
            if free {
                on_left += usize::from(row.iter().any(|run| run.right <= x));
                on_right += usize::from(row.iter().any(|run| run.left >= x));
                continue;
            }
            if on_left >= 3 && on_right >= 3 {
                covered += i - start;
                stretches.push(start..i);
            }
            (start, on_left, on_right) = (i + 1, 0, 0);
        }
        if covered > 0 && best.as_ref().is_none_or(|(most, _, _)| covered > *most) {
            best = Some((covered, x, stretches));
        }
        x += 1.0;
    }
    best.map(|(_, x, stretches)| (x, stretches))
}

/// Drops running headers and footers and page numbers: lines in the top or bottom margin
/// whose text, digits aside, recurs in that margin on at least half the pages (two at least),
/// and margin lines that are only a page number.
fn drop_running_lines(pages: &[Page], lines: &mut [Vec<Line>]) {
    let in_margin = |line: &Line| {
        let height = pages[line.page].height;
        line.bottom < height * MARGIN_SHARE || line.top > height * (1.0 - MARGIN_SHARE)
    };
    let mut pages_with: FxHashMap<String, FxHashSet<usize>> = FxHashMap::default();
    for line in lines.iter().flatten().filter(|line| in_margin(line)) {
        pages_with
            .entry(running_key(&line.text))
            .or_default()
            .insert(line.page);
    }
    let threshold = (pages.len().div_ceil(2)).max(2);
    for page in lines.iter_mut() {
        page.retain(|line| {
            !in_margin(line)
                || !(is_page_number(&line.text)
                    || pages_with[&running_key(&line.text)].len() >= threshold)
        });
    }
}

/// A line's text with its digits made alike, so "Page 3 of 12" and "Page 4 of 12" match.
fn running_key(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                '#'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// "7", "- 7 -", "Page 7", "7/12", "7 of 12", "vii".
fn is_page_number(text: &str) -> bool {
    let lower = text
        .trim()
        .trim_matches(|c| c == '-' || c == '–' || c == ' ')
        .to_lowercase();
    let rest = lower.strip_prefix("page").unwrap_or(&lower).trim();
    let numbers: Vec<&str> = rest
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|part| !part.is_empty() && *part != "of")
        .collect();
    let roman = |part: &str| part.len() <= 6 && part.chars().all(|c| "ivxlc".contains(c));
    !numbers.is_empty()
        && numbers.len() <= 2
        && numbers
            .iter()
            .all(|part| part.chars().all(|c| c.is_ascii_digit()) || roman(part))
}

/// The text of the largest type on a page (consecutive lines of it joined), if it is larger
/// than the page's body text.
fn largest_text(lines: &[Line]) -> Option<String> {
    let body = most_common_size(lines.iter().map(|l| (l.size, l.text.len())))?;
    let largest = lines.iter().map(|l| l.size).fold(0.0, f32::max);
    if largest < body * 1.15 {
        return None;
    }
    let title: Vec<&str> = lines
        .iter()
        .skip_while(|l| l.size < largest * 0.95)
        .take_while(|l| l.size >= largest * 0.95)
        .map(|l| l.text.as_str())
        .collect();
    Some(title.join(" "))
}

/// The most common type size among pieces of text, counted in characters.
fn most_common_size(sized: impl Iterator<Item = (f32, usize)>) -> Option<f32> {
    let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
    for (size, characters) in sized {
        *counts.entry((size * 10.0).round() as u32).or_default() += characters;
    }
    counts
        .into_iter()
        .max_by_key(|&(size, count)| (count, size))
        .map(|(size, _)| size as f32 / 10.0)
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', ']', '*'])
        .ends_with(['.', '!', '?', ':', '…'])
}

fn starts_lowercase(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

fn join_paragraphs(lines: &[Line]) -> Vec<String> {
    let spacing = line_spacing(lines);
    let hyphens = HyphenEvidence::of(lines);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        let starts_paragraph = match i.checked_sub(1).map(|p| &lines[p]) {
            None => true,
            Some(previous) => starts_paragraph(previous, line, spacing),
        };
        if starts_paragraph || !open {
            paragraphs.push(line.text.clone());
        } else {
            let paragraph = paragraphs.last_mut().expect("an open paragraph");
            join_line(paragraph, &line.text, &hyphens);
        }
        open = true;
    }
    paragraphs
        .into_iter()
        .map(|p| p.replace('\u{AD}', ""))
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// The usual distance between the baselines of two lines of one column, in ems of their type:
/// leading scales with type size, so one ratio serves body text and headings alike.
fn line_spacing(lines: &[Line]) -> f32 {
    let mut steps: Vec<f32> = lines
        .windows(2)
        .filter(|w| w[0].page == w[1].page && w[0].column == w[1].column)
        .filter(|w| (w[0].size - w[1].size).abs() < 0.5)
        .map(|w| (w[1].middle() - w[0].middle()) / w[1].size)
        .filter(|step| *step > 0.0)
        .collect();
    if steps.is_empty() {
        return 1.2;
    }
    steps.sort_by(f32::total_cmp);
    steps[steps.len() / 2]
}

fn starts_paragraph(previous: &Line, line: &Line, spacing: f32) -> bool {
    let same_size = (previous.size - line.size).abs() <= previous.size.min(line.size) * 0.08;
    if previous.page != line.page || previous.column != line.column {
        // The foot of a column or page: a sentence left open runs on.
        return !same_size || (ends_sentence(&previous.text) && !starts_lowercase(&line.text));
    }
    if !same_size {
        return true;
    }
    let step = (line.middle() - previous.middle()) / line.size;
    if step > spacing * 1.35 || step < 0.0 {
        return true;
    }
    let em = line.size;
    let indented =
        line.left > previous.left + em && previous.left < previous.column_left + em * 0.5;
    if indented && !starts_lowercase(&line.text) {
        return true;
    }
    let width = (line.column_right - line.column_left).max(em);
    let short = previous.right < line.column_right - width * 0.2;
    short && ends_sentence(&previous.text) && !starts_lowercase(&line.text)
}

/// What the document itself says about the hyphens at its line ends.
struct HyphenEvidence {
    /// Words it writes with a hyphen inside a line ("settler-colonial"), lower-cased: when one
    /// of them is broken at its hyphen at a line end, the hyphen stays.
    hyphenated: FxHashSet<String>,
    /// Whether it marks the breaks its typesetter made with a soft hyphen (U+00AD), as
    /// browsers do: then a plain hyphen at a line end is always the word's own.
    marks_breaks: bool,
}

impl HyphenEvidence {
    fn of(lines: &[Line]) -> HyphenEvidence {
        let mut hyphenated = FxHashSet::default();
        let mut marks_breaks = false;
        for line in lines {
            let inner = line.text.trim_end_matches(is_hyphen);
            marks_breaks |= inner.ends_with('\u{AD}');
            for word in inner.split_whitespace() {
                let word = word.trim_matches(|c: char| !c.is_alphanumeric());
                if word.chars().any(is_hyphen) {
                    hyphenated.insert(word.replace('\u{AD}', "").to_lowercase());
                }
            }
        }
        HyphenEvidence {
            hyphenated,
            marks_breaks,
        }
    }
}

/// Appends the next line of a paragraph, joining a word broken at the line end.
fn join_line(paragraph: &mut String, next: &str, hyphens: &HyphenEvidence) {
    if paragraph.ends_with('\u{AD}') {
        paragraph.pop();
        paragraph.push_str(next);
        return;
    }
    // A hyphen drawn at a soft hyphen (U+00AD) is a break the typesetter made: always joined.
    if let Some(stem) = paragraph.strip_suffix(is_hyphen) {
        if stem.ends_with('\u{AD}') {
            paragraph.truncate(stem.len());
            paragraph.pop();
            paragraph.push_str(next);
            return;
        }
    }
    let stem = match paragraph.strip_suffix(is_hyphen) {
        Some(stem) if !stem.ends_with(char::is_whitespace) && !stem.is_empty() => stem,
        _ => {
            paragraph.push(' ');
            paragraph.push_str(next);
            return;
        }
    };
    let first_part = stem
        .rsplit(|c: char| c.is_whitespace() || is_hyphen(c))
        .next()
        .unwrap_or("");
    let second_part = next
        .split(|c: char| c.is_whitespace() || is_hyphen(c))
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| !c.is_alphanumeric());
    let broken_word =
        first_part.chars().last().is_some_and(char::is_alphabetic) && starts_lowercase(second_part);
    let compound = format!("{first_part}-{second_part}").to_lowercase();
    let keeps_hyphen = !broken_word
        || hyphens.marks_breaks
        || hyphens.hyphenated.contains(&compound)
        || ARABIC_NAME_PARTICLES.contains(&first_part.to_lowercase().as_str());
    if !keeps_hyphen {
        paragraph.pop();
    }
    paragraph.push_str(next);
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
