//! The Ring actor's tests: layouts become rings, and a membership change
//! swaps the snapshot readers see.

use actix::Actor;

use super::actor::Ring;
use super::client::{RingCallError, RingClient};
use crate::cluster::layout::layout_members;
use crate::cluster::layout::seed_layout;
use crate::cluster::ring::Member;
use crate::cluster::ring::{NodeId, PlacementKey, RingError};
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
        volumes: Vec::new(),
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
async fn membership_change_swaps_the_snapshot_readers_see() -> Result<(), Box<dyn std::error::Error>>
{
    let (ring, view) = Ring::new(vec![member(1, "a"), member(2, "b")])?;
    let before = view.snapshot();
    assert_eq!(view.place(key(), 3).len(), 3);
    let client = RingClient::new(ring.start());
    client
        .set_members(vec![member(1, "a"), member(2, "b"), member(3, "c")])
        .await?;
    let after = view.snapshot();
    assert_eq!((before.len(), after.len()), (2, 3));
    let placed = view.place(key(), 3);
    assert_eq!(placed.len(), 3);
    let distinct: std::collections::BTreeSet<_> = placed.iter().collect();
    assert_eq!(distinct.len(), 3, "three nodes, three distinct placements");
    // The snapshot taken before is unchanged: readers are never torn.
    assert_eq!(before.place(key(), 3).len(), 3);
    assert!(matches!(
        client
            .set_members(vec![member(1, "a"), member(1, "b")])
            .await,
        Err(RingCallError::Refused(RingError::DuplicateNode(NodeId(1))))
    ));
    assert_eq!(
        view.snapshot().len(),
        3,
        "a bad membership leaves the ring as it was"
    );
    Ok(())
}
