//! The WalWriter: one per volume, alone on its own thread.
//!
//! It owns the volume's [`Volume`] and applies messages one at a time: it
//! alone decides where records go, so appends to a volume are ordered and
//! never interleave; senders fill the payload of the records reserved for
//! them on their own blocking threads. It never fsyncs:
//! finished appends are published to the node's sync state, and the
//! [`Syncer`] makes them durable. Sparse segments are compacted on a timer,
//! which also publishes the bytes compaction could still give back.

mod messages;
pub(crate) mod node;
pub(crate) mod server;

use std::time::Duration;

use actix::prelude::*;

use crate::actors::syncer::{Nudge, Syncer};
use crate::storage::{Appended, CompactionReport, ShardWrite, StorageError, Volume};

pub(crate) use messages::{BeginShard, Compact, DeleteShard, FinishShard, ReleaseSynced};

/// How often a writer looks for a segment to compact.
const COMPACTION_TICK: Duration = Duration::from_secs(1);

/// The per-volume writer actor.
pub(crate) struct WalWriter {
    volume: Volume,
    syncer: Addr<Syncer>,
    nudge_bytes: u64,
}

impl WalWriter {
    /// A writer for `volume`; it nudges `syncer` once more than
    /// `nudge_bytes` wait for a sync.
    pub(crate) fn new(volume: Volume, syncer: Addr<Syncer>, nudge_bytes: u64) -> Self {
        Self {
            volume,
            syncer,
            nudge_bytes,
        }
    }
}

impl Actor for WalWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(1024);
        ctx.run_interval(COMPACTION_TICK, |act, _| {
            let result = act
                .volume
                .release_synced()
                .and_then(|_| act.volume.compact(1));
            if let Err(e) = result {
                tracing::warn!(volume = act.volume.id(), error = %e, "compaction failed");
            }
            act.volume.report_reclaimable();
        });
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
