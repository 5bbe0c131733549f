//! What a store hands over for co-occurrence counting: the paragraphs a query matches and the
//! entities each names.

use std::collections::HashMap;

/// One paragraph a query matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphEntities {
    pub text_hash: u64,
    pub article_key: u64,
    pub paragraph: u64,
    /// Days since 1970-01-01 of the article's date, when it has one.
    pub day: Option<i64>,
    /// Indices into [`Observations::entities`], each once.
    pub entities: Vec<u32>,
}

/// The paragraphs a query matched, and the entity facet paths they name.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// Facet paths (`/org/Kata'ib Hezbollah`), indexed by [`ParagraphEntities::entities`].
    pub entities: Vec<String>,
    pub paragraphs: Vec<ParagraphEntities>,
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

    /// The index of a facet path among those seen, if any paragraph names it.
    pub fn find(&self, path: &str) -> Option<u32> {
        self.index.get(path).copied()
    }

    /// The paragraphs as search counts them: one per text, the copy with the smallest article
    /// key and paragraph standing for the others (what search shows first among equals).
    pub fn distinct(&self) -> Vec<&ParagraphEntities> {
        let mut first: HashMap<u64, &ParagraphEntities> =
            HashMap::with_capacity(self.paragraphs.len());
        for paragraph in &self.paragraphs {
            first
                .entry(paragraph.text_hash)
                .and_modify(|kept| {
                    if (paragraph.article_key, paragraph.paragraph)
                        < (kept.article_key, kept.paragraph)
                    {
                        *kept = paragraph;
                    }
                })
                .or_insert(paragraph);
        }
        let mut distinct: Vec<&ParagraphEntities> = first.into_values().collect();
        distinct.sort_unstable_by_key(|p| (p.article_key, p.paragraph));
        distinct
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
        let paragraph = |text_hash, article_key, entities: Vec<u32>| ParagraphEntities {
            text_hash,
            article_key,
            paragraph: 2,
            day: None,
            entities,
        };
        observations.paragraphs = vec![
            paragraph(7, 30, vec![kh]),
            paragraph(7, 10, vec![kh, pmf]),
            paragraph(8, 20, vec![pmf]),
        ];
        let distinct = observations.distinct();
        assert_eq!(distinct.len(), 2);
        assert_eq!(
            (distinct[0].article_key, distinct[0].entities.len()),
            (10, 2)
        );
        assert_eq!(distinct[1].article_key, 20);
        assert_eq!(observations.find("/place/Iraq"), None);
    }
}
