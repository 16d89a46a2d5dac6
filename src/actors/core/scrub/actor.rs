//! The Scrubber actor: keeps the pass schedule and answers [`ScrubNow`];
//! the pass itself (blocking reads, a piece at a time) is in `pass`.

use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::storage::{ShardReader, StorageError};

use super::messages::ScrubNow;

use super::report::{ScrubConfig, ScrubReport};
use crate::clock::now_secs;

/// First pass of a node that never completed one: this long after start
/// (or sooner, if passes are more frequent).
const FIRST_PASS_AFTER: Duration = Duration::from_secs(60);

/// A pass that failed is tried again after at most this long.
const RETRY_AFTER: Duration = Duration::from_secs(600);

type Waiter = oneshot::Sender<Result<ScrubReport, StorageError>>;

/// The scrub actor of one storage node.
pub(crate) struct Scrubber {
    reader: ShardReader,
    cfg: ScrubConfig,
    running: bool,
    /// [`ScrubNow`] callers waiting for the next pass.
    queued: Vec<Waiter>,
    timer: Option<SpawnHandle>,
}

impl Scrubber {
    /// A scrubber over the node's shards.
    pub(crate) fn new(reader: ShardReader, cfg: ScrubConfig) -> Self {
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
                Duration::from_secs(due.saturating_sub(now_secs()))
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
        let pass = super::pass::run(self.reader.clone(), self.cfg.bytes_per_sec);
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
