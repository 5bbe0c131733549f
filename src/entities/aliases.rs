/*!
Looking an entity up by a normalised alias: an in-memory table for a gazetteer parsed from
TOML, or a binary search over the sorted alias lines of a compiled one.
*/

use std::ops::Range;
use std::sync::Arc;

use crate::files::FileBytes;

/// Normalised alias → entity id.
pub(crate) enum AliasLookup {
    Table(AliasIndex),
    /// Sorted alias lines of a compiled gazetteer, searched in place. Their ids are read from
    /// the file, so an id of `entities` or more (a damaged line) names nothing.
    Sorted {
        data: Arc<FileBytes>,
        section: Range<usize>,
        entities: usize,
    },
}

impl AliasLookup {
    pub(super) fn get(&self, key: &str) -> Option<usize> {
        match self {
            AliasLookup::Table(index) => index.get(key),
            AliasLookup::Sorted {
                data,
                section,
                entities,
            } => find_sorted(&data[section.clone()], key).filter(|id| id < entities),
        }
    }

    pub(super) fn iter(&self) -> Box<dyn Iterator<Item = (&str, usize)> + '_> {
        match self {
            AliasLookup::Table(index) => Box::new(index.iter()),
            AliasLookup::Sorted {
                data,
                section,
                entities,
            } => Box::new(
                data[section.clone()]
                    .split(|&b| b == b'\n')
                    .filter_map(split_alias_line)
                    .filter_map(|(key, id)| {
                        let key = std::str::from_utf8(key).ok()?;
                        let id = std::str::from_utf8(id).ok()?.parse().ok()?;
                        (id < *entities).then_some((key, id))
                    }),
            ),
        }
    }
}

/// Whether `word` is one of the space-separated, sorted words of `line`, by binary search: a
/// query word that starts no transliterated name is turned away here, and scanning the
/// compiled gazetteer's 266 keys in order was a sixth of counting a medium term.
pub(super) fn sorted_words_contain(line: &str, word: &str) -> bool {
    find_record(line.as_bytes(), b' ', word.as_bytes(), Some).is_some()
}

/// Normalised alias → entity id, as a sorted table of ranges into one string. The compiled
/// gazetteer keeps its alias lines sorted, so loading it (every search does) needs no
/// allocation or hashing per alias: the table points into the file's own text.
#[derive(Debug, Default)]
pub(crate) struct AliasIndex {
    text: String,
    /// (start, end, entity id), sorted by the key they delimit.
    entries: Vec<(u32, u32, u32)>,
}

impl AliasIndex {
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (String, usize)>) -> AliasIndex {
        let mut pairs: Vec<(String, usize)> = pairs.into_iter().collect();
        pairs.sort_unstable();
        let mut index = AliasIndex::default();
        for (key, id) in pairs {
            let start = index.text.len() as u32;
            index.text.push_str(&key);
            index
                .entries
                .push((start, index.text.len() as u32, id as u32));
        }
        index
    }

    fn key(&self, &(start, end, _): &(u32, u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    pub(crate) fn get(&self, key: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|entry| self.key(entry).cmp(key))
            .ok()
            .map(|at| self.entries[at].2 as usize)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.entries.iter().map(|e| (self.key(e), e.2 as usize))
    }
}

/// Binary search over sorted `a\t{key}\t{id}\n` lines, without reading the others.
fn find_sorted(lines: &[u8], key: &str) -> Option<usize> {
    let line = find_record(lines, b'\n', key.as_bytes(), |line| {
        split_alias_line(line).map(|(key, _)| key)
    })?;
    let (_, id) = split_alias_line(line)?;
    std::str::from_utf8(id).ok()?.parse().ok()
}

/// The record of `records` (sorted by `key_of`, one `separator` after each but the last)
/// whose key is `key`, by binary search; none as soon as a record read has no key.
fn find_record<'a>(
    records: &'a [u8],
    separator: u8,
    key: &[u8],
    key_of: impl Fn(&'a [u8]) -> Option<&'a [u8]>,
) -> Option<&'a [u8]> {
    let (mut low, mut high) = (0, records.len());
    while low < high {
        let middle = low + (high - low) / 2;
        let start = records[low..middle]
            .iter()
            .rposition(|&b| b == separator)
            .map_or(low, |n| low + n + 1);
        let end = records[start..]
            .iter()
            .position(|&b| b == separator)
            .map_or(records.len(), |n| start + n);
        let record = &records[start..end];
        match key_of(record)?.cmp(key) {
            std::cmp::Ordering::Equal => return Some(record),
            std::cmp::Ordering::Less => low = end + 1,
            std::cmp::Ordering::Greater => high = start,
        }
    }
    None
}

fn split_alias_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = line.strip_prefix(b"a\t")?;
    let tab = rest.iter().rposition(|&b| b == b'\t')?;
    Some((&rest[..tab], &rest[tab + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_search_finds_every_line_and_nothing_else() {
        let keys = [
            "abu",
            "baghdad",
            "basra",
            "iraq",
            "qods force",
            "sadr",
            "sadr city",
        ];
        let lines: String = keys
            .iter()
            .enumerate()
            .map(|(id, k)| format!("a\t{k}\t{id}\n"))
            .collect();
        for (id, key) in keys.iter().enumerate() {
            assert_eq!(find_sorted(lines.as_bytes(), key), Some(id), "{key}");
        }
        for missing in ["", "a", "sad", "sadr c", "zz", "basr"] {
            assert_eq!(find_sorted(lines.as_bytes(), missing), None, "{missing}");
        }
    }
}
