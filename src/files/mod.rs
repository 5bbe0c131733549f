/*!
How sitrep's own files are written and read, whoever writes them (the index folder, the
gazetteer cache, the tagger model, saved searches): replaced whole ([`write_atomically`]),
framed with a magic, a format version and a checksum (`sealed`), and mapped rather than read
([`FileBytes`]).
*/

mod atomic;
mod mapped;
mod sealed;

pub use atomic::write_atomically;
pub use mapped::FileBytes;
pub(crate) use sealed::{checksum, seal, side_file, unseal, ByteReader};
