//! The Ring actor's published snapshot: what placement reads on the hot
//! path, from any thread, without a message.

use std::sync::Arc;

use arc_swap::{ArcSwap, ArcSwapOption};

use crate::cluster::ring::{HashRing, NodeId, PlacementKey};
use crate::storage::meta::ClusterLayout;

/// The current ring, readable from any thread.
#[derive(Clone)]
pub(crate) struct RingView {
    /// The ring placement reads, swapped whole on a change.
    pub(super) ring: Arc<ArcSwap<HashRing>>,
    /// The layout the ring was built from; `None` until one is read.
    pub(super) layout: Arc<ArcSwapOption<ClusterLayout>>,
}

impl RingView {
    /// The ring as of now.
    pub(crate) fn snapshot(&self) -> Arc<HashRing> {
        self.ring.load_full()
    }

    /// The `n` nodes for the shards at `key`: THE placement every path
    /// uses (empty when the ring is).
    pub(crate) fn place(&self, key: PlacementKey, n: usize) -> Vec<NodeId> {
        self.ring.load().place(key, n)
    }

    /// The layout the ring was built from, once one was read from Raft.
    pub(crate) fn layout(&self) -> Option<Arc<ClusterLayout>> {
        self.layout.load_full()
    }

    /// The version of [`Self::layout`] (0 before the first).
    pub(crate) fn layout_version(&self) -> u64 {
        self.layout.load().as_ref().map_or(0, |l| l.version)
    }
}
