//! The Syncer: one per storage node, the only place that calls fsync.
//!
//! Appends wait here for durability. A sync round (fdatasync of the dirty
//! segments, then the shard index) runs on a blocking thread while writers
//! keep appending; when it ends, every waiter it covers is answered at once
//! (group commit), and the next round starts at once if more are waiting.
//! Rounds start at most every `sync_interval`.

mod messages;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::storage::{FsyncMode, ShardIndex, StorageError, SyncState};

pub(crate) use messages::{Nudge, WaitDurable};

type Waiter = oneshot::Sender<Result<(), StorageError>>;

/// Settings of the syncer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SyncerConfig {
    /// When appends are acknowledged.
    pub mode: FsyncMode,
    /// Minimum time between the starts of two sync rounds.
    pub interval: Duration,
    /// Test hook: every round sleeps this long first, as a slow disk would.
    pub slow_sync: Option<Duration>,
}

/// The group-commit actor.
pub(crate) struct Syncer {
    state: Arc<SyncState>,
    index: ShardIndex,
    cfg: SyncerConfig,
    waiters: BTreeMap<u64, Vec<Waiter>>,
    in_flight: bool,
    scheduled: bool,
    last_start: Option<Instant>,
}

impl Syncer {
    /// A syncer for the node whose appends are published to `state`.
    pub(crate) fn new(state: Arc<SyncState>, index: ShardIndex, cfg: SyncerConfig) -> Self {
        Self {
            state,
            index,
            cfg,
            waiters: BTreeMap::new(),
            in_flight: false,
            scheduled: false,
            last_start: None,
        }
    }

    /// Starts a round now, or schedules one for when the interval allows.
    fn kick(&mut self, ctx: &mut Context<Self>) {
        if self.in_flight || self.scheduled {
            return;
        }
        let since = self.last_start.map_or(self.cfg.interval, |t| t.elapsed());
        if since >= self.cfg.interval {
            self.start_round(ctx);
        } else {
            self.scheduled = true;
            ctx.run_later(self.cfg.interval - since, |act, ctx| {
                act.scheduled = false;
                act.kick(ctx);
            });
        }
    }

    fn start_round(&mut self, ctx: &mut Context<Self>) {
        self.in_flight = true;
        self.last_start = Some(Instant::now());
        let (state, index) = (self.state.clone(), self.index.clone());
        let (mode, delay) = (self.cfg.mode, self.cfg.slow_sync);
        let round = actix_rt::task::spawn_blocking(move || state.sync(&index, mode, delay));
        ctx.spawn(round.into_actor(self).map(|res, act, ctx| {
            act.in_flight = false;
            // A round that panicked may have taken files it never synced.
            let res = res.unwrap_or_else(|_| {
                act.state.mark_failed();
                Err(StorageError::SyncFailed)
            });
            act.answer(res.map(|_| ()));
            if !act.waiters.is_empty() || act.state.appended() > act.state.synced() {
                act.kick(ctx);
            }
        }));
    }

    /// Answers the waiters the finished round covers.
    fn answer(&mut self, res: Result<(), StorageError>) {
        if res.is_err() {
            for (_, ws) in std::mem::take(&mut self.waiters) {
                for w in ws {
                    let _ = w.send(Err(StorageError::SyncFailed));
                }
            }
            return;
        }
        let synced = self.state.synced();
        if self.cfg.mode == FsyncMode::Serial {
            // The baseline: one fsync round per acknowledged append.
            if let Some(mut entry) = self.waiters.first_entry() {
                if *entry.key() <= synced {
                    if let Some(w) = entry.get_mut().pop() {
                        let _ = w.send(Ok(()));
                    }
                    if entry.get().is_empty() {
                        entry.remove();
                    }
                }
            }
            return;
        }
        let later = self.waiters.split_off(&(synced + 1));
        for (_, ws) in std::mem::replace(&mut self.waiters, later) {
            for w in ws {
                let _ = w.send(Ok(()));
            }
        }
    }
}

impl Actor for Syncer {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(4096);
        // Appends that nobody waits for (interval mode, deletes racing a
        // shutdown) still get synced within an interval.
        ctx.run_interval(self.cfg.interval, |act, ctx| {
            if act.state.appended() > act.state.synced() {
                act.kick(ctx);
            }
        });
    }
}

impl Handler<WaitDurable> for Syncer {
    type Result = ResponseFuture<Result<(), StorageError>>;

    fn handle(&mut self, msg: WaitDurable, ctx: &mut Self::Context) -> Self::Result {
        if self.state.has_failed() {
            return Box::pin(async { Err(StorageError::SyncFailed) });
        }
        let serial = self.cfg.mode == FsyncMode::Serial;
        if msg.seq <= self.state.synced() && !serial {
            return Box::pin(async { Ok(()) });
        }
        let (tx, rx) = oneshot::channel();
        self.waiters.entry(msg.seq).or_default().push(tx);
        self.kick(ctx);
        Box::pin(async move { rx.await.unwrap_or(Err(StorageError::Stopped)) })
    }
}

impl Handler<Nudge> for Syncer {
    type Result = ();

    fn handle(&mut self, _: Nudge, ctx: &mut Self::Context) {
        self.kick(ctx);
    }
}
