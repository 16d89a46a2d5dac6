//! Where a storage node stands in the layout: a shape every layout
//! format shares (`cluster` today's, `format_v6` the one before).

use serde::{Deserialize, Serialize};

/// Where a storage node stands in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Takes new shards and keeps its share.
    Active,
    /// Takes no new shards; rebalance moves every shard it holds to the
    /// active nodes, after which it can be removed.
    Draining,
    /// No longer part of the cluster: shards still recorded on it are
    /// rebuilt elsewhere. Kept in the layout so its id is never reused.
    Removed,
}

impl NodeState {
    /// The lowercase name the admin API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Active => "active",
            NodeState::Draining => "draining",
            NodeState::Removed => "removed",
        }
    }
}
