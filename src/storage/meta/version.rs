//! Version ids: where a version sits among its key's versions, and the
//! opaque id S3 clients see.
//!
//! A version's place is the position of the op that wrote it in the Raft
//! log ([`VersionSeq`]): unique across the cluster, the same on every
//! replica, and increasing with creation, so ids need no clock and no
//! random numbers and sort by creation. The id a client sees is that
//! number in fixed-width hex; the `null` version (written while versioning
//! was off or suspended) is named `null` instead, whatever its place.

use serde::{Deserialize, Serialize};

/// Bits of a [`VersionSeq`] that number the op within its log entry.
const OP_BITS: u32 = 20;

/// The literal S3 uses for the version of a key written without
/// versioning.
pub(crate) const NULL_VERSION_ID: &str = "null";

/// A version's place among its key's versions: `log index << 20 | op`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct VersionSeq(pub u64);

impl VersionSeq {
    /// The place of records written before versions existed: before all.
    pub const OLDEST: VersionSeq = VersionSeq(0);

    /// The place of what op number `op` of the log entry at `log_index`
    /// writes.
    pub fn at(log_index: u64, op: u32) -> VersionSeq {
        VersionSeq(log_index << OP_BITS | u64::from(op & ((1 << OP_BITS) - 1)))
    }

    /// The version id clients see for a version with its own id.
    pub fn to_id(self) -> String {
        format!("{:016x}", self.0)
    }

    /// Inverse of [`VersionSeq::to_id`]; `None` for anything else.
    pub fn from_id(id: &str) -> Option<VersionSeq> {
        if id.len() != 16
            || !id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        u64::from_str_radix(id, 16).ok().map(VersionSeq)
    }
}

/// A version as a request names it (`?versionId=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionRef {
    /// `null`: the key's version without an id of its own.
    Null,
    /// A version with its own id.
    Id(VersionSeq),
}

impl VersionRef {
    /// The id of a version stored with `seq`: its own if it was written
    /// while versioning was on, else `null`.
    pub fn of(versioned: bool, seq: VersionSeq) -> VersionRef {
        if versioned {
            VersionRef::Id(seq)
        } else {
            VersionRef::Null
        }
    }

    /// Reads a `versionId` argument; `None` if it names no version this
    /// store could have written (S3 answers `InvalidArgument`).
    pub fn parse(id: &str) -> Option<VersionRef> {
        if id == NULL_VERSION_ID {
            Some(VersionRef::Null)
        } else {
            VersionSeq::from_id(id).map(VersionRef::Id)
        }
    }

    /// The id as clients see it.
    pub fn to_id(self) -> String {
        match self {
            VersionRef::Null => NULL_VERSION_ID.to_owned(),
            VersionRef::Id(seq) => seq.to_id(),
        }
    }
}

impl std::fmt::Display for VersionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_sort_by_creation() {
        let a = VersionSeq::at(7, 3);
        let b = VersionSeq::at(7, 4);
        let c = VersionSeq::at(8, 0);
        assert!(a < b && b < c);
        assert!(a.to_id() < b.to_id() && b.to_id() < c.to_id());
        for s in [a, b, c, VersionSeq(u64::MAX)] {
            assert_eq!(VersionSeq::from_id(&s.to_id()), Some(s));
            assert_eq!(VersionRef::parse(&s.to_id()), Some(VersionRef::Id(s)));
        }
        assert_eq!(VersionRef::parse("null"), Some(VersionRef::Null));
        assert_eq!(VersionRef::Null.to_id(), "null");
    }

    #[test]
    fn foreign_ids_are_refused() {
        for bad in [
            "",
            "NULL",
            "0123456789ABCDEF",
            "0123456789abcde",
            "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
            "+123456789abcdef",
        ] {
            assert_eq!(VersionRef::parse(bad), None, "{bad}");
        }
    }
}
