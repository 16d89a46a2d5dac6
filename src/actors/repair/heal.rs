//! Repair of objects: the heal queue, and the repair of one object's
//! shard sets (stat, plan, rebuild, commit, clean up).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::plan::{plan_set, CopyState, NodeStanding, SetHealth, SetPlan};
use super::{ObjectName, RepairState};
use crate::actors::frontend::{ObjectCoordinator, ShardSet};
use crate::cluster::ring::NodeId;
use crate::metrics;
use crate::storage::meta::{MetaOp, MetaOutcome, MetaRead, MetaReadResult, ShardOwner, NO_NODE};
use crate::storage::{ShardKey, ShardState};

/// Heal-queue entries looked at per round.
const QUEUE_PAGE: usize = 1000;
/// Shard keys asked of one node at a time.
const STAT_BATCH: usize = 1000;
/// First wait before a queue entry that could not be healed is tried again;
/// doubled on each failure up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(2);
const RETRY_MAX: Duration = Duration::from_secs(300);
/// Old copies are deleted this long after their new placement is
/// committed, so a GET that opened them finishes first.
const STALE_DELETE_DELAY: Duration = Duration::from_secs(10);

/// How repairing an object went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Nothing left to do (healthy, repaired, or the object is gone).
    Done(SetHealth),
    /// Some shard waits on a node that is down, or a step failed.
    Later(SetHealth),
}

impl RepairState {
    /// Works through the heal queue.
    pub(super) async fn heal_queue(&mut self) {
        let read = MetaRead::HealQueue { limit: QUEUE_PAGE };
        let queue = match self.objects.read(read).await {
            Ok(MetaReadResult::HealQueue(queue)) => queue,
            Ok(_) => return,
            Err(e) => {
                tracing::debug!(error = %e, "heal queue not readable now");
                return;
            }
        };
        metrics::HEAL_QUEUE.set(queue.len() as i64);
        // A node that came back (or went) changes what can be done: every
        // entry gets its chance again at once.
        let data = self.objects.coordinator();
        let up: Vec<u64> = data
            .storage_nodes()
            .into_iter()
            .filter(|&n| data.node_is_up(NodeId(n)))
            .collect();
        if up != self.nodes_up {
            self.nodes_up = up;
            self.retry_at.clear();
        }
        let now = Instant::now();
        self.retry_at.retain(|_, (at, _)| *at > now);
        let mut done = Vec::new();
        for name in queue {
            if self.retry_at.contains_key(&name) {
                continue;
            }
            match self.heal_object(&name).await {
                Outcome::Done(health) => {
                    self.record(&name, health);
                    done.push(name);
                }
                Outcome::Later(health) => {
                    self.record(&name, health);
                    let tries = self.retry_at.get(&name).map_or(0, |(_, n)| *n) + 1;
                    let wait = RETRY_FIRST.saturating_mul(1 << tries.min(8)).min(RETRY_MAX);
                    self.retry_at.insert(name, (Instant::now() + wait, tries));
                }
            }
        }
        if !done.is_empty() {
            let n = done.len();
            if let Err(e) = self
                .objects
                .submit(MetaOp::ForgetHeal { objects: done })
                .await
            {
                tracing::debug!(error = %e, entries = n, "healed entries stay queued for now");
            }
        }
    }

    /// Repairs the current version of `bucket/key`, if it still exists.
    async fn heal_object(&mut self, name: &ObjectName) -> Outcome {
        let (bucket, key) = name;
        let read = MetaRead::Object {
            bucket: bucket.clone(),
            key: key.clone(),
        };
        let record = match self.objects.read(read).await {
            Ok(MetaReadResult::Object(Some(record))) => record,
            Ok(_) => return Outcome::Done(SetHealth::Full),
            Err(_) => return Outcome::Later(SetHealth::Full),
        };
        let owner = ShardOwner::Object {
            bucket: bucket.clone(),
            key: key.clone(),
        };
        self.heal_sets(&owner, (bucket, key), record.shard_sets())
            .await
    }

    /// Repairs the shard sets of one object (or upload part) of `place`.
    pub(super) async fn heal_sets(
        &mut self,
        owner: &ShardOwner,
        place: (&str, &str),
        sets: Vec<ShardSet>,
    ) -> Outcome {
        let data = self.objects.coordinator().clone();
        let copies = stat_sets(&data, &sets, self.cfg.node_down_after).await;
        let preference = preference_of(&data, place);
        let mut worst = SetHealth::Full;
        let mut later = false;
        for (set, copies) in sets.iter().zip(copies) {
            let standing = |n: u64| standing(&data, n, self.cfg.node_down_after);
            let plan = plan_set(&set.nodes, &copies, &preference, standing);
            worst = worst.max(plan.health);
            later |= plan.waiting;
            if plan.writes.is_empty() {
                continue;
            }
            if !self.execute(&data, owner, set, &plan).await {
                metrics::HEAL_FAILURES.inc();
                later = true;
            }
        }
        if later {
            Outcome::Later(worst)
        } else {
            // Every planned write went in: the object is whole again.
            Outcome::Done(SetHealth::Full)
        }
    }

    /// Carries out `plan` for `set`; whether it all went through.
    async fn execute(
        &mut self,
        data: &ObjectCoordinator,
        owner: &ShardOwner,
        set: &ShardSet,
        plan: &SetPlan,
    ) -> bool {
        let results = match data.rebuild(set, &plan.writes).await {
            Ok(results) => results,
            Err(e) => {
                tracing::warn!(object = %format!("{:032x}", set.object_id), part = set.part, error = %e, "repair could not read the object");
                return false;
            }
        };
        let shard_len = data.shard_len(set);
        let written: Vec<(usize, u64)> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .filter_map(|(i, _)| plan.writes.iter().find(|(j, _)| j == i).copied())
            .collect();
        self.pace(shard_len * written.len() as u64).await;
        metrics::HEAL_BYTES.inc_by(shard_len * written.len() as u64);
        if written.len() < plan.writes.len() {
            for (i, r) in &results {
                if let Err(e) = r {
                    tracing::warn!(object = %format!("{:032x}", set.object_id), shard = i, error = %e, "repair could not write a shard");
                }
            }
            // What did go in is not referenced: take it back.
            drop_copies(data, set, only_new(set, &written));
            return false;
        }
        let op = MetaOp::PlaceShards {
            owner: owner.clone(),
            object_id: set.object_id,
            part: set.part,
            nodes: plan.nodes.clone(),
        };
        match self.objects.submit(op).await {
            Ok(MetaOutcome::Placed { applied: true }) => {
                metrics::SHARDS_HEALED.inc_by(written.len() as u64);
                tracing::info!(object = %format!("{:032x}", set.object_id), part = set.part, shards = written.len(), "repaired");
                let data = data.clone();
                let (set, stale) = (set.clone(), plan.stale.clone());
                actix::spawn(async move {
                    tokio::time::sleep(STALE_DELETE_DELAY).await;
                    for (i, node) in stale {
                        if let Err(e) = data.delete_shard_on(node, set.key(i)).await {
                            tracing::debug!(node, error = %e, "old copy stays for the orphan collector");
                        }
                    }
                });
                true
            }
            Ok(_) => {
                // The version is gone (overwritten, deleted): so is the need.
                drop_copies(data, set, only_new(set, &written));
                true
            }
            Err(e) => {
                // Unknown or refused: the copies stay; the orphan collector
                // deletes them if the placement never took.
                tracing::debug!(error = %e, "placement not committed; trying again later");
                false
            }
        }
    }
}

/// The new copies among `written`: those not where the set had them.
fn only_new(set: &ShardSet, written: &[(usize, u64)]) -> Vec<(usize, u64)> {
    written
        .iter()
        .copied()
        .filter(|&(i, node)| set.nodes.get(i) != Some(&node))
        .collect()
}

/// Deletes copies written for a placement that will not be committed.
fn drop_copies(data: &ObjectCoordinator, set: &ShardSet, copies: Vec<(usize, u64)>) {
    if copies.is_empty() {
        return;
    }
    let (data, set) = (data.clone(), set.clone());
    actix::spawn(async move {
        for (i, node) in copies {
            let _ = data.delete_shard_on(node, set.key(i)).await;
        }
    });
}

/// The ring's preference order for `place`; in a one-process store, this
/// node alone.
pub(super) fn preference_of(data: &ObjectCoordinator, place: (&str, &str)) -> Vec<NodeId> {
    let preference = data.preference(place);
    if preference.is_empty() {
        vec![NodeId(data.node_id())]
    } else {
        preference
    }
}

/// How storage node `node` stands for repair.
pub(super) fn standing(data: &ObjectCoordinator, node: u64, down_after: Duration) -> NodeStanding {
    if data.node_is_up(NodeId(node)) {
        return NodeStanding::Up;
    }
    match data.node_down_since(NodeId(node)) {
        Some(since) if since.elapsed() < down_after => NodeStanding::Down,
        // Down for long, or no longer a storage node at all.
        _ => NodeStanding::Gone,
    }
}

/// What the recorded node of each shard of each set holds, asking every
/// node that is up once per batch.
pub(super) async fn stat_sets(
    data: &ObjectCoordinator,
    sets: &[ShardSet],
    down_after: Duration,
) -> Vec<Vec<CopyState>> {
    let mut copies: Vec<Vec<CopyState>> = sets
        .iter()
        .map(|s| vec![CopyState::Unknown; s.nodes.len()])
        .collect();
    let mut asks: HashMap<u64, Vec<(usize, usize, ShardKey)>> = HashMap::new();
    for (s, set) in sets.iter().enumerate() {
        for (i, &node) in set.nodes.iter().enumerate() {
            if node != NO_NODE && standing(data, node, down_after) == NodeStanding::Up {
                asks.entry(node).or_default().push((s, i, set.key(i)));
            }
        }
    }
    for (node, keys) in asks {
        for batch in keys.chunks(STAT_BATCH) {
            let ask = batch.iter().map(|(_, _, k)| *k).collect();
            let Ok(states) = data.stat_shards_on(node, ask).await else {
                continue;
            };
            for ((s, i, _), state) in batch.iter().zip(states) {
                copies[*s][*i] = match state {
                    ShardState::Present { .. } => CopyState::Healthy,
                    ShardState::Missing | ShardState::Corrupt => CopyState::Bad,
                };
            }
        }
    }
    copies
}
