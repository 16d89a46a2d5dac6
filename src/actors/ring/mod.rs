//! The Ring actor: owns the hash ring built from the cluster layout and
//! publishes it as an immutable snapshot, so placement on the hot path is a
//! pointer load, not a message round trip. A layout change builds a new
//! ring and swaps the snapshot. No other code builds a ring.
//!
//! The layout lives in Raft. Every process that places or reads shards
//! follows it ([`Ring::follow`]): it reads the layout once a second and
//! rebuilds the ring when its version moves; the environment's
//! `PREDASTORE_STORAGE_NODES` only seeds the first layout (and the ring
//! until the first read). Active nodes take shards by weight; draining
//! nodes stay members with weight 0 (their shards are read and moved off,
//! none are placed there); removed nodes leave the ring.
//!
//! An empty ring means there is no cluster layout: the process's own volumes
//! are the only storage (the `all` role).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use arc_swap::{ArcSwap, ArcSwapOption};

use crate::actors::consensus::{Consensus, Read, Submit};
use crate::actors::pool::PeerClient;
use crate::cluster::layout::layout_members;
use crate::cluster::ring::{HashRing, Member, NodeId, PlacementKey, RingError};
use crate::storage::meta::{ClusterLayout, MetaOp, MetaRead, MetaReadResult};

/// How often a following ring reads the layout.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// The current ring, readable from any thread.
#[derive(Clone)]
pub struct RingView {
    ring: Arc<ArcSwap<HashRing>>,
    layout: Arc<ArcSwapOption<ClusterLayout>>,
}

impl RingView {
    /// The ring as of now.
    pub fn snapshot(&self) -> Arc<HashRing> {
        self.ring.load_full()
    }

    /// The `n` nodes for the shards at `key`: THE placement every path
    /// uses (empty when the ring is).
    pub fn place(&self, key: PlacementKey, n: usize) -> Vec<NodeId> {
        self.ring.load().place(key, n)
    }

    /// The layout the ring was built from, once one was read from Raft.
    pub fn layout(&self) -> Option<Arc<ClusterLayout>> {
        self.layout.load_full()
    }

    /// The version of [`Self::layout`] (0 before the first).
    pub fn layout_version(&self) -> u64 {
        self.layout.load().as_ref().map_or(0, |l| l.version)
    }
}

/// Replace the membership.
#[derive(Message)]
#[rtype(result = "Result<(), RingError>")]
pub struct SetMembers(pub Vec<Member>);

/// Where a following ring reads the layout, and what it seeds.
struct Follow {
    consensus: Addr<Consensus>,
    /// The first layout to commit if Raft has none (`None`: no cluster
    /// layout, the process's own volumes).
    seed: Option<ClusterLayout>,
    /// The failure detector, told to watch every node in the layout.
    peers: PeerClient,
    /// This process's own transport address (not watched).
    own: SocketAddr,
    /// A read is under way.
    reading: bool,
}

/// The ring actor.
pub struct Ring {
    view: RingView,
    follow: Option<Follow>,
}

impl Ring {
    /// A ring over `members`, and the view its readers use.
    pub fn new(members: Vec<Member>) -> Result<(Self, RingView), RingError> {
        let view = RingView {
            ring: Arc::new(ArcSwap::from_pointee(HashRing::new(members)?)),
            layout: Arc::new(ArcSwapOption::empty()),
        };
        Ok((
            Self {
                view: view.clone(),
                follow: None,
            },
            view,
        ))
    }

    /// Makes the ring follow the layout in Raft once started, committing
    /// `seed` as the first layout if there is none yet.
    pub fn follow(
        mut self,
        consensus: Addr<Consensus>,
        seed: Option<ClusterLayout>,
        peers: PeerClient,
        own: SocketAddr,
    ) -> Self {
        self.follow = Some(Follow {
            consensus,
            seed,
            peers,
            own,
            reading: false,
        });
        self
    }

    /// Reads the layout and installs it if its version moved.
    fn poll(&mut self, ctx: &mut Context<Self>) {
        let Some(follow) = self.follow.as_mut().filter(|f| !f.reading) else {
            return;
        };
        follow.reading = true;
        let consensus = follow.consensus.clone();
        let seed = follow.seed.clone();
        let read = async move {
            let layout = match consensus.send(Read(MetaRead::Layout)).await {
                Ok(Ok(MetaReadResult::Layout(layout))) => layout,
                _ => return None,
            };
            if layout.is_some() {
                return layout;
            }
            let seed = seed?;
            match consensus
                .send(Submit(MetaOp::SetLayout {
                    layout: seed.clone(),
                }))
                .await
            {
                Ok(Ok(Ok(_))) => {
                    tracing::info!(
                        nodes = seed.storage_nodes.len(),
                        "cluster layout seeded from PREDASTORE_STORAGE_NODES"
                    );
                    Some(seed)
                }
                // Another process seeded first (`StaleLayout`), or no
                // leader yet: read it next time.
                _ => None,
            }
        };
        ctx.spawn(read.into_actor(self).map(|layout, ring, _| {
            if let Some(f) = ring.follow.as_mut() {
                f.reading = false;
            }
            if let Some(layout) = layout {
                ring.install(layout);
            }
        }));
    }

    /// Builds the ring of `layout` if it is a new version.
    fn install(&mut self, layout: ClusterLayout) {
        if self.view.layout_version() == layout.version {
            return;
        }
        let ring = match HashRing::new(layout_members(&layout)) {
            Ok(ring) => ring,
            Err(e) => {
                tracing::error!(version = layout.version, error = %e, "cluster layout cannot be placed on; keeping the previous ring");
                return;
            }
        };
        if let Some(f) = &self.follow {
            let watched: Vec<SocketAddr> = ring
                .members()
                .iter()
                .map(|m| m.addr)
                .filter(|a| *a != f.own)
                .collect();
            f.peers.watch(watched);
        }
        tracing::info!(
            version = layout.version,
            nodes = ring.len(),
            "cluster layout installed"
        );
        crate::metrics::LAYOUT_VERSION.set(i64::try_from(layout.version).unwrap_or(i64::MAX));
        self.view.ring.store(Arc::new(ring));
        self.view.layout.store(Some(Arc::new(layout)));
    }
}

impl Actor for Ring {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if self.follow.is_some() {
            self.poll(ctx);
            ctx.run_interval(FOLLOW_EVERY, |ring, ctx| ring.poll(ctx));
        }
    }
}

impl Handler<SetMembers> for Ring {
    type Result = Result<(), RingError>;

    fn handle(&mut self, msg: SetMembers, _: &mut Self::Context) -> Self::Result {
        let ring = HashRing::new(msg.0)?;
        self.view.ring.store(Arc::new(ring));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::layout::seed_layout;
    use crate::storage::meta::{NodeInfo, NodeState};

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

    #[test]
    fn a_layout_places_on_active_nodes_keeps_draining_ones_and_drops_removed_ones() {
        let mut layout = seed_layout([
            (1, ([127, 0, 0, 1], 9001).into()),
            (2, ([127, 0, 0, 2], 9002).into()),
            (3, ([127, 0, 0, 3], 9003).into()),
        ]);
        layout.storage_nodes[1].state = NodeState::Draining;
        layout.storage_nodes[2].state = NodeState::Removed;
        layout.storage_nodes.push(NodeInfo {
            id: 4,
            addr: "not an address".into(),
            zone: "z".into(),
            weight: 1,
            state: NodeState::Active,
        });
        let members = layout_members(&layout);
        let ids: Vec<(u64, u32)> = members.iter().map(|m| (m.id.0, m.weight)).collect();
        assert_eq!(
            ids,
            vec![(1, 1), (2, 0)],
            "draining at weight 0, removed and unparsable out"
        );
        let (mut ring, view) = Ring::new(Vec::new()).expect("empty ring");
        ring.install(layout.clone());
        assert_eq!(view.layout_version(), 1);
        assert_eq!(view.snapshot().len(), 2);
        assert_eq!(
            view.place(key(), 3),
            vec![NodeId(1); 3],
            "only node 1 takes shards"
        );
        // The same version again changes nothing; the next one replaces it.
        layout.storage_nodes[1].state = NodeState::Active;
        ring.install(layout.clone());
        assert_eq!(view.snapshot().active_len(), 1);
        layout.version = 2;
        ring.install(layout);
        assert_eq!(
            (view.layout_version(), view.snapshot().active_len()),
            (2, 2)
        );
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
