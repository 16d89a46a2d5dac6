//! A version byte, then postcard: how stored records, Raft log values and
//! cluster messages are written.

use serde::Serialize;

/// `value` postcard-encoded after the byte `version`, written into one
/// allocation of the exact size. A record or a Raft entry can carry an
/// inline object of a few KiB; a buffer grown as the fields are written
/// was reallocated and copied several times for each, on every replica.
pub(crate) fn encode<T: Serialize + ?Sized>(version: u8, value: &T) -> postcard::Result<Vec<u8>> {
    let len = postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())?;
    let mut out = Vec::with_capacity(1 + len);
    out.push(version);
    postcard::to_extend(value, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_byte_then_postcard() {
        let value = ("key", vec![7u8; 5000], 42u64);
        let bytes = encode(9, &value).expect("encode");
        assert_eq!(bytes[0], 9);
        assert_eq!(&bytes[1..], postcard::to_stdvec(&value).expect("postcard"));
        let back: (String, Vec<u8>, u64) = postcard::from_bytes(&bytes[1..]).expect("decode");
        assert_eq!(back, ("key".to_string(), vec![7u8; 5000], 42));
        // Cut short, it is an error, not a panic.
        let cut: Result<(String, Vec<u8>, u64), _> = postcard::from_bytes(&bytes[1..4000]);
        assert!(cut.is_err());
    }
}
