//! Who appears with whom, for a terminal: the ties of one entity and the network of a query.

use std::fmt::Write as _;

use super::{thousands, to_csv};
use crate::network::{Network, Tie};

/// `sitrep entities --with NAME`: one row per entity named with it.
pub fn render_ties(ties: &[Tie]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<7} {:>8} {:>8} {:>10} {:>9}  name",
        "kind", "together", "articles", "paragraphs", "strength"
    );
    for tie in ties {
        let _ = writeln!(
            out,
            "{:<7} {:>8} {:>8} {:>10} {:>9.1}  {}",
            tie.kind,
            thousands(tie.together),
            thousands(tie.articles_together),
            thousands(tie.paragraphs),
            tie.strength,
            tie.name
        );
    }
    out
}

/// `sitrep entities --with NAME --csv`.
pub fn ties_csv(ties: &[Tie]) -> String {
    let header = [
        "kind",
        "name",
        "together",
        "articles_together",
        "paragraphs",
        "strength",
    ];
    let mut records = vec![header.map(String::from).to_vec()];
    for tie in ties {
        records.push(vec![
            tie.kind.clone(),
            tie.name.clone(),
            tie.together.to_string(),
            tie.articles_together.to_string(),
            tie.paragraphs.to_string(),
            tie.strength.to_string(),
        ]);
    }
    to_csv(records)
}

/// `sitrep network`: the entities, most named first, then the ties, strongest first.
pub fn render_network(network: &Network) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} entities and {} ties in {} paragraphs",
        network.nodes.len(),
        network.edges.len(),
        thousands(network.paragraphs)
    );
    let _ = writeln!(
        out,
        "\n{:<7} {:>10} {:>8}  {:<10} {:<10}  name",
        "kind", "paragraphs", "articles", "first", "last"
    );
    for node in &network.nodes {
        let _ = writeln!(
            out,
            "{:<7} {:>10} {:>8}  {:<10} {:<10}  {}",
            node.kind,
            thousands(node.paragraphs),
            thousands(node.articles),
            node.first_date.as_deref().unwrap_or("-"),
            node.last_date.as_deref().unwrap_or("-"),
            node.name
        );
    }
    let name = |id: &str| {
        network
            .nodes
            .iter()
            .find(|node| node.id == id)
            .map_or(id.to_string(), |node| node.name.clone())
    };
    let _ = writeln!(
        out,
        "\n{:>8} {:>8} {:>9}  tie",
        "together", "articles", "strength"
    );
    for edge in &network.edges {
        let _ = write!(
            out,
            "{:>8} {:>8} {:>9.1}  {} — {}",
            thousands(edge.together),
            thousands(edge.articles_together),
            edge.strength,
            name(&edge.source),
            name(&edge.target)
        );
        if let Some(periods) = &edge.periods {
            let counts: Vec<String> = periods.iter().map(|(p, n)| format!("{p}:{n}")).collect();
            let _ = write!(out, "  [{}]", counts.join(" "));
        }
        out.push('\n');
    }
    out
}
