//! What a search is asked to do ([`SearchOptions`]), and the one place that builds it from
//! named parameters: the CLI's flags, the server's query string, a bench line and a saved
//! search all spell a search as `q`, `n`, `offset`, `since`, `until`, `facets`, `per_article`,
//! `after_sync` and one parameter per
//! entity kind of the gazetteer (`person=…`, `org=…`, `place=…`).

use tantivy::DateTime;

use crate::corpus::parse_date;
use crate::error::{Error, Result};
use crate::query::Ranking;

/// The parameters [`SearchOptions::from_params`] takes besides one per entity kind.
const PARAMS: [&str; 8] = [
    "q",
    "n",
    "offset",
    "since",
    "until",
    "facets",
    "per_article",
    "after_sync",
];

/// Hits shown when the request does not say.
pub const DEFAULT_LIMIT: usize = 10;

/// A search request.
///
/// ```
/// use sitrep::SearchOptions;
///
/// let kinds = ["person".to_string(), "org".to_string(), "place".to_string()];
/// let options = SearchOptions::from_params(
///     [("q", "drone strike"), ("org", "Kataib Hezbollah"), ("n", "5")],
///     &kinds,
/// )
/// .unwrap();
/// assert_eq!(options.query, "drone strike");
/// assert_eq!(options.limit, 5);
/// assert_eq!(options.entity_filters, [("org".to_string(), "Kataib Hezbollah".to_string())]);
///
/// let bad = SearchOptions::from_params([("q", "x"), ("since", "March")], &kinds);
/// assert!(bad.unwrap_err().is_usage());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// (kind, name as typed) — resolved against the gazetteer.
    pub entity_filters: Vec<(String, String)>,
    pub since: Option<DateTime>,
    pub until: Option<DateTime>,
    pub facets: bool,
    /// Count matches only: no hits, snippets or stored documents (benchmarks).
    pub count_only: bool,
    /// Also count distinct articles among the hits (the human summary line shows it; JSON
    /// does not, and it costs a fast-field read per hit).
    pub count_articles: bool,
    /// One hit per article (its best paragraph), ranked by that paragraph's score.
    pub per_article: bool,
    /// Only paragraphs added or changed by a sync after this one (what is new since then).
    pub after_sync: Option<u64>,
    /// Field weights and proximity boost.
    pub ranking: Ranking,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            query: String::new(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            entity_filters: Vec::new(),
            since: None,
            until: None,
            facets: false,
            count_only: false,
            count_articles: false,
            per_article: false,
            after_sync: None,
            ranking: Ranking::default(),
        }
    }
}

impl SearchOptions {
    /// No query words: the filters alone pick the paragraphs, listed newest first.
    pub fn is_filters_only(&self) -> bool {
        self.query.trim().is_empty()
    }

    /// Whether anything restricts the paragraphs besides the query.
    pub fn has_filters(&self) -> bool {
        !self.entity_filters.is_empty()
            || self.since.is_some()
            || self.until.is_some()
            || self.after_sync.is_some()
    }

    /// A search needs a query or a filter: with neither, the query's syntax error.
    pub fn check_query_or_filter(&self) -> Result<()> {
        if self.is_filters_only() && !self.has_filters() {
            crate::query::parse_query(&self.query)?;
        }
        Ok(())
    }

    /// Builds options from named parameters. `kinds` are the gazetteer's entity kinds: a
    /// parameter named after one filters on the entity it names (an empty value is no
    /// filter). Any other name is an error; [`SearchOptions::is_param`] tells callers that
    /// receive foreign parameters (an HTTP query string) which ones are ours.
    pub fn from_params<K, V>(
        params: impl IntoIterator<Item = (K, V)>,
        kinds: &[String],
    ) -> Result<SearchOptions>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut options = SearchOptions::default();
        for (key, value) in params {
            let (key, value) = (key.as_ref(), value.as_ref());
            match key {
                "q" => options.query = value.to_string(),
                "n" => options.limit = number(key, value)?,
                "offset" => options.offset = number(key, value)?,
                "since" => options.since = date(key, value)?,
                "until" => options.until = date(key, value)?,
                "facets" => options.facets = flag(key, value)?,
                "per_article" => options.per_article = flag(key, value)?,
                "after_sync" => options.after_sync = Some(number(key, value)? as u64),
                kind if kinds.iter().any(|k| k == kind) => {
                    if !value.trim().is_empty() {
                        options
                            .entity_filters
                            .push((kind.to_string(), value.to_string()));
                    }
                }
                other => {
                    return Err(Error::InvalidArgument {
                        what: other.to_string(),
                        message: format!(
                            "not a search parameter ({}, {})",
                            PARAMS.join(", "),
                            kinds.join(", ")
                        ),
                    })
                }
            }
        }
        Ok(options)
    }

    /// Whether [`SearchOptions::from_params`] takes a parameter of this name.
    pub fn is_param(key: &str, kinds: &[String]) -> bool {
        PARAMS.contains(&key) || kinds.iter().any(|k| k == key)
    }
}

fn number(key: &str, value: &str) -> Result<usize> {
    value.trim().parse().map_err(|_| Error::InvalidArgument {
        what: key.to_string(),
        message: format!("'{value}' is not a number"),
    })
}

fn date(key: &str, value: &str) -> Result<Option<DateTime>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    parse_date(value)
        .map(Some)
        .map_err(|message| Error::InvalidArgument {
            what: key.to_string(),
            message,
        })
}

/// A switch: present alone, `1`/`true` turn it on, `0`/`false` off.
fn flag(key: &str, value: &str) -> Result<bool> {
    match value.trim() {
        "" | "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        other => Err(Error::InvalidArgument {
            what: key.to_string(),
            message: format!("'{other}' is not true or false"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds() -> Vec<String> {
        ["person", "org", "place"].map(String::from).to_vec()
    }

    #[test]
    fn every_parameter_sets_its_option() {
        let options = SearchOptions::from_params(
            [
                ("q", "sadr"),
                ("n", "50"),
                ("offset", "10"),
                ("since", "2014-01-01"),
                ("until", "2018-12-31"),
                ("facets", "true"),
                ("per_article", "1"),
                ("after_sync", "7"),
                ("person", "Muqtada al-Sadr"),
                ("place", ""),
                ("place", "Najaf"),
            ],
            &kinds(),
        )
        .unwrap();
        assert_eq!(options.query, "sadr");
        assert_eq!((options.limit, options.offset), (50, 10));
        assert_eq!(options.since, Some(parse_date("2014-01-01").unwrap()));
        assert_eq!(options.until, Some(parse_date("2018-12-31").unwrap()));
        assert!(options.facets && options.per_article);
        assert_eq!(options.after_sync, Some(7));
        assert_eq!(
            options.entity_filters,
            [
                ("person".to_string(), "Muqtada al-Sadr".to_string()),
                ("place".to_string(), "Najaf".to_string())
            ]
        );
    }

    #[test]
    fn kinds_come_from_the_gazetteer_not_a_fixed_list() {
        let kinds = vec!["militia".to_string()];
        let options = SearchOptions::from_params([("militia", "Badr")], &kinds).unwrap();
        assert_eq!(options.entity_filters, [("militia".into(), "Badr".into())]);
        assert!(SearchOptions::is_param("militia", &kinds));
        assert!(PARAMS.iter().all(|p| SearchOptions::is_param(p, &kinds)));
        let err = SearchOptions::from_params([("person", "x")], &kinds).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { ref what, .. } if what == "person"));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (key, value) in [("n", "ten"), ("since", "yesterday"), ("facets", "maybe")] {
            let err = SearchOptions::from_params([(key, value)], &kinds()).unwrap_err();
            assert!(err.is_usage());
            assert!(err.to_string().starts_with(&format!("{key}: ")), "{err}");
        }
        assert_eq!(
            SearchOptions::from_params([("n", " 3 ")], &kinds())
                .unwrap()
                .limit,
            3
        );
    }
}
