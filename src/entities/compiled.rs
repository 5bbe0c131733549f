/*!
The compiled gazetteer: a line format saved beside the index that a search opens without
TOML parsing, normalising aliases, or even reading most of it. With the places of the whole
map it holds tens of thousands of entities, and a search needs a handful:

- the header gives the counts, the kinds and where each section starts;
- entities are parsed only when one is asked for, one line at a time; the hand-written ones
  (a few hundred) are checksummed at open;
- alias lines are sorted, so a lookup is a binary search over the mapped file itself.

A damaged file fails at open wherever that costs no more than the header and the hand-written
section (the caller then uses the TOML saved beside it). A generated place's line is read only
when asked for, so one that no longer parses reads as an entity that names nothing, and an
alias line whose id is out of range finds nothing: nothing read from the file can panic.
*/

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use xxhash_rust::xxh3::xxh3_64;

use super::{AliasLookup, Entity, EntityTable, Gazetteer, GazetteerSource, Origin, BUILTIN_LABEL};
use crate::error::{Error, Result};
use crate::files::FileBytes;

const COMPILED_HEADER: &str = "sitrep compiled gazetteer 5";

/// Generated entities, parsed from their lines when first asked for.
pub(crate) struct LazyEntities {
    data: Arc<FileBytes>,
    section: Range<usize>,
    first_id: usize,
    count: usize,
    starts: OnceLock<Vec<u32>>,
    cells: OnceLock<Vec<OnceLock<Entity>>>,
}

impl LazyEntities {
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Entity `id`, parsed from its line on first use. A line that is missing or no longer
    /// parses (the file was damaged after it was opened and checked) is an entity with no
    /// name, spelling or facet, which nothing matches.
    pub(crate) fn get(&self, id: usize) -> &Entity {
        let cells = self
            .cells
            .get_or_init(|| (0..self.count).map(|_| OnceLock::new()).collect());
        let Some(cell) = id.checked_sub(self.first_id).and_then(|i| cells.get(i)) else {
            return unreadable();
        };
        cell.get_or_init(|| {
            self.parse(id - self.first_id)
                .unwrap_or_else(|| unreadable().clone())
        })
    }

    fn parse(&self, index: usize) -> Option<Entity> {
        let starts = self.starts.get_or_init(|| {
            let bytes = &self.data[self.section.clone()];
            std::iter::once(0)
                .chain(
                    bytes
                        .iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == b'\n')
                        .map(|(i, _)| i as u32 + 1),
                )
                .take(self.count)
                .collect()
        });
        let start = self.section.start + *starts.get(index)? as usize;
        let rest = self.data.get(start..self.section.end)?;
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        parse_entity(std::str::from_utf8(&rest[..end]).ok()?)
    }
}

/// What a damaged entity line reads as: no name, spellings or facet, so nothing matches it.
fn unreadable() -> &'static Entity {
    static UNREADABLE: OnceLock<Entity> = OnceLock::new();
    UNREADABLE.get_or_init(|| Entity {
        kind: String::new(),
        name: String::new(),
        parent: None,
        aliases: Vec::new(),
        facet: String::new(),
        origin: Origin::Generated {
            needs_context: Vec::new(),
            name_taken: true,
        },
        capitalised: Vec::new(),
    })
}

impl Gazetteer {
    /// The compiled gazetteer in `file`, mapped, if there is one this build reads.
    pub fn map_compiled(file: &Path) -> Option<Gazetteer> {
        let data = FileBytes::map(file).ok()?;
        Gazetteer::from_compiled_data(Arc::new(data)).ok()
    }

    /// The compiled form: header, entity lines in id order, then alias lines sorted by key.
    pub fn to_compiled(&self) -> String {
        let mut entities = String::new();
        for (_, e) in self.entities() {
            let parent = e.parent.map(|p| p.to_string()).unwrap_or_default();
            let aliases = e.aliases.join("\u{1f}");
            let origin = match &e.origin {
                Origin::Hand => String::new(),
                Origin::Generated {
                    needs_context,
                    name_taken,
                } => format!(
                    "{}{}",
                    if *name_taken { "t" } else { "g" },
                    needs_context
                        .iter()
                        .map(|n| format!("\u{1f}{n}"))
                        .collect::<String>()
                ),
            };
            entities.push_str(&format!(
                "e\t{}\t{}\t{parent}\t{}\t{aliases}\t{origin}\t{}\n",
                e.kind,
                e.name,
                e.facet,
                e.capitalised.join("\u{1f}")
            ));
        }
        let hand_bytes: usize = entities
            .split_inclusive('\n')
            .take(self.hand)
            .map(str::len)
            .sum();
        let mut aliases = String::new();
        for (key, id) in self.lookup.iter() {
            aliases.push_str(&format!("a\t{key}\t{id}\n"));
        }
        format!(
            "{COMPILED_HEADER}\t{:016x}\t{}\t{}\t{}\t{}\t{}\t{:016x}\t{}\t{}\t{}\n{entities}{aliases}",
            self.hash,
            self.source,
            self.kinds.join(","),
            self.len(),
            self.hand,
            hand_bytes,
            xxh3_64(&entities.as_bytes()[..hand_bytes]),
            entities.len(),
            aliases.len(),
            self.transliterations().first_words_line()
        )
    }

    /// Reads what [`Gazetteer::to_compiled`] wrote.
    pub fn from_compiled(text: String) -> Result<Gazetteer> {
        Gazetteer::from_compiled_data(Arc::new(FileBytes::Owned(text.into_bytes())))
    }

    pub fn from_compiled_data(data: Arc<FileBytes>) -> Result<Gazetteer> {
        let damaged = |detail: &str| Error::CompiledGazetteer {
            detail: detail.to_string(),
        };
        let header_end = data
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| damaged("not a compiled sitrep gazetteer"))?;
        let header = std::str::from_utf8(&data[..header_end])
            .map_err(|_| damaged("not a compiled sitrep gazetteer (header is not UTF-8)"))?;
        let fields: Vec<&str> = header.split('\t').collect();
        let [COMPILED_HEADER, hash, source, kinds, count, hand, hand_bytes, hand_checksum, entity_bytes, alias_bytes, first_keys] =
            fields[..]
        else {
            return Err(damaged(
                "not a compiled sitrep gazetteer (or one from another version)",
            ));
        };
        let number =
            |s: &str| -> Result<usize> { s.parse().map_err(|_| damaged("malformed header")) };
        let (count, hand) = (number(count)?, number(hand)?);
        let first_keys = first_keys.to_string();
        let entities_start = header_end + 1;
        // Sizes come from the file: added with a check, so a damaged one cannot overflow.
        let after = |start: usize, bytes: &str| -> Result<usize> {
            start
                .checked_add(number(bytes)?)
                .ok_or_else(|| damaged("malformed header"))
        };
        let places_start = after(entities_start, hand_bytes)?;
        let aliases_start = after(entities_start, entity_bytes)?;
        let aliases_end = after(aliases_start, alias_bytes)?;
        if aliases_end != data.len() || places_start > aliases_start || hand > count {
            return Err(damaged("sections do not add up to the file (truncated?)"));
        }
        // Entities are parsed when first asked for: a search needs a handful of them, and
        // parsing all the hand-written ones was a twentieth of a one-shot search. Their bytes
        // are checksummed instead (checking each line's shape was still 3% of a rare search),
        // so that a damaged file fails here, and the saved TOML is used, rather than at a lookup.
        let hand_text = &data[entities_start..places_start];
        if format!("{:016x}", xxh3_64(hand_text)) != hand_checksum {
            return Err(damaged("hand-written entities damaged (checksum mismatch)"));
        }
        let hand_lines = hand_text.iter().filter(|&&b| b == b'\n').count();
        if hand_lines != hand {
            return Err(Error::CompiledGazetteer {
                detail: format!("{hand} entities announced, {hand_lines} found"),
            });
        }
        // The other sections are read line by line when asked for; what can be checked
        // without reading them is that each holds whole lines of its kind.
        let whole_lines = |section: &[u8], kind: &[u8]| {
            section.is_empty() || (section.starts_with(kind) && section.ends_with(b"\n"))
        };
        let places = &data[places_start..aliases_start];
        if (count > hand) == places.is_empty() || !whole_lines(places, b"e\t") {
            return Err(damaged("generated places damaged"));
        }
        if !whole_lines(&data[aliases_start..aliases_end], b"a\t") {
            return Err(damaged("alias lines damaged"));
        }
        let hash = u64::from_str_radix(hash, 16).map_err(|_| damaged("malformed header"))?;
        let lazy = |section: Range<usize>, first_id: usize, count: usize| LazyEntities {
            data: Arc::clone(&data),
            section,
            first_id,
            count,
            starts: OnceLock::new(),
            cells: OnceLock::new(),
        };
        let hand_entities = lazy(entities_start..places_start, 0, hand);
        let generated =
            (count > hand).then(|| lazy(places_start..aliases_start, hand, count - hand));
        let source = if source == BUILTIN_LABEL {
            GazetteerSource::BuiltIn
        } else {
            GazetteerSource::File(PathBuf::from(source))
        };
        let kinds = kinds
            .split(',')
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        let mut gazetteer = Gazetteer::assemble(
            EntityTable::Compiled {
                hand: hand_entities,
                generated,
            },
            source,
            hash,
            String::new(),
            AliasLookup::Sorted {
                data,
                section: aliases_start..aliases_end,
                entities: count,
            },
        );
        gazetteer.kinds = kinds;
        gazetteer.first_keys = Some(first_keys);
        Ok(gazetteer)
    }
}

fn parse_entity(line: &str) -> Option<Entity> {
    let fields: Vec<&str> = line.split('\t').collect();
    let ["e", kind, name, parent, facet, alias_list, origin, capitalised] = fields[..] else {
        return None;
    };
    let list = |s: &str| -> Vec<String> {
        s.split('\u{1f}')
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect()
    };
    let origin = match origin.chars().next() {
        None => Origin::Hand,
        Some(flag @ ('g' | 't')) => Origin::Generated {
            needs_context: list(&origin[1..]),
            name_taken: flag == 't',
        },
        Some(_) => return None,
    };
    Some(Entity {
        kind: kind.to_string(),
        name: name.to_string(),
        parent: if parent.is_empty() {
            None
        } else {
            Some(parent.parse().ok()?)
        },
        aliases: list(alias_list),
        facet: facet.to_string(),
        origin,
        capitalised: list(capitalised),
    })
}
