//! What a store hands over for co-occurrence counting: the paragraphs a query matches and the
//! entities each names.

use std::collections::HashMap;
use std::ops::Range;

use rustc_hash::FxHashMap;

/// One paragraph a query matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphEntities {
    pub text_hash: u64,
    /// Known to have no copy (the index folder's copy groups say so): counted without
    /// looking its text up.
    pub unique: bool,
    pub article_key: u64,
    pub paragraph: u64,
    /// Days since 1970-01-01 of the article's date, when it has one.
    pub day: Option<i64>,
    /// Where its entities are in [`Observations::entities_of`]'s list.
    entities: Range<u32>,
}

impl ParagraphEntities {
    /// A paragraph not known to be without copies; its entities are given to
    /// [`Observations::push`].
    pub fn new(text_hash: u64, article_key: u64, paragraph: u64, day: Option<i64>) -> Self {
        ParagraphEntities {
            text_hash,
            unique: false,
            article_key,
            paragraph,
            day,
            entities: 0..0,
        }
    }
}

/// The paragraphs a query matched, and the entity facet paths they name.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// Facet paths (`/org/Kata'ib Hezbollah`), indexed by [`ParagraphEntities::entities`].
    pub entities: Vec<String>,
    pub paragraphs: Vec<ParagraphEntities>,
    /// The entities of every paragraph, one after another (one allocation, not one each).
    links: Vec<u32>,
    index: HashMap<String, u32>,
}

impl Observations {
    /// The index of an entity's facet path, added when new.
    pub fn entity_id(&mut self, path: &str) -> u32 {
        if let Some(&id) = self.index.get(path) {
            return id;
        }
        let id = self.entities.len() as u32;
        self.entities.push(path.to_string());
        self.index.insert(path.to_string(), id);
        id
    }

    /// Adds a paragraph naming `entities` (indices of [`Observations::entity_id`], each once).
    pub fn push(&mut self, mut paragraph: ParagraphEntities, entities: &[u32]) {
        let start = self.links.len() as u32;
        self.links.extend_from_slice(entities);
        paragraph.entities = start..self.links.len() as u32;
        self.paragraphs.push(paragraph);
    }

    /// Adds the paragraphs of one part (a segment's), whose entities were pushed as indices
    /// into `paths` rather than through [`Observations::entity_id`].
    pub fn append_part(&mut self, paths: &[String], mut part: Observations) {
        let ids: Vec<u32> = paths.iter().map(|path| self.entity_id(path)).collect();
        for link in &mut part.links {
            *link = ids[*link as usize];
        }
        let base = self.links.len() as u32;
        self.links.append(&mut part.links);
        self.paragraphs
            .extend(part.paragraphs.into_iter().map(|mut paragraph| {
                paragraph.entities = paragraph.entities.start + base..paragraph.entities.end + base;
                paragraph
            }));
    }

    /// The entities a paragraph of these observations names.
    pub fn entities_of(&self, paragraph: &ParagraphEntities) -> &[u32] {
        &self.links[paragraph.entities.start as usize..paragraph.entities.end as usize]
    }

    /// The index of a facet path among those seen, if any paragraph names it.
    pub fn find(&self, path: &str) -> Option<u32> {
        self.index.get(path).copied()
    }

    /// The paragraphs as search counts them: one per text, the copy with the smallest article
    /// key and paragraph standing for the others (what search shows first among equals), in
    /// the order observed.
    pub fn distinct(&self) -> Vec<&ParagraphEntities> {
        self.paragraphs
            .iter()
            .zip(self.counted())
            .filter_map(|(paragraph, counted)| counted.then_some(paragraph))
            .collect()
    }

    /// Per paragraph, whether it is counted: the copy of its text with the smallest article
    /// key and paragraph (what search shows first among equals), or a text with no copy.
    pub fn counted(&self) -> Vec<bool> {
        let mut counted: Vec<bool> = self.paragraphs.iter().map(|p| p.unique).collect();
        let copied = counted.iter().filter(|unique| !**unique).count();
        let mut first: FxHashMap<u64, usize> =
            FxHashMap::with_capacity_and_hasher(copied, Default::default());
        let order = |p: &ParagraphEntities| (p.article_key, p.paragraph);
        for (n, paragraph) in self.paragraphs.iter().enumerate() {
            if paragraph.unique {
                continue;
            }
            first
                .entry(paragraph.text_hash)
                .and_modify(|kept| {
                    if order(paragraph) < order(&self.paragraphs[*kept]) {
                        *kept = n;
                    }
                })
                .or_insert(n);
        }
        for n in first.into_values() {
            counted[n] = true;
        }
        counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_count_once_through_the_first_article() {
        let mut observations = Observations::default();
        let (kh, pmf) = (
            observations.entity_id("/org/Kata'ib Hezbollah"),
            observations.entity_id("/org/Popular Mobilization Forces"),
        );
        assert_eq!(observations.entity_id("/org/Kata'ib Hezbollah"), kh);
        let paragraph =
            |text_hash, article_key| ParagraphEntities::new(text_hash, article_key, 2, None);
        observations.push(paragraph(7, 30), &[kh]);
        observations.push(paragraph(7, 10), &[kh, pmf]);
        observations.push(paragraph(8, 20), &[pmf]);
        let unique = ParagraphEntities {
            unique: true,
            ..paragraph(9, 5)
        };
        observations.push(unique, &[]);
        let distinct = observations.distinct();
        assert_eq!(distinct.len(), 3);
        assert_eq!(
            (
                distinct[0].article_key,
                observations.entities_of(distinct[0])
            ),
            (10, &[kh, pmf][..])
        );
        assert_eq!(distinct[1].article_key, 20);
        assert_eq!(distinct[2].article_key, 5);
        assert_eq!(observations.find("/place/Iraq"), None);
    }
}
