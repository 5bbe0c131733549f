//! A network as files other tools open as they are: GEXF 1.2 (Gephi; dynamic attributes for
//! ties per period) and GraphML (Cytoscape, networkx, yEd). Node ids are `n0, n1, ...` in the
//! network's order, labelled with the entity's name; edges are weighted by paragraphs together.

use std::fmt::Write;

use super::{Network, Period};

/// Escapes text for an XML attribute or element.
fn xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// The slot of each node id, for edges to name.
fn node_slots(network: &Network) -> std::collections::HashMap<&str, usize> {
    network
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| (node.id.as_str(), n))
        .collect()
}

/// GEXF 1.2: node kind, paragraphs, articles and first and last date as attributes, edges
/// weighted by paragraphs together; with `--by`, each tie's count per period as a dynamic
/// attribute (`together_in_period`, from the period's first day to its last).
pub fn to_gexf(network: &Network, description: &str) -> String {
    let period = network.by.as_deref().map(|by| {
        if by == "year" {
            Period::Year
        } else {
            Period::Month
        }
    });
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n");
    let _ = writeln!(
        out,
        "  <meta>\n    <creator>sitrep</creator>\n    <description>{}</description>\n  </meta>",
        xml(description)
    );
    let mode = if period.is_some() {
        " mode=\"dynamic\" timeformat=\"date\""
    } else {
        " mode=\"static\""
    };
    let _ = writeln!(out, "  <graph defaultedgetype=\"undirected\"{mode}>");
    out.push_str(
        "    <attributes class=\"node\" mode=\"static\">\n\
         \x20     <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n\
         \x20     <attribute id=\"paragraphs\" title=\"paragraphs\" type=\"integer\"/>\n\
         \x20     <attribute id=\"articles\" title=\"articles\" type=\"integer\"/>\n\
         \x20     <attribute id=\"first_date\" title=\"first_date\" type=\"string\"/>\n\
         \x20     <attribute id=\"last_date\" title=\"last_date\" type=\"string\"/>\n\
         \x20     <attribute id=\"path\" title=\"path\" type=\"string\"/>\n\
         \x20   </attributes>\n\
         \x20   <attributes class=\"edge\" mode=\"static\">\n\
         \x20     <attribute id=\"together\" title=\"together\" type=\"integer\"/>\n\
         \x20     <attribute id=\"articles_together\" title=\"articles_together\" type=\"integer\"/>\n\
         \x20     <attribute id=\"strength\" title=\"strength\" type=\"double\"/>\n\
         \x20   </attributes>\n",
    );
    if period.is_some() {
        out.push_str(
            "    <attributes class=\"edge\" mode=\"dynamic\">\n\
             \x20     <attribute id=\"together_in_period\" title=\"together_in_period\" type=\"integer\"/>\n\
             \x20   </attributes>\n",
        );
    }
    out.push_str("    <nodes>\n");
    for (n, node) in network.nodes.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <node id=\"n{n}\" label=\"{}\">",
            xml(&node.name)
        );
        out.push_str("        <attvalues>\n");
        let mut value = |name: &str, value: &str| {
            let _ = writeln!(
                out,
                "          <attvalue for=\"{name}\" value=\"{}\"/>",
                xml(value)
            );
        };
        value("kind", &node.kind);
        value("paragraphs", &node.paragraphs.to_string());
        value("articles", &node.articles.to_string());
        value("first_date", node.first_date.as_deref().unwrap_or(""));
        value("last_date", node.last_date.as_deref().unwrap_or(""));
        value("path", &node.id);
        out.push_str("        </attvalues>\n      </node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    let slots = node_slots(network);
    for (n, edge) in network.edges.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <edge id=\"e{n}\" source=\"n{}\" target=\"n{}\" weight=\"{}\">",
            slots[edge.source.as_str()],
            slots[edge.target.as_str()],
            edge.together
        );
        out.push_str("        <attvalues>\n");
        let _ = writeln!(
            out,
            "          <attvalue for=\"together\" value=\"{}\"/>\n          <attvalue for=\"articles_together\" value=\"{}\"/>\n          <attvalue for=\"strength\" value=\"{}\"/>",
            edge.together, edge.articles_together, edge.strength
        );
        if let (Some(period), Some(periods)) = (period, &edge.periods) {
            for (name, count) in periods {
                let (start, end) = period.span(name);
                let _ = writeln!(
                    out,
                    "          <attvalue for=\"together_in_period\" value=\"{count}\" start=\"{start}\" end=\"{end}\"/>"
                );
            }
        }
        out.push_str("        </attvalues>\n      </edge>\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// GraphML: the same attributes as keys; with `--by`, each tie's counts per period as one
/// JSON-encoded string (`{"2023-11": 2}`), which GraphML has no type for.
pub fn to_graphml(network: &Network) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    let keys = [
        ("label", "node", "string"),
        ("kind", "node", "string"),
        ("paragraphs", "node", "int"),
        ("articles", "node", "int"),
        ("first_date", "node", "string"),
        ("last_date", "node", "string"),
        ("path", "node", "string"),
        ("weight", "edge", "int"),
        ("together", "edge", "int"),
        ("articles_together", "edge", "int"),
        ("strength", "edge", "double"),
        ("periods", "edge", "string"),
    ];
    for (name, domain, kind) in keys {
        let _ = writeln!(
            out,
            "  <key id=\"{name}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{kind}\"/>"
        );
    }
    out.push_str("  <graph id=\"sitrep\" edgedefault=\"undirected\">\n");
    let data = |out: &mut String, key: &str, value: &str| {
        let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", xml(value));
    };
    for (n, node) in network.nodes.iter().enumerate() {
        let _ = writeln!(out, "    <node id=\"n{n}\">");
        data(&mut out, "label", &node.name);
        data(&mut out, "kind", &node.kind);
        data(&mut out, "paragraphs", &node.paragraphs.to_string());
        data(&mut out, "articles", &node.articles.to_string());
        if let Some(first) = &node.first_date {
            data(&mut out, "first_date", first);
        }
        if let Some(last) = &node.last_date {
            data(&mut out, "last_date", last);
        }
        data(&mut out, "path", &node.id);
        out.push_str("    </node>\n");
    }
    let slots = node_slots(network);
    for (n, edge) in network.edges.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <edge id=\"e{n}\" source=\"n{}\" target=\"n{}\">",
            slots[edge.source.as_str()],
            slots[edge.target.as_str()]
        );
        data(&mut out, "weight", &edge.together.to_string());
        data(&mut out, "together", &edge.together.to_string());
        data(
            &mut out,
            "articles_together",
            &edge.articles_together.to_string(),
        );
        data(&mut out, "strength", &edge.strength.to_string());
        if let Some(periods) = &edge.periods {
            data(
                &mut out,
                "periods",
                &serde_json::to_string(periods).unwrap_or_default(),
            );
        }
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Edge, Node};

    fn sample() -> Network {
        let node = |id: &str, kind: &str, name: &str| Node {
            id: id.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            paragraphs: 3,
            articles: 2,
            first_date: Some("2019-12-29".to_string()),
            last_date: None,
        };
        Network {
            paragraphs: 5,
            by: Some("month".to_string()),
            nodes: vec![
                node("/org/Kata'ib Hezbollah", "org", "Kata'ib Hezbollah"),
                node("/org/AT&T", "org", "AT&T <US>"),
            ],
            edges: vec![Edge {
                source: "/org/Kata'ib Hezbollah".to_string(),
                target: "/org/AT&T".to_string(),
                together: 2,
                articles_together: 2,
                strength: 1.5,
                periods: Some([("2019-12".to_string(), 2)].into()),
            }],
        }
    }

    #[test]
    fn gexf_escapes_names_and_dates_each_period() {
        let gexf = to_gexf(&sample(), "q & a");
        assert!(gexf.contains("<description>q &amp; a</description>"));
        assert!(gexf.contains("<node id=\"n0\" label=\"Kata&apos;ib Hezbollah\">"));
        assert!(gexf.contains("label=\"AT&amp;T &lt;US&gt;\""));
        assert!(gexf.contains("<edge id=\"e0\" source=\"n0\" target=\"n1\" weight=\"2\">"));
        assert!(gexf.contains(
            "<attvalue for=\"together_in_period\" value=\"2\" start=\"2019-12-01\" end=\"2019-12-31\"/>"
        ));
        assert!(gexf.contains("mode=\"dynamic\" timeformat=\"date\""));
    }

    #[test]
    fn graphml_declares_its_keys_and_weighs_edges() {
        let graphml = to_graphml(&sample());
        assert!(graphml
            .contains("<key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"int\"/>"));
        assert!(graphml.contains("<data key=\"label\">AT&amp;T &lt;US&gt;</data>"));
        assert!(graphml.contains("<data key=\"periods\">{&quot;2019-12&quot;:2}</data>"));
        assert!(!graphml.contains("<data key=\"last_date\">"));
    }
}
