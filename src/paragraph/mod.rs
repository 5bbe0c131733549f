/*!
A paragraph, the unit both stores index and return: [`StoredParagraph`] is what a read gives
back, whichever store it came from, with its entities as [`EntityRef`]s.
*/

mod stored;

pub use stored::{entity_ref, facet_path, format_date, EntityRef, StoredParagraph};
