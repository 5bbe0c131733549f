/*!
Finding mentions with a gazetteer: in one text, in the paragraphs of one article (with the
article's own short names and acronyms, and the learned tagger's names when asked), for a few
chosen entities only, and the capitalised names no entry covers.
*/

use std::ops::Range;

use super::article::ArticleContext;
use super::candidates::capitalised_sequences;
use super::entity::Found;
use super::matcher::{Matcher, MatcherUse, MentionFinder};
use super::{unlisted, EntityMatch, EntityRef, Gazetteer, Tagger};
use crate::analysis::{normalize, NormalizedText};

impl Gazetteer {
    /// Every mention of an entity in `text`, read as an article of one paragraph, in text order.
    pub fn find_mentions(&self, text: &str) -> Vec<EntityMatch> {
        self.find_article_mentions(&[text], None)
            .pop()
            .unwrap_or_default()
    }

    /// Every mention in each paragraph of one article, with the short names and acronyms the
    /// article sets up (see [`article`]).
    /// With a `tagger`, names no entry holds are found too.
    pub fn find_article_mentions(
        &self,
        paragraphs: &[&str],
        tagger: Option<&Tagger>,
    ) -> Vec<Vec<EntityMatch>> {
        let norms: Vec<NormalizedText> = paragraphs.iter().map(|p| normalize(p)).collect();
        let pairs: Vec<(&NormalizedText, &str)> =
            norms.iter().zip(paragraphs.iter().copied()).collect();
        self.article_mentions(&pairs, tagger)
            .into_iter()
            .zip(paragraphs)
            .map(|(found, text)| found.into_iter().map(|f| self.to_match(f, text)).collect())
            .collect()
    }

    /// A matcher for a few entities only: what search needs to highlight the entities a query
    /// was expanded to, at a fraction of the cost of compiling every alias.
    pub fn mention_finder(&self, entities: &[usize]) -> MentionFinder<'_> {
        MentionFinder {
            gazetteer: self,
            matcher: Matcher::build(
                entities.iter().map(|&id| (id, self.entity(id))),
                MatcherUse::Highlighting,
            ),
        }
    }

    pub(super) fn mentions_with(&self, matcher: &Matcher, text: &str) -> Vec<EntityMatch> {
        matcher
            .find(text)
            .into_iter()
            .map(|(entity, range, variant)| {
                let found = Found {
                    entity: EntityRef::Listed(entity),
                    range,
                    variant,
                };
                self.to_match(found, text)
            })
            .collect()
    }

    fn to_match(&self, found: Found, text: &str) -> EntityMatch {
        EntityMatch {
            kind: self.kind_of(&found.entity).to_string(),
            name: self.name_of(&found.entity).to_string(),
            text: text[found.range.clone()].to_string(),
            range: [found.range.start, found.range.end],
            variant: found.variant,
            unlisted: matches!(found.entity, EntityRef::Unlisted { .. }),
            entity: found.entity,
        }
    }

    /// Mentions per paragraph of one article whose paragraphs the caller has normalised (the
    /// indexer needs the normalised form for its duplicate hash too).
    fn article_mentions(
        &self,
        paragraphs: &[(&NormalizedText, &str)],
        tagger: Option<&Tagger>,
    ) -> Vec<Vec<Found>> {
        let mut listed: Vec<Vec<Found>> = paragraphs
            .iter()
            .map(|&(norm, text)| {
                self.matcher()
                    .find_in(norm, text)
                    .into_iter()
                    .map(|(entity, range, variant)| Found {
                        entity: EntityRef::Listed(entity),
                        range,
                        variant,
                    })
                    .collect()
            })
            .collect();
        if let Some(tagger) = tagger {
            let texts: Vec<&str> = paragraphs.iter().map(|&(_, text)| text).collect();
            let more = unlisted::unlisted_mentions(self, tagger, &texts, &listed);
            for (found, more) in listed.iter_mut().zip(more) {
                found.extend(more);
                found.sort_by_key(|m| m.range.start);
            }
        }
        let mut context = ArticleContext::default();
        for (found, &(_, text)) in listed.iter_mut().zip(paragraphs) {
            context.resolve(self, text, found);
        }
        listed
    }

    /// How many aliases the alias automaton finds at the word starts of normalised text, and
    /// nothing else: the floor tagging is measured against (`benches/indexing.rs`).
    pub fn alias_automaton_hits(&self, norm: &NormalizedText) -> usize {
        self.matcher().automaton_hits(&norm.text)
    }

    /// The distinct entities each paragraph of an article names, in order of first mention;
    /// with a `tagger`, names no entry holds too.
    pub fn tag_article(
        &self,
        paragraphs: &[(&NormalizedText, &str)],
        tagger: Option<&Tagger>,
    ) -> Vec<Vec<EntityRef>> {
        self.article_mentions(paragraphs, tagger)
            .into_iter()
            .map(|found| {
                let mut seen: Vec<EntityRef> = Vec::new();
                for f in found {
                    if !seen.contains(&f.entity) {
                        seen.push(f.entity);
                    }
                }
                seen
            })
            .collect()
    }

    /// The distinct entities named in `text`, in order of first mention.
    pub fn tag(&self, text: &str) -> Vec<EntityRef> {
        self.tag_article(&[(&normalize(text), text)], None)
            .pop()
            .unwrap_or_default()
    }

    /// Capitalised word sequences in `text` that no gazetteer entry covers.
    pub fn name_candidates(&self, text: &str) -> Vec<String> {
        let covered: Vec<Range<usize>> =
            self.matcher().find(text).into_iter().map(|m| m.1).collect();
        capitalised_sequences(text)
            .into_iter()
            .filter(|range| {
                !covered
                    .iter()
                    .any(|c| c.start < range.end && range.start < c.end)
            })
            .map(|range| text[range].split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }
}
