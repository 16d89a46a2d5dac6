//! Repair of objects: the heal queue, and the repair of one object's
//! shard sets (stat, plan, rebuild, commit, clean up).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;

use super::plan::{plan_set, CopyState, NodeStanding, SetHealth, SetPlan};
use super::{LeaderCheck, ObjectName, RepairConfig, RepairState};
use crate::activity;
use crate::cluster::ring::NodeId;
use crate::metrics;
use crate::object::{CoordinatorError, ObjectCoordinator, ObjectService, ShardSet};
use crate::storage::meta::version::VersionSeq;
use crate::storage::meta::{MetaOp, MetaOutcome, MetaRead, MetaReadResult, ShardOwner, NO_NODE};
use crate::storage::{ShardKey, ShardState};

/// Noncurrent versions of one key read per page when healing it.
const VERSIONS_PAGE: usize = 100;
/// Heal-queue entries looked at per round.
const QUEUE_PAGE: usize = 1000;
/// Object repairs in flight at once: enough to keep the disks and the
/// network busy between one shard's end and the next one's start (2 moved
/// 90 MB/s on the development VM, 8 moved 116 MB/s).
pub(super) const CONCURRENCY: usize = 8;
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
    /// The object could not even be looked at (metadata unavailable, or
    /// this node no longer leads): nothing learned.
    Unknown,
}

impl Outcome {
    /// The outcome of two repairs together: unknown if either is, later
    /// if either waits, else done, with the worse health.
    fn and(self, other: Outcome) -> Outcome {
        match (self, other) {
            (Outcome::Unknown, _) | (_, Outcome::Unknown) => Outcome::Unknown,
            (Outcome::Done(a), Outcome::Done(b)) => Outcome::Done(a.max(b)),
            (Outcome::Done(a) | Outcome::Later(a), Outcome::Done(b) | Outcome::Later(b)) => {
                Outcome::Later(a.max(b))
            }
        }
    }
}

/// A copy to delete once nothing points to it: one a repair moved away
/// from, or wrote for a placement that was not committed.
#[derive(Clone, Debug)]
pub(super) struct StaleCopy {
    owner: ShardOwner,
    object_id: u128,
    part: u32,
    index: usize,
    node: u64,
    key: ShardKey,
    due: Instant,
}

impl RepairState {
    /// Works through the heal queue.
    pub(super) async fn heal_queue(&mut self) {
        // Page by page, so entries that wait on a node never hold back
        // the ones behind them.
        let read = MetaRead::HealQueue {
            after: self.queue_cursor.take(),
            limit: QUEUE_PAGE,
        };
        let from_start = matches!(&read, MetaRead::HealQueue { after: None, .. });
        let queue = match self.objects.read(read).await {
            Ok(MetaReadResult::HealQueue(queue)) => queue,
            Ok(_) => return,
            Err(e) => {
                tracing::debug!(error = %e, "heal queue not readable now");
                return;
            }
        };
        if from_start {
            metrics::HEAL_QUEUE.set(queue.len() as i64);
        }
        if queue.len() == QUEUE_PAGE {
            self.queue_cursor = queue.last().cloned();
        }
        let now = Instant::now();
        self.retry_at.retain(|_, at| *at > now);
        let mut done = Vec::new();
        let todo: Vec<ObjectName> = queue
            .into_iter()
            .filter(|name| !self.retry_at.contains_key(name))
            .collect();
        let repairer = self.repairer();
        let outcomes: Vec<(ObjectName, Outcome)> = futures::stream::iter(todo)
            .map(|name| {
                let repairer = repairer.clone();
                async move {
                    let outcome = repairer.heal_object(&name).await;
                    (name, outcome)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for (name, outcome) in outcomes {
            match outcome {
                Outcome::Done(health) => {
                    self.record(&name, health);
                    self.tries.remove(&name);
                    done.push(name);
                }
                Outcome::Later(_) | Outcome::Unknown => {
                    if let Outcome::Later(health) = outcome {
                        self.record(&name, health);
                    }
                    let tries = self.tries.entry(name.clone()).or_default();
                    *tries = tries.saturating_add(1);
                    let wait = RETRY_FIRST
                        .saturating_mul(1 << (*tries).min(8))
                        .min(RETRY_MAX);
                    self.retry_at.insert(name, Instant::now() + wait);
                }
            }
        }
        if !done.is_empty() {
            let n = done.len();
            match self
                .objects
                .submit(MetaOp::ForgetHeal { objects: done })
                .await
            {
                // The gauge counts them gone now, not at the next look.
                Ok(_) => {
                    let left = metrics::HEAL_QUEUE.get() - n as i64;
                    metrics::HEAL_QUEUE.set(left.max(0));
                }
                Err(e) => {
                    tracing::debug!(error = %e, entries = n, "healed entries stay queued for now");
                }
            }
        }
    }

    /// Deletes the stale copies that are due, each only if the current
    /// placement does not point to it (a later repair may have put the
    /// shard back on that node). Runs between rounds' repairs, so no
    /// repair of the same shard is in flight meanwhile.
    pub(super) async fn delete_stale(&mut self) {
        let now = Instant::now();
        let due: Vec<StaleCopy> = match self.stale.lock() {
            Ok(mut stale) => {
                let (due, later) = stale.drain(..).partition(|c| c.due <= now);
                *stale = later;
                due
            }
            Err(_) => return,
        };
        let data = self.objects.coordinator().clone();
        for copy in due {
            if !(self.is_leader)() {
                return;
            }
            match self.referenced(&copy).await {
                Some(true) => {}
                Some(false) => {
                    if let Err(e) = data.delete_shard_on(copy.node, copy.key).await {
                        tracing::debug!(node = copy.node, error = %e, "old copy stays for the orphan collector");
                    }
                }
                // Metadata unavailable: the orphan collector decides later.
                None => {}
            }
        }
    }

    /// Whether the current placement of `copy`'s shard set points to it.
    async fn referenced(&self, copy: &StaleCopy) -> Option<bool> {
        let sets = match &copy.owner {
            ShardOwner::Object { bucket, key } => {
                let read = MetaRead::Object {
                    bucket: bucket.clone(),
                    key: key.clone(),
                };
                match self.objects.read(read).await.ok()? {
                    MetaReadResult::Object(Some(record)) => record.shard_sets(),
                    _ => Vec::new(),
                }
            }
            ShardOwner::Version { bucket, key, seq } => {
                let read = MetaRead::KeyVersions {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    after: seq.0.checked_add(1).map(VersionSeq),
                    limit: 1,
                };
                match self.objects.read(read).await.ok()? {
                    MetaReadResult::VersionRecords(records) => records
                        .into_iter()
                        .filter(|r| r.seq == *seq)
                        .flat_map(|r| r.shard_sets())
                        .collect(),
                    _ => Vec::new(),
                }
            }
            ShardOwner::Upload { upload_id, .. } => {
                let read = MetaRead::ScanUploadParts {
                    after: Some((upload_id.clone(), copy.part.saturating_sub(1))),
                    limit: 1,
                };
                match self.objects.read(read).await.ok()? {
                    MetaReadResult::ScanUploadParts(page) => page
                        .into_iter()
                        .filter(|(u, _)| &u.upload_id == upload_id)
                        .map(|(u, p)| u.part_shards(&p))
                        .collect(),
                    _ => Vec::new(),
                }
            }
        };
        Some(sets.iter().any(|s| {
            s.object_id == copy.object_id
                && s.part == copy.part
                && s.nodes.get(copy.index) == Some(&copy.node)
        }))
    }
}

/// What repairing needs, cheap to clone into concurrent repairs.
#[derive(Clone)]
pub(super) struct Repairer {
    pub(super) objects: Arc<ObjectService>,
    pub(super) cfg: RepairConfig,
    pub(super) is_leader: LeaderCheck,
    /// When the heal writes so far are paid for at the configured rate.
    pub(super) paced_until: Arc<Mutex<Instant>>,
    /// The same for rebalance moves (whole sets not on their proper nodes).
    pub(super) rebalance_paced_until: Arc<Mutex<Instant>>,
    /// Copies to delete once due and unreferenced.
    pub(super) stale: Arc<Mutex<Vec<StaleCopy>>>,
    /// Copies written this round: never orphans, whatever the scan saw.
    pub(super) written: Arc<Mutex<HashSet<(u64, ShardKey)>>>,
}

impl Repairer {
    /// Repairs the current version of `bucket/key`, if it still exists.
    /// Repairs every version of one object: the current one and each
    /// noncurrent one (a corrupt or degraded shard may be any version's).
    async fn heal_object(&self, name: &ObjectName) -> Outcome {
        let (bucket, key) = name;
        let read = MetaRead::Object {
            bucket: bucket.clone(),
            key: key.clone(),
        };
        let mut outcome = match self.objects.read(read).await {
            Ok(MetaReadResult::Object(Some(record))) => {
                let owner = ShardOwner::Object {
                    bucket: bucket.clone(),
                    key: key.clone(),
                };
                self.heal_sets(&owner, (bucket, key), record.shard_sets())
                    .await
            }
            Ok(_) => Outcome::Done(SetHealth::Full),
            Err(_) => return Outcome::Unknown,
        };
        let mut after = None;
        loop {
            let read = MetaRead::KeyVersions {
                bucket: bucket.clone(),
                key: key.clone(),
                after,
                limit: VERSIONS_PAGE,
            };
            let page = match self.objects.read(read).await {
                Ok(MetaReadResult::VersionRecords(page)) => page,
                _ => return Outcome::Unknown,
            };
            for record in &page {
                let owner = ShardOwner::Version {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    seq: record.seq,
                };
                let healed = self
                    .heal_sets(&owner, (bucket, key), record.shard_sets())
                    .await;
                outcome = outcome.and(healed);
            }
            if page.len() < VERSIONS_PAGE {
                return outcome;
            }
            after = page.last().map(|r| r.seq);
        }
    }

    /// Repairs the shard sets of one object (or upload part) of `place`.
    pub(super) async fn heal_sets(
        &self,
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
            if !self.execute(&data, owner, set, &copies, &plan).await {
                metrics::HEAL_FAILURES.inc();
                later = true;
            }
        }
        if worst == SetHealth::Misplaced && !later && metrics::REBALANCE_LEFT.get() > 0 {
            metrics::REBALANCE_LEFT.dec();
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
        &self,
        data: &ObjectCoordinator,
        owner: &ShardOwner,
        set: &ShardSet,
        copies: &[CopyState],
        plan: &SetPlan,
    ) -> bool {
        if !(self.is_leader)() {
            return false;
        }
        // Paid for before the work, so concurrent repairs take turns
        // instead of bursting together.
        let shard_len = data.shard_len(set);
        let rebalance = plan.health == SetHealth::Misplaced;
        let bytes = shard_len * plan.writes.len() as u64;
        let (busy_rate, paced_until) = if rebalance {
            (
                self.cfg.rebalance_bytes_per_sec,
                &self.rebalance_paced_until,
            )
        } else {
            (self.cfg.heal_bytes_per_sec, &self.paced_until)
        };
        // Clients first: the busy rate while they use the store.
        let rate = if clients_active() {
            busy_rate
        } else {
            self.cfg.idle_bytes_per_sec
        };
        pace(bytes, rate, paced_until).await;
        let results = write_planned(data, set, copies, &plan.writes).await;
        let written: Vec<(usize, u64)> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .filter_map(|(i, _)| plan.writes.iter().find(|(j, _)| j == i).copied())
            .collect();
        if let Ok(mut keys) = self.written.lock() {
            keys.extend(written.iter().map(|&(i, node)| (node, set.key(i))));
        }
        let moved = shard_len * written.len() as u64;
        if rebalance {
            metrics::REBALANCE_BYTES.inc_by(moved);
        } else {
            metrics::HEAL_BYTES.inc_by(moved);
        }
        if written.len() < plan.writes.len() {
            for (i, r) in &results {
                if let Err(e) = r {
                    tracing::warn!(object = %format!("{:032x}", set.object_id), shard = i, error = %e, "repair could not write a shard");
                }
            }
            // What did go in is not referenced: take it back.
            self.defer_delete(owner, set, only_new(set, &written), Duration::ZERO);
            return false;
        }
        if !(self.is_leader)() {
            self.defer_delete(owner, set, only_new(set, &written), Duration::ZERO);
            return false;
        }
        // Applies only over the placement this plan started from: another
        // repairer's move (a deposed leader's round) is never undone.
        let op = MetaOp::PlaceShards {
            owner: owner.clone(),
            object_id: set.object_id,
            part: set.part,
            nodes: plan.nodes.clone(),
            expected: Some(set.nodes.clone()),
        };
        match self.objects.submit(op).await {
            Ok(MetaOutcome::Placed { applied: true }) => {
                metrics::SHARDS_HEALED.inc_by(written.len() as u64);
                tracing::info!(object = %format!("{:032x}", set.object_id), part = set.part, shards = written.len(), "repaired");
                self.defer_delete(owner, set, plan.stale.clone(), STALE_DELETE_DELAY);
                true
            }
            Ok(_) => {
                // The version is gone (overwritten, deleted) or was moved
                // meanwhile: the new copies are not referenced.
                self.defer_delete(owner, set, only_new(set, &written), Duration::ZERO);
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

    /// Queues `copies` of `set` for deletion after `delay`.
    fn defer_delete(
        &self,
        owner: &ShardOwner,
        set: &ShardSet,
        copies: Vec<(usize, u64)>,
        delay: Duration,
    ) {
        if copies.is_empty() {
            return;
        }
        let due = Instant::now() + delay;
        if let Ok(mut stale) = self.stale.lock() {
            stale.extend(copies.into_iter().map(|(index, node)| StaleCopy {
                owner: owner.clone(),
                object_id: set.object_id,
                part: set.part,
                index,
                node,
                key: set.key(index),
                due,
            }));
        }
    }
}

/// Whether clients use the store now (see [`activity`]), shown in
/// `predastore_repair_clients_active` each time repair asks.
pub(super) fn clients_active() -> bool {
    let active = activity::CLIENTS.active();
    metrics::REPAIR_CLIENTS_ACTIVE.set(i64::from(active));
    active
}

/// Writes the shards of `writes` (shard index, node): a shard whose
/// recorded copy is healthy is copied from it (a move: one shard read, no
/// decoding), the others, and any copy that failed, are rebuilt from the
/// rest of the set. Each write's result.
async fn write_planned(
    data: &ObjectCoordinator,
    set: &ShardSet,
    copies: &[CopyState],
    writes: &[(usize, u64)],
) -> Vec<(usize, Result<(), CoordinatorError>)> {
    let source = |i: usize| {
        let from = set.nodes.get(i).copied().filter(|&n| n != NO_NODE)?;
        (copies.get(i) == Some(&CopyState::Healthy)).then_some(from)
    };
    let (movable, mut rebuild): (Vec<_>, Vec<_>) = writes
        .iter()
        .partition(|&&(i, to)| source(i).is_some_and(|from| from != to));
    let copied = futures::future::join_all(movable.into_iter().map(|(i, to)| async move {
        let from = source(i).unwrap_or(NO_NODE);
        (i, to, data.copy_shard(set, i, from, to).await)
    }))
    .await;
    let mut results = Vec::with_capacity(writes.len());
    for (i, to, result) in copied {
        match result {
            Ok(()) => results.push((i, Ok(()))),
            Err(e) => {
                tracing::info!(object = %format!("{:032x}", set.object_id), shard = i, error = %e, "shard copy failed; rebuilding it from the others");
                metrics::HEAL_COPY_FALLBACKS.inc();
                rebuild.push((i, to));
            }
        }
    }
    if rebuild.is_empty() {
        return results;
    }
    match data.rebuild(set, &rebuild).await {
        Ok(rebuilt) => results.extend(rebuilt),
        Err(e) => {
            // Logged by the caller, once per shard.
            let why = format!("rebuilding failed: {e}");
            let failed = |&(i, _): &(usize, u64)| (i, Err(CoordinatorError::Quorum(why.clone())));
            results.extend(rebuild.iter().map(failed));
        }
    }
    results
}

/// Waits so that the writes paced by `paced_until` stay under
/// `bytes_per_sec` (0: no limit); paid before the work.
async fn pace(bytes: u64, bytes_per_sec: u64, paced_until: &Mutex<Instant>) {
    if bytes_per_sec == 0 || bytes == 0 {
        return;
    }
    let cost = Duration::from_secs_f64(bytes as f64 / bytes_per_sec as f64);
    let now = Instant::now();
    let until = {
        let Ok(mut paced) = paced_until.lock() else {
            return;
        };
        *paced = (*paced).max(now) + cost;
        *paced
    };
    let wait = until.saturating_duration_since(now);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
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
