//! Reading Rust source just far enough for `tests/layout.rs` to follow a crate's modules and
//! the paths between them: comments, strings and char literals told from code, `mod`
//! declarations (`#[path]` too), inline modules, `use` trees, and `crate::`, `super::` and
//! `self::` paths resolved through the names each module imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A source file with its comments, strings and char literals blanked out byte for byte (so
/// offsets and lines stay where they were), and those literals with their offsets.
pub struct Lexed {
    pub code: String,
    pub chars: Vec<(usize, char)>,
    pub strings: Vec<(usize, String)>,
}

pub fn lex(source: &str) -> Lexed {
    let bytes = source.as_bytes();
    let mut code = bytes.to_vec();
    let (mut chars, mut strings) = (Vec::new(), Vec::new());
    let mut at = 0;
    while at < bytes.len() {
        let end = if bytes[at..].starts_with(b"//") {
            bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| at + n)
        } else if bytes[at..].starts_with(b"/*") {
            block_comment_end(bytes, at)
        } else if let Some((content, end)) = string_literal_at(source, at) {
            strings.push((at, content));
            end
        } else if let Some((c, end)) = char_literal_at(source, at) {
            chars.push((at, c));
            end
        } else {
            at += 1;
            continue;
        };
        for b in &mut code[at..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        at = end;
    }
    let code = String::from_utf8(code).expect("whole characters were blanked");
    Lexed {
        code,
        chars,
        strings,
    }
}

fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let (mut depth, mut at) = (0, start);
    while at < bytes.len() {
        if bytes[at..].starts_with(b"/*") {
            depth += 1;
            at += 2;
        } else if bytes[at..].starts_with(b"*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    bytes.len()
}

/// The string literal (`"…"`, `b"…"`, `r#"…"#`) starting at byte `at`, if one does: its
/// content, escapes left as written, and where it ends.
fn string_literal_at(source: &str, at: usize) -> Option<(String, usize)> {
    let bytes = source.as_bytes();
    let starts_token = at == 0 || !is_ident_byte(bytes[at - 1]);
    let mut open = at;
    if starts_token && matches!(bytes[open], b'b' | b'c') {
        open += 1;
    }
    let raw = starts_token && bytes.get(open) == Some(&b'r');
    let hashes = match raw {
        true => bytes[open + 1..].iter().take_while(|&&b| b == b'#').count(),
        false => 0,
    };
    if raw {
        open += 1 + hashes;
    }
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let content = open + 1;
    let (close, end) = if raw {
        let closing = format!("\"{}", "#".repeat(hashes));
        let close = content + source[content..].find(&closing)?;
        (close, close + closing.len())
    } else {
        let mut close = content;
        while close < bytes.len() && bytes[close] != b'"' {
            close += if bytes[close] == b'\\' { 2 } else { 1 };
        }
        (close.min(bytes.len()), (close + 1).min(bytes.len()))
    };
    Some((source.get(content..close)?.to_string(), end))
}

/// The char literal (`'x'`, `'\''`, `'\u{2019}'`) starting at byte `at`, if one does rather
/// than a lifetime or a label: the character and where the literal ends.
fn char_literal_at(source: &str, at: usize) -> Option<(char, usize)> {
    if source.as_bytes()[at] != b'\'' {
        return None;
    }
    let rest = &source[at + 1..];
    let (c, len) = match rest.strip_prefix('\\') {
        Some(escaped) => {
            if let Some(hex) = escaped.strip_prefix("u{") {
                let close = hex.find('}')?;
                let code = u32::from_str_radix(&hex[..close], 16).ok()?;
                (char::from_u32(code)?, "\\u{".len() + close + 1)
            } else if let Some(hex) = escaped.strip_prefix('x') {
                (u8::from_str_radix(hex.get(..2)?, 16).ok()? as char, 4)
            } else {
                let c = match escaped.chars().next()? {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    c => c,
                };
                (c, 1 + c.len_utf8())
            }
        }
        None => {
            let c = rest.chars().next()?;
            (c, c.len_utf8())
        }
    };
    rest[len..]
        .starts_with('\'')
        .then_some((c, at + 1 + len + 1))
}

/// Where paths start in `text` with `crate`, `super` or `self` (`$crate` in macros too), and
/// that first word.
pub fn path_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    ["crate::", "super::", "self::"]
        .into_iter()
        .flat_map(move |start| text.match_indices(start))
        .filter(move |&(at, _)| at == 0 || !(is_ident_byte(bytes[at - 1]) || bytes[at - 1] == b':'))
        .map(|(at, start)| (at, start.trim_end_matches(':')))
}

/// The paths a path or `use` tree at byte `at` names, each as its words: `a::{b, c::{self, D}}`
/// names `a::b`, `a::c` and `a::c::D`.
pub fn paths_at(text: &str, at: usize) -> Vec<Vec<String>> {
    named_paths_at(text, at)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// [`paths_at`] with the name each path is imported under (its last word, or what `as` gives).
fn named_paths_at(text: &str, at: usize) -> Vec<(Vec<String>, String)> {
    fn tree(rest: &mut &str, mut path: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
        loop {
            *rest = rest.trim_start();
            if let Some(group) = rest.strip_prefix('{') {
                *rest = group;
                loop {
                    *rest = rest.trim_start();
                    if let Some(after) = rest.strip_prefix('}') {
                        *rest = after;
                        return;
                    }
                    if rest.is_empty() {
                        return;
                    }
                    tree(rest, path.clone(), out);
                    *rest = rest.trim_start();
                    *rest = rest.strip_prefix(',').unwrap_or(rest);
                }
            }
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*' || c == '$'))
                .unwrap_or(rest.len());
            if len == 0 {
                break;
            }
            let word = &rest[..len];
            *rest = &rest[len..];
            // `{self, …}` names the path so far; a leading `self::` is resolved later.
            if word != "self" || path.is_empty() {
                path.push(word.trim_start_matches('$').to_string());
            }
            match rest.strip_prefix("::") {
                Some(after) => *rest = after,
                None => break,
            }
        }
        let mut name = path.last().cloned().unwrap_or_default();
        if let Some(alias) = rest.trim_start().strip_prefix("as ") {
            let alias = alias.trim_start();
            let len = alias
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(alias.len());
            name = alias[..len].to_string();
            *rest = &alias[len..];
        }
        out.push((path, name));
    }
    let mut out = Vec::new();
    tree(&mut &text[at..], Vec::new(), &mut out);
    out
}

/// `path` made absolute from inside module `base` (both as their words): `crate` is the
/// root, `self` is `base`, each `super` one step up.
fn absolute(path: &[String], base: &[String]) -> Option<Vec<String>> {
    let mut out = base.to_vec();
    let mut words = path.iter().peekable();
    match words.peek().map(|w| w.as_str()) {
        Some("crate") => {
            out.clear();
            words.next();
        }
        Some("self") => {
            words.next();
        }
        _ => {}
    }
    while words.peek().is_some_and(|w| *w == "super") {
        out.pop()?;
        words.next();
    }
    out.extend(words.cloned());
    Some(out)
}

fn words_of(module: &str) -> Vec<String> {
    module
        .split("::")
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// What a file's code declares: the modules it loads from files (`mod x;`, with a
/// `#[path]` if it has one), its inline modules (`mod tests { … }`) with their byte ranges,
/// and where its top-level `use` declarations start.
#[derive(Default)]
struct Outline {
    file_modules: Vec<(String, Option<String>)>,
    inline_modules: Vec<(String, std::ops::Range<usize>)>,
    uses: Vec<usize>,
}

fn outline(source: &str, code: &str) -> Outline {
    let bytes = code.as_bytes();
    let mut outline = Outline::default();
    let mut open: Vec<(String, usize, usize)> = Vec::new(); // name, body start, depth inside
    let (mut depth, mut statement_start) = (0, 0);
    let word_at = |at: usize, word: &str| {
        code[at..].starts_with(word)
            && (at == 0 || !is_ident_byte(bytes[at - 1]))
            && bytes
                .get(at + word.len())
                .is_some_and(u8::is_ascii_whitespace)
    };
    for at in 0..bytes.len() {
        match bytes[at] {
            b'{' => depth += 1,
            b'}' => {
                if open.last().is_some_and(|&(_, _, inside)| inside == depth) {
                    let (name, start, _) = open.pop().unwrap();
                    outline.inline_modules.push((name, start..at));
                }
                depth -= 1;
            }
            _ => {}
        }
        if matches!(bytes[at], b'{' | b'}' | b';') {
            statement_start = at + 1;
        }
        if depth == 0 && word_at(at, "use") {
            outline.uses.push(at + "use".len());
        }
        if word_at(at, "mod") {
            let rest = code[at + 3..].trim_start();
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = rest[..len].to_string();
            let after = rest[len..].trim_start();
            if after.starts_with('{') {
                let body = code.len() - after.len();
                open.push((name, body, depth + 1));
            } else if after.starts_with(';') && depth == 0 {
                let attributes = &source[statement_start..at];
                let path = attributes
                    .split_once("#[path = \"")
                    .and_then(|(_, p)| p.split_once('"').map(|(p, _)| p.to_string()));
                outline.file_modules.push((name, path));
            }
        }
    }
    outline
}

/// One crate's modules, found by following its `mod` declarations from its root file: each
/// module's path (`entities::article`; the root's is empty) and file, and the names each
/// module imports, which its submodules may name through `super::` whether public or not.
#[derive(Default)]
pub struct Crate {
    pub files: BTreeMap<String, PathBuf>,
    imports: BTreeMap<(String, String), Vec<String>>,
}

impl Crate {
    pub fn read(root: &Path) -> Crate {
        let mut krate = Crate::default();
        let mut pending = vec![(String::new(), root.to_path_buf())];
        while let Some((module, file)) = pending.pop() {
            let source = std::fs::read_to_string(&file).unwrap();
            let dir = file.parent().unwrap();
            let owns_folder = file == root || file.file_name().is_some_and(|n| n == "mod.rs");
            let children = match owns_folder {
                true => dir.to_path_buf(),
                false => dir.join(file.file_stem().unwrap()),
            };
            for (name, path) in outline(&source, &lex(&source).code).file_modules {
                let child = match path {
                    Some(path) => dir.join(path),
                    None if children.join(format!("{name}.rs")).exists() => {
                        children.join(format!("{name}.rs"))
                    }
                    None => children.join(&name).join("mod.rs"),
                };
                pending.push((submodule(&module, &name), child));
            }
            krate.files.insert(module, file);
        }
        for (module, file) in krate.files.clone() {
            let source = std::fs::read_to_string(file).unwrap();
            let code = lex(&source).code;
            for at in outline(&source, &code).uses {
                // A glob names no one item; `use super::*` must not reach through it.
                for (path, name) in named_paths_at(&code, at)
                    .into_iter()
                    .filter(|(_, n)| n != "*")
                {
                    if let Some(target) = krate.absolute_in(&path, &module) {
                        krate.imports.insert((module.clone(), name), target);
                    }
                }
            }
        }
        krate
    }

    /// A path written in `module`, made absolute; `None` for another crate's (`std::`,
    /// `sitrep::` in the binary).
    fn absolute_in(&self, path: &[String], module: &str) -> Option<Vec<String>> {
        let first = path.first()?;
        let local = ["crate", "self", "super"].contains(&first.as_str())
            || self.files.contains_key(&submodule(module, first));
        local.then(|| absolute(path, &words_of(module))).flatten()
    }

    /// The module an absolute path ends in, looking through imports: `entities::EntityRef`
    /// ends in `entities::entity` when `entities` imports it from there.
    fn module_holding(&self, path: &[String]) -> String {
        let mut path = path.to_vec();
        let mut module = Vec::new();
        let mut hops = 0;
        while module.len() < path.len() {
            let word = path[module.len()].clone();
            let child = [module.clone(), vec![word.clone()]].concat();
            if self.files.contains_key(&join(&child)) {
                module = child;
                continue;
            }
            match self.imports.get(&(join(&module), word)) {
                Some(target) if hops < 16 => {
                    path = [target.clone(), path[module.len() + 1..].to_vec()].concat();
                    module.clear();
                    hops += 1;
                }
                _ => break,
            }
        }
        join(&module)
    }

    /// The modules a file of module `module` names through `crate::`, `super::` and `self::`
    /// in its code (not its comments), from its inline modules too.
    fn references(&self, source: &str, module: &str) -> BTreeSet<String> {
        let code = lex(source).code;
        let inline = outline(source, &code).inline_modules;
        let mut found = BTreeSet::new();
        for (at, _) in path_starts(&code) {
            let mut base = words_of(module);
            base.extend(
                inline
                    .iter()
                    .filter(|(_, body)| body.contains(&at))
                    .map(|(name, _)| name.clone()),
            );
            for path in paths_at(&code, at) {
                if let Some(path) = absolute(&path, &base) {
                    found.insert(self.module_holding(&path));
                }
            }
        }
        found
    }

    /// Which module uses which, among the submodules of each module: a reference from inside
    /// one to inside another links the two children of their closest common parent that hold
    /// them. A module and its own parts use each other freely.
    pub fn graph(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, file) in &self.files {
            let source = std::fs::read_to_string(file).unwrap();
            for target in self.references(&source, module) {
                if let Some((from, to)) = sibling_edge(module, &target) {
                    graph.entry(from).or_default().insert(to);
                }
            }
        }
        graph
    }
}

fn join(words: &[String]) -> String {
    words.join("::")
}

fn submodule(module: &str, name: &str) -> String {
    match module {
        "" => name.to_string(),
        _ => format!("{module}::{name}"),
    }
}

/// The children of the closest common parent of `from` and `to` that hold each, unless one
/// module holds the other.
fn sibling_edge(from: &str, to: &str) -> Option<(String, String)> {
    let (from, to) = (words_of(from), words_of(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    (common < from.len() && common < to.len())
        .then(|| (join(&from[..=common]), join(&to[..=common])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_finder_follows_super_self_nested_crate_paths_and_imports() {
        let krate = Crate {
            files: [
                "",
                "corpus",
                "entities",
                "entities::article",
                "entities::entity",
                "entities::matcher",
                "entities::matcher::name_context",
                "entities::places",
                "entities::tagger",
                "entities::unlisted",
            ]
            .map(|m| (m.to_string(), PathBuf::new()))
            .into(),
            imports: [(
                ("entities".to_string(), "EntityRef".to_string()),
                words_of("entities::entity::EntityRef"),
            )]
            .into(),
        };
        let source = r#"
    use super::unlisted::is_demonym;
    use super::{EntityRef, Gazetteer};
    use crate::entities::{matcher::{self, name_context::in_handle}, tagger::Label};
    /// [`super::titles`] and "crate::corpus" are a comment and a string, not references.
    fn f() -> &'static str { let _ = self::inner::g(); "crate::corpus" }
    mod inner {
        pub fn g() { super::super::places::h() }
    }
    #[cfg(test)]
    mod tests {
        use super::*;
    }
    "#;
        let expected = [
            "entities",
            "entities::article",
            "entities::entity",
            "entities::matcher",
            "entities::matcher::name_context",
            "entities::places",
            "entities::tagger",
            "entities::unlisted",
        ];
        assert_eq!(
            krate.references(source, "entities::article"),
            expected.map(String::from).into()
        );
        let edge =
            |from: &str, to: &str| sibling_edge(from, to).map(|(a, b)| format!("{a} -> {b}"));
        assert_eq!(
            edge("entities::matcher::name_context", "entities::article").as_deref(),
            Some("entities::matcher -> entities::article")
        );
        assert_eq!(edge("entities::article", "entities"), None);
        assert_eq!(edge("entities", "entities::matcher::name_context"), None);
        assert_eq!(edge("cli", "progress").as_deref(), Some("cli -> progress"));
    }
}
