//! The shape of the source tree, checked so it stays as the README's Architecture section
//! draws it: no import circle between the library's modules (at the top level and among the
//! submodules of each folder) nor between the binary's, no file over 600 lines, a thin binary,
//! and one definition of each text rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sitrep::analysis::{is_apostrophe, is_dash, is_hyphen, ARABIC_NAME_PARTICLES};

#[path = "layout/rust_source.rs"]
mod rust_source;

use rust_source::{lex, path_starts, paths_at, Crate};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The library's top-level modules, as `src/lib.rs` declares them.
fn library_modules() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|line| {
            let line = line.trim();
            let name = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))?;
            Some(name.trim_end_matches(';').to_string())
        })
        .collect()
}

/// The top-level module a file of `src/` belongs to.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// Every top-level module a piece of source names through `crate::`, including those inside
/// grouped imports (`use crate::{a::X, b};`).
fn crate_references(source: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    path_starts(source)
        .filter(|&(_, first)| first == "crate")
        .flat_map(|(at, _)| paths_at(source, at))
        .filter_map(|path| path.get(1).filter(|name| modules.contains(*name)).cloned())
        .collect()
}

fn library_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = library_modules();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let module = module_of(&file);
        if !modules.contains(&module) {
            continue; // the binary's own modules
        }
        let source = std::fs::read_to_string(&file).unwrap();
        let uses = graph.entry(module.clone()).or_default();
        uses.extend(crate_references(&source, &modules));
        uses.remove(&module);
    }
    graph
}

/// A cycle in the graph, as the path that closes it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// Every circle of the graph, each cut at its closing edge once found, so that one failing
/// run names them all.
fn all_cycles(mut graph: BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut cycles = Vec::new();
    while let Some(cycle) = find_cycle(&graph) {
        let (from, to) = (&cycle[cycle.len() - 2], &cycle[cycle.len() - 1]);
        graph.get_mut(from).unwrap().remove(to);
        cycles.push(cycle.join(" -> "));
    }
    cycles
}

#[test]
fn the_cycle_finder_finds_cycles_and_grouped_imports() {
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let source = "use crate::{a::X, b::{self, Y}};\nfn f() { crate::c::g() }";
    assert_eq!(crate_references(source, &modules), modules);
    let edges = |pairs: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in pairs {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
        }
        graph
    };
    assert_eq!(find_cycle(&edges(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
    assert_eq!(
        all_cycles(edges(&[("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")])),
        ["a -> b -> a", "c -> d -> c"]
    );
}

#[test]
fn no_import_circle_between_library_modules() {
    let graph = library_graph();
    assert!(graph.len() > 10, "found only {:?}", graph.keys());
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle: {}", cycle.join(" -> "));
    }
}

#[test]
fn no_import_circle_between_library_modules_at_any_depth() {
    let library = Crate::read(&src().join("lib.rs"));
    for module in ["entities::article", "corpus::pdf::layout::tests"] {
        assert!(library.files.contains_key(module), "no {module}");
    }
    let graph = library.graph();
    assert!(graph["entities::mentions"].contains("entities::article"));
    let cycles = all_cycles(graph);
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

#[test]
fn no_import_circle_between_the_binary_modules() {
    let graph = Crate::read(&src().join("main.rs")).graph();
    assert!(
        graph.contains_key("progress"),
        "found only {:?}",
        graph.keys()
    );
    let cycles = all_cycles(graph);
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

#[test]
fn no_source_file_over_600_lines_and_a_thin_main() {
    let too_long: Vec<String> = rust_files(&src())
        .into_iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            (lines > 600).then(|| format!("{} ({lines})", file.display()))
        })
        .collect();
    assert!(too_long.is_empty(), "over 600 lines: {too_long:?}");
    let main = std::fs::read_to_string(src().join("main.rs")).unwrap();
    assert!(
        main.lines().count() <= 150,
        "main.rs has {}",
        main.lines().count()
    );
}

/// The char and string literals that sit together on one line or in one bracketed list
/// (`[…]`) of a file, where a character set or a word list is written out.
struct Literals {
    line: usize,
    chars: Vec<char>,
    strings: Vec<String>,
}

fn literal_groups(source: &str) -> Vec<Literals> {
    let lexed = lex(source);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let line_of = |at: usize| line_starts.partition_point(|&start| start <= at);
    let line_ends = line_starts[1..].iter().copied().chain([source.len()]);
    let mut spans: Vec<std::ops::Range<usize>> = line_starts
        .iter()
        .zip(line_ends)
        .map(|(&start, end)| start..end)
        .collect();
    let mut open = Vec::new();
    for (at, b) in lexed.code.bytes().enumerate() {
        match b {
            b'[' => open.push(at),
            b']' => spans.extend(open.pop().map(|start| start..at)),
            _ => {}
        }
    }
    spans
        .into_iter()
        .map(|span| Literals {
            line: line_of(span.start),
            chars: lexed
                .chars
                .iter()
                .filter(|(at, _)| span.contains(at))
                .map(|&(_, c)| c)
                .collect(),
            strings: lexed
                .strings
                .iter()
                .filter(|(at, _)| span.contains(at))
                .map(|(_, s)| s.clone())
                .collect(),
        })
        .collect()
}

/// The shared text rule a group of literals writes out again, if any: two or more char
/// literals of the non-ASCII apostrophes, or of the hyphens and dashes, that `analysis`
/// defines; one such apostrophe outside a list of quotation marks (where ’ closes a quote); a
/// list most of whose strings, two or more, are name particles ("bin", " al-").
/// Transliteration tables, which list a particle's spellings ("bin", "ben", "ibn", "bn",
/// "ibni"), are mostly not particles, and a single "abu" among other words is data.
fn rule_written_out(group: &Literals) -> Option<&'static str> {
    let distinct = |rule: fn(char) -> bool| {
        let found: BTreeSet<char> = group
            .chars
            .iter()
            .copied()
            .filter(|&c| !c.is_ascii() && rule(c))
            .collect();
        found.len()
    };
    let apostrophes = distinct(is_apostrophe);
    let quotes = group
        .chars
        .iter()
        .any(|c| ['"', '“', '”', '„', '«', '»'].contains(c));
    let particles = group
        .strings
        .iter()
        .filter(|s| ARABIC_NAME_PARTICLES.contains(&s.trim_matches(|c| c == ' ' || is_hyphen(c))))
        .count();
    if apostrophes >= 2 || (apostrophes == 1 && !quotes) {
        Some("an apostrophe set (analysis::is_apostrophe)")
    } else if distinct(|c| is_hyphen(c) || is_dash(c)) >= 2 {
        Some("a dash list (analysis::is_hyphen, analysis::is_dash)")
    } else if particles >= 2 && particles * 2 > group.strings.len() {
        Some("a list of name particles (analysis::ARABIC_NAME_PARTICLES)")
    } else {
        None
    }
}

#[test]
fn the_copy_finder_tells_copied_rules_from_other_lists() {
    let copies = |source: &str| -> Vec<(usize, &str)> {
        let found: BTreeSet<_> = literal_groups(source)
            .iter()
            .filter_map(|group| Some((group.line, rule_written_out(group)?)))
            .collect();
        found.into_iter().collect()
    };
    // The copies this check was written for, as they stood.
    let fold = "match c {\n    '\\u{2018}' | '\\u{2019}' | '\\u{02bc}' => '\\'',\n    \
                '\\u{2010}' | '\\u{2011}' | '\\u{2013}' | '\\u{2014}' => '-',\n}";
    assert_eq!(
        copies(fold),
        [
            (2, "an apostrophe set (analysis::is_apostrophe)"),
            (3, "a dash list (analysis::is_hyphen, analysis::is_dash)")
        ]
    );
    let display = "written.replace(['’', '‘', 'ʼ'], \"'\")";
    assert_eq!(copies(display).len(), 1);
    let particles = "for particle in [\n    \" al-\",\n    \" bin \",\n    \" Al-\",\n] {}";
    assert_eq!(
        copies(particles),
        [(
            1,
            "a list of name particles (analysis::ARABIC_NAME_PARTICLES)"
        )]
    );
    assert_eq!(copies("if c == '’' {}").len(), 1);
    assert_eq!(copies("matches!(word, \"bin\" | \"ibn\")").len(), 1);
    // Other rules and data that hold some of the same characters and words.
    for other in [
        "text.trim_end_matches(['\"', '\\'', '”', '’', ')'])",
        "text.trim_matches(|c| c == '-' || c == '–')",
        "const BIN: [&str; 5] = [\"bin\", \"ben\", \"ibn\", \"bn\", \"ibni\"];",
        "let keys = [\"abu\", \"baghdad\", \"basra\"];",
        "let words = [\"Muqtada\", \"al\", \"Sadr\", \"Abu\", \"Mahdi\", \"al\", \"Muhandis\"];",
        "// '’' | 'ʼ' in a comment, \"Kata’ib and Hayʼat\" in a string",
        "fn f<'a>(x: &'a str) -> &'a str { x }",
    ] {
        assert_eq!(copies(other), [], "{other}");
    }
}

#[test]
fn each_text_rule_is_defined_once() {
    for rule in [
        "fn is_apostrophe(",
        "fn is_hyphen(",
        "fn is_dash(",
        "fn is_word_char(",
        "NAME_PARTICLES: [",
    ] {
        let defined_in: Vec<String> = rust_files(&src())
            .into_iter()
            .filter(|file| std::fs::read_to_string(file).unwrap().contains(rule))
            .map(|file| file.display().to_string())
            .collect();
        assert_eq!(defined_in.len(), 1, "{rule} defined in {defined_in:?}");
    }
    // ... and written out nowhere else, as character sets or word lists.
    let mut copies = BTreeSet::new();
    for file in rust_files(&src()) {
        if file.starts_with(src().join("analysis")) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for group in literal_groups(&source) {
            if let Some(rule) = rule_written_out(&group) {
                copies.insert(format!("{}:{}: {rule}", file.display(), group.line));
            }
        }
    }
    assert!(
        copies.is_empty(),
        "text rules written out again instead of asked of analysis:\n{}",
        copies.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_library_neither_reads_the_environment_nor_prints() {
    for file in rust_files(&src()) {
        if !library_modules().contains(&module_of(&file)) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for banned in ["std::env::var", "println!", "eprintln!", "mallopt"] {
            assert!(!source.contains(banned), "{} uses {banned}", file.display());
        }
    }
}

#[test]
fn public_library_functions_return_the_library_error() {
    for file in rust_files(&src()) {
        if !library_modules().contains(&module_of(&file)) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (n, line) in source.lines().enumerate() {
            let public = line.trim_start().starts_with("pub fn")
                || line.trim_start().starts_with("pub async fn");
            let foreign = line.contains("anyhow::Result") || line.contains(", String>");
            assert!(
                !(public && foreign),
                "{}:{}: {}",
                file.display(),
                n + 1,
                line.trim()
            );
        }
    }
}
