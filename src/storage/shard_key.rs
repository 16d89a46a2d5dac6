//! Shard identity.
//!
//! Every PUT gets a fresh 128-bit object id, and a shard is named by
//! `(object id, part number, shard index)`. Putting the shard index in the key
//! is what keeps two shards of one object on one node from overwriting each
//! other (a bug of the system this replaces).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A 128-bit random id given to every stored object version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectId(pub u128);

impl ObjectId {
    /// A fresh random id; collisions are as likely as for a random UUID.
    pub fn random() -> Self {
        Self(rand::random())
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// The name of one stored shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ShardKey {
    /// The object version the shard belongs to.
    pub object: ObjectId,
    /// Multipart part number (0 for a single-part object).
    pub part: u32,
    /// Position of the shard in the erasure-coded stripe set.
    pub shard: u16,
}

impl ShardKey {
    /// Bytes in the encoded form.
    pub const LEN: usize = 22;

    /// Fixed big-endian layout: object id, part, shard. Big-endian keeps
    /// every shard of one object next to each other in the index.
    pub fn encode(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[..16].copy_from_slice(&self.object.0.to_be_bytes());
        out[16..20].copy_from_slice(&self.part.to_be_bytes());
        out[20..22].copy_from_slice(&self.shard.to_be_bytes());
        out
    }

    /// Inverse of [`ShardKey::encode`]; `None` if the slice has the wrong length.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; Self::LEN] = bytes.try_into().ok()?;
        let (object, rest) = bytes.split_at(16);
        let (part, shard) = rest.split_at(4);
        Some(Self {
            object: ObjectId(u128::from_be_bytes(object.try_into().ok()?)),
            part: u32::from_be_bytes(part.try_into().ok()?),
            shard: u16::from_be_bytes(shard.try_into().ok()?),
        })
    }
}

impl fmt::Display for ShardKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.object, self.part, self.shard)
    }
}

/// Any shard key, for property tests across the crate.
#[cfg(test)]
pub(crate) fn arb_shard_key() -> impl proptest::strategy::Strategy<Value = ShardKey> {
    use proptest::prelude::*;
    (any::<u128>(), any::<u32>(), any::<u16>()).prop_map(|(o, part, shard)| ShardKey {
        object: ObjectId(o),
        part,
        shard,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = ShardKey> {
        arb_shard_key()
    }

    proptest! {
        #[test]
        fn round_trip(k in key()) {
            prop_assert_eq!(ShardKey::decode(&k.encode()), Some(k));
        }

        #[test]
        fn encoding_is_injective(a in key(), b in key()) {
            prop_assert_eq!(a == b, a.encode() == b.encode());
        }

        #[test]
        fn encoding_keeps_order(a in key(), b in key()) {
            prop_assert_eq!(a.cmp(&b), a.encode().cmp(&b.encode()));
        }
    }

    #[test]
    fn shards_of_one_object_differ() {
        let object = ObjectId::random();
        let a = ShardKey {
            object,
            part: 0,
            shard: 0,
        };
        let b = ShardKey {
            object,
            part: 0,
            shard: 1,
        };
        assert_ne!(a.encode(), b.encode());
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert_eq!(ShardKey::decode(&[0u8; 21]), None);
        assert_eq!(ShardKey::decode(&[0u8; 23]), None);
    }
}
