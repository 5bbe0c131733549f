/*!
The model's classes: O, and B/I/L/U (begin, inside, last, unit) of each CoNLL type; which may
follow which; and the entity spans a decoded class sequence spells.
*/

use std::ops::Range;

use super::conll::{EntityType, TYPES};
use crate::analysis::ARABIC_NAME_PARTICLES;

pub(super) const N: usize = 17;
/// The "class" of the positions before a sentence, for the previous-tag features.
pub(super) const START: u8 = N as u8;

/// Classes: 0 is O; type `t` has 1 + 4t + (0 B, 1 I, 2 L, 3 U).
pub(super) fn class(ty: usize, part: u8) -> u8 {
    1 + 4 * ty as u8 + part
}

pub(super) fn type_of(class: u8) -> Option<usize> {
    (1..N as u8)
        .contains(&class)
        .then(|| (class as usize - 1) / 4)
}

pub(super) fn part_of(class: u8) -> u8 {
    (class - 1) % 4
}

/// The classes that may follow `prev` (B and I must be continued by I or L of their type, and
/// the last token of a sentence cannot be B or I).
pub(super) fn allowed(prev: u8, last: bool) -> [bool; N] {
    let mut ok = [false; N];
    match type_of(prev).filter(|_| part_of(prev) < 2) {
        Some(ty) => {
            ok[class(ty, 2) as usize] = true;
            ok[class(ty, 1) as usize] = !last;
        }
        None => {
            ok[0] = true;
            for ty in 0..4 {
                ok[class(ty, 3) as usize] = true;
                ok[class(ty, 0) as usize] = !last;
            }
        }
    }
    ok
}

pub(super) fn classes_of(len: usize, entities: &[(Range<usize>, EntityType)]) -> Vec<u8> {
    let mut classes = vec![0; len];
    for (range, ty) in entities {
        let ty = TYPES.iter().position(|t| t == ty).unwrap_or(0);
        if range.len() == 1 {
            classes[range.start] = class(ty, 3);
        } else {
            classes[range.clone()].fill(class(ty, 1));
            classes[range.start] = class(ty, 0);
            classes[range.end - 1] = class(ty, 2);
        }
    }
    classes
}

/// Entity spans of a decoded class sequence (which [`allowed`] keeps well formed). CoNLL has
/// almost no lower-case name particles, so the model splits "Muqtada al Sadr" at "al"; a
/// person span is joined across a particle to the next span or capitalised word.
pub(super) fn spans<S: AsRef<str>>(words: &[S], classes: &[u8]) -> Vec<(Range<usize>, EntityType)> {
    let mut out: Vec<(Range<usize>, EntityType)> = Vec::new();
    let mut start = 0;
    for (i, &c) in classes.iter().enumerate() {
        let Some(ty) = type_of(c) else { continue };
        let span = match part_of(c) {
            0 => {
                start = i;
                continue;
            }
            2 => (start..i + 1, TYPES[ty]),
            3 => (i..i + 1, TYPES[ty]),
            _ => continue,
        };
        match out.last_mut() {
            Some(last)
                if span.0.start == last.0.end + 1
                    && ARABIC_NAME_PARTICLES.contains(&words[last.0.end].as_ref())
                    && (last.1 == EntityType::Per || span.1 == EntityType::Per) =>
            {
                *last = (last.0.start..span.0.end, EntityType::Per);
            }
            _ => out.push(span),
        }
    }
    for (range, ty) in &mut out {
        let (Some(particle), Some(name)) = (words.get(range.end), words.get(range.end + 1)) else {
            continue;
        };
        let capitalised = name.as_ref().chars().next().is_some_and(char::is_uppercase);
        let free = classes[range.end + 1] == 0;
        if *ty == EntityType::Per
            && ARABIC_NAME_PARTICLES.contains(&particle.as_ref())
            && capitalised
            && free
        {
            range.end += 2;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_names_across_particles() {
        let (per, loc) = (class(0, 3), class(2, 3));
        let words = [
            "Muqtada", "al", "Sadr", "met", "Abu", "Mahdi", "al", "Muhandis", "al", "x",
        ];
        let classes = [loc, 0, per, 0, class(0, 0), class(0, 2), 0, 0, 0, 0];
        assert_eq!(
            spans(&words, &classes),
            [(0..3, EntityType::Per), (4..8, EntityType::Per)]
        );
    }
}
