//! The WalWriter: one per volume, alone on its own thread.
//!
//! It owns the volume's [`Volume`] and applies messages one at a time: it
//! alone decides where records go, so appends to a volume are ordered and
//! never interleave; senders fill the payload of the records reserved for
//! them on their own blocking threads. It never fsyncs:
//! finished appends are published to the node's sync state, and the
//! [`Syncer`] makes them durable. Sparse segments are compacted on a timer,
//! a slice per tick paced to the compaction rate, so a write waiting on the
//! writer waits for one slice at most; the timer also publishes the bytes
//! compaction could still give back.

mod health;
mod messages;
pub(crate) mod node;
mod rehome;
mod replace;
pub(crate) mod server;

use std::time::Duration;

use actix::prelude::*;

use crate::actors::core::syncer::{Nudge, Syncer};
use crate::storage::{Appended, CompactionReport, ShardWrite, StorageError, Volume};

pub(crate) use messages::{
    BeginShard, Compact, DeleteShard, FinishMove, FinishShard, ForgetCopy, ReleaseSynced,
};

/// How often a writer compacts a slice.
const COMPACTION_TICK: Duration = Duration::from_millis(100);

/// Compaction ticks between two reports of the reclaimable bytes (which
/// look at every segment file): once a second, and on the tick a segment
/// is deleted.
const REPORT_EVERY_TICKS: u32 = 10;

/// The per-volume writer actor.
pub(crate) struct WalWriter {
    volume: Volume,
    syncer: Addr<Syncer>,
    nudge_bytes: u64,
    compaction: CompactionPace,
    /// Whether the last compaction tick failed (logged once, not per tick).
    compaction_failing: bool,
    ticks: u32,
}

impl WalWriter {
    /// A writer for `volume`; it nudges `syncer` once more than
    /// `nudge_bytes` wait for a sync, and compacts at most
    /// `compact_bytes_per_sec` (0: no limit).
    pub(crate) fn new(
        volume: Volume,
        syncer: Addr<Syncer>,
        nudge_bytes: u64,
        compact_bytes_per_sec: u64,
    ) -> Self {
        Self {
            volume,
            syncer,
            nudge_bytes,
            compaction: CompactionPace::new(compact_bytes_per_sec, COMPACTION_TICK),
            compaction_failing: false,
            ticks: 0,
        }
    }

    /// One compaction tick: deletes what earlier slices emptied and copies
    /// the next slice.
    fn compaction_tick(&mut self) {
        let segments = self.volume.segment_count();
        let result = self.volume.release_synced().and_then(|_| {
            match self.compaction.slice() {
                Some(max_bytes) => self.volume.compact_bytes(max_bytes),
                // No limit: whole segments, one a tick.
                None => self.volume.compact(1),
            }
        });
        match result {
            Ok(report) => {
                self.compaction.spent(report.bytes_moved);
                if std::mem::take(&mut self.compaction_failing) {
                    tracing::info!(volume = self.volume.id(), "compaction works again");
                }
            }
            // Logged when it starts failing, not on every 100 ms tick.
            Err(e) if !self.compaction_failing => {
                self.compaction_failing = true;
                tracing::warn!(volume = self.volume.id(), error = %e, "compaction failed");
            }
            Err(_) => {}
        }
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(REPORT_EVERY_TICKS) || self.volume.segment_count() != segments
        {
            self.volume.report_reclaimable();
        }
    }
}

impl Actor for WalWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(1024);
        ctx.run_interval(COMPACTION_TICK, |act, _| act.compaction_tick());
    }
}

/// How many bytes compaction may copy on each tick: a tick's share of the
/// rate, less what an earlier slice took over its share (a shard is never
/// split, so one slice may take several ticks' worth).
struct CompactionPace {
    /// Bytes one tick earns; `None`: no limit.
    per_tick: Option<u64>,
    /// Bytes earned and not yet copied; negative after a slice went over.
    credit: i64,
}

impl CompactionPace {
    fn new(bytes_per_sec: u64, tick: Duration) -> Self {
        let per_tick = (bytes_per_sec > 0).then(|| {
            let bytes = u128::from(bytes_per_sec) * tick.as_millis() / 1000;
            u64::try_from(bytes).unwrap_or(u64::MAX).max(1)
        });
        Self {
            per_tick,
            credit: 0,
        }
    }

    /// The most this tick may copy: `Some(0)` while an earlier slice's
    /// excess is being paid back, `None` for no limit.
    fn slice(&mut self) -> Option<u64> {
        let per_tick = self.per_tick?;
        let per_tick_i = i64::try_from(per_tick).unwrap_or(i64::MAX);
        self.credit = self.credit.saturating_add(per_tick_i).min(per_tick_i);
        Some(u64::try_from(self.credit).unwrap_or(0))
    }

    /// `bytes` were copied in this tick's slice.
    fn spent(&mut self, bytes: u64) {
        if self.per_tick.is_some() {
            let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
            self.credit = self.credit.saturating_sub(bytes);
        }
    }
}

impl Handler<BeginShard> for WalWriter {
    type Result = Result<ShardWrite, StorageError>;

    fn handle(&mut self, msg: BeginShard, _: &mut Self::Context) -> Self::Result {
        self.volume.begin_shard(msg.key, msg.len)
    }
}

impl Handler<FinishShard> for WalWriter {
    type Result = Result<Appended, StorageError>;

    fn handle(&mut self, msg: FinishShard, _: &mut Self::Context) -> Self::Result {
        let appended = self.volume.finish_shard(msg.write)?;
        if self.volume.pending_sync_bytes() > self.nudge_bytes {
            let _ = self.syncer.try_send(Nudge);
        }
        Ok(appended)
    }
}

impl Handler<FinishMove> for WalWriter {
    type Result = Result<Option<Appended>, StorageError>;

    fn handle(&mut self, msg: FinishMove, _: &mut Self::Context) -> Self::Result {
        self.volume.finish_move(msg.write, &msg.from)
    }
}

impl Handler<ForgetCopy> for WalWriter {
    type Result = Result<(), StorageError>;

    fn handle(&mut self, msg: ForgetCopy, _: &mut Self::Context) -> Self::Result {
        self.volume.forget_copy(&msg.key, &msg.entry)
    }
}

impl Handler<DeleteShard> for WalWriter {
    type Result = Result<Option<Appended>, StorageError>;

    fn handle(&mut self, msg: DeleteShard, _: &mut Self::Context) -> Self::Result {
        self.volume.delete_shard(msg.key)
    }
}

impl Handler<Compact> for WalWriter {
    type Result = Result<CompactionReport, StorageError>;

    fn handle(&mut self, msg: Compact, _: &mut Self::Context) -> Self::Result {
        self.volume.compact(msg.max_segments)
    }
}

impl Handler<ReleaseSynced> for WalWriter {
    type Result = Result<usize, StorageError>;

    fn handle(&mut self, _: ReleaseSynced, _: &mut Self::Context) -> Self::Result {
        self.volume.release_synced()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compaction_gets_a_tick_share_of_its_rate_and_pays_back_a_big_slice() {
        // 64 MiB/s in 100 ms ticks: 6.4 MiB a tick.
        let mut pace = CompactionPace::new(64 << 20, Duration::from_millis(100));
        let share = (64u64 << 20) / 10;
        assert_eq!(pace.slice(), Some(share));
        pace.spent(share / 2);
        assert_eq!(pace.slice(), Some(share), "unused credit does not pile up");
        // One shard of three ticks' worth: the next two ticks copy nothing.
        pace.spent(3 * share);
        assert_eq!(pace.slice(), Some(0));
        pace.spent(0);
        assert_eq!(pace.slice(), Some(0));
        pace.spent(0);
        assert_eq!(pace.slice(), Some(share));
    }

    #[test]
    fn compaction_without_a_rate_is_not_sliced() {
        let mut pace = CompactionPace::new(0, Duration::from_millis(100));
        assert_eq!(pace.slice(), None);
        pace.spent(1 << 30);
        assert_eq!(pace.slice(), None);
    }
}
