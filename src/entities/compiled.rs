//! The compiled gazetteer: a line format saved beside the index that loads without TOML
//! parsing or normalising aliases (every search opens the gazetteer).

use std::path::PathBuf;

use anyhow::bail;

use super::{AliasIndex, Entity, Gazetteer, GazetteerSource, BUILTIN_LABEL};

const COMPILED_HEADER: &str = "sitrep compiled gazetteer 1";

impl Gazetteer {
    /// A line format that loads without TOML parsing or normalising aliases: every search
    /// opens the gazetteer, and parsing the TOML took longer than the search itself.
    pub fn to_compiled(&self) -> String {
        let mut out = format!("{COMPILED_HEADER}\t{:016x}\t{}\n", self.hash, self.source);
        for e in &self.entities {
            let parent = e.parent.map(|p| p.to_string()).unwrap_or_default();
            let aliases = e.aliases.join("\u{1f}");
            out.push_str(&format!(
                "e\t{}\t{}\t{parent}\t{}\t{aliases}\n",
                e.kind, e.name, e.facet
            ));
        }
        for (key, id) in self.lookup.iter() {
            out.push_str(&format!("a\t{key}\t{id}\n"));
        }
        out
    }

    /// Reads what [`Gazetteer::to_compiled`] wrote. The alias table points into `text`.
    pub fn from_compiled(text: String) -> anyhow::Result<Gazetteer> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let [COMPILED_HEADER, hash, source] = header[..] else {
            bail!("not a compiled sitrep gazetteer");
        };
        let bad = |n: usize| anyhow::anyhow!("compiled gazetteer line {}: malformed", n + 2);
        let mut entities = Vec::new();
        let mut aliases = Vec::with_capacity(text.len() / 24);
        let base = text.as_ptr() as usize;
        for (n, line) in lines.enumerate() {
            // Alias lines are four in five: a range of the text and an id, no copy.
            if let Some(rest) = line.strip_prefix("a\t") {
                let (key, id) = rest.rsplit_once('\t').ok_or_else(|| bad(n))?;
                let start = (key.as_ptr() as usize - base) as u32;
                let id: u32 = id.parse().map_err(|_| bad(n))?;
                aliases.push((start, start + key.len() as u32, id));
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[..] {
                ["e", kind, name, parent, facet, alias_list] => entities.push(Entity {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    parent: if parent.is_empty() {
                        None
                    } else {
                        Some(parent.parse().map_err(|_| bad(n))?)
                    },
                    aliases: alias_list
                        .split('\u{1f}')
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                        .collect(),
                    facet: facet.to_string(),
                }),
                _ => return Err(bad(n)),
            }
        }
        let source = if source == BUILTIN_LABEL {
            GazetteerSource::BuiltIn
        } else {
            GazetteerSource::File(PathBuf::from(source))
        };
        let hash = u64::from_str_radix(hash, 16)?;
        let lookup = AliasIndex::from_sorted_ranges(text, aliases);
        if !lookup.is_sorted() || lookup.iter().any(|(_, id)| id >= entities.len()) {
            bail!("compiled gazetteer: alias table out of order or out of range");
        }
        Ok(Gazetteer {
            entities,
            source,
            hash,
            toml: String::new(),
            lookup,
            matcher: std::sync::OnceLock::new(),
            transliterations: std::sync::OnceLock::new(),
        })
    }
}
