/*!
Looking an entity up by a normalised alias: an in-memory table for a gazetteer parsed from
TOML, or a binary search over the sorted alias lines of a compiled one.
*/

use std::ops::Range;
use std::sync::Arc;

use super::compiled;
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
            } => compiled::find_sorted(&data[section.clone()], key).filter(|id| id < entities),
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
                    .filter_map(compiled::split_alias_line)
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
    compiled::find_record(line.as_bytes(), b' ', word.as_bytes(), Some).is_some()
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
