//! The Repair actor: brings every object back to full redundancy on its
//! proper nodes, and deletes shards nothing points to.
//!
//! It runs in every process with the meta role and works only while that
//! process leads the metadata group. That gives one repairer per cluster
//! without any other coordination, next to the metadata it scans, and it
//! moves with leadership when a meta node fails; gateways stay stateless.
//!
//! Work comes from two places:
//! - the durable heal queue in the metadata (gateways put objects there
//!   that they wrote with a node down or read with a shard missing or
//!   corrupt; storage nodes put the objects of shards scrub or a read
//!   marked corrupt, within seconds of the mark: see
//!   [`crate::actors::core::scrub::MarkReports`]), looked at every [`TICK`];
//! - a scan of every object and upload part against the layout and the
//!   storage nodes' inventories (missing shards, scrub's corrupt marks),
//!   every `PREDASTORE_HEAL_SCAN_EVERY`, at once when a node's disk fails
//!   ([`volumes`]), and once after taking over, so
//!   nothing is missed after a restart or a lost report. The same pass
//!   collects orphans (see [`scan`]).
//!
//! Repair of one shard set (see [`plan`]): rebuild the shards that are
//! missing, damaged, or not on their proper node from the others, write
//! them there, commit the new placement through Raft (`PlaceShards`, which
//! applies only if that version still exists), then delete the old copies.
//! A shard whose copy is healthy but on the wrong node is copied as it is
//! instead of rebuilt. Writes are paced to `PREDASTORE_HEAL_MB_S` (and
//! moves to `PREDASTORE_REBALANCE_MB_S`) while clients use the store, and
//! to `PREDASTORE_REPAIR_IDLE_MB_S` while none does: clients come first.

mod heal;
mod live;
mod plan;
mod scan;
mod volumes;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;

use crate::metrics;
use crate::object::ObjectService;
use crate::storage::meta::{MetaOp, RepairReport};
use crate::storage::ShardKey;
use plan::{NodeStanding, SetHealth};

/// How often the repair actor looks at the heal queue.
const TICK: Duration = Duration::from_secs(1);
/// A scan that left sets to move (a node down, a failed copy) is followed
/// by another this much later.
const RESCAN_AFTER: Duration = Duration::from_secs(10);
/// Least time between two published repair reports that differ.
const REPORT_EVERY: Duration = Duration::from_secs(2);
/// Longest time between two published reports, changed or not.
const REPORT_REFRESH: Duration = Duration::from_secs(30);

/// Repair's settings.
#[derive(Clone, Copy, Debug)]
pub struct RepairConfig {
    /// Shard bytes moved per second at most after a layout change (a set
    /// that is whole but not on its proper nodes) while clients use the
    /// store; 0: no limit.
    pub rebalance_bytes_per_sec: u64,
    /// Shard bytes written per second at most while clients use the
    /// store (0: no limit).
    pub heal_bytes_per_sec: u64,
    /// Shard bytes written or moved per second at most while no client
    /// does (see [`crate::activity`]); 0: no limit.
    pub idle_bytes_per_sec: u64,
    /// A node down this long has its shards rebuilt on other nodes.
    pub node_down_after: Duration,
    /// Time between two scans of all metadata.
    pub scan_every: Duration,
    /// A shard nothing points to is deleted once it has been seen so for
    /// this long (longer than any PUT takes).
    pub orphan_grace: Duration,
}

/// Says whether this process leads the metadata group now.
pub(crate) type LeaderCheck = Arc<dyn Fn() -> bool + Send + Sync>;

/// An object, as the heal queue names it.
type ObjectName = (String, String);

/// What the repair actor keeps between rounds; a round owns it while it
/// runs.
struct RepairState {
    objects: Arc<ObjectService>,
    cfg: RepairConfig,
    /// Objects last found not at full health, and when.
    verdicts: HashMap<ObjectName, (SetHealth, Instant)>,
    /// Queue entries to leave alone until then (they wait on a node).
    retry_at: HashMap<ObjectName, Instant>,
    /// Where the next look at the heal queue starts (`None`: the front).
    queue_cursor: Option<ObjectName>,
    /// Failed tries of each queue entry, for the back-off.
    tries: HashMap<ObjectName, u32>,
    /// Shards seen unreferenced, and when first: deleted once the grace
    /// period has passed and a later scan still finds them unreferenced.
    orphans: HashMap<(u64, ShardKey), Instant>,
    last_scan: Option<Instant>,
    /// How each storage node stood at the last round: a change starts a
    /// scan and gives every queue entry its chance again.
    standings: Vec<(u64, NodeStanding)>,
    /// Pacing of heal writes, shared by concurrent repairs.
    paced_until: Arc<std::sync::Mutex<Instant>>,
    /// Pacing of rebalance moves.
    rebalance_paced_until: Arc<std::sync::Mutex<Instant>>,
    /// The layout version the last scan was made against.
    layout_version: u64,
    /// The ring members (id, zone, weight) the last scan placed against:
    /// a change starts a rebalance (a scan). A new layout version that
    /// only records a disk's state does not.
    placement: Vec<(u64, String, u32)>,
    /// A scan left sets to move: look again then, not a whole
    /// `PREDASTORE_HEAL_SCAN_EVERY` later.
    rescan_at: Option<Instant>,
    /// The report last published through Raft, and when.
    reported: Option<(RepairReport, Instant)>,
    /// Copies to delete once due and unreferenced.
    stale: Arc<std::sync::Mutex<Vec<heal::StaleCopy>>>,
    /// Copies repair wrote since the scan began.
    written: Arc<std::sync::Mutex<HashSet<(u64, ShardKey)>>>,
    /// The storage nodes' failed volumes: a change starts a scan.
    failed_volumes: volumes::FailedVolumes,
    /// Referenced shard copies the last complete scan found: the next
    /// scan's filter is sized for them.
    live_shards: usize,
    is_leader: LeaderCheck,
}

/// The repair actor.
pub(crate) struct Repair {
    is_leader: LeaderCheck,
    /// `None` while a round runs.
    state: Option<RepairState>,
    leading: bool,
}

impl Repair {
    /// A repair actor over `objects`, active while `is_leader` says so.
    pub(crate) fn new(
        objects: Arc<ObjectService>,
        is_leader: LeaderCheck,
        cfg: RepairConfig,
    ) -> Self {
        Self {
            is_leader: is_leader.clone(),
            state: Some(RepairState {
                objects,
                cfg,
                verdicts: HashMap::new(),
                retry_at: HashMap::new(),
                tries: HashMap::new(),
                queue_cursor: None,
                orphans: HashMap::new(),
                last_scan: None,
                standings: Vec::new(),
                paced_until: Arc::new(std::sync::Mutex::new(Instant::now())),
                rebalance_paced_until: Arc::new(std::sync::Mutex::new(Instant::now())),
                layout_version: 0,
                placement: Vec::new(),
                rescan_at: None,
                reported: None,
                stale: Arc::default(),
                written: Arc::default(),
                failed_volumes: Default::default(),
                live_shards: 0,
                is_leader,
            }),
            leading: false,
        }
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        let leading = (self.is_leader)();
        if leading != self.leading {
            self.leading = leading;
            if leading {
                tracing::info!("this node leads the metadata group: repair is active");
            }
        }
        let Some(mut state) = self.state.take() else {
            return; // A round is running.
        };
        if !leading {
            state.forget_all();
            self.state = Some(state);
            return;
        }
        ctx.spawn(
            async move {
                state.round().await;
                state
            }
            .into_actor(self)
            .map(|state, act, _| {
                state.publish();
                act.state = Some(state);
            }),
        );
    }
}

impl Actor for Repair {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(TICK, |act, ctx| act.tick(ctx));
    }
}

impl RepairState {
    /// One round: the heal queue, then a scan if one is due.
    async fn round(&mut self) {
        heal::clients_active();
        // No storage node known yet (a meta-only node before the layout
        // is read): nothing to repair, nothing to report.
        if self.objects.coordinator().storage_nodes().is_empty() {
            return;
        }
        self.delete_stale().await;
        // A node that went down, came back or was given up on changes
        // what is below redundancy and what can be done: look at
        // everything again.
        let data = self.objects.coordinator().clone();
        let standings: Vec<(u64, NodeStanding)> = data
            .storage_nodes()
            .into_iter()
            .map(|n| (n, heal::standing(&data, n, self.cfg.node_down_after)))
            .collect();
        // So does a disk that failed or came back.
        let disks = self.failed_volumes.changed(&data, &self.objects).await;
        let changed = standings != self.standings || disks;
        if changed {
            self.standings = standings;
            self.retry_at.clear();
        }
        // A new layout (a node added, draining or removed) moves sets: a
        // rebalance is a scan against the new ring.
        let placement = data.placement_members();
        let relayout = placement != self.placement;
        self.heal_queue().await;
        self.publish();
        let due = changed
            || relayout
            || self.rescan_at.is_some_and(|at| at <= Instant::now())
            || self
                .last_scan
                .is_none_or(|at| at.elapsed() >= self.cfg.scan_every);
        if due {
            self.layout_version = data.layout_version();
            if relayout {
                self.placement = placement;
                let layout_version = self.layout_version;
                if let Some(moves) = self.count_moves().await {
                    metrics::REBALANCE_LEFT.set(moves);
                    tracing::info!(
                        layout = layout_version,
                        objects = moves,
                        "rebalancing to a new cluster layout"
                    );
                }
            }
            let started = Instant::now();
            let failed_volumes = metrics::FAILED_VOLUMES.get();
            if self.scan().await {
                metrics::HEAL_SCANS.inc();
                metrics::FAILED_VOLUMES_SCANNED.set(failed_volumes);
                metrics::HEAL_SCAN_MILLIS
                    .set(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX));
                // Verdicts the scan did not renew are of objects gone.
                self.verdicts.retain(|_, (_, at)| *at >= started);
            }
            self.last_scan = Some(Instant::now());
            let left = self.count(SetHealth::Misplaced);
            metrics::REBALANCE_LEFT.set(left);
            self.rescan_at = (left > 0).then(|| Instant::now() + RESCAN_AFTER);
        }
        self.report().await;
    }

    /// Publishes what repair found through Raft (for every gateway's
    /// admin status) when it changed, at most every [`REPORT_EVERY`], and
    /// at least every [`REPORT_REFRESH`].
    async fn report(&mut self) {
        let data = self.objects.coordinator();
        let report = RepairReport {
            objects_below_redundancy: self.count(SetHealth::Degraded) as u64,
            objects_misplaced: self.count(SetHealth::Misplaced) as u64,
            heal_queue_length: u64::try_from(metrics::HEAL_QUEUE.get()).unwrap_or(0),
            rebalance_objects_left: u64::try_from(metrics::REBALANCE_LEFT.get()).unwrap_or(0),
            rebalance_bytes_moved: metrics::REBALANCE_BYTES.get(),
            heal_bytes: metrics::HEAL_BYTES.get(),
            layout_version: self.layout_version,
            reported_by: data.node_id(),
            updated_ms: crate::clock::now_ms(),
        };
        let due = match &self.reported {
            None => true,
            Some((last, at)) => {
                let same = RepairReport {
                    updated_ms: last.updated_ms,
                    ..report.clone()
                } == *last;
                (!same && at.elapsed() >= REPORT_EVERY) || at.elapsed() >= REPORT_REFRESH
            }
        };
        if !due || !(self.is_leader)() {
            return;
        }
        let op = MetaOp::ReportRepair {
            report: report.clone(),
        };
        if self.objects.submit(op).await.is_ok() {
            self.reported = Some((report, Instant::now()));
        }
    }

    /// Verdicts of one kind.
    fn count(&self, health: SetHealth) -> i64 {
        self.verdicts.values().filter(|(v, _)| *v == health).count() as i64
    }

    /// Not the leader (any more): another node's repair takes over, from
    /// its own scan.
    fn forget_all(&mut self) {
        self.verdicts.clear();
        self.retry_at.clear();
        self.tries.clear();
        self.queue_cursor = None;
        self.orphans.clear();
        self.standings.clear();
        self.failed_volumes.forget();
        metrics::FAILED_VOLUMES_SCANNED.set(0);
        self.last_scan = None;
        self.layout_version = 0;
        self.placement.clear();
        self.rescan_at = None;
        self.reported = None;
        metrics::REBALANCE_LEFT.set(0);
        metrics::REPAIR_CLIENTS_ACTIVE.set(0);
        self.publish();
    }

    /// Records how `name` stands now.
    fn record(&mut self, name: &ObjectName, health: SetHealth) {
        match health {
            SetHealth::Full => {
                self.verdicts.remove(name);
            }
            other => {
                self.verdicts.insert(name.clone(), (other, Instant::now()));
            }
        }
    }

    /// Updates the gauges from the verdicts.
    fn publish(&self) {
        metrics::OBJECTS_BELOW_REDUNDANCY.set(self.count(SetHealth::Degraded));
        metrics::OBJECTS_MISPLACED.set(self.count(SetHealth::Misplaced));
        if self.last_scan.is_none() && self.verdicts.is_empty() {
            metrics::HEAL_QUEUE.set(0);
        }
    }

    /// A repairer sharing this state's service, settings and pacing.
    fn repairer(&self) -> heal::Repairer {
        heal::Repairer {
            objects: self.objects.clone(),
            cfg: self.cfg,
            is_leader: self.is_leader.clone(),
            paced_until: self.paced_until.clone(),
            rebalance_paced_until: self.rebalance_paced_until.clone(),
            stale: self.stale.clone(),
            written: self.written.clone(),
        }
    }
}
