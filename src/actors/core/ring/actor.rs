//! The Ring actor: follows the layout in Raft and swaps the snapshot its
//! [`RingView`] readers see.

use crate::net::PeerAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use arc_swap::{ArcSwap, ArcSwapOption};

use super::messages::SetMembers;
use super::view::RingView;
use crate::actors::core::consensus::ConsensusClient;
use crate::actors::core::pool::PeerClient;
use crate::cluster::layout::layout_members;
use crate::cluster::ring::{HashRing, Member, RingError};
use crate::storage::meta::{ClusterLayout, MetaOp, MetaRead, MetaReadResult};

/// How often a following ring reads the layout.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// Where a following ring reads the layout, and what it seeds.
struct Follow {
    /// Reads and seeds the layout in Raft.
    consensus: ConsensusClient,
    /// The first layout to commit if Raft has none (`None`: no cluster
    /// layout, the process's own volumes).
    seed: Option<ClusterLayout>,
    /// The failure detector, told to watch every node in the layout.
    peers: PeerClient,
    /// This process's own transport address (not watched).
    own: PeerAddr,
    /// `seed` is this process alone (a single store, the `all` role): its
    /// entry follows the process's address.
    single_store: bool,
    /// A read is under way.
    reading: bool,
}

/// The ring actor.
pub(crate) struct Ring {
    /// The snapshot readers hold a clone of; the actor swaps its ring.
    view: RingView,
    /// Where the layout comes from, once [`Ring::follow`] was called;
    /// `None`: the ring changes only by [`SetMembers`].
    follow: Option<Follow>,
}

impl Ring {
    /// A ring over `members`, and the view its readers use.
    pub(crate) fn new(members: Vec<Member>) -> Result<(Self, RingView), RingError> {
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
    pub(crate) fn follow(
        mut self,
        consensus: ConsensusClient,
        seed: Option<ClusterLayout>,
        peers: PeerClient,
        own: PeerAddr,
        single_store: bool,
    ) -> Self {
        self.follow = Some(Follow {
            consensus,
            seed,
            peers,
            own,
            single_store,
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
        let single_store = follow.single_store;
        let read = async move {
            let layout = match consensus.read(MetaRead::Layout).await {
                Ok(MetaReadResult::Layout(layout)) => layout,
                _ => return None,
            };
            if let Some(layout) = layout {
                let own = seed.as_ref().filter(|_| single_store);
                return Some(moved_store(&consensus, layout, own).await);
            }
            let seed = seed?;
            match consensus
                .submit(MetaOp::SetLayout {
                    layout: seed.clone(),
                })
                .await
            {
                Ok(Ok(_)) => {
                    tracing::info!(
                        nodes = seed.storage_nodes.len(),
                        "cluster layout seeded (PREDASTORE_STORAGE_NODES, or this node alone)"
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
    pub(super) fn install(&mut self, layout: ClusterLayout) {
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
            let watched: Vec<PeerAddr> = ring
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

/// `layout`, with a single store's own address brought up to date: a
/// store alone in its layout (the `all` role, `seed` its own one-node
/// layout) that
/// was restarted with another `PREDASTORE_QUIC_LISTEN` (before it takes
/// more nodes, so they can reach it) moves its entry there. In a layout
/// of several nodes an address changes only by an operator's hand.
async fn moved_store(
    consensus: &ConsensusClient,
    layout: ClusterLayout,
    seed: Option<&ClusterLayout>,
) -> ClusterLayout {
    let (Some(own), [entry]) = (
        seed.and_then(|s| match s.storage_nodes.as_slice() {
            [own] => Some(own),
            _ => None,
        }),
        layout.storage_nodes.as_slice(),
    ) else {
        return layout;
    };
    if entry.id != own.id || entry.addr == own.addr {
        return layout;
    }
    let mut moved = layout.clone();
    moved.version += 1;
    moved.storage_nodes[0].addr = own.addr.clone();
    match consensus
        .submit(MetaOp::SetLayout {
            layout: moved.clone(),
        })
        .await
    {
        Ok(Ok(_)) => {
            tracing::info!(node = own.id, from = %entry.addr, to = %own.addr, "this store's address in the cluster layout changed");
            moved
        }
        _ => layout,
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
