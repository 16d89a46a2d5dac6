//! Format version 6: the cluster layout before disks were part of it (a
//! storage node without its volumes), and its step to today's. Every
//! other record is still written in this format's shapes.

use serde::Deserialize;

use super::codec::first_shape;
use super::node_state::NodeState;

first_shape!(ClusterLayout);

/// A storage node of the layout, without its volumes.
#[derive(Deserialize)]
pub(crate) struct NodeInfo {
    pub(crate) id: u64,
    pub(crate) addr: String,
    pub(crate) zone: String,
    pub(crate) weight: u32,
    pub(crate) state: NodeState,
}

/// The layout of storage nodes without their volumes.
#[derive(Deserialize)]
pub(crate) struct ClusterLayout {
    pub(crate) version: u64,
    pub(crate) storage_nodes: Vec<NodeInfo>,
}
