/*!
CoNLL-2003 training data: the entity types it annotates, one annotated sentence, and the reader
of its column files.
*/

use std::ops::Range;
use std::path::PathBuf;

use super::Label;
use crate::error::{Error, Result};

/// The CoNLL-2003 entity types, in the order of the model's classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityType {
    Per,
    Org,
    Loc,
    Misc,
}

pub(super) const TYPES: [EntityType; 4] = [
    EntityType::Per,
    EntityType::Org,
    EntityType::Loc,
    EntityType::Misc,
];

impl EntityType {
    pub(super) fn parse(s: &str) -> Option<EntityType> {
        TYPES.into_iter().find(|t| t.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Org => "ORG",
            EntityType::Loc => "LOC",
            EntityType::Misc => "MISC",
        }
    }

    pub(super) fn label(self) -> Option<Label> {
        match self {
            EntityType::Per => Some(Label::Person),
            EntityType::Org => Some(Label::Org),
            EntityType::Loc => Some(Label::Place),
            EntityType::Misc => None,
        }
    }
}

/// One annotated sentence. Sentences of the same document share `doc`, which matters because
/// the tagger reads a document as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub doc: usize,
    pub words: Vec<String>,
    /// Entity spans over `words`, in order.
    pub entities: Vec<(Range<usize>, EntityType)>,
}

/// Reads CoNLL text: `TOKEN [columns...] TAG` per line, blank lines between sentences,
/// `-DOCSTART-` lines between documents, IOB1 or IOB2 tags (spans decoded as conlleval does).
/// An error names the line; the caller that read the text from a file names the file.
pub fn read_conll(text: &str) -> Result<Vec<Sentence>> {
    let mut out = Vec::new();
    let mut doc = 0;
    let mut words = Vec::new();
    let mut entities: Vec<(Range<usize>, EntityType)> = Vec::new();
    let mut open: Option<EntityType> = None;
    // The extra empty line ends the last sentence.
    for (n, line) in text.lines().chain([""]).enumerate() {
        let mut cols = line.split_whitespace();
        let first = cols.next();
        let Some(word) = first.filter(|&w| w != "-DOCSTART-") else {
            let seen_any = !out.is_empty() || !words.is_empty();
            if !words.is_empty() {
                out.push(Sentence {
                    doc,
                    words: std::mem::take(&mut words),
                    entities: std::mem::take(&mut entities),
                });
            }
            open = None;
            if first.is_some() && seen_any {
                doc += 1;
            }
            continue;
        };
        let at_line = |detail: String| Error::TrainingData {
            path: PathBuf::new(),
            line: Some(n + 1),
            detail,
        };
        let tag = cols
            .last()
            .ok_or_else(|| at_line(format!("expected `TOKEN TAG`, got {line:?}")))?;
        let bad_tag = || at_line(format!("bad tag {tag:?}"));
        let i = words.len();
        if tag == "O" {
            open = None;
        } else {
            let (prefix, name) = tag.split_once('-').ok_or_else(bad_tag)?;
            let ty = EntityType::parse(name).ok_or_else(bad_tag)?;
            match (prefix, open) {
                ("I", Some(prev)) if prev == ty => {
                    if let Some(last) = entities.last_mut() {
                        last.0.end = i + 1;
                    }
                }
                ("B" | "I", _) => {
                    entities.push((i..i + 1, ty));
                    open = Some(ty);
                }
                _ => return Err(bad_tag()),
            }
        }
        words.push(word.to_string());
    }
    Ok(out)
}

/// Groups consecutive sentences of one document.
pub(super) fn documents(sentences: &[Sentence]) -> Vec<&[Sentence]> {
    sentences
        .chunk_by(|a, b| a.doc == b.doc)
        .collect::<Vec<_>>()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::entities::tagger) const CONLL: &str =
        "-DOCSTART- O\n\nEU B-ORG\nrejects O\nGerman I-MISC\n\n\
        Peter B-PER\nBlackburn I-PER\nLondon B-LOC\n\n-DOCSTART- O\n\nX NNP I-PER\n";

    #[test]
    fn reads_conll() {
        let s = read_conll(CONLL).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].words, ["EU", "rejects", "German"]);
        assert_eq!(
            s[0].entities,
            [(0..1, EntityType::Org), (2..3, EntityType::Misc)]
        );
        assert_eq!(
            s[1].entities,
            [(0..2, EntityType::Per), (2..3, EntityType::Loc)]
        );
        assert_eq!((s[0].doc, s[1].doc, s[2].doc), (0, 0, 1));
        assert_eq!(s[2].entities, [(0..1, EntityType::Per)]);
    }

    #[test]
    fn conll_errors_name_the_line() {
        assert_eq!(
            read_conll("EU B-ORG\nrejects\n").unwrap_err().to_string(),
            "line 2: expected `TOKEN TAG`, got \"rejects\""
        );
        assert_eq!(
            read_conll("EU B-ORG\n\nx B-FOO\n").unwrap_err().to_string(),
            "line 3: bad tag \"B-FOO\""
        );
    }
}
