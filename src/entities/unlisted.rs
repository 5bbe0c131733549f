/*!
Names no gazetteer entry holds, found by the learned tagger ([`super::tagger`]) and kept
where they do not overlap a gazetteer mention. They are indexed under the kind's `unlisted`
branch (`/person/unlisted/Ali Hassan`), and counted for `sitrep entities --candidates`.
*/

use std::ops::Range;

use super::candidates::{is_sentence_start, NOT_NAMES};
use super::entity::Found;
use super::matcher::{in_handle, stands_alone};
use super::tagger::{Label, Tagger};
use super::{EntityRef, Gazetteer, Origin, TITLES};
use crate::analysis::{
    is_apostrophe, is_hyphen, written_words, Apostrophes, ARABIC_NAME_PARTICLES,
};

/// The tagger's mentions in each paragraph of an article that `listed` (the gazetteer's
/// mentions, per paragraph) does not already cover.
pub(super) fn unlisted_mentions(
    gazetteer: &Gazetteer,
    tagger: &Tagger,
    paragraphs: &[&str],
    listed: &[Vec<Found>],
) -> Vec<Vec<Found>> {
    // One document, so a name's clear mentions help its unclear ones across paragraphs; a
    // blank line ends a sentence, so no span crosses two paragraphs.
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(paragraphs.len());
    for paragraph in paragraphs {
        if !joined.is_empty() {
            joined.push_str("\n\n");
        }
        starts.push(joined.len());
        joined.push_str(paragraph);
    }
    let mut out: Vec<Vec<Found>> = vec![Vec::new(); paragraphs.len()];
    for (span, label) in tagger.find(&joined) {
        let at = starts.partition_point(|&s| s <= span.start) - 1;
        let offset = starts[at];
        let text = paragraphs[at];
        if span.end - offset > text.len() {
            continue;
        }
        let Some(range) = trimmed(text, span.start - offset..span.end - offset) else {
            continue;
        };
        let range = with_particle_tail(text, range);
        // A lone capitalised word opening a sentence is a name only if the article writes it
        // capitalised elsewhere too ("Militia commander ..." is not a place).
        if !text[range.clone()].contains(' ')
            && is_sentence_start(text, range.start)
            && !capitalised_elsewhere(&joined, &text[range.clone()], span.start)
        {
            continue;
        }
        let overlaps = |m: &Found| m.range.start < range.end && range.start < m.range.end;
        if listed[at].iter().any(overlaps) {
            continue;
        }
        let written = &text[range.clone()];
        if in_handle(text, range.clone())
            || !written.contains(' ') && NOT_NAMES.contains(&written)
            || is_demonym(gazetteer, written)
            || written.split_whitespace().all(|w| ROLES.contains(&w))
        {
            continue;
        }
        let kind = kind_of(written, &text[..range.start], label);
        let entity = match gazetteer.lookup_id(written) {
            Some(id) if gazetteer.entity(id).kind == kind => {
                // The tagger is least reliable exactly on the place names that are also
                // words or people's names ("March", "Young"), which need context anyway.
                // A generated place takes the rules it has in the matcher too.
                if let Origin::Generated { needs_context, .. } = &gazetteer.entity(id).origin {
                    if needs_context.iter().any(|n| n == written)
                        || !stands_alone(text, range.clone())
                    {
                        continue;
                    }
                }
                EntityRef::Listed(id)
            }
            _ => EntityRef::unlisted(kind, written),
        };
        out[at].push(Found {
            entity,
            range,
            variant: false,
        });
    }
    out
}

/// Words that name a role, not somebody: a span of these alone is no name.
const ROLES: [&str; 22] = [
    "Attorney",
    "General",
    "General.",
    "Secretary",
    "Minister",
    "Prime",
    "Foreign",
    "Defense",
    "Defence",
    "Crown",
    "Prince",
    "President",
    "Undersecretary",
    "Ministry",
    "Government",
    "Shia",
    "Sunni",
    "God",
    "Allah",
    "Life",
    "State",
    "Department",
];

/// Last words that make a name an organisation or a place whatever the tagger read it as:
/// the tagger confuses person and organisation most ("Falcon Group", "Matrix Chambers").
const ORG_HEADS: [&str; 24] = [
    "Group",
    "News",
    "Agency",
    "Chambers",
    "Council",
    "Committee",
    "Company",
    "Corporation",
    "Bank",
    "University",
    "Institute",
    "Institution",
    "Party",
    "Front",
    "Army",
    "Brigades",
    "Forces",
    "Movement",
    "Ministry",
    "Authority",
    "Association",
    "Union",
    "Commission",
    "Parliament",
];
/// Nouns that say the name after them is an organisation's.
const ORG_NOUNS: [&str; 14] = [
    "company",
    "firm",
    "group",
    "agency",
    "carrier",
    "operator",
    "manufacturer",
    "maker",
    "airline",
    "bank",
    "newspaper",
    "broadcaster",
    "militia",
    "insurer",
];
const PLACE_HEADS: [&str; 14] = [
    "Canal",
    "Sea",
    "River",
    "Street",
    "Mountains",
    "Island",
    "Islands",
    "Strait",
    "Lake",
    "Valley",
    "Peninsula",
    "Desert",
    "Province",
    "Governorate",
];
/// First words that make a name a person's.
const PERSON_TITLES: [&str; 5] = ["Lord", "Baroness", "Lady", "Dame", "Sir"];

fn kind_of(written: &str, before: &str, label: Label) -> &'static str {
    let words: Vec<&str> = written.split_whitespace().collect();
    let (first, last) = (words[0], words[words.len() - 1]);
    // "shipping company Maersk", "intelligence firm Ambrey": the noun before names the kind.
    let described = before.split_whitespace().next_back().unwrap_or("");
    if ORG_NOUNS.contains(&described) || (words.len() > 1 && ORG_HEADS.contains(&last)) {
        "org"
    } else if words.len() > 1 && PLACE_HEADS.contains(&last) {
        "place"
    } else if PERSON_TITLES.contains(&first) {
        "person"
    } else {
        match label {
            Label::Person => "person",
            Label::Org => "org",
            Label::Place => "place",
        }
    }
}

/// "Kuwaiti", "Iraqi", "Kurdish", "Iranian": adjectives of a place, which CoNLL calls
/// miscellaneous and the tagger sometimes takes for the place or a person.
pub(super) fn is_demonym(gazetteer: &Gazetteer, written: &str) -> bool {
    let place = |stem: &str| {
        gazetteer
            .lookup(stem)
            .is_some_and(|entity| entity.kind == "place")
    };
    if written.contains(' ') || place(written) {
        return false;
    }
    written.ends_with("ish")
        || written.ends_with("ese")
        || written
            .strip_suffix('i')
            .is_some_and(|stem| place(stem) || place(&format!("{stem}a")))
        || written.strip_suffix("ian").is_some_and(|stem| {
            place(stem) || place(&format!("{stem}a")) || place(&format!("{stem}e"))
        })
        || written
            .strip_suffix("an")
            .is_some_and(|stem| place(&format!("{stem}a")))
}

/// The span grown over a trailing "al-Zubaidi", "bin Laden": the tagger reads a hyphenated
/// lower-case particle as a word of its own and stops before it. A capitalised particle counts
/// only hyphenated ("Al-Zubaidi"): before a space it may open a name of its own ("Abu Dhabi").
fn with_particle_tail(text: &str, range: Range<usize>) -> Range<usize> {
    let Some(tail) = text[range.end..].strip_prefix(' ') else {
        return range;
    };
    let Some((particle, after)) = tail.split_once(|c: char| c == ' ' || is_hyphen(c)) else {
        return range;
    };
    let hyphenated = !tail[particle.len()..].starts_with(' ');
    let lower = particle.to_lowercase();
    let is_particle = ARABIC_NAME_PARTICLES.contains(&lower.as_str())
        && (particle == lower || hyphenated && particle.starts_with(char::is_uppercase));
    if !is_particle || !after.starts_with(char::is_uppercase) {
        return range;
    }
    let word = written_words(after, Apostrophes::Join).next().unwrap_or("");
    range.start..text.len() - after.len() + word.len()
}

/// Whether `word` occurs capitalised in `article` where no sentence starts, other than at `at`.
fn capitalised_elsewhere(article: &str, word: &str, at: usize) -> bool {
    article.match_indices(word).any(|(i, _)| {
        let bounded = !article[..i].ends_with(char::is_alphanumeric)
            && !article[i + word.len()..].starts_with(char::is_alphanumeric);
        i != at && bounded && !is_sentence_start(article, i)
    })
}

/// The span without a leading title or a trailing possessive, if a capitalised name is left.
fn trimmed(text: &str, mut range: Range<usize>) -> Option<Range<usize>> {
    // "Brigadier General Ali Hassan": every leading title goes, and so does a capitalised
    // function word the tagger took in ("Another Israeli").
    while let Some(title) = TITLES.iter().chain(NOT_NAMES).find(|t| {
        text[range.clone()]
            .strip_prefix(**t)
            .is_some_and(|rest| rest.starts_with(' '))
    }) {
        range.start += title.len() + 1;
    }
    let possessive = text[range.clone()]
        .strip_suffix('s')
        .and_then(|rest| rest.chars().next_back())
        .filter(|&c| is_apostrophe(c));
    if let Some(apostrophe) = possessive {
        range.end -= apostrophe.len_utf8() + 1;
    }
    let written = &text[range.clone()];
    let capitalised = written.chars().next().is_some_and(char::is_uppercase);
    let letters = written.chars().filter(|c| c.is_alphabetic()).count();
    (capitalised && letters >= 2).then_some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_possessives_are_trimmed() {
        let text = "Mr Mittal's plan";
        assert_eq!(trimmed(text, 0..11).map(|r| &text[r]), Some("Mittal"));
        assert_eq!(trimmed("the plan", 0..3), None);
    }

    #[test]
    fn particles_of_the_shared_list_extend_a_name() {
        fn grown(text: &str, end: usize) -> &str {
            &text[with_particle_tail(text, 0..end)]
        }
        assert_eq!(grown("Ali al-Zubaidi's son", 3), "Ali al-Zubaidi");
        assert_eq!(grown("Osama bin Laden said", 5), "Osama bin Laden");
        assert_eq!(grown("Zia ul Haq", 3), "Zia ul Haq");
        assert_eq!(grown("Fatima bint Mubarak", 6), "Fatima bint Mubarak");
        assert_eq!(grown("Ali Al-Zubaidi", 3), "Ali Al-Zubaidi");
        // A capitalised particle before a space opens a name of its own.
        assert_eq!(grown("Ali Abu Dhabi", 3), "Ali");
        assert_eq!(grown("Ali al jazeera", 3), "Ali");
        assert_eq!(grown("Ali said Laden", 3), "Ali");
    }
}
