//! The shape of the source tree, checked so it stays as the README's Architecture section
//! draws it: no import circle between the library's modules, no file over 600 lines, a thin
//! binary, and one definition of each text rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
    let mut found = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            top_level_items(&group[..end])
        } else {
            vec![rest]
        };
        for name in names {
            let ident: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&ident) {
                found.insert(ident);
            }
        }
    }
    found
}

/// The comma-separated items of a brace group, not descending into nested groups.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
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

#[test]
fn each_text_rule_is_defined_once() {
    for rule in ["fn is_apostrophe(", "fn is_hyphen(", "NAME_PARTICLES: ["] {
        let defined_in: Vec<String> = rust_files(&src())
            .into_iter()
            .filter(|file| std::fs::read_to_string(file).unwrap().contains(rule))
            .map(|file| file.display().to_string())
            .collect();
        assert_eq!(defined_in.len(), 1, "{rule} defined in {defined_in:?}");
    }
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
