//! What a listing shows of an object, read from its stored record without
//! decoding the rest: a 1,000-key page reads a thousand records, and
//! their metadata, checksums, placements and ACLs were most of the cost of
//! a page on the leader and, sent whole, on the gateway.

use serde::{Deserialize, Serialize};

use super::super::error::MetaError;
use super::codec::{Shape, RECORD_VERSION};
use super::object::ObjectRecord;

/// An object as ListObjects shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedObject {
    /// The object's key within its bucket.
    pub key: String,
    /// Object size in bytes.
    pub size: u64,
    /// ETag as returned to clients (quoted).
    pub etag: String,
    /// Last-Modified, milliseconds since the Unix epoch.
    pub last_modified_ms: u64,
}

impl From<ObjectRecord> for ListedObject {
    fn from(r: ObjectRecord) -> Self {
        Self {
            key: r.key,
            size: r.size,
            etag: r.etag,
            last_modified_ms: r.last_modified_ms,
        }
    }
}

/// The leading fields of an [`ObjectRecord`] as today's shape stores them,
/// borrowed, through the last one a listing shows. postcard stores fields
/// in order with nothing between them, so these decode the record's first
/// bytes and the rest is not read. Kept in step with [`ObjectRecord`] by
/// the round-trip test below.
#[derive(Deserialize)]
struct LeadingFields<'a> {
    _bucket: &'a str,
    key: &'a str,
    _object_id: u128,
    size: u64,
    etag: &'a str,
    #[serde(borrow)]
    _content_type: Option<&'a str>,
    #[serde(borrow)]
    _user_metadata: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    _headers: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    _checksums: Vec<(&'a str, &'a str)>,
    last_modified_ms: u64,
}

impl ListedObject {
    /// The listed fields of a stored object record. A record of today's
    /// shape is read only up to its last-modified time; one of an older
    /// format is decoded whole and upgraded. Damaged bytes are an error.
    pub fn from_stored(b: &[u8]) -> Result<Self, MetaError> {
        match b.split_first() {
            Some((&version, body)) if (ObjectRecord::SINCE..=RECORD_VERSION).contains(&version) => {
                let (f, _) = postcard::take_from_bytes::<LeadingFields<'_>>(body)
                    .map_err(|_| MetaError::Corrupt("object record"))?;
                Ok(Self {
                    key: f.key.to_owned(),
                    size: f.size,
                    etag: f.etag.to_owned(),
                    last_modified_ms: f.last_modified_ms,
                })
            }
            _ => ObjectRecord::decode(b).map(Self::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with every field before and around the listed ones set.
    fn full_record() -> ObjectRecord {
        let mut r = ObjectRecord::delete_marker("bucket", "photos/2026/a.jpg", 1_795_000_000_123);
        r.delete_marker = false;
        r.object_id = u128::MAX - 7;
        r.size = 123_456_789;
        r.etag = "\"0123456789abcdef0123456789abcdef\"".into();
        r.content_type = Some("image/jpeg".into());
        r.user_metadata = vec![("camera".into(), "x100".into()), ("é".into(), "ü".into())];
        r.headers = vec![("cache-control".into(), "no-cache".into())];
        r.checksums = vec![("crc32c".into(), "AAAAAA==".into())];
        r.shard_nodes = vec![1, 2, 3];
        r.owner = "alice".into();
        r.inline_data = Some(bytes::Bytes::from_static(b"data"));
        r
    }

    #[test]
    fn a_stored_record_lists_as_its_whole_decoding_does() -> Result<(), MetaError> {
        for r in [full_record(), ObjectRecord::delete_marker("b", "", 0)] {
            let stored = r.encode();
            assert_eq!(
                ListedObject::from_stored(&stored)?,
                ListedObject::from(ObjectRecord::decode(&stored)?)
            );
        }
        Ok(())
    }

    #[test]
    fn an_older_format_is_read_whole() -> Result<(), MetaError> {
        // Format 7 wrote today's shape without its last field (`encryption`,
        // whose `None` is one 0 byte at the end).
        let today = full_record().encode();
        let mut old = today[..today.len() - 1].to_vec();
        old[0] = 7;
        let listed = ListedObject::from_stored(&old)?;
        assert_eq!(listed, ListedObject::from(ObjectRecord::decode(&old)?));
        assert_eq!(
            (listed.key.as_str(), listed.size),
            ("photos/2026/a.jpg", 123_456_789)
        );
        Ok(())
    }

    #[test]
    fn damaged_bytes_are_an_error_never_a_panic() {
        let stored = full_record().encode();
        // Cut anywhere inside the listed fields, or an unknown version.
        for cut in 0..40.min(stored.len()) {
            assert!(
                ListedObject::from_stored(&stored[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut unknown = stored.clone();
        unknown[0] = RECORD_VERSION + 1;
        assert!(ListedObject::from_stored(&unknown).is_err());
        // A key that is not UTF-8.
        let mut bad = stored;
        bad[1 + 1 + "bucket".len() + 1] = 0xff;
        assert!(ListedObject::from_stored(&bad).is_err());
    }
}
