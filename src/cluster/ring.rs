//! Consistent hash ring that decides which nodes hold the shards of an object.
//!
//! Every object is reduced to a [`PlacementKey`] by [`placement_key`], the one
//! hash all callers share. A [`HashRing`] is built from the cluster membership:
//! each [`Member`] gets `vnodes_per_weight_unit * weight` points on a 64-bit
//! circle, so adding or removing a node only moves the keys adjacent to that
//! node's points (about `1/N` of the data) and weights steer load share.
//!
//! [`HashRing::place`] walks the circle clockwise from the key and returns the
//! nodes for `n` shards, preferring distinct nodes and, among those, nodes in
//! zones not used yet, so a single zone outage loses as few shards as possible.
//!
//! A ring is immutable: callers share it as `Arc<HashRing>` and a membership
//! change builds a new ring and swaps it in. Placement depends only on the set
//! of members (not the order they were listed in), so every node that sees the
//! same membership computes the same placement without talking to the others.
//!
//! Both [`placement_key`] and the virtual node positions are part of the
//! on-disk contract: changing either hash, its seed or its input encoding
//! relocates nearly every object in every cluster.

use crate::net::PeerAddr;
use std::error::Error;
use std::fmt;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64_with_seed, Xxh3};

/// Virtual nodes per unit of weight when the caller does not choose; 64 keeps
/// a node's share within roughly ±12% of its fair share at modest memory cost.
pub(crate) const DEFAULT_VNODES_PER_WEIGHT_UNIT: u32 = 64;

/// Upper bound on ring points, so a misconfigured weight cannot exhaust memory.
pub(crate) const MAX_RING_POINTS: u64 = 1 << 22;

/// Seed of [`placement_key`]; fixed forever because it decides where data lives.
const PLACEMENT_SEED: u64 = 0x7072_6564_615f_6b65; // "preda_ke"

/// Seed of virtual node positions; fixed forever for the same reason.
const VNODE_SEED: u64 = 0x7072_6564_615f_766e; // "preda_vn"

/// Stable identity of a cluster node, kept across restarts and address changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct NodeId(pub u64);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node-{}", self.0)
    }
}

/// One node of the cluster membership, as gossiped or configured.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Member {
    /// Stable identity; decides the node's ring positions.
    pub id: NodeId,
    /// Where peers reach the node; not used for placement.
    pub addr: PeerAddr,
    /// Failure domain (rack, room, AZ); placement spreads shards across zones.
    pub zone: String,
    /// Relative capacity; 0 keeps the node a member that receives no data.
    pub weight: u32,
}

/// Position of an object on the ring, produced only by [`placement_key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct PlacementKey(u64);

#[cfg(test)]
impl PlacementKey {
    /// Raw hash value, for the placement tests.
    pub(crate) fn value(self) -> u64 {
        self.0
    }
}

/// Hashes an object name to its ring position; the one function all callers
/// must use so every node agrees where an object lives.
///
/// The input is encoded unambiguously as `len(bucket) as u64 LE, bucket,
/// len(key) as u64 LE, key`, so `("a", "b/c")` and `("a/b", "c")` differ. The
/// hash is xxh3-64 with a fixed seed and is stable across processes, platforms
/// and versions. Changing anything here moves all stored data.
pub(crate) fn placement_key(bucket: &str, key: &str) -> PlacementKey {
    let mut hasher = Xxh3::with_seed(PLACEMENT_SEED);
    hasher.update(&(bucket.len() as u64).to_le_bytes());
    hasher.update(bucket.as_bytes());
    hasher.update(&(key.len() as u64).to_le_bytes());
    hasher.update(key.as_bytes());
    PlacementKey(hasher.digest())
}

/// Position of virtual node `index` of `id`; independent of the other members
/// so membership changes only add or remove that node's own points.
fn vnode_position(id: NodeId, index: u32) -> u64 {
    let mut buf = [0u8; 12];
    buf[..8].copy_from_slice(&id.0.to_le_bytes());
    buf[8..].copy_from_slice(&index.to_le_bytes());
    xxh3_64_with_seed(&buf, VNODE_SEED)
}

/// Why a ring could not be built from a membership list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RingError {
    /// Two members share an id, so ownership would be ambiguous.
    DuplicateNode(NodeId),
    /// `vnodes_per_weight_unit` was 0, which would give every node nothing.
    ZeroVnodesPerWeightUnit,
    /// The weights ask for more points than [`MAX_RING_POINTS`].
    TooManyPoints {
        /// Points the membership asked for (saturating).
        requested: u64,
        /// The allowed maximum.
        max: u64,
    },
}

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RingError::DuplicateNode(id) => write!(f, "duplicate node id {id} in membership"),
            RingError::ZeroVnodesPerWeightUnit => {
                write!(f, "vnodes per weight unit must be at least 1")
            }
            RingError::TooManyPoints { requested, max } => write!(
                f,
                "membership needs {requested} ring points, more than the maximum {max}"
            ),
        }
    }
}

impl Error for RingError {}

/// Immutable consistent hash ring over a membership list; share it as
/// `Arc<HashRing>` and build a new one when membership changes.
#[derive(Clone, Debug)]
pub(crate) struct HashRing {
    /// Members sorted by id, so lookups and iteration ignore input order.
    members: Vec<Member>,
    /// Zone index of each member (parallel to `members`), to compare zones
    /// without string comparisons on the hot path.
    zone_of: Vec<u32>,
    /// Sorted ring positions; kept apart from `owners` for a dense binary search.
    positions: Vec<u64>,
    /// Member index owning each position (parallel to `positions`).
    owners: Vec<u32>,
    /// Members with weight > 0, i.e. those that can receive shards.
    active_members: usize,
    /// Distinct zones among active members.
    active_zones: usize,
    /// Total distinct zones (sizes the zone bitset).
    zone_count: usize,
    /// Virtual nodes per weight unit this ring was built with (a test
    /// rebuilds a ring alike from it).
    #[cfg_attr(not(test), allow(dead_code))]
    vnodes_per_weight_unit: u32,
}

impl HashRing {
    /// Builds a ring with [`DEFAULT_VNODES_PER_WEIGHT_UNIT`].
    pub(crate) fn new(members: impl IntoIterator<Item = Member>) -> Result<Self, RingError> {
        Self::with_vnodes(members, DEFAULT_VNODES_PER_WEIGHT_UNIT)
    }

    /// Builds a ring giving each member `per_unit * weight` virtual nodes;
    /// more points smooth the load at the cost of memory and build time.
    pub(crate) fn with_vnodes(
        members: impl IntoIterator<Item = Member>,
        per_unit: u32,
    ) -> Result<Self, RingError> {
        if per_unit == 0 {
            return Err(RingError::ZeroVnodesPerWeightUnit);
        }
        let mut members: Vec<Member> = members.into_iter().collect();
        members.sort_by_key(|m| m.id);
        if let Some(pair) = members.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(RingError::DuplicateNode(pair[0].id));
        }

        let requested = members.iter().fold(0u64, |acc, m| {
            acc.saturating_add(u64::from(m.weight).saturating_mul(u64::from(per_unit)))
        });
        // Member indices are stored as u32; the point cap also bounds that.
        if requested > MAX_RING_POINTS || members.len() as u64 > MAX_RING_POINTS {
            return Err(RingError::TooManyPoints {
                requested: requested.max(members.len() as u64),
                max: MAX_RING_POINTS,
            });
        }

        // Zones numbered in sorted name order so indices do not depend on input order.
        let mut zone_names: Vec<&str> = members.iter().map(|m| m.zone.as_str()).collect();
        zone_names.sort_unstable();
        zone_names.dedup();
        let zone_index = |zone: &str| zone_names.binary_search(&zone).unwrap_or(0) as u32;
        let zone_of: Vec<u32> = members.iter().map(|m| zone_index(&m.zone)).collect();
        let mut active_zone_ids: Vec<u32> = members
            .iter()
            .zip(&zone_of)
            .filter(|(m, _)| m.weight > 0)
            .map(|(_, z)| *z)
            .collect();
        active_zone_ids.sort_unstable();
        active_zone_ids.dedup();

        let mut points: Vec<(u64, u32)> = Vec::with_capacity(requested as usize);
        for (idx, member) in members.iter().enumerate() {
            let count = member.weight.saturating_mul(per_unit);
            points.extend((0..count).map(|v| (vnode_position(member.id, v), idx as u32)));
        }
        // Members are sorted by id, so ties on position break by id: deterministic.
        points.sort_unstable();

        Ok(Self {
            active_members: members.iter().filter(|m| m.weight > 0).count(),
            active_zones: active_zone_ids.len(),
            zone_count: zone_names.len(),
            positions: points.iter().map(|p| p.0).collect(),
            owners: points.iter().map(|p| p.1).collect(),
            zone_of,
            members,
            vnodes_per_weight_unit: per_unit,
        })
    }

    /// Returns the nodes that hold the `n` shards of `key`, shard `i` on entry `i`.
    ///
    /// Walking clockwise from the key, it first takes the first node met in
    /// each zone not used yet, then other distinct nodes in walk order, and if
    /// fewer than `n` nodes have weight > 0 it repeats them in the same order
    /// (safe because the shard index is part of each shard's storage key).
    /// `place(k, n)` is always a prefix of `place(k, n + 1)`. An empty ring or
    /// `n == 0` gives an empty list.
    pub(crate) fn place(&self, key: PlacementKey, n: usize) -> Vec<NodeId> {
        if n == 0 || self.positions.is_empty() {
            return Vec::new();
        }
        let start = self.positions.partition_point(|&p| p < key.0);
        let total = self.positions.len();
        let wanted_distinct = n.min(self.active_members);

        let mut chosen: Vec<u32> = Vec::with_capacity(wanted_distinct);
        let mut seen = BitSet::new(self.members.len() + self.zone_count);
        let zone_bit = |zone: u32| self.members.len() + zone as usize;

        // Pass 1: one node per new zone, until n nodes or every zone is used.
        let mut used_zones = 0;
        for step in 0..total {
            if chosen.len() == wanted_distinct || used_zones == self.active_zones {
                break;
            }
            let owner = self.owners[(start + step) % total];
            let zone = zone_bit(self.zone_of[owner as usize]);
            if !seen.contains(zone) {
                seen.insert(zone);
                seen.insert(owner as usize);
                used_zones += 1;
                chosen.push(owner);
            }
        }

        // Pass 2: any node not chosen yet, in walk order.
        for step in 0..total {
            if chosen.len() == wanted_distinct {
                break;
            }
            let owner = self.owners[(start + step) % total];
            if !seen.contains(owner as usize) {
                seen.insert(owner as usize);
                chosen.push(owner);
            }
        }

        // Pass 3: too few nodes, reuse them in the same order.
        let mut placement = Vec::with_capacity(n);
        placement.extend((0..n).map(|i| self.members[chosen[i % chosen.len()] as usize].id));
        placement
    }

    /// All members, including weight-0 ones, sorted by id.
    pub(crate) fn members(&self) -> &[Member] {
        &self.members
    }

    /// Looks up a member by id, e.g. to find the address of a placed node.
    pub(crate) fn member(&self, id: NodeId) -> Option<&Member> {
        self.members
            .binary_search_by_key(&id, |m| m.id)
            .ok()
            .map(|i| &self.members[i])
    }

    /// Number of members that take shards (weight > 0).
    pub(crate) fn active_len(&self) -> usize {
        self.active_members
    }

    /// Number of members, including weight-0 ones.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// True when the ring has no members at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Virtual nodes per weight unit this ring was built with, to rebuild alike.
    #[cfg(test)]
    pub(crate) fn vnodes_per_weight_unit(&self) -> u32 {
        self.vnodes_per_weight_unit
    }
}

/// Fixed-size bitset; the "seen" set of one placement walk.
struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    fn new(bits: usize) -> Self {
        Self {
            words: vec![0; bits.div_ceil(64)],
        }
    }

    fn contains(&self, bit: usize) -> bool {
        self.words[bit / 64] & (1 << (bit % 64)) != 0
    }

    fn insert(&mut self, bit: usize) {
        self.words[bit / 64] |= 1 << (bit % 64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeSet, HashMap};

    fn member(id: u64, zone: &str, weight: u32) -> Member {
        Member {
            id: NodeId(id),
            addr: PeerAddr::from(([127, 0, 0, 1], 9000 + (id % 1000) as u16)),
            zone: zone.to_string(),
            weight,
        }
    }

    #[test]
    fn object_placement_keys_are_stable_and_spread_objects_over_every_node() {
        let a = placement_key("b", "7");
        assert_eq!(a, placement_key("b", "7"));
        assert_ne!(a, placement_key("c", "7"));
        assert_ne!(a, placement_key("b", "8"));
        // Three shards of each of many objects on three nodes: always one
        // per node, and each node leads (holds shard 0) about a third.
        let ring = HashRing::new(flat(3)).expect("ring");
        let mut first = HashMap::new();
        for id in 0..3000u128 {
            let placed = ring.place(placement_key("bucket", &format!("key-{}", id * 7919)), 3);
            let distinct: BTreeSet<_> = placed.iter().collect();
            assert_eq!(distinct.len(), 3, "{placed:?}");
            *first.entry(placed[0]).or_insert(0u32) += 1;
        }
        for (node, n) in first {
            assert!((700..1300).contains(&n), "{node} leads {n} of 3000");
        }
    }

    /// Equal-weight members 1..=count, all in one zone.
    fn flat(count: u64) -> Vec<Member> {
        (1..=count).map(|id| member(id, "z", 1)).collect()
    }

    /// Deterministic stream of well-mixed keys (splitmix64).
    fn keys(count: usize, seed: u64) -> Vec<PlacementKey> {
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                PlacementKey(z ^ (z >> 31))
            })
            .collect()
    }

    fn zones_of(ring: &HashRing, nodes: &[NodeId]) -> BTreeSet<String> {
        nodes
            .iter()
            .map(|id| ring.member(*id).map(|m| m.zone.clone()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn placement_key_is_pinned() {
        // Regression guard: these values were computed once. If this fails the
        // hash changed, which would relocate every object in every cluster.
        assert_eq!(
            placement_key("bucket", "object").value(),
            PINNED_BUCKET_OBJECT
        );
        assert_eq!(placement_key("", "").value(), PINNED_EMPTY);
    }

    #[test]
    fn placement_key_encoding_is_length_prefixed() {
        assert_ne!(placement_key("a", "b/c"), placement_key("a/b", "c"));
        assert_ne!(placement_key("ab", ""), placement_key("a", "b"));
        assert_ne!(placement_key("", "ab"), placement_key("a", "b"));
        // The streaming hash equals the documented byte encoding.
        let mut encoded = Vec::new();
        encoded.extend_from_slice(&1u64.to_le_bytes());
        encoded.extend_from_slice(b"a");
        encoded.extend_from_slice(&3u64.to_le_bytes());
        encoded.extend_from_slice(b"b/c");
        assert_eq!(
            placement_key("a", "b/c").value(),
            xxh3_64_with_seed(&encoded, PLACEMENT_SEED)
        );
    }

    #[test]
    fn ring_layout_is_pinned() {
        // Regression guard for vnode positions: a fixed ring and key must keep
        // their placement, or upgrades would silently move data.
        let ring = HashRing::new(vec![
            member(1, "a", 1),
            member(2, "a", 1),
            member(3, "b", 1),
            member(4, "b", 2),
            member(5, "c", 1),
        ])
        .unwrap();
        let placed: Vec<u64> = ring
            .place(placement_key("bucket", "object"), 5)
            .iter()
            .map(|id| id.0)
            .collect();
        assert_eq!(placed, PINNED_LAYOUT);
    }

    const PINNED_BUCKET_OBJECT: u64 = 6153788045178674309;
    const PINNED_EMPTY: u64 = 8902529976413419131;
    const PINNED_LAYOUT: [u64; 5] = [4, 1, 5, 2, 3];

    #[test]
    fn duplicate_ids_are_rejected() {
        let err = HashRing::new(vec![
            member(1, "a", 1),
            member(2, "a", 1),
            member(1, "b", 3),
        ])
        .unwrap_err();
        assert_eq!(err, RingError::DuplicateNode(NodeId(1)));
        assert!(err.to_string().contains("node-1"));
    }

    #[test]
    fn bad_sizes_are_rejected() {
        assert_eq!(
            HashRing::with_vnodes(flat(3), 0).unwrap_err(),
            RingError::ZeroVnodesPerWeightUnit
        );
        let err = HashRing::new(vec![member(1, "a", u32::MAX)]).unwrap_err();
        assert!(matches!(err, RingError::TooManyPoints { .. }));
    }

    #[test]
    fn empty_and_weightless_rings_place_nothing() {
        let key = placement_key("b", "k");
        let empty = HashRing::new(Vec::new()).unwrap();
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert!(empty.place(key, 3).is_empty());

        let weightless = HashRing::new(vec![member(1, "a", 0), member(2, "b", 0)]).unwrap();
        assert!(!weightless.is_empty());
        assert_eq!(weightless.len(), 2);
        assert!(weightless.place(key, 3).is_empty());

        let ring = HashRing::new(flat(3)).unwrap();
        assert!(ring.place(key, 0).is_empty());
    }

    #[test]
    fn weight_zero_member_is_listed_but_gets_nothing() {
        let mut members = flat(4);
        members.push(member(9, "other", 0));
        let ring = HashRing::new(members).unwrap();
        assert_eq!(ring.len(), 5);
        assert_eq!(ring.member(NodeId(9)).map(|m| m.weight), Some(0));
        assert_eq!(ring.member(NodeId(10)), None);
        for key in keys(2_000, 7) {
            assert!(!ring.place(key, 4).contains(&NodeId(9)));
        }
    }

    #[test]
    fn members_are_sorted_by_id() {
        let ring = HashRing::new(vec![
            member(3, "a", 1),
            member(1, "b", 1),
            member(2, "c", 0),
        ])
        .unwrap();
        let ids: Vec<u64> = ring.members().iter().map(|m| m.id.0).collect();
        assert_eq!(ids, vec![1, 2, 3]);
        assert_eq!(
            ring.vnodes_per_weight_unit(),
            DEFAULT_VNODES_PER_WEIGHT_UNIT
        );
    }

    #[test]
    fn fewer_nodes_than_n_wraps_in_walk_order() {
        let ring = HashRing::new(vec![member(1, "a", 1), member(2, "b", 1)]).unwrap();
        for key in keys(500, 11) {
            let placed = ring.place(key, 3);
            assert_eq!(placed.len(), 3);
            assert_ne!(placed[0], placed[1]);
            assert_eq!(placed[2], placed[0]);
            let distinct: BTreeSet<_> = placed.iter().collect();
            assert_eq!(distinct.len(), 2);
        }
    }

    #[test]
    fn three_zones_of_three_are_all_covered() {
        let members: Vec<Member> = (0..9)
            .map(|i| member(100 + i, ["a", "b", "c"][(i % 3) as usize], 1))
            .collect();
        let ring = HashRing::new(members).unwrap();
        for key in keys(5_000, 3) {
            let placed = ring.place(key, 3);
            assert_eq!(zones_of(&ring, &placed).len(), 3, "{placed:?}");
        }
    }

    #[test]
    fn two_zones_are_both_covered() {
        let members = vec![
            member(1, "a", 1),
            member(2, "a", 1),
            member(3, "a", 1),
            member(4, "b", 1),
        ];
        let ring = HashRing::new(members).unwrap();
        for key in keys(5_000, 5) {
            let placed = ring.place(key, 3);
            assert_eq!(zones_of(&ring, &placed).len(), 2, "{placed:?}");
            assert_eq!(placed.iter().collect::<BTreeSet<_>>().len(), 3);
        }
    }

    #[test]
    fn weight_two_gets_twice_the_keys() {
        let mut members = flat(9);
        members.push(member(10, "z", 2));
        let ring = HashRing::new(members).unwrap();
        let mut counts: HashMap<NodeId, usize> = HashMap::new();
        for key in keys(50_000, 13) {
            *counts.entry(ring.place(key, 1)[0]).or_default() += 1;
        }
        let heavy = counts[&NodeId(10)] as f64;
        let light: usize = (1..=9).map(|id| counts[&NodeId(id)]).sum();
        let ratio = heavy / (light as f64 / 9.0);
        assert!((1.6..=2.4).contains(&ratio), "ratio {ratio}");
    }

    #[test]
    fn adding_a_node_moves_about_one_over_n_plus_one() {
        let keys = keys(10_000, 17);
        for n in 4..=20u64 {
            let before = HashRing::new(flat(n)).unwrap();
            let after = HashRing::new(flat(n + 1)).unwrap();
            let mut moved = 0;
            for key in &keys {
                let (old, new) = (before.place(*key, 1), after.place(*key, 1));
                if old != new {
                    moved += 1;
                    assert_eq!(new, vec![NodeId(n + 1)], "moved to an old node");
                }
            }
            let fraction = moved as f64 / keys.len() as f64;
            let fair = 1.0 / (n + 1) as f64;
            assert!(
                (0.5 * fair..=1.6 * fair).contains(&fraction),
                "n={n}: moved {fraction}, fair {fair}"
            );
        }
    }

    #[test]
    fn removing_a_node_moves_about_one_over_n() {
        let keys = keys(10_000, 19);
        for n in 4..=20u64 {
            let before = HashRing::new(flat(n)).unwrap();
            let removed = NodeId(1 + n / 2);
            let after = HashRing::new(flat(n).into_iter().filter(|m| m.id != removed)).unwrap();
            let mut moved = 0;
            for key in &keys {
                let (old, new) = (before.place(*key, 1), after.place(*key, 1));
                if old != new {
                    moved += 1;
                    assert_eq!(old, vec![removed], "moved from a surviving node");
                }
                assert_ne!(new, vec![removed]);
            }
            let fraction = moved as f64 / keys.len() as f64;
            let fair = 1.0 / n as f64;
            assert!(
                (0.5 * fair..=1.6 * fair).contains(&fraction),
                "n={n}: moved {fraction}, fair {fair}"
            );
        }
    }

    /// Membership with unique ids, weights 0..=3 and zones from a small set.
    fn arb_members() -> impl Strategy<Value = Vec<Member>> {
        prop::collection::btree_map(any::<u64>(), (0u32..=3, 0usize..4), 1..12).prop_map(|nodes| {
            nodes
                .into_iter()
                .map(|(id, (weight, zone))| member(id, ["a", "b", "c", "d"][zone], weight))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn placement_ignores_member_order(
            (members, shuffled) in arb_members()
                .prop_flat_map(|m| (Just(m.clone()), Just(m).prop_shuffle())),
            raw_keys in prop::collection::vec(any::<u64>(), 1..32),
            n in 1usize..6,
        ) {
            let a = HashRing::with_vnodes(members, 8).unwrap();
            let b = HashRing::with_vnodes(shuffled, 8).unwrap();
            prop_assert_eq!(a.members(), b.members());
            for raw in raw_keys {
                prop_assert_eq!(a.place(PlacementKey(raw), n), b.place(PlacementKey(raw), n));
            }
        }

        #[test]
        fn placement_is_distinct_zone_spread_and_prefix_stable(
            members in arb_members(),
            raw in any::<u64>(),
            n in 1usize..8,
        ) {
            let ring = HashRing::with_vnodes(members.clone(), 8).unwrap();
            let active: Vec<&Member> = members.iter().filter(|m| m.weight > 0).collect();
            let active_zones: BTreeSet<&str> = active.iter().map(|m| m.zone.as_str()).collect();
            let placed = ring.place(PlacementKey(raw), n);
            if active.is_empty() {
                prop_assert!(placed.is_empty());
                return Ok(());
            }
            prop_assert_eq!(placed.len(), n);
            let distinct: BTreeSet<_> = placed.iter().copied().collect();
            prop_assert_eq!(distinct.len(), n.min(active.len()));
            prop_assert_eq!(zones_of(&ring, &placed).len(), n.min(active_zones.len()));
            for id in &placed {
                prop_assert!(ring.member(*id).is_some_and(|m| m.weight > 0));
            }
            let longer = ring.place(PlacementKey(raw), n + 1);
            prop_assert_eq!(&longer[..n], &placed[..]);
        }

        #[test]
        fn first_replica_is_clockwise_successor(members in arb_members(), raw in any::<u64>()) {
            let ring = HashRing::with_vnodes(members.clone(), 4).unwrap();
            // Reference: the point with the smallest position >= key, else the smallest.
            let mut points: Vec<(u64, u64)> = members
                .iter()
                .flat_map(|m| (0..m.weight * 4).map(move |v| (vnode_position(m.id, v), m.id.0)))
                .collect();
            points.sort_unstable();
            let expected = points
                .iter()
                .find(|p| p.0 >= raw)
                .or(points.first())
                .map(|p| NodeId(p.1));
            prop_assert_eq!(ring.place(PlacementKey(raw), 1).first().copied(), expected);
        }

        #[test]
        fn placement_key_distinguishes_split_points(
            bucket in "[a-z/]{0,8}",
            key in "[a-z/]{0,8}",
            split in 0usize..16,
        ) {
            // Re-splitting the same concatenation at another point must change the hash.
            let joined = format!("{bucket}{key}");
            let split = split.min(joined.len());
            prop_assume!(split != bucket.len());
            let (b2, k2) = joined.split_at(split);
            prop_assert_ne!(placement_key(&bucket, &key), placement_key(b2, k2));
        }
    }
}
