//! The compiled gazetteer: a line format saved beside the index that loads without TOML
//! parsing or normalising aliases (every search opens the gazetteer).

use std::path::PathBuf;

use anyhow::bail;
use rustc_hash::FxHashMap;

use super::{Entity, Gazetteer, GazetteerSource, BUILTIN_LABEL};

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
        let mut keys: Vec<(&String, &usize)> = self.lookup.iter().collect();
        keys.sort();
        for (key, id) in keys {
            out.push_str(&format!("a\t{key}\t{id}\n"));
        }
        out
    }

    /// Reads what [`Gazetteer::to_compiled`] wrote.
    pub fn from_compiled(text: &str) -> anyhow::Result<Gazetteer> {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let [COMPILED_HEADER, hash, source] = header[..] else {
            bail!("not a compiled sitrep gazetteer");
        };
        let bad = |n: usize| anyhow::anyhow!("compiled gazetteer line {}: malformed", n + 2);
        let mut entities = Vec::new();
        let mut lookup = FxHashMap::with_capacity_and_hasher(text.len() / 24, Default::default());
        for (n, line) in lines.enumerate() {
            // Alias lines are nine in ten: parse them without collecting fields.
            if let Some(rest) = line.strip_prefix("a\t") {
                let (key, id) = rest.rsplit_once('\t').ok_or_else(|| bad(n))?;
                lookup.insert(key.to_string(), id.parse().map_err(|_| bad(n))?);
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[..] {
                ["e", kind, name, parent, facet, aliases] => entities.push(Entity {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    parent: if parent.is_empty() {
                        None
                    } else {
                        Some(parent.parse().map_err(|_| bad(n))?)
                    },
                    aliases: aliases
                        .split('\u{1f}')
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                        .collect(),
                    facet: facet.to_string(),
                }),
                _ => return Err(bad(n)),
            }
        }
        Ok(Gazetteer {
            entities,
            source: if source == BUILTIN_LABEL {
                GazetteerSource::BuiltIn
            } else {
                GazetteerSource::File(PathBuf::from(source))
            },
            hash: u64::from_str_radix(hash, 16)?,
            toml: String::new(),
            lookup,
            matcher: std::sync::OnceLock::new(),
        })
    }
}
