//! One article's paragraphs, in order, with their entities (`sitrep show`).

use serde::Serialize;

use crate::entities::{EntityMatch, Gazetteer};
use crate::error::{Error, Result};
use crate::paragraph::{EntityRef, StoredParagraph};

#[derive(Debug, Clone, Serialize)]
pub struct ShownParagraph {
    pub paragraph: u64,
    pub text: String,
    pub entities: Vec<EntityRef>,
    /// Where the paragraph names its entities (byte ranges into `text`); filled for the web
    /// page's article view only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<EntityMatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownArticle {
    pub article_id: String,
    pub title: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub path: String,
    pub paragraphs: Vec<ShownParagraph>,
}

impl ShownArticle {
    /// An article from its stored paragraphs (in any order), keeping `paragraph` alone when
    /// one is asked for, and with where each names its entities when given the gazetteer.
    /// No paragraphs means the id is not in the index at `location`.
    pub(crate) fn of(
        article_id: &str,
        stored: Vec<StoredParagraph>,
        paragraph: Option<u64>,
        mentions_from: Option<&Gazetteer>,
        location: &str,
    ) -> Result<ShownArticle> {
        let Some(first) = stored.first() else {
            return Err(Error::ArticleNotFound {
                id: article_id.to_string(),
                index: location.into(),
            });
        };
        let mut article = ShownArticle {
            article_id: article_id.to_string(),
            title: first.title.clone(),
            date: first.date.clone(),
            url: first.url.clone(),
            source: first.source.clone(),
            path: first.path.clone(),
            paragraphs: Vec::new(),
        };
        for stored in stored {
            if paragraph.is_none_or(|p| p == stored.paragraph) {
                article.paragraphs.push(ShownParagraph {
                    paragraph: stored.paragraph,
                    text: stored.text,
                    entities: stored.entities,
                    mentions: Vec::new(),
                });
            }
        }
        if article.paragraphs.is_empty() {
            return Err(Error::ParagraphNotFound {
                id: article_id.to_string(),
                paragraph: paragraph.unwrap_or(0),
            });
        }
        article.paragraphs.sort_by_key(|p| p.paragraph);
        if let Some(gazetteer) = mentions_from {
            // Read as one article, so its short names and acronyms are found too.
            let texts: Vec<&str> = article.paragraphs.iter().map(|p| p.text.as_str()).collect();
            let mentions = gazetteer.find_article_mentions(&texts, None);
            for (shown, mentions) in article.paragraphs.iter_mut().zip(mentions) {
                shown.mentions = mentions;
            }
        }
        Ok(article)
    }
}
