//! The framing of the binary side files sitrep writes beside an index: a magic and a format
//! version in front, an xxh3 checksum behind, and publication by rename so that a reader sees
//! the old bytes or the new, never a part.

/// The start of a side file: its magic and format version. The body follows, then [`seal`].
pub(crate) fn side_file(magic: &[u8; 4], format: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(magic);
    out.extend_from_slice(&format.to_le_bytes());
    out
}

/// Appends an xxh3 checksum of `bytes`: side files are read back only if intact.
pub(crate) fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let checksum = checksum(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// The checksum [`seal`] appends, for formats that checksum only a header.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The body of a side file, if its checksum matches and it has this magic and format.
pub(crate) fn unseal<'a>(bytes: &'a [u8], magic: &[u8; 4], format: u32) -> Option<ByteReader<'a>> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if checksum(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut reader = ByteReader(body);
    (reader.take(4)? == magic && reader.u32()? == format).then_some(reader)
}

/// Little-endian fields read off the front of a byte slice.
pub(crate) struct ByteReader<'a>(pub &'a [u8]);

impl<'a> ByteReader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_file_opens_only_whole_and_with_its_magic_and_format() {
        let mut body = side_file(b"TEST", 3);
        body.extend_from_slice(&7u64.to_le_bytes());
        let sealed = seal(body);
        let mut reader = unseal(&sealed, b"TEST", 3).expect("intact");
        assert_eq!(reader.u64(), Some(7));
        assert_eq!(reader.u32(), None);
        assert!(unseal(&sealed, b"TEST", 4).is_none());
        assert!(unseal(&sealed, b"NOPE", 3).is_none());
        assert!(unseal(&sealed[..sealed.len() - 1], b"TEST", 3).is_none());
        let mut flipped = sealed.clone();
        flipped[9] ^= 1;
        assert!(unseal(&flipped, b"TEST", 3).is_none());
        assert!(unseal(&[], b"TEST", 3).is_none());
    }
}
