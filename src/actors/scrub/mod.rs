//! The Scrubber: one per storage node. It re-reads every shard at a
//! bounded rate (`PREDASTORE_SCRUB_MB_S`), a full pass every
//! `PREDASTORE_SCRUB_EVERY`, checking every fragment's CRC32C. A damaged
//! shard is marked corrupt in the shard index (the mark is what
//! [`crate::storage::ShardState::Corrupt`] reports to repair) and counted.
//!
//! Reads run on blocking threads a piece at a time; the actor only keeps
//! the schedule and answers [`ScrubNow`]. The start of the last completed
//! pass is kept in the shard index, so a restart keeps the schedule.

mod messages;
mod pass;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::storage::{ShardKey, ShardReader, StorageError};

pub use messages::ScrubNow;

/// First pass of a node that never completed one: this long after start
/// (or sooner, if passes are more frequent).
const FIRST_PASS_AFTER: Duration = Duration::from_secs(60);

/// A pass that failed is tried again after at most this long.
const RETRY_AFTER: Duration = Duration::from_secs(600);

/// How the scrubber paces itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrubConfig {
    /// Bytes read per second at most; 0 turns the periodic scrub off (a
    /// pass asked for with [`ScrubNow`] then runs unthrottled).
    pub bytes_per_sec: u64,
    /// Time from the start of one pass to the start of the next.
    pub every: Duration,
}

impl ScrubConfig {
    /// No periodic scrub; [`ScrubNow`] passes run unthrottled.
    pub const MANUAL: ScrubConfig = ScrubConfig {
        bytes_per_sec: 0,
        every: Duration::from_secs(7 * 24 * 3600),
    };

    /// Whether passes run on their own schedule.
    pub fn periodic(&self) -> bool {
        self.bytes_per_sec > 0
    }
}

/// What one pass found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScrubReport {
    /// Shards read to the end or to their first damaged fragment.
    pub shards: u64,
    /// Bytes read and checked.
    pub bytes: u64,
    /// Corrupt shards found (each is marked in the shard index).
    pub corrupt: u64,
    /// The corrupt shards' keys, in key order (the first 10,000).
    pub corrupt_keys: Vec<ShardKey>,
    /// Shards that could not be read for a reason that may pass (I/O);
    /// not marked.
    pub errors: u64,
    /// How long the pass took.
    pub elapsed: Duration,
}

type Waiter = oneshot::Sender<Result<ScrubReport, StorageError>>;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The scrub actor of one storage node.
pub struct Scrubber {
    reader: ShardReader,
    cfg: ScrubConfig,
    running: bool,
    /// [`ScrubNow`] callers waiting for the next pass.
    queued: Vec<Waiter>,
    timer: Option<SpawnHandle>,
}

impl Scrubber {
    /// A scrubber over the node's shards.
    pub fn new(reader: ShardReader, cfg: ScrubConfig) -> Self {
        Self {
            reader,
            cfg,
            running: false,
            queued: Vec::new(),
            timer: None,
        }
    }

    /// When the first pass is due, from the record of the last one.
    fn first_due(&self) -> Duration {
        match self.reader.index().scrub_record() {
            Ok(Some(last)) => {
                let due = last.started_at.saturating_add(self.cfg.every.as_secs());
                Duration::from_secs(due.saturating_sub(unix_now()))
            }
            Ok(None) => self.cfg.every.min(FIRST_PASS_AFTER),
            Err(e) => {
                tracing::warn!(error = %e, "scrub record unreadable; scrubbing soon");
                self.cfg.every.min(FIRST_PASS_AFTER)
            }
        }
    }

    fn schedule(&mut self, ctx: &mut Context<Self>, after: Duration) {
        if let Some(timer) = self.timer.take() {
            ctx.cancel_future(timer);
        }
        self.timer = Some(ctx.run_later(after, |act, ctx| {
            act.timer = None;
            act.start_pass(ctx);
        }));
    }

    fn start_pass(&mut self, ctx: &mut Context<Self>) {
        if self.running {
            // The pass in progress reschedules when it ends.
            return;
        }
        self.running = true;
        let waiters = std::mem::take(&mut self.queued);
        let started = Instant::now();
        let pass = pass::run(self.reader.clone(), self.cfg.bytes_per_sec);
        ctx.spawn(pass.into_actor(self).map(move |result, act, ctx| {
            act.running = false;
            let next = match &result {
                Ok(_) => act.cfg.every.saturating_sub(started.elapsed()),
                Err(e) => {
                    tracing::error!(error = %e, "scrub pass failed");
                    act.cfg.every.min(RETRY_AFTER)
                }
            };
            for waiter in waiters {
                let answer = match &result {
                    Ok(report) => Ok(report.clone()),
                    Err(e) => Err(StorageError::Io(std::io::Error::other(e.to_string()))),
                };
                let _ = waiter.send(answer);
            }
            if !act.queued.is_empty() {
                act.start_pass(ctx);
            } else if act.cfg.periodic() {
                act.schedule(ctx, next);
            }
        }));
    }
}

impl Actor for Scrubber {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if self.cfg.periodic() {
            let due = self.first_due();
            tracing::info!(
                mb_per_s = self.cfg.bytes_per_sec as f64 / f64::from(1u32 << 20),
                every_s = self.cfg.every.as_secs(),
                first_in_s = due.as_secs(),
                "scrubber started"
            );
            self.schedule(ctx, due);
        }
    }
}

impl Handler<ScrubNow> for Scrubber {
    type Result = ResponseFuture<Result<ScrubReport, StorageError>>;

    fn handle(&mut self, _: ScrubNow, ctx: &mut Self::Context) -> Self::Result {
        let (tx, rx) = oneshot::channel();
        self.queued.push(tx);
        self.start_pass(ctx);
        Box::pin(async move { rx.await.map_err(|_| StorageError::Stopped)? })
    }
}

#[cfg(test)]
pub(crate) mod tests;
