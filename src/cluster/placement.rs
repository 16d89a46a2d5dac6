//! Where each shard of a set goes when some nodes cannot take it.
//!
//! The ring's preference order for a key (`HashRing::place(key, len)`)
//! names the proper node of shard i (entry i) and, after the first k+m
//! entries, the nodes to fall back on. One rule serves both the write path
//! (a node known down gets no shard: its shard goes elsewhere now) and
//! repair (a node gone for good has its shards rebuilt elsewhere): shards
//! whose proper node is kept stay there; each other shard goes to the first
//! usable node of the preference order that holds none of the set yet, or,
//! when every usable node already holds one, to the usable node holding
//! the fewest (so a 2+1 set on two live nodes puts two shards on one).
//! Nothing moves that does not have to.

use super::ring::NodeId;

/// The node of each of `total` shards, from the ring's `preference` order
/// (proper node of shard i first at entry i): entry i stays where `keep`
/// holds, the others go to nodes where `usable` holds, as the module says.
/// A shard with no usable node anywhere keeps its proper node (writing it
/// fails, which the caller's quorum rule decides on).
pub(crate) fn assign_shards(
    preference: &[NodeId],
    total: usize,
    keep: impl Fn(NodeId) -> bool,
    usable: impl Fn(NodeId) -> bool,
) -> Vec<NodeId> {
    if preference.is_empty() {
        return Vec::new();
    }
    let proper = |i: usize| preference[i % preference.len()];
    let mut nodes: Vec<Option<NodeId>> = (0..total)
        .map(|i| Some(proper(i)).filter(|&n| keep(n)))
        .collect();
    for i in 0..total {
        if nodes[i].is_some() {
            continue;
        }
        let held =
            |n: NodeId, nodes: &[Option<NodeId>]| nodes.iter().filter(|&&m| m == Some(n)).count();
        let fresh = preference
            .iter()
            .copied()
            .find(|&n| usable(n) && held(n, &nodes) == 0);
        let least = || {
            preference
                .iter()
                .copied()
                .filter(|&n| usable(n))
                .min_by_key(|&n| held(n, &nodes))
        };
        nodes[i] = Some(fresh.or_else(least).unwrap_or_else(|| proper(i)));
    }
    nodes.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(v: &[u64]) -> Vec<NodeId> {
        v.iter().copied().map(NodeId).collect()
    }

    #[test]
    fn all_up_is_the_proper_placement() {
        let pref = ids(&[3, 1, 2, 4]);
        assert_eq!(assign_shards(&pref, 3, |_| true, |_| true), ids(&[3, 1, 2]));
    }

    #[test]
    fn a_down_node_gives_its_shard_to_the_next_free_node() {
        let pref = ids(&[3, 1, 2, 4]);
        let up = |n: NodeId| n != NodeId(1);
        assert_eq!(assign_shards(&pref, 3, up, up), ids(&[3, 4, 2]));
    }

    #[test]
    fn too_few_nodes_doubles_up_on_the_least_loaded() {
        // 2+1 on three nodes, one down: two shards share a live node.
        let pref = ids(&[2, 3, 1]);
        let up = |n: NodeId| n != NodeId(3);
        assert_eq!(assign_shards(&pref, 3, up, up), ids(&[2, 2, 1]));
        // 4+2 on six, two down: four live nodes take six shards.
        let pref = ids(&[1, 2, 3, 4, 5, 6]);
        let up = |n: NodeId| n != NodeId(2) && n != NodeId(5);
        let placed = assign_shards(&pref, 6, up, up);
        assert_eq!(placed, ids(&[1, 1, 3, 4, 3, 6]));
    }

    #[test]
    fn nothing_usable_keeps_the_proper_nodes() {
        let pref = ids(&[1, 2, 3]);
        assert_eq!(
            assign_shards(&pref, 3, |_| false, |_| false),
            ids(&[1, 2, 3])
        );
        assert!(assign_shards(&[], 3, |_| true, |_| true).is_empty());
    }

    #[test]
    fn kept_but_unusable_nodes_stay_and_take_no_new_shards() {
        // Repair: node 2 is down but not yet given up on (kept), node 3 is
        // gone: only node 3's shard moves, and not onto node 2.
        let pref = ids(&[1, 2, 3, 4]);
        let keep = |n: NodeId| n != NodeId(3);
        let usable = |n: NodeId| n != NodeId(3) && n != NodeId(2);
        assert_eq!(assign_shards(&pref, 3, keep, usable), ids(&[1, 2, 4]));
    }

    proptest! {
        #[test]
        fn every_shard_lands_on_a_usable_node_when_there_is_one(
            n in 1usize..8, total in 1usize..8, down in proptest::collection::vec(any::<bool>(), 8)
        ) {
            let pref: Vec<NodeId> = (1..=n as u64).map(NodeId).collect();
            let up = |x: NodeId| !down[(x.0 - 1) as usize];
            let placed = assign_shards(&pref, total, up, up);
            prop_assert_eq!(placed.len(), total);
            let live = pref.iter().filter(|&&x| up(x)).count();
            if live > 0 {
                prop_assert!(placed.iter().all(|&x| up(x)));
                // Spread: no live node holds two more than another.
                let counts: Vec<usize> = pref.iter().filter(|&&x| up(x))
                    .map(|&x| placed.iter().filter(|&&p| p == x).count()).collect();
                let (lo, hi) = (counts.iter().min().copied().unwrap_or(0), counts.iter().max().copied().unwrap_or(0));
                prop_assert!(hi <= lo + 1 || total <= live);
            }
            for (i, &p) in placed.iter().enumerate() {
                if up(pref[i % n]) {
                    prop_assert_eq!(p, pref[i % n]);
                }
            }
        }
    }
}
