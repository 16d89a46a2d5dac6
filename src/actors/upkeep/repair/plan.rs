//! What repair does with one shard set: plain code, no I/O.
//!
//! Input: where the record says each shard is, what that node says of its
//! copy, the ring's preference order for the object and how each node
//! stands. Output: the shards to write and where, the placement to commit
//! afterwards, the old copies to delete once it is committed, and how the
//! set stands now (for the below-redundancy gauge).

use crate::cluster::placement::assign_shards;
use crate::cluster::ring::NodeId;
use crate::storage::meta::NO_NODE;

/// How a storage node stands for repair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeStanding {
    /// Answering.
    Up,
    /// Down, but not for long: its shards wait for it to come back.
    Down,
    /// Down for longer than `PREDASTORE_NODE_DOWN_AFTER`: its shards are
    /// rebuilt elsewhere.
    Gone,
}

/// What the record's node holds of one shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CopyState {
    /// Present and not known to be damaged.
    Healthy,
    /// Missing, or marked corrupt by a scrub or a read.
    Bad,
    /// Its node cannot be asked (down), or the record has no node for it.
    Unknown,
}

/// How a set stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SetHealth {
    /// Every shard healthy, on its proper node.
    Full,
    /// Every shard healthy on distinct nodes, some not on their proper node.
    Misplaced,
    /// A shard missing, damaged, unreachable, or two on one node.
    Degraded,
}

/// Repair's verdict on one set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SetPlan {
    /// Shards to write now, as (shard index, node).
    pub writes: Vec<(usize, u64)>,
    /// The placement to commit once every write has succeeded.
    pub nodes: Vec<u64>,
    /// Old copies to delete once that placement is committed, as (shard
    /// index, node).
    pub stale: Vec<(usize, u64)>,
    /// How the set stands before the writes.
    pub health: SetHealth,
    /// Some shard must wait for a node that is down but not given up on.
    pub waiting: bool,
}

/// Plans the repair of a set whose shard i is recorded on `nodes[i]` in
/// state `copies[i]`; `preference` is the ring's order for the object.
pub(crate) fn plan_set(
    nodes: &[u64],
    copies: &[CopyState],
    preference: &[NodeId],
    standing: impl Fn(u64) -> NodeStanding,
) -> SetPlan {
    let total = nodes.len();
    let targets = assign_shards(
        preference,
        total,
        |n| standing(n.0) != NodeStanding::Gone,
        |n| standing(n.0) == NodeStanding::Up,
    );
    let copy = |i: usize| copies.get(i).copied().unwrap_or(CopyState::Unknown);
    let targets = align(nodes, |i| copy(i) != CopyState::Bad, &targets);
    let mut plan = SetPlan {
        writes: Vec::new(),
        nodes: nodes.to_vec(),
        stale: Vec::new(),
        health: health(nodes, copies, &targets),
        waiting: false,
    };
    for (i, &current) in nodes.iter().enumerate() {
        let target = targets.get(i).map_or(current, |t| t.0);
        if target == current && copy(i) == CopyState::Healthy {
            continue;
        }
        if standing(target) != NodeStanding::Up {
            plan.waiting = true;
            continue;
        }
        plan.writes.push((i, target));
        plan.nodes[i] = target;
        if current != target && current != NO_NODE {
            plan.stale.push((i, current));
        }
    }
    plan
}

/// Matches the shards to the `targets` as a set, so that nothing moves
/// that does not have to: a shard whose node is among the targets (and
/// whose copy is not known bad) stays there; each other shard takes a
/// target node left over, its own index's target if that one is free.
/// After a node joins, an object whose targets now include it moves one
/// shard there instead of shifting every shard along the ring's order.
fn align(nodes: &[u64], keep: impl Fn(usize) -> bool, targets: &[NodeId]) -> Vec<NodeId> {
    let mut left: Vec<Option<NodeId>> = targets.iter().copied().map(Some).collect();
    let mut out: Vec<Option<NodeId>> = vec![None; targets.len()];
    for (i, &node) in nodes.iter().enumerate().take(targets.len()) {
        if !keep(i) {
            continue;
        }
        if let Some(slot) = left.iter_mut().find(|t| **t == Some(NodeId(node))) {
            out[i] = slot.take();
        }
    }
    for i in 0..out.len() {
        if out[i].is_some() {
            continue;
        }
        let own = left.iter().position(|t| *t == Some(targets[i]));
        let any = || left.iter().position(Option::is_some);
        if let Some(j) = own.or_else(any) {
            out[i] = left[j].take();
        }
    }
    out.into_iter()
        .zip(targets)
        .map(|(o, t)| o.unwrap_or(*t))
        .collect()
}

fn health(nodes: &[u64], copies: &[CopyState], targets: &[NodeId]) -> SetHealth {
    let all_healthy = nodes.len() == copies.len()
        && copies.iter().all(|&c| c == CopyState::Healthy)
        && !nodes.contains(&NO_NODE);
    let mut distinct = nodes.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    // A layout with fewer nodes than shards doubles up by design.
    let spread_possible = {
        let mut t: Vec<u64> = targets.iter().map(|n| n.0).collect();
        t.sort_unstable();
        t.dedup();
        t.len()
    };
    if !all_healthy || distinct.len() < nodes.len().min(spread_possible.max(1)) {
        return SetHealth::Degraded;
    }
    if nodes.iter().zip(targets).any(|(&n, t)| n != t.0) {
        return SetHealth::Misplaced;
    }
    SetHealth::Full
}

#[cfg(test)]
mod tests {
    use super::*;
    use CopyState::{Bad, Healthy, Unknown};
    use NodeStanding::{Down, Gone, Up};

    fn pref(v: &[u64]) -> Vec<NodeId> {
        v.iter().copied().map(NodeId).collect()
    }

    #[test]
    fn a_joining_node_takes_one_shard_not_a_shift_of_all() {
        // The ring's order for the object was [1, 2, 3]; node 4 joins in
        // front of it: only one shard moves, to node 4.
        let plan = plan_set(&[1, 2, 3], &[Healthy; 3], &pref(&[4, 1, 2, 3]), |_| Up);
        assert_eq!(plan.health, SetHealth::Misplaced);
        assert_eq!(plan.writes, vec![(2, 4)]);
        assert_eq!(plan.nodes, vec![1, 2, 4]);
        assert_eq!(plan.stale, vec![(2, 3)]);
        // Once moved, the set is where it belongs.
        let after = plan_set(&plan.nodes, &[Healthy; 3], &pref(&[4, 1, 2, 3]), |_| Up);
        assert_eq!(after.health, SetHealth::Full);
        assert!(after.writes.is_empty());
    }

    #[test]
    fn a_draining_node_left_out_of_the_order_has_its_shard_moved() {
        // Node 2 drains: the ring's order no longer names it.
        let plan = plan_set(&[1, 2, 3], &[Healthy; 3], &pref(&[1, 3, 4]), |_| Up);
        assert_eq!(plan.health, SetHealth::Misplaced);
        assert_eq!(plan.writes, vec![(1, 4)]);
        assert_eq!(plan.stale, vec![(1, 2)]);
    }

    #[test]
    fn a_healthy_set_in_place_needs_nothing() {
        let plan = plan_set(&[1, 2, 3], &[Healthy; 3], &pref(&[1, 2, 3]), |_| Up);
        assert_eq!(plan.health, SetHealth::Full);
        assert!(plan.writes.is_empty() && plan.stale.is_empty() && !plan.waiting);
    }

    #[test]
    fn a_set_written_with_a_node_down_waits_then_moves_back() {
        // Written while node 3 was down: shard 2 doubled up on node 1.
        let nodes = [1, 2, 1];
        let p = pref(&[1, 2, 3]);
        let down = plan_set(
            &nodes,
            &[Healthy; 3],
            &p,
            |n| if n == 3 { Down } else { Up },
        );
        assert_eq!(down.health, SetHealth::Degraded);
        assert!(down.waiting && down.writes.is_empty());
        let back = plan_set(&nodes, &[Healthy; 3], &p, |_| Up);
        assert_eq!(back.writes, vec![(2, 3)]);
        assert_eq!(back.nodes, vec![1, 2, 3]);
        assert_eq!(back.stale, vec![(2, 1)]);
    }

    #[test]
    fn a_corrupt_or_missing_shard_is_rewritten_in_place() {
        let plan = plan_set(
            &[1, 2, 3],
            &[Healthy, Bad, Healthy],
            &pref(&[1, 2, 3]),
            |_| Up,
        );
        assert_eq!(plan.health, SetHealth::Degraded);
        assert_eq!(plan.writes, vec![(1, 2)]);
        assert!(plan.stale.is_empty());
    }

    #[test]
    fn a_failed_write_is_rebuilt_on_its_proper_node() {
        let plan = plan_set(
            &[1, NO_NODE, 3],
            &[Healthy, Unknown, Healthy],
            &pref(&[1, 2, 3]),
            |_| Up,
        );
        assert_eq!(plan.writes, vec![(1, 2)]);
        assert!(plan.stale.is_empty());
    }

    #[test]
    fn a_node_gone_for_good_has_its_shards_rebuilt_on_another() {
        let p = pref(&[1, 2, 3, 4]);
        let plan = plan_set(&[1, 2, 3], &[Healthy, Healthy, Unknown], &p, |n| {
            if n == 3 {
                Gone
            } else {
                Up
            }
        });
        assert_eq!(plan.writes, vec![(2, 4)]);
        assert_eq!(plan.nodes, vec![1, 2, 4]);
        assert_eq!(plan.stale, vec![(2, 3)]);
    }

    #[test]
    fn shards_off_their_proper_node_but_spread_are_misplaced_not_degraded() {
        let plan = plan_set(&[1, 4, 3], &[Healthy; 3], &pref(&[1, 2, 3, 4]), |_| Up);
        assert_eq!(plan.health, SetHealth::Misplaced);
        assert_eq!(plan.writes, vec![(1, 2)]);
    }

    #[test]
    fn one_node_clusters_hold_every_shard_and_are_full() {
        let plan = plan_set(&[7, 7, 7], &[Healthy; 3], &pref(&[7]), |_| Up);
        assert_eq!(plan.health, SetHealth::Full);
        let bad = plan_set(&[7, 7, 7], &[Healthy, Healthy, Bad], &pref(&[7]), |_| Up);
        assert_eq!(bad.writes, vec![(2, 7)]);
    }
}
