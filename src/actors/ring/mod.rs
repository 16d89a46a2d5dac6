//! The Ring actor: owns the hash ring built from the storage-node layout and
//! publishes it as an immutable snapshot, so placement on the hot path is a
//! pointer load, not a message round trip. A membership change builds a new
//! ring and swaps the snapshot. No other code builds a ring.
//!
//! An empty ring means there is no cluster layout: the process's own volumes
//! are the only storage (the `all` role).

use std::sync::Arc;

use actix::prelude::*;
use arc_swap::ArcSwap;

use crate::cluster::ring::{HashRing, Member, NodeId, PlacementKey, RingError};

/// The current ring, readable from any thread.
#[derive(Clone)]
pub struct RingView(Arc<ArcSwap<HashRing>>);

impl RingView {
    /// The ring as of now.
    pub fn snapshot(&self) -> Arc<HashRing> {
        self.0.load_full()
    }

    /// The `n` nodes for the shards at `key`: THE placement every path
    /// uses (empty when the ring is).
    pub fn place(&self, key: PlacementKey, n: usize) -> Vec<NodeId> {
        self.0.load().place(key, n)
    }
}

/// Replace the membership.
#[derive(Message)]
#[rtype(result = "Result<(), RingError>")]
pub struct SetMembers(pub Vec<Member>);

/// The ring actor.
pub struct Ring {
    view: RingView,
}

impl Ring {
    /// A ring over `members`, and the view its readers use.
    pub fn new(members: Vec<Member>) -> Result<(Self, RingView), RingError> {
        let view = RingView(Arc::new(ArcSwap::from_pointee(HashRing::new(members)?)));
        Ok((Self { view: view.clone() }, view))
    }
}

impl Actor for Ring {
    type Context = Context<Self>;
}

impl Handler<SetMembers> for Ring {
    type Result = Result<(), RingError>;

    fn handle(&mut self, msg: SetMembers, _: &mut Self::Context) -> Self::Result {
        let ring = HashRing::new(msg.0)?;
        self.view.0.store(Arc::new(ring));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: u64, zone: &str) -> Member {
        Member {
            id: NodeId(id),
            addr: ([127, 0, 0, 1], 9000 + id as u16).into(),
            zone: zone.into(),
            weight: 1,
        }
    }

    fn key() -> PlacementKey {
        crate::cluster::ring::placement_key("bucket", "key")
    }

    #[actix_rt::test]
    async fn membership_change_swaps_the_snapshot_readers_see(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let (ring, view) = Ring::new(vec![member(1, "a"), member(2, "b")])?;
        let before = view.snapshot();
        assert_eq!(view.place(key(), 3).len(), 3);
        let addr = ring.start();
        addr.send(SetMembers(vec![
            member(1, "a"),
            member(2, "b"),
            member(3, "c"),
        ]))
        .await??;
        let after = view.snapshot();
        assert_eq!((before.len(), after.len()), (2, 3));
        let placed = view.place(key(), 3);
        assert_eq!(placed.len(), 3);
        let distinct: std::collections::BTreeSet<_> = placed.iter().collect();
        assert_eq!(distinct.len(), 3, "three nodes, three distinct placements");
        // The snapshot taken before is unchanged: readers are never torn.
        assert_eq!(before.place(key(), 3).len(), 3);
        assert!(addr
            .send(SetMembers(vec![member(1, "a"), member(1, "b")]))
            .await?
            .is_err());
        assert_eq!(
            view.snapshot().len(),
            3,
            "a bad membership leaves the ring as it was"
        );
        Ok(())
    }
}
