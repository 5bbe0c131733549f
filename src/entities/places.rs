/*!
The places of the whole map: countries, first-level regions and cities of 15,000+ people
from GeoNames (CC BY 4.0), generated into `corpus/places.tsv` by `benches/places.py` and
merged under the hand gazetteer when it says `places = "geonames"`.

Hand entries win: a generated place that a hand `[[place]]` names (by name or alias) is that
hand entry, and its generated children hang under it (`/place/Iraq/Erbil Governorate/...`
under the hand "Iraq"); a generated alias that a hand entry claims is dropped; where two
generated places share a name, the more populous one keeps it.
*/

use rustc_hash::FxHashMap;

use super::translit::first_word_key;
use super::{Entity, Origin};
use crate::analysis::normalize_name;

/// The generated places file, compiled into the binary so any corpus can use it.
pub const BUILTIN_PLACES: &str = include_str!("../../corpus/places.tsv");

/// Below this population a city keeps only multi-word alternate names.
const SMALL_TOWN: u64 = 100_000;

/// The value of `places` in a gazetteer file that merges the built-in places.
pub const GEONAMES: &str = "geonames";

struct Row<'a> {
    id: u64,
    level: &'a str,
    name: &'a str,
    parent: Option<u64>,
    population: u64,
    aliases: Vec<&'a str>,
    needs_context: Vec<&'a str>,
}

/// The rows of the places file; an error names the line that does not parse.
fn parse_rows<'a>(text: &'a str) -> Result<Vec<Row<'a>>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            format!(
                "places file line {}: expected 7 tab-separated fields",
                n + 1
            )
        };
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, level, name, parent, population, aliases, needs_context] = fields[..] else {
            return Err(bad());
        };
        let list =
            |s: &'a str| -> Vec<&'a str> { s.split('|').filter(|a| !a.is_empty()).collect() };
        rows.push(Row {
            id: id.parse().map_err(|_| bad())?,
            level,
            name,
            parent: if parent.is_empty() {
                None
            } else {
                Some(parent.parse().map_err(|_| bad())?)
            },
            population: population.parse().unwrap_or(0),
            aliases: list(aliases),
            needs_context: list(needs_context),
        });
    }
    Ok(rows)
}

/// Appends the places of `text` to `entities` (the hand entries, whose aliases are in
/// `claimed`), and returns how many were added.
pub(super) fn merge(
    text: &str,
    entities: &mut Vec<Entity>,
    claimed: &FxHashMap<String, usize>,
) -> Result<usize, String> {
    let mut rows = parse_rows(text)?;
    // Parents before children, so a child's facet can extend its parent's.
    let depth = |level: &str| match level {
        "country" => 0,
        "region" => 1,
        _ => 2,
    };
    rows.sort_by_key(|r| (depth(r.level), r.id));
    // GeoNames gives regions no population: a region counts the people of its cities, or
    // any town named Florida or Ontario would take the name from the state or province.
    let mut people: FxHashMap<u64, u64> = rows.iter().map(|r| (r.id, r.population)).collect();
    for row in rows.iter().filter(|r| r.level == "city") {
        if let Some(region) = row.parent.and_then(|p| people.get_mut(&p)) {
            *region += row.population;
        }
    }
    let people_of = |row: &Row| people.get(&row.id).copied().unwrap_or(0);
    // Who keeps a name two generated places share: the more populous.
    let mut owner: FxHashMap<String, (u64, u64)> = FxHashMap::default();
    for row in &rows {
        for alias in std::iter::once(row.name).chain(row.aliases.iter().copied()) {
            let key = normalize_name(alias);
            let population = people_of(row);
            let entry = owner.entry(key).or_insert((population, row.id));
            if (population, std::cmp::Reverse(row.id)) > (entry.0, std::cmp::Reverse(entry.1)) {
                *entry = (population, row.id);
            }
        }
    }
    let mut by_geonames: FxHashMap<u64, usize> = FxHashMap::default();
    let before = entities.len();
    for row in rows {
        let hand = std::iter::once(row.name)
            .chain(row.aliases.iter().copied())
            .find_map(|alias| claimed.get(&normalize_name(alias)).copied())
            .filter(|&id| entities[id].kind == "place");
        if let Some(hand) = hand {
            by_geonames.insert(row.id, hand);
            continue;
        }
        let parent = row.parent.and_then(|p| by_geonames.get(&p).copied());
        // A small town's one-word alternate names are mostly other languages' words or noise
        // ("Olympic", "Africa", "Center"), kept only when they spell the name's consonants
        // (Rawanduz for Ṟuwandiz); a big city's are real exonyms (Bagdad, Londres).
        let small_town = row.level == "city" && row.population < SMALL_TOWN;
        let name_key = consonants(&normalize_name(row.name));
        let keeps = |alias: &str| {
            let key = normalize_name(alias);
            let noise = small_town
                && alias != row.name
                && !key.contains(' ')
                && consonants(&key) != name_key;
            !key.is_empty()
                && !noise
                && !claimed.contains_key(&key)
                && owner.get(&key).is_some_and(|&(_, id)| id == row.id)
        };
        if !keeps(row.name) && row.aliases.iter().all(|a| !keeps(a)) {
            // Every name of this place belongs to another: it could never be found.
            continue;
        }
        let name = row.name.replace('/', "-");
        let facet = match parent {
            Some(p) => format!("{}/{name}", entities[p].facet),
            None => format!("/place/{name}"),
        };
        let id = entities.len();
        by_geonames.insert(row.id, id);
        entities.push(Entity {
            kind: "place".to_string(),
            name,
            parent,
            aliases: row
                .aliases
                .iter()
                .filter(|a| keeps(a))
                .map(|a| a.to_string())
                .collect(),
            facet,
            origin: Origin::Generated {
                needs_context: row.needs_context.iter().map(|a| a.to_string()).collect(),
                name_taken: !keeps(row.name),
            },
            capitalised: Vec::new(),
        });
    }
    Ok(entities.len() - before)
}

fn consonants(normalized: &str) -> String {
    let mut key = String::new();
    first_word_key(&normalized.replace(' ', ""), &mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_places_file_parses() {
        let rows = parse_rows(BUILTIN_PLACES).unwrap();
        assert!(rows.len() > 20_000, "{}", rows.len());
        assert!(rows
            .iter()
            .any(|r| r.name == "Rawanduz" || r.aliases.contains(&"Rawanduz")));
    }

    #[test]
    fn a_malformed_line_is_named() {
        let err = parse_rows("# header\n1\tcountry\tX\n").err().unwrap();
        assert_eq!(
            err.to_string(),
            "places file line 2: expected 7 tab-separated fields"
        );
    }
}
