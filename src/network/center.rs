//! Which entity `entities --with NAME` (or `--person/--org/--place NAME`) asks about.

use crate::entities::{Gazetteer, UNLISTED, UNLISTED_KINDS};
use crate::error::{Error, Result};

use super::Observations;

/// The facet path of the entity `name` (of `kind`, when given): a gazetteer entity, else a
/// name the learned tagger indexed under a kind's `unlisted` branch among the paragraphs
/// observed; else an error naming the closest known names.
pub fn resolve_entity(
    gazetteer: &Gazetteer,
    observations: &Observations,
    kind: Option<&str>,
    name: &str,
) -> Result<String> {
    let wanted = kind.unwrap_or("entity");
    match gazetteer.lookup(name) {
        Some(entity) if kind.is_none_or(|k| k == entity.kind) => Ok(entity.facet.clone()),
        Some(entity) => Err(Error::UnknownEntity {
            kind: wanted.to_string(),
            name: name.to_string(),
            suggestions: Vec::new(),
            listed_as: Some((entity.kind.clone(), entity.name.clone())),
        }),
        None => {
            let kinds: Vec<&str> = match kind {
                Some(kind) => vec![kind],
                None => UNLISTED_KINDS.to_vec(),
            };
            kinds
                .into_iter()
                .map(|kind| format!("/{kind}/{UNLISTED}/{}", name.trim()))
                .find(|path| observations.find(path).is_some())
                .ok_or_else(|| Error::UnknownEntity {
                    kind: wanted.to_string(),
                    name: name.to_string(),
                    suggestions: gazetteer.suggest(name, kind),
                    listed_as: None,
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::GazetteerSource;

    #[test]
    fn names_resolve_by_alias_kind_or_unlisted_branch_and_typos_get_suggestions() {
        let gazetteer = Gazetteer::parse(
            "[[person]]\nname = \"Qassem Soleimani\"\naliases = [\"Qasem Suleimani\"]\n\n\
             [[org]]\nname = \"Kata'ib Hezbollah\"\n",
            GazetteerSource::BuiltIn,
        )
        .unwrap();
        let mut observations = Observations::default();
        observations.entity_id("/person/unlisted/Karim Nouri");
        let resolve = |kind, name| resolve_entity(&gazetteer, &observations, kind, name);
        assert_eq!(
            resolve(None, "Qasem Suleimani").unwrap(),
            "/person/Qassem Soleimani"
        );
        assert_eq!(
            resolve(Some("org"), "Kataib Hezbollah").unwrap(),
            "/org/Kata'ib Hezbollah"
        );
        assert_eq!(
            resolve(None, "Karim Nouri").unwrap(),
            "/person/unlisted/Karim Nouri"
        );
        assert_eq!(
            resolve(Some("org"), "Qassem Soleimani")
                .unwrap_err()
                .to_string(),
            "unknown org 'Qassem Soleimani' (it is the person 'Qassem Soleimani' in the gazetteer)"
        );
        let typo = resolve(None, "Soliemani").unwrap_err().to_string();
        assert!(
            typo.starts_with("unknown entity 'Soliemani'; did you mean 'Qassem Soleimani'"),
            "{typo}"
        );
    }
}
