//! Storage nodes that just failed a shard write on their side: new
//! objects place their shards elsewhere for a while.
//!
//! A node whose disks all failed keeps answering until the cluster
//! layout in Raft records it (the node's volume prober, a Raft write, the
//! ring's reload: seconds). In that window a 2+1 PUT, which needs all
//! three shards, would place one on that node and fail; with the node
//! avoided, a client's retry is placed on stand-ins at once (repair moves
//! the shards back once the node takes writes again).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::CoordinatorError;
use crate::metrics;
use crate::net::{ErrorKind, NetError};
use crate::storage::StorageError;

/// How long new shards avoid a node after it failed a write: longer than
/// its volume prober (5 s) and the layout's update take, short enough
/// that a passing fault costs little rebalancing.
pub(super) const AVOID_FOR: Duration = Duration::from_secs(10);

/// When each node last failed a shard write on its side.
#[derive(Debug, Default)]
pub(super) struct WriteRefusals {
    last: Mutex<HashMap<u64, Instant>>,
}

impl WriteRefusals {
    /// Takes note that `node` failed a shard write with `error`, if the
    /// failure was the node's (its disks, its storage actors) rather than
    /// the body's or the network's (the failure detector has those).
    pub(super) fn saw(&self, node: u64, error: &CoordinatorError, now: Instant) {
        if !failed_on_node(error) {
            return;
        }
        metrics::SHARD_WRITES_REFUSED
            .with_label_values(&[&node.to_string()])
            .inc();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let avoided = last
            .insert(node, now)
            .is_some_and(|at| now.saturating_duration_since(at) < AVOID_FOR);
        if !avoided {
            tracing::warn!(node, error = %error,
                "storage node failed a shard write: new shards go to other nodes for {AVOID_FOR:?}");
        }
    }

    /// The nodes new shards should avoid at `now`: one lock per placement
    /// (empty, as nearly always, it allocates nothing).
    pub(super) fn avoided(&self, now: Instant) -> Vec<u64> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.iter()
            .filter(|(_, &at)| now.saturating_duration_since(at) < AVOID_FOR)
            .map(|(&node, _)| node)
            .collect()
    }

    /// Whether new shards should avoid `node` at `now`.
    #[cfg(test)]
    fn avoids(&self, node: u64, now: Instant) -> bool {
        self.avoided(now).contains(&node)
    }
}

/// Whether a shard write failed because of the node that was to store it.
fn failed_on_node(error: &CoordinatorError) -> bool {
    match error {
        CoordinatorError::Storage(e) => storage_failed(e),
        CoordinatorError::Peer(NetError::Remote { kind, .. }) => match kind {
            ErrorKind::Internal | ErrorKind::Unavailable => true,
            ErrorKind::NotFound
            | ErrorKind::Corrupt
            | ErrorKind::InvalidRange
            | ErrorKind::LengthMismatch
            | ErrorKind::Busy
            | ErrorKind::BadRequest => false,
        },
        CoordinatorError::Peer(
            NetError::Tls(_)
            | NetError::Endpoint(_)
            | NetError::Connection { .. }
            | NetError::Stream(_)
            | NetError::Protocol(_)
            | NetError::Timeout(_)
            | NetError::Body(_)
            | NetError::PeerDown(_),
        )
        | CoordinatorError::Quorum(_)
        | CoordinatorError::Erasure(_)
        | CoordinatorError::Layout(_) => false,
    }
}

/// Whether this process's own storage node failed a write on its side.
fn storage_failed(e: &StorageError) -> bool {
    match e {
        StorageError::Io(_)
        | StorageError::Index(_)
        | StorageError::IndexDamaged(_)
        | StorageError::UnknownWrite(_)
        | StorageError::NoSuchVolume(_)
        | StorageError::SyncFailed
        | StorageError::Stopped
        | StorageError::NoVolumeTakesShards => true,
        StorageError::NotFound(_)
        | StorageError::Corrupt { .. }
        | StorageError::LengthMismatch { .. }
        | StorageError::TooLarge { .. }
        | StorageError::BodyFailed(_)
        | StorageError::InvalidRange { .. }
        | StorageError::NotReplaced { .. }
        | StorageError::Busy => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(kind: ErrorKind) -> CoordinatorError {
        CoordinatorError::Peer(NetError::Remote {
            kind,
            message: "test".into(),
        })
    }

    #[test]
    fn a_node_that_failed_a_write_is_avoided_for_a_while() {
        let refusals = WriteRefusals::default();
        let t = Instant::now();
        assert!(!refusals.avoids(2, t));
        refusals.saw(2, &remote(ErrorKind::Internal), t);
        assert!(refusals.avoids(2, t + Duration::from_secs(1)));
        assert!(!refusals.avoids(3, t), "only the node that failed");
        assert!(!refusals.avoids(2, t + AVOID_FOR), "not for good");
        // A later failure starts the wait again.
        refusals.saw(2, &remote(ErrorKind::Unavailable), t + AVOID_FOR);
        assert!(refusals.avoids(2, t + AVOID_FOR + Duration::from_secs(9)));
        let local = CoordinatorError::Storage(StorageError::Io(std::io::Error::other("EIO")));
        refusals.saw(1, &local, t);
        assert!(refusals.avoids(1, t));
    }

    #[test]
    fn failures_not_of_the_node_do_not_make_it_avoided() {
        let refusals = WriteRefusals::default();
        let t = Instant::now();
        let not_the_node = [
            remote(ErrorKind::LengthMismatch),
            remote(ErrorKind::Busy),
            remote(ErrorKind::BadRequest),
            CoordinatorError::Peer(NetError::Body("client went away".into())),
            CoordinatorError::Peer(NetError::Timeout(Duration::from_secs(1))),
            CoordinatorError::Storage(StorageError::BodyFailed("cut".into())),
            CoordinatorError::Storage(StorageError::Busy),
        ];
        for e in &not_the_node {
            refusals.saw(2, e, t);
            assert!(!refusals.avoids(2, t), "{e}");
        }
    }
}
