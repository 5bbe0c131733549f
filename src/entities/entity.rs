/*!
What the gazetteer holds and what tagging reports: an [`Entity`] and where it came from
([`Origin`]), who a mention names ([`EntityRef`]), and one mention as found (`Found` while
tagging, [`EntityMatch`] when reported).
*/

use std::ops::Range;

use serde::Serialize;

use crate::analysis::is_apostrophe;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: String,
    pub name: String,
    pub parent: Option<usize>,
    pub aliases: Vec<String>,
    /// Facet path, e.g. `/org/Islamic Revolutionary Guard Corps/Qods Force`.
    pub facet: String,
    pub origin: Origin,
    /// Aliases that are also ordinary words ("Gulf"): they match only where written
    /// capitalised and standing alone, as generated names do.
    pub capitalised: Vec<String>,
}

/// Whether an entity was written by hand or generated from a dataset (places from GeoNames).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Hand,
    /// Generated names match only where written capitalised, and take no spelling variants.
    Generated {
        /// Names that are also common words or people's names ("Split", "Florence"): they
        /// count only where they cannot open a sentence, or beside a place that contains them.
        needs_context: Vec<String>,
        /// The name itself belongs to another entry (a bigger place of the same name).
        name_taken: bool,
    },
}

impl Entity {
    /// The name and aliases this entity is matched and looked up by.
    pub fn spellings(&self) -> impl Iterator<Item = &String> {
        let name_taken = matches!(
            self.origin,
            Origin::Generated {
                name_taken: true,
                ..
            }
        );
        (!name_taken)
            .then_some(&self.name)
            .into_iter()
            .chain(&self.aliases)
    }

    pub fn is_generated(&self) -> bool {
        matches!(self.origin, Origin::Generated { .. })
    }
}

/// Who a mention names: a gazetteer entry, or a name no entry holds that the learned tagger
/// found (stored under the kind's `unlisted` branch of the facet tree).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityRef {
    Listed(usize),
    Unlisted { kind: String, name: String },
}

impl EntityRef {
    /// A name no entry holds, spelt as the index stores it (straight apostrophes, single
    /// spaces).
    pub fn unlisted(kind: &str, written: &str) -> EntityRef {
        EntityRef::Unlisted {
            kind: kind.to_string(),
            name: display_name(written),
        }
    }
}

/// One spelling per name for the facet: straight apostrophes, single spaces, no '/'.
fn display_name(written: &str) -> String {
    written
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(is_apostrophe, "'")
        .replace('/', "-")
}

/// One mention while an article is tagged: who, where in the original paragraph, and how it
/// was recognised. The matcher, the learned tagger and the article's own bindings each add
/// some; they become [`EntityMatch`]es once all are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) entity: EntityRef,
    pub(crate) range: Range<usize>,
    pub(crate) variant: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityMatch {
    #[serde(skip)]
    pub entity: EntityRef,
    pub kind: String,
    pub name: String,
    /// The text as written in the original.
    pub text: String,
    /// Byte range in the original text.
    pub range: [usize; 2],
    /// True when the mention differs from every alias by one edit (a variant or a typo) or is
    /// a transliteration no alias spells out.
    pub variant: bool,
    /// True for a name no gazetteer entry holds, found by the learned tagger.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unlisted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_names_have_one_spelling() {
        assert_eq!(display_name("Kata’ib  al-Imam/Ali"), "Kata'ib al-Imam-Ali");
    }
}
