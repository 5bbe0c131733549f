//! Counting ties over the distinct paragraphs of a query: one entity's ties ([`ties`]) or the
//! network of the top entities ([`network`]).

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;
use tantivy::schema::Facet;

use super::observations::Observations;
use super::strength::log_likelihood;
use super::{format_day, Period};
use crate::paragraph::entity_ref;

/// How `entities --with` orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieSort {
    /// By log-likelihood strength, strongest first.
    Strength,
    /// By paragraphs together, most first.
    Together,
}

/// An entity that shares paragraphs with the one asked about.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tie {
    pub kind: String,
    pub name: String,
    pub path: String,
    /// Distinct paragraphs naming both.
    pub together: u64,
    /// Articles with a paragraph naming both (copies in other articles included).
    pub articles_together: u64,
    /// Distinct paragraphs naming this entity, under the query.
    pub paragraphs: u64,
    /// Signed log-likelihood ratio (G²) of the pair.
    pub strength: f64,
}

/// Every entity that shares a paragraph with `center` (a facet path) among the paragraphs
/// observed, sorted by `sort`; none when no paragraph names it.
pub fn ties(observations: &Observations, center: &str, sort: TieSort) -> Vec<Tie> {
    let Some(center) = observations.find(center) else {
        return Vec::new();
    };
    let distinct = observations.distinct();
    let mut paragraphs = vec![0u64; observations.entities.len()];
    let mut together: HashMap<u32, (u64, Articles)> = HashMap::default();
    for paragraph in &distinct {
        for &entity in observations.entities_of(paragraph) {
            paragraphs[entity as usize] += 1;
        }
        if observations.entities_of(paragraph).contains(&center) {
            for &entity in observations
                .entities_of(paragraph)
                .iter()
                .filter(|&&e| e != center)
            {
                together.entry(entity).or_default().0 += 1;
            }
        }
    }
    // Articles count every copy: each is an article that names both.
    for paragraph in &observations.paragraphs {
        if observations.entities_of(paragraph).contains(&center) {
            for &entity in observations
                .entities_of(paragraph)
                .iter()
                .filter(|&&e| e != center)
            {
                if let Some((_, articles)) = together.get_mut(&entity) {
                    articles.insert(paragraph.article_key);
                }
            }
        }
    }
    let total = distinct.len() as u64;
    let center_paragraphs = paragraphs[center as usize];
    let mut rows: Vec<Tie> = together
        .into_iter()
        .map(|(entity, (count, articles))| {
            let path = &observations.entities[entity as usize];
            let named = entity_ref(&Facet::from(path.as_str()));
            let own = paragraphs[entity as usize];
            Tie {
                kind: named.kind,
                name: named.name,
                path: path.clone(),
                together: count,
                articles_together: articles.len() as u64,
                paragraphs: own,
                strength: log_likelihood(count, center_paragraphs, own, total),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        let first = match sort {
            TieSort::Strength => b.strength.total_cmp(&a.strength),
            TieSort::Together => b.together.cmp(&a.together),
        };
        first
            .then_with(|| b.together.cmp(&a.together))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.name.cmp(&b.name))
    });
    rows
}

/// What `sitrep network` draws.
#[derive(Debug, Clone, Copy)]
pub struct NetworkOptions {
    /// Entities kept: the most named under the query.
    pub top: usize,
    /// Ties with fewer paragraphs together are left out.
    pub min_together: u64,
    /// Count each tie per year or month too.
    pub by: Option<Period>,
}

/// An entity of the network.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Node {
    /// Its facet path, which edges name.
    pub id: String,
    pub kind: String,
    pub name: String,
    /// Distinct paragraphs naming it, under the query.
    pub paragraphs: u64,
    /// Articles naming it (copies in other articles included).
    pub articles: u64,
    /// The earliest and latest date of the articles naming it (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    pub last_date: Option<String>,
}

/// A tie between two entities of the network.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub together: u64,
    pub articles_together: u64,
    pub strength: f64,
    /// With `--by`: paragraphs together per period (`2023`, `2023-11`), dated ones only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periods: Option<BTreeMap<String, u64>>,
}

/// The top entities of a query and the ties between them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Network {
    /// Distinct paragraphs the query matched.
    pub paragraphs: u64,
    /// `year` or `month`, when ties are counted per period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// The articles naming something, counted once each. Paragraphs arrive article by article, so
/// most repeats are the last article seen, checked before the set.
#[derive(Default)]
struct Articles {
    seen: HashSet<u64>,
    last: Option<u64>,
}

impl Articles {
    fn insert(&mut self, article: u64) {
        if self.last != Some(article) {
            self.last = Some(article);
            self.seen.insert(article);
        }
    }

    fn len(&self) -> usize {
        self.seen.len()
    }
}

#[derive(Default)]
struct EntityTally {
    articles: Articles,
    first_day: Option<i64>,
    last_day: Option<i64>,
}

#[derive(Default)]
struct PairTally {
    together: u64,
    articles: Articles,
    periods: BTreeMap<String, u64>,
}

/// The `options.top` entities most named in the paragraphs observed (ties broken by kind and
/// name), and every pair of them named together in at least `options.min_together` of them.
pub fn network(observations: &Observations, options: &NetworkOptions) -> Network {
    let counted = observations.counted();
    let total = counted.iter().filter(|counted| **counted).count() as u64;
    let mut paragraphs = vec![0u64; observations.entities.len()];
    for (paragraph, _) in observations
        .paragraphs
        .iter()
        .zip(&counted)
        .filter(|(_, c)| **c)
    {
        for &entity in observations.entities_of(paragraph) {
            paragraphs[entity as usize] += 1;
        }
    }
    let named = |id: usize| entity_ref(&Facet::from(observations.entities[id].as_str()));
    let mut ranked: Vec<(usize, String, String)> = (0..paragraphs.len())
        .filter(|&id| paragraphs[id] > 0)
        .map(|id| {
            let entity = named(id);
            (id, entity.kind, entity.name)
        })
        .collect();
    ranked.sort_by(|a, b| {
        paragraphs[b.0]
            .cmp(&paragraphs[a.0])
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    ranked.truncate(options.top);
    let mut slot: Vec<Option<usize>> = vec![None; paragraphs.len()];
    for (n, (id, ..)) in ranked.iter().enumerate() {
        slot[*id] = Some(n);
    }
    // One pass over every paragraph: articles and dates count every copy (each is an article
    // naming them), paragraphs together only the counted ones.
    let mut tallies: Vec<EntityTally> = ranked.iter().map(|_| EntityTally::default()).collect();
    let mut pairs = Pairs::new(ranked.len());
    let mut slots = Vec::new();
    for (paragraph, &counted) in observations.paragraphs.iter().zip(&counted) {
        kept_slots(observations.entities_of(paragraph), &slot, &mut slots);
        if slots.is_empty() {
            continue;
        }
        for &kept in &slots {
            let tally = &mut tallies[kept];
            tally.articles.insert(paragraph.article_key);
            if let Some(day) = paragraph.day {
                tally.first_day = Some(tally.first_day.map_or(day, |d| d.min(day)));
                tally.last_day = Some(tally.last_day.map_or(day, |d| d.max(day)));
            }
        }
        let period = match (counted, options.by, paragraph.day) {
            (true, Some(by), Some(day)) => Some(by.of_day(day)),
            _ => None,
        };
        pairs.each(&slots, |pair| {
            pair.articles.insert(paragraph.article_key);
            if counted {
                pair.together += 1;
            }
            if let Some(period) = &period {
                *pair.periods.entry(period.clone()).or_default() += 1;
            }
        });
    }
    let nodes: Vec<Node> = ranked
        .iter()
        .zip(&tallies)
        .map(|((id, kind, name), tally)| Node {
            id: observations.entities[*id].clone(),
            kind: kind.clone(),
            name: name.clone(),
            paragraphs: paragraphs[*id],
            articles: tally.articles.len() as u64,
            first_date: tally.first_day.map(format_day),
            last_date: tally.last_day.map(format_day),
        })
        .collect();
    let mut edges: Vec<Edge> = pairs
        .into_counted()
        .filter(|(_, pair)| pair.together >= options.min_together.max(1))
        .map(|((a, b), pair)| Edge {
            source: nodes[a].id.clone(),
            target: nodes[b].id.clone(),
            together: pair.together,
            articles_together: pair.articles.len() as u64,
            strength: log_likelihood(
                pair.together,
                nodes[a].paragraphs,
                nodes[b].paragraphs,
                total,
            ),
            periods: options.by.map(|_| pair.periods),
        })
        .collect();
    edges.sort_by(|a, b| {
        b.strength
            .total_cmp(&a.strength)
            .then_with(|| b.together.cmp(&a.together))
            .then_with(|| (&a.source, &a.target).cmp(&(&b.source, &b.target)))
    });
    Network {
        paragraphs: total,
        by: options.by.map(|by| match by {
            Period::Year => "year".to_string(),
            Period::Month => "month".to_string(),
        }),
        nodes,
        edges,
    }
}

/// The slots of the kept entities a paragraph names, in order.
fn kept_slots(entities: &[u32], slot: &[Option<usize>], kept: &mut Vec<usize>) {
    kept.clear();
    kept.extend(entities.iter().filter_map(|&e| slot[e as usize]));
    kept.sort_unstable();
}

/// Paragraphs, articles (copies included) and periods per pair of the kept entities, in a
/// `kept` × `kept` table whose cell (a, b), a < b, is the pair's.
struct Pairs {
    kept: usize,
    cells: Vec<PairTally>,
}

impl Pairs {
    fn new(kept: usize) -> Pairs {
        Pairs {
            kept,
            cells: (0..kept * kept).map(|_| PairTally::default()).collect(),
        }
    }

    /// Runs `update` on the cell of every pair of `slots` (sorted).
    fn each(&mut self, slots: &[usize], mut update: impl FnMut(&mut PairTally)) {
        for (i, &a) in slots.iter().enumerate() {
            for &b in &slots[i + 1..] {
                update(&mut self.cells[a * self.kept + b]);
            }
        }
    }

    /// The pairs counted at least once, as ((a, b), tally).
    fn into_counted(self) -> impl Iterator<Item = ((usize, usize), PairTally)> {
        let kept = self.kept;
        self.cells
            .into_iter()
            .enumerate()
            .filter(|(_, pair)| pair.together > 0)
            .map(move |(cell, pair)| ((cell / kept, cell % kept), pair))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ParagraphEntities;

    /// Four articles: KH with the PMF twice (once copied into a third article), KH with Iraq
    /// once, the PMF with Iraq once, Iraq alone once.
    fn sample() -> Observations {
        let mut observations = Observations::default();
        let kh = observations.entity_id("/org/Kata'ib Hezbollah");
        let pmf = observations.entity_id("/org/Popular Mobilization Forces");
        let iraq = observations.entity_id("/place/Iraq");
        // 2019-12-29, 2020-01-03, 2020-02-01.
        let (dec29, jan3, feb1) = (18_259, 18_264, 18_293);
        for (text_hash, article_key, day, entities) in [
            (1, 10, dec29, &[kh, pmf][..]),
            (2, 20, jan3, &[kh, pmf]),
            (2, 30, feb1, &[kh, pmf]),
            (3, 20, jan3, &[kh, iraq]),
            (4, 40, feb1, &[pmf, iraq]),
            (5, 40, feb1, &[iraq]),
        ] {
            let paragraph = ParagraphEntities::new(text_hash, article_key, 1, Some(day));
            observations.push(paragraph, entities);
        }
        observations
    }

    #[test]
    fn ties_count_distinct_paragraphs_and_articles() {
        let rows = ties(&sample(), "/org/Kata'ib Hezbollah", TieSort::Together);
        let summary: Vec<(&str, u64, u64, u64)> = rows
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.together,
                    t.articles_together,
                    t.paragraphs,
                )
            })
            .collect();
        assert_eq!(
            summary,
            // Two paragraphs, one of them copied into a third article.
            [("Popular Mobilization Forces", 2, 3, 3), ("Iraq", 1, 1, 3)]
        );
        assert!(rows[0].strength > rows[1].strength);
        assert!(ties(&sample(), "/place/Syria", TieSort::Strength).is_empty());
    }

    #[test]
    fn a_network_keeps_the_top_entities_and_counts_ties_per_period() {
        let options = NetworkOptions {
            top: 2,
            min_together: 1,
            by: Some(Period::Month),
        };
        let network = network(&sample(), &options);
        assert_eq!(network.paragraphs, 5);
        let nodes: Vec<(&str, u64, Option<&str>, Option<&str>)> = network
            .nodes
            .iter()
            .map(|n| {
                (
                    n.name.as_str(),
                    n.paragraphs,
                    n.first_date.as_deref(),
                    n.last_date.as_deref(),
                )
            })
            .collect();
        // Three paragraphs each for PMF, Iraq and KH: by kind, then name. The February copy is
        // a later mention.
        assert_eq!(
            nodes,
            [
                (
                    "Kata'ib Hezbollah",
                    3,
                    Some("2019-12-29"),
                    Some("2020-02-01")
                ),
                (
                    "Popular Mobilization Forces",
                    3,
                    Some("2019-12-29"),
                    Some("2020-02-01")
                ),
            ]
        );
        assert_eq!(network.edges.len(), 1);
        let edge = &network.edges[0];
        assert_eq!((edge.together, edge.articles_together), (2, 3));
        let periods: Vec<(&str, u64)> = edge
            .periods
            .as_ref()
            .unwrap()
            .iter()
            .map(|(p, n)| (p.as_str(), *n))
            .collect();
        // The copy in February is the same paragraph as January's: counted once, in January.
        assert_eq!(periods, [("2019-12", 1), ("2020-01", 1)]);
        let strict = NetworkOptions {
            top: 3,
            min_together: 2,
            by: None,
        };
        let strict = super::network(&sample(), &strict);
        assert_eq!(strict.nodes.len(), 3);
        assert_eq!(strict.edges.len(), 1);
        assert_eq!(strict.edges[0].periods, None);
    }
}
