//! What meta nodes and gateways send each other over the cluster
//! transport ([`Channel::Raft`](crate::net::Channel) and
//! [`Channel::Meta`](crate::net::Channel)): a version byte, then postcard.

// openraft fixes the (large) error types carried here.
#![allow(clippy::result_large_err)]

use bytes::Bytes;
use openraft::error::{InstallSnapshotError, RaftError};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::{Deserialize, Serialize};

use super::error::ConsensusError;
use super::members::{MembershipError, MetaChange, MetaMembers};
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, MetaResult, OpId};
use crate::storage::raft::MetaRaft;
use crate::storage::versioned;

/// Format version of every message here. Version 4: records carry tags;
/// version 5: part checksums and e-mail addresses; version 6: records of
/// format 7 (versions, object lock and access settings on buckets, disks
/// in the cluster layout); version 7: records of format 8 (encryption);
/// version 8: listing pages carry what a listing shows of each object,
/// not its whole record: a process of an older release is refused, not
/// misread.
const WIRE_VERSION: u8 = 8;

/// A message that cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WireError {
    /// Unknown version byte (or an empty message).
    #[error("unknown message version")]
    Version,
    /// Bytes that are not a valid message.
    #[error("malformed message: {0}")]
    Malformed(#[from] postcard::Error),
}

/// Versioned postcard encoding.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Bytes, WireError> {
    Ok(Bytes::from(versioned::encode(WIRE_VERSION, value)?))
}

/// Inverse of [`encode`].
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, WireError> {
    match bytes.split_first() {
        Some((&WIRE_VERSION, rest)) => Ok(postcard::from_bytes(rest)?),
        _ => Err(WireError::Version),
    }
}

/// A Raft RPC from one meta node to another.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum RaftCall {
    /// Log replication and heartbeats.
    AppendEntries(AppendEntriesRequest<MetaRaft>),
    /// An election.
    Vote(VoteRequest<u64>),
    /// One chunk of a snapshot.
    InstallSnapshot(InstallSnapshotRequest<MetaRaft>),
}

/// The answer to a [`RaftCall`], variant for variant.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum RaftReply {
    /// For [`RaftCall::AppendEntries`].
    AppendEntries(Result<AppendEntriesResponse<u64>, RaftError<u64>>),
    /// For [`RaftCall::Vote`].
    Vote(Result<VoteResponse<u64>, RaftError<u64>>),
    /// For [`RaftCall::InstallSnapshot`].
    InstallSnapshot(Result<InstallSnapshotResponse<u64>, RaftError<u64, InstallSnapshotError>>),
    /// For [`RaftCall::AppendEntries`], with the member's wall clock (ms
    /// since the Unix epoch) for the group's time (`clock`); answered
    /// today, where [`RaftReply::AppendEntries`] was before.
    AppendEntriesAt(Result<AppendEntriesResponse<u64>, RaftError<u64>>, u64),
}

/// A metadata request a gateway (or a follower) sends the leader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MetaCall {
    /// Commit these ops; they join the leader's next entries.
    Submit(Vec<(OpId, MetaOp)>),
    /// A linearizable read.
    Read(MetaRead),
    /// Who leads, as this meta node sees it.
    WhoLeads,
    /// The group's members (`None`), or a change of them at the leader.
    Membership(Option<MetaChange>),
}

/// The answer to a [`MetaCall`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MetaReply {
    /// One result per submitted op, in order.
    Submitted(Vec<Result<MetaResult, ConsensusError>>),
    /// The read's answer.
    Read(Box<Result<MetaReadResult, ConsensusError>>),
    /// The leader this meta node knows of.
    Leader(Option<u64>),
    /// For [`MetaCall::Membership`].
    Membership(Result<MetaMembers, MembershipError>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::meta::{MetaOpError, MetaOutcome};
    use openraft::{CommittedLeaderId, LogId, Vote};

    #[test]
    fn messages_round_trip_and_damage_is_an_error() -> Result<(), WireError> {
        let call = MetaCall::Submit(vec![(7, MetaOp::DeleteBucket { name: "b".into() })]);
        let bytes = encode(&call)?;
        assert_eq!(decode::<MetaCall>(&bytes)?, call);
        let reply = MetaReply::Submitted(vec![
            Ok(Ok(MetaOutcome::Done)),
            Ok(Err(MetaOpError::BucketNotEmpty)),
            Err(ConsensusError::NotLeader(Some(2))),
        ]);
        assert_eq!(decode::<MetaReply>(&encode(&reply)?)?, reply);
        let vote = RaftCall::Vote(VoteRequest::new(
            Vote::new(3, 1),
            Some(LogId::new(CommittedLeaderId::new(2, 1), 9)),
        ));
        let back: RaftCall = decode(&encode(&vote)?)?;
        assert!(matches!(back, RaftCall::Vote(v) if v.vote == Vote::new(3, 1)));
        let clocked = RaftReply::AppendEntriesAt(Ok(AppendEntriesResponse::Success), 1_800_000);
        let back: RaftReply = decode(&encode(&clocked)?)?;
        assert!(matches!(
            back,
            RaftReply::AppendEntriesAt(Ok(AppendEntriesResponse::Success), 1_800_000)
        ));

        assert!(matches!(decode::<MetaCall>(&[]), Err(WireError::Version)));
        assert!(matches!(
            decode::<MetaCall>(&[9, 0]),
            Err(WireError::Version)
        ));
        assert!(decode::<MetaCall>(&bytes[..bytes.len() - 1]).is_err());
        Ok(())
    }

    #[test]
    fn a_member_added_by_ip_keeps_its_old_shape_and_one_by_name_travels_as_text(
    ) -> Result<(), WireError> {
        use super::super::members::MetaChange;
        use crate::net::PeerAddr;
        use std::net::SocketAddr;
        // What a node of the release before names sends and reads.
        #[derive(Serialize)]
        enum OldChange {
            Add { id: u64, addr: SocketAddr },
        }
        let ip = SocketAddr::from(([10, 0, 0, 4], 9100));
        let old = encode(&Some(OldChange::Add { id: 4, addr: ip }))?;
        let new = MetaChange::Add {
            id: 4,
            addr: PeerAddr::from(ip),
        };
        assert_eq!(encode(&Some(new.clone()))?, old);
        assert_eq!(decode::<Option<MetaChange>>(&old)?, Some(new));
        let named = MetaChange::Add {
            id: 4,
            addr: "predastore-3.predastore-nodes:9100"
                .parse()
                .map_err(|_| WireError::Version)?,
        };
        let bytes = encode(&MetaCall::Membership(Some(named.clone())))?;
        assert_eq!(
            decode::<MetaCall>(&bytes)?,
            MetaCall::Membership(Some(named))
        );
        // A name that is no address is refused, not taken.
        #[derive(Serialize)]
        enum Forged {
            _Add,
            _Remove,
            AddNamed { id: u64, addr: String },
        }
        let forged = encode(&Some(Forged::AddNamed {
            id: 4,
            addr: "no address".into(),
        }))?;
        assert!(decode::<Option<MetaChange>>(&forged).is_err());
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = decode::<MetaCall>(&bytes);
            let _ = decode::<MetaReply>(&bytes);
            let _ = decode::<RaftCall>(&bytes);
            let _ = decode::<RaftReply>(&bytes);
        }
    }
}
