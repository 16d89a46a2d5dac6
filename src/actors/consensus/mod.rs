//! The Consensus actor: one per process, the way metadata ops and reads
//! reach Raft.
//!
//! Callers submit single ops. While entries are in flight, every op that
//! arrives is gathered; as soon as an entry slot frees up the gathered ops
//! go out as the next entry — no timer, no idle gap — and each caller gets
//! its own op's result. Entry size is capped.
//!
//! Where an entry goes depends on who leads: on the leader it is a Raft
//! write; anywhere else (a follower, or a gateway that is not a meta node)
//! the gathered ops are forwarded to the leader over the cluster transport
//! as one message, and join the leader's own next entry.
//!
//! Every op carries an id and the state machine applies an id at most
//! once, so an op may be sent again whenever its fate is unclear: refused
//! with "not the leader", its connection lost, or its leader replaced
//! while it was in flight. When the leader changes (Raft's metrics on a
//! meta node, a probe elsewhere) the ops waiting and in flight go to the
//! new leader at once, so a failover costs an election, not a timeout.
//! Only an op that may have been delivered and is still unsettled at its
//! deadline fails with [`ConsensusError::Indeterminate`].
//!
//! Reads are linearizable: the leader confirms its leadership (read index)
//! before reading its state; other nodes forward the read to it.

pub mod membership;
mod messages;
pub mod network;
pub mod service;
pub(crate) mod wire;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use actix::prelude::*;
use openraft::error::{CheckIsLeaderError, ClientWriteError, RaftError};
use openraft::{BasicNode, Raft};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::actors::pool::PeerClient;
use crate::metrics;
use crate::net::Channel;
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, MetaResult, OpId};
use crate::storage::raft::{MetaRaft, MetaRequest, SharedMetaState};

pub use membership::{ChangeMeta, GetMetaMembers, MembershipError, MetaChange, MetaMembers};
use messages::{LeaderHint, LeaderMaybeChanged, ReadAttempt};
pub use messages::{Read, ReadForwarded, Submit, SubmitForwarded, SubmitOnce, WhoLeads};
use wire::{MetaCall, MetaReply};

/// Most ops one Raft entry (or one forwarded message) carries.
pub const MAX_OPS_PER_ENTRY: usize = 4096;

/// Most bytes of ops in one Raft entry (or one forwarded batch), so that
/// small objects kept inline do not make entries, AppendEntries messages
/// or forwarded batches huge: an entry holds at least one op.
pub const MAX_ENTRY_BYTES: usize = 1 << 20;

/// What an op weighs against [`MAX_ENTRY_BYTES`]: a fixed share for the
/// record, plus the object data it carries inline or the names of a heal
/// list (up to a thousand keys).
fn op_bytes(op: &MetaOp) -> usize {
    let extra = match op {
        MetaOp::PutObject { record, .. } => record.inline_data.as_ref().map_or(0, |d| d.len()),
        MetaOp::QueueHeal { objects } | MetaOp::ForgetHeal { objects } => {
            objects.iter().map(|(b, k)| b.len() + k.len() + 4).sum()
        }
        _ => 0,
    };
    512 + extra
}

/// A node id no meta node has: a leader hint "from nobody", which moves a
/// process outside the group on to the next meta node it knows.
const NO_PEER: u64 = 0;

/// Pause before trying again when no leader is known or it just changed.
const RETRY_DELAY: Duration = Duration::from_millis(20);

/// A node outside the group asks another meta node who leads when the
/// leader it forwards to has not answered for this long (it may be dead;
/// waiting for the RPC timeout would stall every op behind it).
const PROBE_AFTER: Duration = Duration::from_millis(300);

/// Why an op or a read could not go through Raft.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ConsensusError {
    /// This node is not the leader; the leader's id if known. The op was
    /// not proposed.
    #[error("not the metadata leader (leader: {0:?})")]
    NotLeader(Option<u64>),
    /// No leader could take the op before its deadline; it was not applied.
    #[error("no metadata leader available: {0}")]
    Unavailable(String),
    /// The connection to the leader was lost after the op was sent: it may
    /// or may not have been applied.
    #[error("metadata op outcome unknown: {0}")]
    Indeterminate(String),
    /// Raft failed or is shutting down.
    #[error("metadata consensus failed: {0}")]
    Failed(String),
    /// Too many ops are waiting; the caller should slow down.
    #[error("metadata consensus is overloaded")]
    Busy,
}

/// Limits of the Consensus actor.
#[derive(Clone, Copy, Debug)]
pub struct ConsensusConfig {
    /// Most ops waiting for an entry; more are refused with `Busy`.
    pub max_pending: usize,
    /// Most entries (or forwarded messages) in flight at once.
    pub max_in_flight: usize,
    /// How long an op or read may wait for a leader.
    pub op_timeout: Duration,
}

impl Default for ConsensusConfig {
    fn default() -> Self {
        Self {
            max_pending: 100_000,
            max_in_flight: 1,
            op_timeout: Duration::from_secs(10),
        }
    }
}

/// This node's own Raft group member, when it is a meta node.
#[derive(Clone)]
pub struct LocalRaft {
    /// The Raft instance.
    pub raft: Raft<MetaRaft>,
    /// The state it applies to.
    pub state: SharedMetaState,
}

type Waiter = oneshot::Sender<Result<MetaResult, ConsensusError>>;

struct Pending {
    id: OpId,
    op: MetaOp,
    /// Taken when the op is answered (an op in flight may be answered at
    /// its deadline, before its entry comes back).
    waiter: Option<Waiter>,
    deadline: Instant,
    /// Sent here by another node: commit locally or refuse, never forward.
    forwarded: bool,
    /// Some attempt may have reached a leader: at the deadline its fate
    /// is unknown, not "not applied".
    maybe_sent: bool,
}

impl Pending {
    fn answer(mut self, r: Result<MetaResult, ConsensusError>) {
        self.answer_now(r);
    }

    fn answer_now(&mut self, r: Result<MetaResult, ConsensusError>) {
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.send(r);
        }
    }
}

/// Where an entry goes now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Local,
    Remote(u64, SocketAddr),
    Unknown,
}

/// The batching front of the metadata group.
pub struct Consensus {
    node_id: u64,
    local: Option<LocalRaft>,
    peers: Option<PeerClient>,
    /// Meta nodes known from configuration, for a node outside the group.
    meta_peers: Vec<(u64, SocketAddr)>,
    leader_hint: Option<u64>,
    next_peer: usize,
    pending: VecDeque<Pending>,
    /// Entries in flight to the current route.
    in_flight: usize,
    /// The route the in-flight entries took; when it changes, entries
    /// stuck on the old one no longer hold back new ones.
    current: Route,
    /// Bumped with `current`; completions of older entries are not counted.
    generation: u64,
    /// Entries in flight, by sequence number, with the route they took.
    /// An entry still here when the route changes is sent again (same
    /// ids) on the new route; its late answer then finds nothing.
    in_flight_entries: HashMap<u64, (Route, Vec<Pending>)>,
    next_entry: u64,
    /// When an in-flight entry last completed (or the first one left).
    last_progress: Instant,
    probing: bool,
    /// Which of the other meta nodes the next probe asks.
    probe_turn: usize,
    /// A flush is due once answered callers have had their turn.
    turn_pending: bool,
    retry_scheduled: bool,
    /// A deadline check is scheduled.
    deadline_watch: bool,
    cfg: ConsensusConfig,
}

impl Consensus {
    /// A front for `local` (a meta node) or for a node that forwards
    /// everything to the `meta_peers`; `peers` carries forwarded traffic.
    pub fn new(
        node_id: u64,
        local: Option<LocalRaft>,
        peers: Option<PeerClient>,
        meta_peers: Vec<(u64, SocketAddr)>,
        cfg: ConsensusConfig,
    ) -> Self {
        Self {
            node_id,
            local,
            peers,
            meta_peers,
            leader_hint: None,
            next_peer: 0,
            pending: VecDeque::new(),
            in_flight: 0,
            current: Route::Unknown,
            generation: 0,
            in_flight_entries: HashMap::new(),
            next_entry: 0,
            last_progress: Instant::now(),
            probing: false,
            probe_turn: 0,
            turn_pending: false,
            retry_scheduled: false,
            deadline_watch: false,
            cfg,
        }
    }

    fn peer_addr(&self, id: u64) -> Option<SocketAddr> {
        let from_raft = self.local.as_ref().and_then(|l| {
            let m = l.raft.metrics();
            let m = m.borrow();
            let node = m.membership_config.membership().get_node(&id)?;
            node.addr.parse().ok()
        });
        from_raft.or_else(|| {
            self.meta_peers
                .iter()
                .find(|(p, _)| *p == id)
                .map(|(_, a)| *a)
        })
    }

    fn route(&self) -> Route {
        let leader = match &self.local {
            Some(l) => l.raft.metrics().borrow().current_leader,
            None => self.leader_hint.or_else(|| {
                let n = self.meta_peers.len();
                (n > 0).then(|| self.meta_peers[self.next_peer % n].0)
            }),
        };
        match leader {
            Some(id) if id == self.node_id && self.local.is_some() => Route::Local,
            Some(id) if self.peers.is_some() => match self.peer_addr(id) {
                Some(addr) => Route::Remote(id, addr),
                None => Route::Unknown,
            },
            _ => Route::Unknown,
        }
    }

    /// Takes what may go out next: up to an entry's worth of ops that may
    /// take `route`; forwarded ops that may not are refused on the way.
    fn take_batch(&mut self, route: Route) -> Vec<Pending> {
        let now = Instant::now();
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        let mut keep = VecDeque::new();
        while let Some(p) = self.pending.pop_front() {
            if p.deadline <= now {
                self.expire(p);
            } else if p.forwarded && route != Route::Local {
                let leader = match route {
                    Route::Remote(id, _) => Some(id),
                    _ => None,
                };
                // One that went out in an entry may still commit: its
                // sender must keep it "maybe applied".
                let e = if p.maybe_sent {
                    ConsensusError::Indeterminate("leadership moved with the op in flight".into())
                } else {
                    ConsensusError::NotLeader(leader)
                };
                p.answer(Err(e));
            } else if batch.len() < MAX_OPS_PER_ENTRY
                && (batch.is_empty() || bytes + op_bytes(&p.op) <= MAX_ENTRY_BYTES)
                && route != Route::Unknown
            {
                bytes += op_bytes(&p.op);
                batch.push(p);
            } else {
                keep.push_back(p);
            }
        }
        self.pending = keep;
        metrics::RAFT_PENDING_OPS.set(self.pending.len() as i64);
        batch
    }

    /// Answers an op whose deadline passed: not applied if it was never
    /// sent, outcome unknown if it may have been.
    fn expire(&self, mut p: Pending) {
        let why = format!("no leader settled it within {:?}", self.cfg.op_timeout);
        let e = if p.maybe_sent {
            ConsensusError::Indeterminate(why)
        } else {
            ConsensusError::Unavailable(why)
        };
        p.answer_now(Err(e));
    }

    /// Sends what has gathered, while entry slots are free.
    fn flush(&mut self, ctx: &mut Context<Self>) {
        loop {
            let route = self.route();
            if route != self.current {
                self.current = route;
                self.generation += 1;
                self.in_flight = 0;
                self.reroute_in_flight(route);
            }
            if self.pending.is_empty() {
                return;
            }
            if self.in_flight >= self.cfg.max_in_flight {
                // Waiting ops still expire on time if the entry ahead of
                // them hangs (a one-shot timer: it must not keep the actor
                // alive once nothing waits).
                return self.watch_deadlines(ctx);
            }
            let batch = self.take_batch(route);
            match route {
                _ if batch.is_empty() => {}
                Route::Local => self.write_local(batch, ctx),
                Route::Remote(id, addr) => self.forward(id, addr, batch, ctx),
                Route::Unknown => unreachable_route(batch),
            }
            if route == Route::Unknown {
                self.retry_later(ctx);
                return;
            }
        }
    }

    /// Counts an entry out to the current route and keeps its ops; its
    /// generation and sequence number.
    fn start_entry(&mut self, route: Route, batch: Vec<Pending>) -> (u64, u64) {
        if self.in_flight == 0 {
            self.last_progress = Instant::now();
        }
        self.in_flight += 1;
        let seq = self.next_entry;
        self.next_entry += 1;
        self.in_flight_entries.insert(seq, (route, batch));
        (self.generation, seq)
    }

    /// Counts an entry of `generation` back in; its ops, unless they were
    /// already sent again on another route.
    fn end_entry(&mut self, generation: u64, seq: u64) -> Option<Vec<Pending>> {
        self.last_progress = Instant::now();
        if generation == self.generation {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        self.in_flight_entries.remove(&seq).map(|(_, batch)| batch)
    }

    /// The leader changed: entries in flight on another route go again
    /// (their ids keep them from applying twice) at the front of the queue.
    fn reroute_in_flight(&mut self, route: Route) {
        let mut moved: Vec<(u64, Vec<Pending>)> = Vec::new();
        self.in_flight_entries.retain(|seq, (r, batch)| {
            if *r == route {
                return true;
            }
            moved.push((*seq, std::mem::take(batch)));
            false
        });
        moved.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        for (_, batch) in moved {
            for mut p in batch.into_iter().rev() {
                p.maybe_sent = true;
                self.pending.push_front(p);
            }
        }
    }

    /// On a node outside the group: when the leader has gone quiet, asks
    /// the next meta node who leads now.
    fn probe_leader(&mut self, ctx: &mut Context<Self>) {
        let stalled = self.in_flight > 0 && self.last_progress.elapsed() >= PROBE_AFTER;
        let Route::Remote(leader, _) = self.current else {
            return;
        };
        if self.local.is_some() || self.probing || !stalled || self.meta_peers.len() < 2 {
            return;
        }
        let Some(peers) = self.peers.clone() else {
            return;
        };
        // Ask the meta nodes other than the silent leader in turn: one
        // that was just restarted (or is down too) must not be asked again
        // and again while the others know the new leader.
        let others: Vec<(u64, SocketAddr)> = self
            .meta_peers
            .iter()
            .copied()
            .filter(|(id, _)| *id != leader)
            .collect();
        self.probe_turn = self.probe_turn.wrapping_add(1);
        let (asked, addr) = others[self.probe_turn % others.len()];
        self.probing = true;
        let ask = async move {
            let body = wire::encode(&MetaCall::WhoLeads).ok()?;
            // A probe that does not answer quickly is no better than none.
            let reply = tokio::time::timeout(PROBE_AFTER, peers.message(addr, Channel::Meta, body))
                .await
                .ok()?
                .ok()?;
            match wire::decode(&reply).ok()? {
                MetaReply::Leader(l) => l,
                _ => None,
            }
        };
        ctx.spawn(ask.into_actor(self).map(move |answer, act, ctx| {
            act.probing = false;
            if let Some(l) = answer.filter(|l| Some(*l) != act.leader_hint) {
                tracing::debug!(old = leader, new = l, asked, "metadata leader moved");
                act.leader_hint = Some(l);
                act.flush(ctx);
            }
        }));
    }

    /// After an entry completes: its callers were just answered and most
    /// submit again at once. Giving them one turn of the executor lets
    /// their ops join the next entry rather than trail it in one of their
    /// own. No timer: the flush runs as soon as this actor is polled again.
    fn flush_after_turn(&mut self, ctx: &mut Context<Self>) {
        if self.turn_pending {
            return;
        }
        self.turn_pending = true;
        ctx.spawn(
            tokio::task::yield_now()
                .into_actor(self)
                .map(|_, act, ctx| {
                    act.turn_pending = false;
                    act.flush(ctx);
                }),
        );
    }

    fn watch_deadlines(&mut self, ctx: &mut Context<Self>) {
        if self.deadline_watch {
            return;
        }
        self.deadline_watch = true;
        ctx.run_later(RETRY_DELAY * 10, |act, ctx| {
            act.deadline_watch = false;
            let now = Instant::now();
            let (overdue, waiting) = std::mem::take(&mut act.pending)
                .into_iter()
                .partition::<VecDeque<_>, _>(|p| p.deadline <= now);
            act.pending = waiting;
            overdue.into_iter().for_each(|p| act.expire(p));
            // An entry that hangs (a leader cut off from its quorum) is
            // answered at its ops' deadlines; a late answer finds them
            // answered already.
            let why = format!("no leader settled it within {:?}", act.cfg.op_timeout);
            for (_, batch) in act.in_flight_entries.values_mut() {
                for p in batch.iter_mut().filter(|p| p.deadline <= now) {
                    p.answer_now(Err(ConsensusError::Indeterminate(why.clone())));
                }
            }
            act.flush(ctx);
            if !act.in_flight_entries.is_empty() {
                act.watch_deadlines(ctx);
            }
        });
    }

    fn retry_later(&mut self, ctx: &mut Context<Self>) {
        if self.pending.is_empty() || self.retry_scheduled {
            return;
        }
        self.retry_scheduled = true;
        ctx.run_later(RETRY_DELAY, |act, ctx| {
            act.retry_scheduled = false;
            act.flush(ctx);
        });
    }

    /// Puts ops back at the front, to be sent again with the same ids.
    fn requeue(&mut self, batch: Vec<Pending>, ctx: &mut Context<Self>) {
        for p in batch.into_iter().rev() {
            self.pending.push_front(p);
        }
        self.retry_later(ctx);
    }

    fn write_local(&mut self, batch: Vec<Pending>, ctx: &mut Context<Self>) {
        let Some(local) = &self.local else {
            return unreachable_route(batch);
        };
        let raft = local.raft.clone();
        let request = MetaRequest {
            ops: batch.iter().map(|p| p.op.clone()).collect(),
            ids: batch.iter().map(|p| p.id).collect(),
            at_ms: now_ms(),
        };
        let (generation, seq) = self.start_entry(Route::Local, batch);
        self.watch_deadlines(ctx);
        let write = async move { raft.client_write(request).await };
        ctx.spawn(write.into_actor(self).map(move |result, act, ctx| {
            let Some(mut batch) = act.end_entry(generation, seq) else {
                return act.flush_after_turn(ctx);
            };
            match result {
                Ok(response) => answer_all(batch, response.data.results),
                Err(e) => match classify(&e) {
                    // Refused before being proposed, or proposed and then
                    // truncated or left to the next leader: its id makes
                    // sending it again safe either way.
                    ConsensusError::NotLeader(_) => {
                        batch.iter_mut().for_each(|p| p.maybe_sent = true);
                        act.requeue(batch, ctx)
                    }
                    err => fail_all(batch, err),
                },
            }
            act.flush_after_turn(ctx);
        }));
    }

    fn forward(
        &mut self,
        leader: u64,
        addr: SocketAddr,
        batch: Vec<Pending>,
        ctx: &mut Context<Self>,
    ) {
        let Some(peers) = self.peers.clone() else {
            return unreachable_route(batch);
        };
        let call = MetaCall::Submit(batch.iter().map(|p| (p.id, p.op.clone())).collect());
        let (generation, seq) = self.start_entry(Route::Remote(leader, addr), batch);
        self.watch_deadlines(ctx);
        let send = async move {
            let body = wire::encode(&call).map_err(|e| (e.to_string(), false))?;
            let reply = peers
                .message(addr, Channel::Meta, body)
                .await
                .map_err(|f| (f.error.to_string(), f.maybe_delivered))?;
            wire::decode::<MetaReply>(&reply).map_err(|e| (e.to_string(), true))
        };
        ctx.spawn(send.into_actor(self).map(move |result, act, ctx| {
            let Some(mut batch) = act.end_entry(generation, seq) else {
                return act.flush_after_turn(ctx);
            };
            match result {
                Ok(MetaReply::Submitted(results)) if results.len() == batch.len() => {
                    let mut again = Vec::new();
                    for (mut p, r) in batch.into_iter().zip(results) {
                        match r {
                            Err(ConsensusError::NotLeader(hint)) => {
                                act.note_leader(leader, hint);
                                again.push(p);
                            }
                            // The leader lost it (or its own leader);
                            // the same id settles it next time.
                            Err(ConsensusError::Indeterminate(_)) => {
                                p.maybe_sent = true;
                                again.push(p);
                            }
                            // An op that may be in some log is not "not
                            // applied" because this attempt was refused.
                            Err(
                                ConsensusError::Busy
                                | ConsensusError::Unavailable(_)
                                | ConsensusError::Failed(_),
                            ) if p.maybe_sent => again.push(p),
                            r => p.answer(r),
                        }
                    }
                    act.requeue(again, ctx);
                }
                Ok(_) | Err((_, true)) => {
                    // Maybe applied: send again, the id settles it.
                    act.note_leader(leader, None);
                    batch.iter_mut().for_each(|p| p.maybe_sent = true);
                    act.requeue(batch, ctx);
                }
                Err((e, false)) => {
                    act.note_leader(leader, None);
                    act.requeue(batch, ctx);
                    tracing::debug!(leader, error = %e, "metadata leader unreachable; retrying");
                }
            }
            act.flush_after_turn(ctx);
        }));
    }

    /// Learns from a node's answer (or silence) who leads.
    fn note_leader(&mut self, asked: u64, leader: Option<u64>) {
        if self.local.is_some() {
            return; // Raft's own view is used.
        }
        match leader {
            Some(l) if l != asked => self.leader_hint = Some(l),
            _ => {
                // Ask the next configured meta node.
                self.leader_hint = None;
                if let Some(i) = self.meta_peers.iter().position(|(p, _)| *p == asked) {
                    self.next_peer = i + 1;
                } else {
                    self.next_peer += 1;
                }
            }
        }
    }

    /// A linearizable read of the local state, if this node leads.
    fn read_local(&self, read: MetaRead) -> ResponseFuture<Result<MetaReadResult, ConsensusError>> {
        let Some(local) = self.local.clone() else {
            return Box::pin(async { Err(ConsensusError::NotLeader(None)) });
        };
        Box::pin(async move {
            local
                .raft
                .ensure_linearizable()
                .await
                .map_err(|e| classify(&e))?;
            local
                .state
                .load()
                .read(&read)
                .map_err(|e| ConsensusError::Failed(e.to_string()))
        })
    }
}

fn unreachable_route(batch: Vec<Pending>) {
    fail_all(
        batch,
        ConsensusError::Failed("no route to the metadata group".into()),
    );
}

fn fail_all(batch: Vec<Pending>, e: ConsensusError) {
    batch.into_iter().for_each(|p| p.answer(Err(e.clone())));
}

fn answer_all(batch: Vec<Pending>, results: Vec<MetaResult>) {
    if results.len() != batch.len() {
        return fail_all(
            batch,
            ConsensusError::Failed("result count does not match".into()),
        );
    }
    for (p, r) in batch.into_iter().zip(results) {
        p.answer(Ok(r));
    }
}

/// Raft API errors that may tell where the leader is.
trait ForwardHint: std::fmt::Display {
    /// `Some(leader)` when the request must go to the leader instead.
    fn forward_to(&self) -> Option<Option<u64>>;
}

impl ForwardHint for ClientWriteError<u64, BasicNode> {
    fn forward_to(&self) -> Option<Option<u64>> {
        match self {
            ClientWriteError::ForwardToLeader(f) => Some(f.leader_id),
            ClientWriteError::ChangeMembershipError(_) => None,
        }
    }
}

impl ForwardHint for CheckIsLeaderError<u64, BasicNode> {
    fn forward_to(&self) -> Option<Option<u64>> {
        match self {
            CheckIsLeaderError::ForwardToLeader(f) => Some(f.leader_id),
            CheckIsLeaderError::QuorumNotEnough(_) => None,
        }
    }
}

fn classify<E: ForwardHint>(e: &RaftError<u64, E>) -> ConsensusError {
    match e {
        RaftError::APIError(api) => match api.forward_to() {
            Some(leader) => ConsensusError::NotLeader(leader),
            None => ConsensusError::Unavailable(api.to_string()),
        },
        RaftError::Fatal(f) => ConsensusError::Failed(f.to_string()),
    }
}

impl Actor for Consensus {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.cfg.max_pending.max(16));
        match &self.local {
            None => {
                ctx.run_interval(PROBE_AFTER / 2, |act, ctx| act.probe_leader(ctx));
                self.refresh_members(ctx);
            }
            Some(local) => {
                // Raft's metrics say at once when the leader changes. The
                // watcher holds a weak address: it must not keep the actor
                // (and with it Raft and the store) alive.
                let mut metrics = local.raft.metrics();
                let me = ctx.address().downgrade();
                actix::spawn(async move {
                    let mut leader = metrics.borrow_and_update().current_leader;
                    while metrics.changed().await.is_ok() {
                        let now = metrics.borrow_and_update().current_leader;
                        if now != leader {
                            leader = now;
                            let Some(me) = me.upgrade() else { return };
                            if me.send(LeaderMaybeChanged).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        }
    }
}

impl Consensus {
    fn enqueue(
        &mut self,
        id: OpId,
        op: MetaOp,
        forwarded: bool,
    ) -> Result<oneshot::Receiver<Result<MetaResult, ConsensusError>>, ConsensusError> {
        if self.pending.len() >= self.cfg.max_pending {
            return Err(ConsensusError::Busy);
        }
        let (waiter, rx) = oneshot::channel();
        let deadline = Instant::now() + self.cfg.op_timeout;
        self.pending.push_back(Pending {
            id,
            op,
            waiter: Some(waiter),
            deadline,
            forwarded,
            maybe_sent: false,
        });
        metrics::RAFT_PENDING_OPS.set(self.pending.len() as i64);
        Ok(rx)
    }
}

/// Milliseconds since the Unix epoch: the time a Raft entry carries.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

async fn wait(
    rx: Result<oneshot::Receiver<Result<MetaResult, ConsensusError>>, ConsensusError>,
) -> Result<MetaResult, ConsensusError> {
    rx?.await
        .unwrap_or_else(|_| Err(ConsensusError::Failed("consensus stopped".into())))
}

impl Handler<Submit> for Consensus {
    type Result = ResponseFuture<Result<MetaResult, ConsensusError>>;

    fn handle(&mut self, msg: Submit, ctx: &mut Self::Context) -> Self::Result {
        self.handle(
            SubmitOnce {
                id: rand::random(),
                op: msg.0,
            },
            ctx,
        )
    }
}

impl Handler<SubmitOnce> for Consensus {
    type Result = ResponseFuture<Result<MetaResult, ConsensusError>>;

    fn handle(&mut self, msg: SubmitOnce, ctx: &mut Self::Context) -> Self::Result {
        let rx = self.enqueue(msg.id, msg.op, false);
        if !self.turn_pending {
            self.flush(ctx);
        }
        Box::pin(wait(rx))
    }
}

impl Handler<LeaderMaybeChanged> for Consensus {
    type Result = ();

    fn handle(&mut self, _: LeaderMaybeChanged, ctx: &mut Self::Context) {
        self.flush(ctx);
    }
}

impl Handler<SubmitForwarded> for Consensus {
    type Result = ResponseFuture<Vec<Result<MetaResult, ConsensusError>>>;

    fn handle(&mut self, msg: SubmitForwarded, ctx: &mut Self::Context) -> Self::Result {
        let rxs: Vec<_> = msg
            .0
            .into_iter()
            .map(|(id, op)| self.enqueue(id, op, true))
            .collect();
        if !self.turn_pending {
            self.flush(ctx);
        }
        Box::pin(futures::future::join_all(rxs.into_iter().map(wait)))
    }
}

impl Handler<ReadForwarded> for Consensus {
    type Result = ResponseFuture<Result<MetaReadResult, ConsensusError>>;

    fn handle(&mut self, msg: ReadForwarded, _: &mut Self::Context) -> Self::Result {
        match self.route() {
            Route::Local => self.read_local(msg.0),
            Route::Remote(id, _) => {
                Box::pin(async move { Err(ConsensusError::NotLeader(Some(id))) })
            }
            Route::Unknown => Box::pin(async { Err(ConsensusError::NotLeader(None)) }),
        }
    }
}

impl Handler<Read> for Consensus {
    type Result = ResponseFuture<Result<MetaReadResult, ConsensusError>>;

    fn handle(&mut self, msg: Read, ctx: &mut Self::Context) -> Self::Result {
        let attempt = ReadAttempt {
            read: msg.0,
            deadline: Instant::now() + self.cfg.op_timeout,
        };
        self.handle(attempt, ctx)
    }
}

impl Handler<ReadAttempt> for Consensus {
    type Result = ResponseFuture<Result<MetaReadResult, ConsensusError>>;

    fn handle(&mut self, msg: ReadAttempt, ctx: &mut Self::Context) -> Self::Result {
        let me = ctx.address();
        let route = self.route();
        let (peers, local) = (self.peers.clone(), self.read_local(msg.read.clone()));
        Box::pin(async move {
            let ReadAttempt { read, deadline } = msg;
            let (asked, result) = match (route, peers) {
                (Route::Local, _) => (None, local.await),
                (Route::Remote(id, addr), Some(peers)) => {
                    (Some(id), read_remote(&peers, addr, &read).await)
                }
                // No reachable leader known: move on to the next member.
                _ => (Some(NO_PEER), Err(ConsensusError::NotLeader(None))),
            };
            let hint = match &result {
                Err(ConsensusError::NotLeader(h)) => *h,
                Err(ConsensusError::Indeterminate(_)) => None,
                _ => return result,
            };
            if let Some(asked) = asked {
                me.do_send(LeaderHint {
                    asked,
                    leader: hint,
                });
            }
            if Instant::now() >= deadline {
                return Err(ConsensusError::Unavailable(
                    "no leader answered the read in time".into(),
                ));
            }
            tokio::time::sleep(RETRY_DELAY).await;
            me.send(ReadAttempt { read, deadline })
                .await
                .unwrap_or_else(|_| Err(ConsensusError::Failed("consensus stopped".into())))
        })
    }
}

/// A read at the leader `addr`; any transport failure is retryable
/// (`Indeterminate`), reads change nothing.
async fn read_remote(
    peers: &PeerClient,
    addr: SocketAddr,
    read: &MetaRead,
) -> Result<MetaReadResult, ConsensusError> {
    let indeterminate = |e: String| ConsensusError::Indeterminate(e);
    let body = wire::encode(&MetaCall::Read(read.clone()))
        .map_err(|e| ConsensusError::Failed(e.to_string()))?;
    let reply = peers
        .message(addr, Channel::Meta, body)
        .await
        .map_err(|f| indeterminate(f.error.to_string()))?;
    match wire::decode::<MetaReply>(&reply).map_err(|e| indeterminate(e.to_string()))? {
        MetaReply::Read(r) => *r,
        _ => Err(indeterminate("reply does not match".into())),
    }
}

impl Handler<WhoLeads> for Consensus {
    type Result = Option<u64>;

    fn handle(&mut self, _: WhoLeads, _: &mut Self::Context) -> Option<u64> {
        self.local.as_ref()?.raft.metrics().borrow().current_leader
    }
}

impl Handler<LeaderHint> for Consensus {
    type Result = ();

    fn handle(&mut self, msg: LeaderHint, ctx: &mut Self::Context) {
        self.note_leader(msg.asked, msg.leader);
        self.flush(ctx);
    }
}
