//! How fast sitrep reads saved pages, PDF reports and Word files, in process, beside poppler's
//! `pdftotext` on the same PDFs (time and word agreement).
//!
//! ```text
//! cargo bench --bench reading -- [--pages DIR] [--pdfs DIR] [--docx DIR] [--runs N]
//! ```
//!
//! Defaults: the saved pages of `../shared/data/readability-test-pages` and the PDFs and Word
//! file of `tests/fixtures/formats`. Each file is read from disk once, then parsed `--runs`
//! times (default 5); its time is the median run. `pdftotext` runs as a process per file, as a
//! user would run it, its time also the median of `--runs`. Word agreement: the words of
//! sitrep's paragraphs against the words of `pdftotext -enc UTF-8`, as multisets (F1 per file,
//! averaged), with hyphens removed first, since `pdftotext` joins "able-" / "bodied" into
//! "ablebodied" where sitrep keeps the written hyphen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use sitrep::corpus::parse_file;

struct Options {
    pages: Option<PathBuf>,
    pdfs: Option<PathBuf>,
    docx: Option<PathBuf>,
    runs: usize,
}

fn options() -> Options {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared_pages = root.join("../shared/data/readability-test-pages");
    let fixtures = root.join("tests/fixtures/formats");
    let mut options = Options {
        pages: shared_pages.is_dir().then_some(shared_pages),
        pdfs: Some(fixtures.clone()),
        docx: Some(fixtures),
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pages" => options.pages = args.next().map(PathBuf::from),
            "--pdfs" => options.pdfs = args.next().map(PathBuf::from),
            "--docx" => options.docx = args.next().map(PathBuf::from),
            "--runs" => options.runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(5),
            _ => {} // cargo bench passes --bench
        }
    }
    options
}

/// Files with one of the extensions under a folder; in a folder of Readability's test pages,
/// its own extractions (`expected.html`) are not saved pages and are left out.
fn files_with(folder: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(folder)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| entry.into_path())
        .filter(|path| path.file_name().is_some_and(|name| name != "expected.html"))
        .filter(|path| {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    files
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * share).round() as usize]
}

/// One file read by sitrep: its median parse time and the words of what it read.
struct Read {
    bytes: usize,
    time: Duration,
    words: Option<Vec<String>>,
}

fn read_file(path: &Path, runs: usize) -> Read {
    let bytes = std::fs::read(path).unwrap();
    let name = path.to_string_lossy();
    let mut times = Vec::with_capacity(runs);
    let mut parsed = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let result = parse_file(&name, &bytes);
        times.push(started.elapsed());
        parsed = Some(result);
    }
    let parsed = parsed.unwrap();
    let words = (!parsed.articles.is_empty()).then(|| {
        parsed
            .articles
            .iter()
            .flat_map(|a| a.paragraphs.iter())
            .flat_map(|p| words_of(p))
            .collect()
    });
    Read {
        bytes: bytes.len(),
        time: median(times),
        words,
    }
}

fn words_of(text: &str) -> Vec<String> {
    text.replace(['-', '\u{2010}', '\u{AD}'], "")
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn f1(ours: &[String], theirs: &[String]) -> f64 {
    let mut counts: FxHashMap<&str, i64> = FxHashMap::default();
    for word in theirs {
        *counts.entry(word).or_default() += 1;
    }
    let mut common = 0;
    for word in ours {
        if let Some(count) = counts.get_mut(word.as_str()) {
            if *count > 0 {
                *count -= 1;
                common += 1;
            }
        }
    }
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / ours.len() as f64;
    let recall = common as f64 / theirs.len() as f64;
    2.0 * precision * recall / (precision + recall)
}

/// Reads every file, prints the speed table row, and returns what was read.
fn report(label: &str, files: &[PathBuf], runs: usize) -> Vec<Read> {
    let reads: Vec<Read> = files.iter().map(|f| read_file(f, runs)).collect();
    if reads.is_empty() {
        println!("{label}: no files");
        return reads;
    }
    let mut times: Vec<Duration> = reads.iter().map(|r| r.time).collect();
    times.sort();
    let total: Duration = times.iter().sum();
    let bytes: usize = reads.iter().map(|r| r.bytes).sum();
    let refused = reads.iter().filter(|r| r.words.is_none()).count();
    println!(
        "{label:<6} {:>5} files {:>8.1} MB  median {:>7.2} ms  p95 {:>7.2} ms  {:>7.1} files/s  {:>6.1} MB/s  refused {refused}",
        reads.len(),
        bytes as f64 / 1e6,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        reads.len() as f64 / total.as_secs_f64(),
        bytes as f64 / 1e6 / total.as_secs_f64(),
    );
    reads
}

/// `pdftotext` on each readable PDF: its median time and words.
fn compare_with_pdftotext(files: &[PathBuf], reads: &[Read], runs: usize) {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("pdftotext: not installed (apt-get install poppler-utils); no comparison");
        return;
    }
    let (mut ours, mut theirs, mut scores) = (Duration::ZERO, Duration::ZERO, Vec::new());
    for (path, read) in files.iter().zip(reads) {
        let Some(words) = &read.words else { continue };
        let mut times = Vec::new();
        let mut text = Vec::new();
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let output = Command::new("pdftotext")
                .args(["-enc", "UTF-8"])
                .arg(path)
                .arg("-")
                .output()
                .unwrap();
            times.push(started.elapsed());
            text = output.stdout;
        }
        ours += read.time;
        theirs += median(times);
        let score = f1(words, &words_of(&String::from_utf8_lossy(&text)));
        println!(
            "  {:<40} word F1 {score:.3}",
            path.file_name().unwrap().to_string_lossy()
        );
        scores.push(score);
    }
    if scores.is_empty() {
        return;
    }
    println!(
        "pdftotext: {:.1} ms for {} PDFs, sitrep {:.1} ms: {:.2}x its time; word F1 against it {:.3} (mean of files)",
        theirs.as_secs_f64() * 1e3,
        scores.len(),
        ours.as_secs_f64() * 1e3,
        ours.as_secs_f64() / theirs.as_secs_f64(),
        scores.iter().sum::<f64>() / scores.len() as f64,
    );
}

fn main() {
    let options = options();
    if let Some(folder) = &options.pages {
        report(
            "pages",
            &files_with(folder, &["html", "htm", "xhtml"]),
            options.runs,
        );
    }
    if let Some(folder) = &options.pdfs {
        let files = files_with(folder, &["pdf"]);
        let reads = report("pdf", &files, options.runs);
        compare_with_pdftotext(&files, &reads, options.runs);
    }
    if let Some(folder) = &options.docx {
        report("docx", &files_with(folder, &["docx"]), options.runs);
    }
}
