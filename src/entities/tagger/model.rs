/*!
The model file embedded in the binary: a trained [`Tagger`] as bytes and back, framed like the
side files of an index (magic, version, xxh3 checksum) so that a truncated, corrupt or foreign
file is an error rather than a wrong model.
*/

use super::classes::N;
use super::Tagger;
use crate::error::{Error, Result};
use crate::files::{seal, side_file, unseal};

const MAGIC: &[u8; 4] = b"SRTG";
const VERSION: u32 = 2;

impl Tagger {
    /// The file format: magic, version, class count, feature count, the sorted keys (u64), one
    /// mask per key of its non-zero classes (u32), those weights (i16), then an xxh3 checksum
    /// of all of it (u64). Little-endian throughout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = side_file(MAGIC, VERSION);
        out.extend_from_slice(&(N as u32).to_le_bytes());
        out.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        let rows = self.weights.chunks_exact(N);
        for row in rows.clone() {
            let mask = row
                .iter()
                .enumerate()
                .fold(0u32, |m, (c, &x)| m | (u32::from(x != 0) << c));
            out.extend_from_slice(&mask.to_le_bytes());
        }
        for x in rows.flatten().filter(|&&x| x != 0) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        seal(out)
    }

    /// Parses [`Tagger::to_bytes`] output; a truncated, corrupt or foreign file is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger> {
        Tagger::parse_model(bytes).map_err(|detail| Error::Model { detail })
    }

    fn parse_model(bytes: &[u8]) -> std::result::Result<Tagger, String> {
        if !bytes.starts_with(MAGIC) {
            return Err("not a sitrep tagger model (bad magic)".into());
        }
        let mut reader = unseal(bytes, MAGIC, VERSION)
            .ok_or("tagger model is corrupt or of another version (checksum or format mismatch)")?;
        let classes = reader.u32().ok_or("tagger model is truncated")?;
        if classes != N as u32 {
            return Err(format!("tagger model has {classes} classes, expected {N}"));
        }
        let n = reader.u32().ok_or("tagger model is truncated")? as usize;
        let body = reader.0;
        let masks_at = n * 8;
        let values_at = masks_at + n * 4;
        if body.len() < values_at {
            return Err("tagger model is truncated".into());
        }
        let keys: Vec<u64> = body[..masks_at]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        if keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err("tagger model keys are not sorted".into());
        }
        let mut weights = vec![0i16; n * N];
        let mut values = body[values_at..].chunks_exact(2);
        for (row, mask) in weights
            .chunks_exact_mut(N)
            .zip(body[masks_at..values_at].chunks_exact(4))
        {
            let mask = u32::from_le_bytes(mask.try_into().unwrap_or_default());
            if mask >> N != 0 {
                return Err("tagger model has a bad class mask".into());
            }
            for (c, x) in row.iter_mut().enumerate() {
                if mask & (1 << c) != 0 {
                    let v = values.next().ok_or("tagger model is truncated")?;
                    *x = i16::from_le_bytes([v[0], v[1]]);
                }
            }
        }
        if values.next().is_some() || !values.remainder().is_empty() {
            return Err("tagger model has trailing bytes".into());
        }
        Ok(Tagger::new(keys, weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::tagger::conll::tests::CONLL;
    use crate::entities::tagger::{read_conll, tiny_model, train};

    #[test]
    fn round_trips_and_rejects_corrupt_bytes() {
        let model = tiny_model();
        let bytes = model.to_bytes();
        let again = Tagger::from_bytes(&bytes).unwrap();
        assert_eq!(again.to_bytes(), bytes);
        let text = "Sara Hassan of Fatah went to Jenin.";
        assert_eq!(again.find(text), model.find(text));
        assert_eq!(
            train(&read_conll(CONLL).unwrap(), 3, 7).to_bytes(),
            train(&read_conll(CONLL).unwrap(), 3, 7).to_bytes()
        );

        let mut flipped = bytes.clone();
        flipped[40] ^= 1;
        assert_eq!(
            Tagger::from_bytes(&flipped).err().unwrap().to_string(),
            "tagger model is corrupt or of another version (checksum or format mismatch)"
        );
        assert!(Tagger::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(
            Tagger::from_bytes(b"PK\x03\x04 not a model at all")
                .err()
                .unwrap()
                .to_string(),
            "not a sitrep tagger model (bad magic)"
        );
    }
}
