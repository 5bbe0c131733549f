//! Bench query files: `class<TAB>query [--KIND NAME]… [--facets] [--with NAME] [--network N]`
//! lines, where KIND is an entity kind of the gazetteer; `#` starts a comment. `--with NAME`
//! times `entities --with NAME` and `--network N` times `network -n N` under the query (which
//! may then be empty: the whole index).

use super::{BenchQuery, BenchWork};
use crate::error::{Error, Result};
use crate::search::SearchOptions;

/// Parses a query file; `kinds` are the gazetteer's entity kinds. Errors name the line.
pub fn parse_query_file(text: &str, kinds: &[String]) -> Result<Vec<BenchQuery>> {
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let at_line = |message: String| Error::InvalidArgument {
            what: format!("line {}", n + 1),
            message,
        };
        let Some((class, rest)) = line.split_once('\t') else {
            return Err(at_line(format!(
                "expected 'class<TAB>query', found '{line}'"
            )));
        };
        let (options, work) = parse_flags(rest, kinds).map_err(|err| at_line(err.to_string()))?;
        queries.push(BenchQuery {
            class: class.trim().to_string(),
            label: rest.trim().to_string(),
            options,
            work,
        });
    }
    Ok(queries)
}

/// A query followed by flags: each ` --NAME` with NAME an entity kind, `facets`, `with` or
/// `network` starts one.
fn parse_flags(text: &str, kinds: &[String]) -> Result<(SearchOptions, BenchWork)> {
    let text = text.trim();
    let text = if text.starts_with("--") {
        format!(" {text}")
    } else {
        text.to_string()
    };
    let text = text.as_str();
    let flag_names: Vec<&str> = kinds
        .iter()
        .map(String::as_str)
        .chain(["facets", "with", "network"])
        .collect();
    let starts_flag = |at: usize| {
        let name = text[at + 3..].split(' ').next().unwrap_or("");
        flag_names.contains(&name)
    };
    let query_end = text
        .match_indices(" --")
        .map(|(at, _)| at)
        .find(|&at| starts_flag(at))
        .unwrap_or(text.len());
    let mut params = vec![("q".to_string(), text[..query_end].trim().to_string())];
    let mut work = BenchWork::Search;
    for flag in text[query_end..]
        .split(" --")
        .filter(|f| !f.trim().is_empty())
    {
        let (name, value) = flag.trim().split_once(' ').unwrap_or((flag.trim(), ""));
        let value = value.trim();
        match name {
            "with" => work = BenchWork::Ties(value.to_string()),
            "network" => {
                let top = value.parse().map_err(|_| Error::InvalidArgument {
                    what: "--network".into(),
                    message: format!("'{value}' is not a number of entities"),
                })?;
                work = BenchWork::Network(top);
            }
            name if flag_names.contains(&name) => {
                params.push((name.to_string(), value.to_string()))
            }
            _ => {
                return Err(Error::InvalidArgument {
                    what: format!("--{name}"),
                    message: format!(
                        "not a flag here (--facets, --with, --network, --{})",
                        kinds.join(", --")
                    ),
                })
            }
        }
    }
    let mut options = SearchOptions::from_params(params, kinds)?;
    options.count_articles = true;
    if work == BenchWork::Search {
        options.check_query_or_filter()?;
    }
    Ok((options, work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_file_lines_with_flags() {
        let kinds = ["person", "org", "place"].map(String::from);
        let queries = parse_query_file(
            "# comment\nterm_rare\tkhomeini\nentity_filter\toil --place Iran --org OPEC\nfacet_counts\t\"persian gulf\" --facets\n",
            &kinds,
        )
        .unwrap();
        assert_eq!(queries.len(), 3);
        assert_eq!(queries[0].options.query, "khomeini");
        assert_eq!(queries[1].options.query, "oil");
        assert_eq!(
            queries[1].options.entity_filters,
            [
                ("place".to_string(), "Iran".to_string()),
                ("org".to_string(), "OPEC".to_string())
            ]
        );
        assert_eq!(queries[2].options.query, "\"persian gulf\"");
        assert!(queries[2].options.facets);
        let who = parse_query_file(
            "entity_ties	drone --with Qassem Soleimani
network	--network 50 --place Iraq
",
            &kinds,
        )
        .unwrap();
        assert_eq!(who[0].work, BenchWork::Ties("Qassem Soleimani".into()));
        assert_eq!(who[0].options.query, "drone");
        assert_eq!(who[1].work, BenchWork::Network(50));
        assert_eq!(who[1].options.query, "");
        assert_eq!(
            who[1].options.entity_filters,
            [("place".to_string(), "Iraq".to_string())]
        );
        assert!(parse_query_file("x	--network many", &kinds).is_err());
        assert!(parse_query_file("x	", &kinds).is_err());
        assert!(parse_query_file("no tab here", &kinds)
            .unwrap_err()
            .to_string()
            .starts_with("line 1: "));
        let unknown = parse_query_file("x\tq\ny\toil --facets --militia Badr", &kinds).unwrap_err();
        assert!(unknown.to_string().starts_with("line 2: "), "{unknown}");
        // A kind the gazetteer has is a flag; a dash inside the query is not.
        let militia = ["militia".to_string()];
        let queries = parse_query_file("x\tal --x  oil --militia Badr", &militia).unwrap();
        assert_eq!(queries[0].options.query, "al --x  oil");
        assert_eq!(
            queries[0].options.entity_filters,
            [("militia".into(), "Badr".into())]
        );
    }
}
