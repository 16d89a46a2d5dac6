//! How the Raft log store and state machine store their values: one value
//! version byte, then postcard.
//!
//! Log entries hold metadata ops and so the records in them, whose shapes
//! change: an entry is decoded as the shape its version wrote (one generic
//! old shape, [`old`], with a file per old version naming its records:
//! [`v4`], [`v5`]) and upgraded to today's. The other values (vote,
//! purge point, committed id, applied state, snapshot meta) have kept one
//! shape, and every version still read decodes as it.
//!
//! Version 4: entries carried record format 3 (tags); version 5: record
//! format 4 (part checksums, e-mail addresses, CORS rules); version 6:
//! record format 5 (versions, object lock). Ops added since (lifecycle,
//! quotas) are appended variants that carry no changed record, so version
//! 6 entries written before them read unchanged.

mod old;
mod v4;
mod v5;

use openraft::Entry;
use serde::{Deserialize, Serialize};

use super::types::MetaRaft;

/// Format version of the values written today.
const VALUE_VERSION: u8 = 6;

/// The oldest version still read (see [`v4`]).
const VERSION_4: u8 = 4;

/// The version before today's (see [`v5`]).
const VERSION_5: u8 = 5;

/// Versioned postcard encoding of a stored value.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    let mut out = vec![VALUE_VERSION];
    out.extend_from_slice(&postcard::to_stdvec(value)?);
    Ok(out)
}

fn invalid(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}

/// Inverse of [`encode`] for every value but log entries (see
/// [`decode_entry`]); a wrong version or damaged bytes is an error.
pub(super) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, std::io::Error> {
    match bytes.split_first() {
        Some((&(VALUE_VERSION | VERSION_5 | VERSION_4), rest)) => {
            postcard::from_bytes(rest).map_err(invalid)
        }
        _ => Err(invalid("unknown stored value version")),
    }
}

/// Inverse of [`encode`] for a log entry of any version still read: decoded
/// as its version's shape, then upgraded.
pub(super) fn decode_entry(bytes: &[u8]) -> Result<Entry<MetaRaft>, std::io::Error> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => postcard::from_bytes(rest).map_err(invalid),
        Some((&VERSION_5, rest)) => postcard::from_bytes::<old::Entry<v5::Records4>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        Some((&VERSION_4, rest)) => postcard::from_bytes::<old::Entry<v4::Records3>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        _ => Err(invalid("unknown stored value version")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::meta::MetaOp;
    use crate::storage::raft::types::MetaRequest;
    use openraft::{CommittedLeaderId, EntryPayload, LogId};

    #[test]
    fn entries_round_trip_and_damage_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
        let entry: Entry<MetaRaft> = Entry {
            log_id: LogId::new(CommittedLeaderId::new(3, 1), 42),
            payload: EntryPayload::Normal(MetaRequest {
                ops: vec![MetaOp::DeleteObject {
                    bucket: "b".into(),
                    key: "k".into(),
                }],
                ids: vec![7],
                at_ms: 1_700_000_000_000,
            }),
        };
        let bytes = encode(&entry)?;
        let back = decode_entry(&bytes)?;
        assert_eq!(back.log_id, entry.log_id);
        assert!(decode_entry(&bytes[..bytes.len() - 1]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] = 9;
        assert!(decode_entry(&wrong).is_err());
        assert!(decode_entry(&[]).is_err());
        Ok(())
    }

    /// A version-4 entry whose op held a version-3 part record (no
    /// checksum), as the previous build wrote it: written here field by
    /// field, since postcard writes an enum as its variant's index and a
    /// struct as its fields in order.
    #[test]
    fn a_version_4_entry_reads_with_its_old_record_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        let log_id = LogId::new(CommittedLeaderId::new(2, 1), 9);
        const NORMAL: u32 = 1;
        const PUT_PART: u32 = 5;
        let part_v3 = ("upload", 3u32, 5u64, "etag", 77u128, vec![1u64, 2], 11u64);
        let written = (
            log_id,
            NORMAL,
            vec![(PUT_PART, part_v3)],
            vec![7u128],
            1_000u64,
        );
        let mut bytes = vec![VERSION_4];
        bytes.extend(postcard::to_stdvec(&written)?);
        let entry = decode_entry(&bytes)?;
        assert_eq!(entry.log_id, log_id);
        let EntryPayload::Normal(request) = entry.payload else {
            panic!("not a normal entry");
        };
        assert_eq!(
            (request.ids.as_slice(), request.at_ms),
            (&[7u128][..], 1_000)
        );
        let [MetaOp::PutPart { part }] = request.ops.as_slice() else {
            panic!("not one PutPart: {:?}", request.ops);
        };
        assert_eq!((part.part_number, part.object_id), (3, 77));
        assert!(part.checksums.is_empty());
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());

        // Other values of version 4 read as they are.
        let mut vote = vec![VERSION_4];
        vote.extend(postcard::to_stdvec(&log_id)?);
        assert_eq!(decode::<LogId<u64>>(&vote)?, log_id);
        Ok(())
    }

    /// A version-5 entry whose op held a version-4 bucket record (no
    /// versioning, no lock), as the previous build wrote it.
    #[test]
    fn a_version_5_entry_reads_with_its_old_record_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        let log_id = LogId::new(CommittedLeaderId::new(4, 1), 12);
        const NORMAL: u32 = 1;
        const CREATE_BUCKET: u32 = 0;
        let acl = crate::storage::meta::acl::Acl::private("alice");
        let tags: Vec<(String, String)> = vec![];
        let bucket_v4 = (
            "b",
            "alice",
            5u64,
            &tags,
            None::<String>,
            &acl,
            Vec::<u8>::new(),
        );
        let written = (
            log_id,
            NORMAL,
            vec![(CREATE_BUCKET, bucket_v4)],
            vec![9u128],
            2_000u64,
        );
        let mut bytes = vec![VERSION_5];
        bytes.extend(postcard::to_stdvec(&written)?);
        let entry = decode_entry(&bytes)?;
        let EntryPayload::Normal(request) = entry.payload else {
            panic!("not a normal entry");
        };
        let [MetaOp::CreateBucket { record }] = request.ops.as_slice() else {
            panic!("not one CreateBucket: {:?}", request.ops);
        };
        assert_eq!((record.name.as_str(), record.object_lock), ("b", None));
        assert_eq!(
            record.versioning,
            crate::storage::meta::lock::Versioning::Unversioned
        );
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());
        Ok(())
    }
}
