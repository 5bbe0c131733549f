/*!
Saved searches: named searches kept in the index folder (`saved.toml`, which a rebuild leaves
alone), and what is new for each of them.

"New" is counted in syncs: every paragraph carries the number of the sync that added it (or
last changed its text), so the paragraphs a sync brought are a range filter, and what arrived
since any earlier point (a sync number, a date in the sync log, the last time the user asked)
is the same filter from an earlier number.
*/

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::local::folder::{read_sync_log, SAVED_SEARCHES};
use crate::search::{SearchOptions, SearchResults};

/// The saved searches of an index, and where `sitrep new --since last` left off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedSearches {
    /// The sync up to which `new --since last` has reported.
    #[serde(default)]
    pub seen_sync: u64,
    #[serde(default, rename = "search")]
    pub searches: Vec<SavedSearch>,
}

/// One named search: a query and its filters, as search parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub name: String,
    pub query: String,
    /// (parameter, value) pairs: `person`, `org`, `place` or another entity kind, `since`,
    /// `until`.
    #[serde(default)]
    pub filters: Vec<(String, String)>,
    /// The last sync committed when the search was saved: what it had already found then is
    /// not new to it, as an alert in an archive tool starts from the day it is set.
    #[serde(default)]
    pub saved_at_sync: u64,
}

/// Where "new" starts for a saved search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// After this sync, for every search (`--since-sync N`, `--since DATE`, a sync's report).
    Sync(u64),
    /// After what `new` last reported, and never before the search was saved.
    LastReported(u64),
}

impl Since {
    fn after_sync(self, search: &SavedSearch) -> u64 {
        match self {
            Since::Sync(sync) => sync,
            Since::LastReported(sync) => sync.max(search.saved_at_sync),
        }
    }
}

/// What one saved search matches among the new paragraphs.
#[derive(Debug, Clone, Serialize)]
pub struct NewMatches {
    pub name: String,
    pub query: String,
    /// Paragraphs added or changed after this sync are new.
    pub after_sync: u64,
    pub results: SearchResults,
}

impl SavedSearches {
    /// The saved searches of the index folder; none when the file does not exist yet.
    pub fn load(index: &Path) -> Result<SavedSearches> {
        let path = index.join(SAVED_SEARCHES);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(Error::Io { path, source }),
        };
        toml::from_str(&text).map_err(|err| Error::InvalidArgument {
            what: path.display().to_string(),
            message: err.message().to_string(),
        })
    }

    pub fn save(&self, index: &Path) -> Result<()> {
        let text = toml::to_string(self).expect("saved searches serialise");
        crate::files::write_atomically(&index.join(SAVED_SEARCHES), text.as_bytes())
    }

    pub fn get(&self, name: &str) -> Option<&SavedSearch> {
        self.searches.iter().find(|s| s.name == name)
    }

    /// Adds a search; a name already taken is an error.
    pub fn add(&mut self, search: SavedSearch) -> Result<()> {
        if search.name.trim().is_empty() || search.query.trim().is_empty() {
            return Err(Error::InvalidArgument {
                what: "saved search".into(),
                message: "a saved search needs a name and a query".into(),
            });
        }
        if self.get(&search.name).is_some() {
            return Err(Error::InvalidArgument {
                what: search.name,
                message: "a saved search of that name exists; remove it first".into(),
            });
        }
        self.searches.push(search);
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> Result<SavedSearch> {
        let at = self
            .searches
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| self.unknown(name))?;
        Ok(self.searches.remove(at))
    }

    /// The error for a name no saved search has, listing those there are.
    pub fn unknown(&self, name: &str) -> Error {
        let names: Vec<&str> = self.searches.iter().map(|s| s.name.as_str()).collect();
        Error::InvalidArgument {
            what: name.to_string(),
            message: if names.is_empty() {
                "no such saved search; there are none yet".into()
            } else {
                format!("no such saved search; there are {}", names.join(", "))
            },
        }
    }
}

impl SavedSearch {
    /// The search this saved search runs; `kinds` are the entity kinds filters may name.
    pub fn options(&self, kinds: &[String]) -> Result<SearchOptions> {
        let params = std::iter::once(("q", self.query.as_str()))
            .chain(self.filters.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        SearchOptions::from_params(params, kinds)
    }

    /// The same search over the paragraphs syncs after `after_sync` added or changed.
    fn new_options(&self, kinds: &[String], after_sync: u64) -> Result<SearchOptions> {
        Ok(SearchOptions {
            after_sync: Some(after_sync),
            ..self.options(kinds)?
        })
    }
}

/// Each saved search (or the one named) run over the paragraphs that syncs after `since`
/// added or changed, with its `limit` best.
pub fn new_matches(
    engine: &Engine,
    saved: &[SavedSearch],
    since: Since,
    limit: usize,
) -> Result<Vec<NewMatches>> {
    let kinds = engine.filter_kinds()?;
    saved
        .iter()
        .map(|search| {
            let after_sync = since.after_sync(search);
            let options = SearchOptions {
                limit,
                count_articles: true,
                ..search.new_options(&kinds, after_sync)?
            };
            Ok(NewMatches {
                name: search.name.clone(),
                query: search.query.clone(),
                after_sync,
                results: engine.search(&options)?,
            })
        })
        .collect()
}

/// A saved search as the web page lists it: with how many paragraphs arrived for it since
/// `sitrep new` last reported (`after_sync`).
#[derive(Debug, Clone, Serialize)]
pub struct SavedOverview {
    pub name: String,
    pub query: String,
    pub filters: Vec<(String, String)>,
    pub after_sync: u64,
    pub new_paragraphs: u64,
}

/// Every saved search of the engine's index with its count of new paragraphs.
pub fn overview(engine: &Engine) -> Result<Vec<SavedOverview>> {
    let saved = SavedSearches::load(engine.path()?)?;
    let kinds = engine.filter_kinds()?;
    saved
        .searches
        .iter()
        .map(|search| {
            let after_sync = Since::LastReported(saved.seen_sync).after_sync(search);
            let options = SearchOptions {
                count_only: true,
                ..search.new_options(&kinds, after_sync)?
            };
            Ok(SavedOverview {
                name: search.name.clone(),
                query: search.query.clone(),
                filters: search.filters.clone(),
                after_sync,
                new_paragraphs: engine.search(&options)?.total_hits,
            })
        })
        .collect()
}

/// The last sync committed before `date` (`YYYY-MM-DD` or RFC 3339), from the sync log: what
/// arrived on or after the date came with later syncs.
pub fn last_sync_before(index: &Path, date: &str) -> Result<u64> {
    let wanted = crate::corpus::parse_date(date).map_err(|message| Error::InvalidArgument {
        what: "since".into(),
        message,
    })?;
    Ok(read_sync_log(index)
        .iter()
        .filter(|entry| crate::corpus::parse_date(&entry.at).is_ok_and(|at| at < wanted))
        .map(|entry| entry.sync)
        .max()
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(name: &str) -> SavedSearch {
        SavedSearch {
            name: name.into(),
            query: "rocket attack".into(),
            filters: vec![("org".into(), "Kataib Hezbollah".into())],
            saved_at_sync: 3,
        }
    }

    #[test]
    fn saved_searches_round_trip_through_the_index_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            SavedSearches::load(dir.path()).unwrap(),
            SavedSearches::default()
        );
        let mut saved = SavedSearches::default();
        saved.add(search("kh")).unwrap();
        saved.add(search("rockets")).unwrap();
        assert!(saved.add(search("kh")).is_err());
        saved.seen_sync = 4;
        saved.save(dir.path()).unwrap();
        let mut loaded = SavedSearches::load(dir.path()).unwrap();
        assert_eq!(loaded, saved);
        assert_eq!(loaded.remove("kh").unwrap().name, "kh");
        assert_eq!(
            loaded.remove("kh").unwrap_err().to_string(),
            "kh: no such saved search; there are rockets"
        );
        let kinds = ["org".to_string()];
        let options = loaded.searches[0].options(&kinds).unwrap();
        assert_eq!(options.query, "rocket attack");
        assert_eq!(
            options.entity_filters,
            [("org".into(), "Kataib Hezbollah".into())]
        );
    }

    #[test]
    fn new_starts_where_it_last_reported_and_never_before_the_search_was_saved() {
        let saved = search("kh");
        assert_eq!(Since::LastReported(0).after_sync(&saved), 3);
        assert_eq!(Since::LastReported(5).after_sync(&saved), 5);
        assert_eq!(Since::Sync(0).after_sync(&saved), 0);
    }

    #[test]
    fn a_date_maps_to_the_last_sync_before_it() {
        let dir = tempfile::tempdir().unwrap();
        for (sync, at) in [(1, "2024-02-28T10:00:00Z"), (2, "2024-03-01T09:00:00Z")] {
            let entry = crate::local::folder::SyncEntry {
                sync,
                at: at.into(),
                added: 1,
                updated: 0,
                removed: 0,
                full: false,
            };
            crate::local::folder::append_sync_log(dir.path(), &entry).unwrap();
        }
        assert_eq!(last_sync_before(dir.path(), "2024-03-01").unwrap(), 1);
        assert_eq!(last_sync_before(dir.path(), "2024-02-01").unwrap(), 0);
        assert_eq!(last_sync_before(dir.path(), "2025-01-01").unwrap(), 2);
        assert!(last_sync_before(dir.path(), "March").is_err());
    }
}
