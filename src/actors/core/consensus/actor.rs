//! The Consensus actor itself: its state, how it routes, batches and
//! sends entries, and how it follows the leader. Its message handlers are
//! in `handlers`, its membership changes in `membership`.

use crate::net::PeerAddr;
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use actix::prelude::*;
use tokio::sync::{oneshot, watch};

use super::error::ConsensusError;
use super::messages::LeaderMaybeChanged;
use super::read_index::ReadIndex;
use super::reads::{RemoteReads, RouteWatch};
use super::types::*;
use super::wire::{self, MetaCall, MetaReply};
use crate::actors::core::pool::PeerClient;
use crate::metrics;
use crate::net::Channel;
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, MetaResult, OpId};
use crate::storage::raft::MetaRequest;

/// The batching front of the metadata group.
pub struct Consensus {
    /// This node's `PREDASTORE_NODE_ID`: a leader hint naming it means
    /// "write locally".
    pub(super) node_id: u64,
    /// This node's Raft member on a meta node; `None` elsewhere (every
    /// entry is forwarded).
    pub(super) local: Option<LocalRaft>,
    /// Leadership checks of `local`, shared by the reads that arrive
    /// together.
    pub(super) read_index: Option<ReadIndex>,
    /// The transport forwarded entries, reads and probes go over.
    pub(super) peers: Option<PeerClient>,
    /// Meta nodes known from configuration, for a node outside the group.
    pub(super) meta_peers: Vec<(u64, PeerAddr)>,
    /// The node last said to lead; `None` until someone says.
    pub(super) leader_hint: Option<u64>,
    /// Which of `meta_peers` to try next when no leader is known.
    pub(super) next_peer: usize,
    /// Ops waiting for the next entry, oldest first.
    pub(super) pending: VecDeque<Pending>,
    /// Entries in flight to the current route.
    pub(super) in_flight: usize,
    /// The route the in-flight entries took; when it changes, entries
    /// stuck on the old one no longer hold back new ones.
    pub(super) current: Route,
    /// Bumped with `current`; completions of older entries are not counted.
    pub(super) generation: u64,
    /// Entries in flight, by sequence number, with the route they took.
    /// An entry still here when the route changes is sent again (same
    /// ids) on the new route; its late answer then finds nothing.
    pub(super) in_flight_entries: HashMap<u64, (Route, Vec<Pending>)>,
    /// Sequence number of the next entry sent.
    pub(super) next_entry: u64,
    /// When an in-flight entry last completed (or the first one left).
    pub(super) last_progress: Instant,
    /// Reads in flight to another node: one waiting too long makes the
    /// probe ask who leads, as a stalled entry does.
    pub(super) remote_reads: RemoteReads,
    /// Publishes `current` to the reads in flight, which go again on the
    /// new route when it moves.
    pub(super) route_tx: watch::Sender<Route>,
    /// A probe for the leader is under way.
    pub(super) probing: bool,
    /// Which of the other meta nodes the next probe asks.
    pub(super) probe_turn: usize,
    /// A flush is due once answered callers have had their turn.
    pub(super) turn_pending: bool,
    /// A flush after [`RETRY_DELAY`] is scheduled.
    pub(super) retry_scheduled: bool,
    /// A deadline check is scheduled.
    pub(super) deadline_watch: bool,
    /// Queue and in-flight limits, op timeout.
    pub(super) cfg: ConsensusConfig,
}

impl Consensus {
    /// A front for `local` (a meta node) or for a node that forwards
    /// everything to the `meta_peers`; `peers` carries forwarded traffic.
    pub fn new(
        node_id: u64,
        local: Option<LocalRaft>,
        peers: Option<PeerClient>,
        meta_peers: Vec<(u64, PeerAddr)>,
        cfg: ConsensusConfig,
    ) -> Self {
        Self {
            node_id,
            read_index: local
                .as_ref()
                .map(|l| ReadIndex::new(l.raft.clone(), l.lease.clone())),
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
            remote_reads: RemoteReads::default(),
            route_tx: watch::Sender::new(Route::Unknown),
            probing: false,
            probe_turn: 0,
            turn_pending: false,
            retry_scheduled: false,
            deadline_watch: false,
            cfg,
        }
    }

    pub(super) fn peer_addr(&self, id: u64) -> Option<PeerAddr> {
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

    pub(super) fn route(&self) -> Route {
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
    pub(super) fn take_batch(&mut self, route: Route) -> Vec<Pending> {
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
    pub(super) fn expire(&self, mut p: Pending) {
        let why = format!("no leader settled it within {:?}", self.cfg.op_timeout);
        let e = if p.maybe_sent {
            ConsensusError::Indeterminate(why)
        } else {
            ConsensusError::Unavailable(why)
        };
        p.answer_now(Err(e));
    }

    /// Sends what has gathered, while entry slots are free.
    pub(super) fn flush(&mut self, ctx: &mut Context<Self>) {
        loop {
            let route = self.route();
            if route != self.current {
                self.current = route;
                self.generation += 1;
                self.in_flight = 0;
                self.reroute_in_flight(route);
                self.route_tx.send_replace(route);
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
                Route::Local => {
                    if !self.write_local(batch, ctx) {
                        // Put back to wait for the members' clocks: the
                        // retry timer flushes again (looping here would
                        // take the batch back out at once, forever, and
                        // starve the thread the answers arrive on).
                        return;
                    }
                }
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
    pub(super) fn start_entry(&mut self, route: Route, batch: Vec<Pending>) -> (u64, u64) {
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
    pub(super) fn end_entry(&mut self, generation: u64, seq: u64) -> Option<Vec<Pending>> {
        self.last_progress = Instant::now();
        if generation == self.generation {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        self.in_flight_entries.remove(&seq).map(|(_, batch)| batch)
    }

    /// The leader changed: entries in flight on another route go again
    /// (their ids keep them from applying twice) at the front of the queue.
    pub(super) fn reroute_in_flight(&mut self, route: Route) {
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

    /// The current route, for a read about to leave: its watch starts
    /// from it.
    pub(super) fn read_route(&mut self, ctx: &mut Context<Self>) -> (Route, RouteWatch) {
        if self.route() != self.current {
            // Moves the entries in flight too, and publishes the route.
            self.flush(ctx);
        }
        (self.current, self.route_tx.subscribe())
    }

    /// On a node outside the group: when the leader has gone quiet (an
    /// entry or a read to it unanswered for [`PROBE_AFTER`]), asks the
    /// next meta node who leads now.
    pub(super) fn probe_leader(&mut self, ctx: &mut Context<Self>) {
        let entries_stalled = self.in_flight > 0 && self.last_progress.elapsed() >= PROBE_AFTER;
        let reads_stalled = self
            .remote_reads
            .oldest()
            .is_some_and(|t| t.elapsed() >= PROBE_AFTER);
        let stalled = entries_stalled || reads_stalled;
        let Route::Remote(leader, _) = self.route() else {
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
        let others: Vec<(u64, PeerAddr)> = self
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
    pub(super) fn flush_after_turn(&mut self, ctx: &mut Context<Self>) {
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

    pub(super) fn watch_deadlines(&mut self, ctx: &mut Context<Self>) {
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

    pub(super) fn retry_later(&mut self, ctx: &mut Context<Self>) {
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
    pub(super) fn requeue(&mut self, batch: Vec<Pending>, ctx: &mut Context<Self>) {
        for p in batch.into_iter().rev() {
            self.pending.push_front(p);
        }
        self.retry_later(ctx);
    }

    /// Proposes `batch` to the local Raft member, leading; false if it
    /// was put back to wait for a majority of the members' clocks.
    pub(super) fn write_local(&mut self, batch: Vec<Pending>, ctx: &mut Context<Self>) -> bool {
        let Some(local) = &self.local else {
            unreachable_route(batch);
            return true;
        };
        let raft = local.raft.clone();
        // The quorum's time, so no one clock (this leader's included) can
        // move lock expiry; none until a majority has reported: the batch
        // waits a heartbeat.
        let at_ms = {
            let m = raft.metrics();
            let m = m.borrow();
            let voters: Vec<u64> = m.membership_config.membership().voter_ids().collect();
            local.clock.quorum_ms(m.id, &voters)
        };
        let Some(at_ms) = at_ms else {
            self.requeue(batch, ctx);
            return false;
        };
        let request = MetaRequest {
            ops: batch.iter().map(|p| p.op.clone()).collect(),
            ids: batch.iter().map(|p| p.id).collect(),
            at_ms,
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
        true
    }

    pub(super) fn forward(
        &mut self,
        leader: u64,
        addr: PeerAddr,
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
    pub(super) fn note_leader(&mut self, asked: u64, leader: Option<u64>) {
        if self.local.is_some() {
            return; // Raft's own view is used.
        }
        match leader {
            Some(l) if l != asked => self.leader_hint = Some(l),
            // A node no longer believed to lead failed or knew nothing:
            // the newer hint (a probe's answer) stands.
            None if self.leader_hint.is_some_and(|h| h != asked) => {}
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
    pub(super) fn read_local(
        &self,
        read: MetaRead,
    ) -> ResponseFuture<Result<MetaReadResult, ConsensusError>> {
        let (Some(local), Some(read_index)) = (self.local.clone(), self.read_index.clone()) else {
            return Box::pin(async { Err(ConsensusError::NotLeader(None)) });
        };
        Box::pin(async move {
            read_index.confirm().await?;
            local
                .state
                .load()
                .read(&read)
                .map_err(|e| ConsensusError::Failed(e.to_string()))
        })
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
    pub(super) fn enqueue(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_of_the_old_leader_does_not_undo_a_newer_hint() {
        let meta = |id: u64| (id, PeerAddr::from(([127, 0, 0, id as u8], 9100)));
        let peers = vec![meta(1), meta(2), meta(3)];
        let mut c = Consensus::new(9, None, None, peers, ConsensusConfig::default());
        c.note_leader(1, Some(3));
        assert_eq!(c.leader_hint, Some(3));
        // The read or entry that went to 1 before the hint moved fails
        // late: 3 is still the one to ask.
        c.note_leader(1, None);
        assert_eq!(c.leader_hint, Some(3));
        // The hinted leader itself failing moves on to the next member.
        c.note_leader(3, None);
        assert_eq!(c.leader_hint, None);
        assert_eq!(c.next_peer, 3);
    }
}
