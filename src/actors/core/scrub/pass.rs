//! One scrub pass: every shard key in order, each shard read whole
//! through the normal reader (which checks every fragment's CRC and marks
//! a damaged shard), at a bounded rate.

use std::time::Instant;

use crate::metrics;
use crate::storage::{ScrubRecord, ShardIndex, ShardKey, ShardReader, StorageError};

use super::report::ScrubReport;
use crate::actors::core::throttle::Throttle;
use crate::clock::now_secs;

/// Keys fetched from the index at a time.
const PAGE: usize = 1000;

/// What a shard costs the rate limit at least, so a node of many tiny
/// shards is not read at a flood of I/O operations.
const MIN_CHARGE: u64 = 4096;

/// Most corrupt keys a report lists (all are counted).
const MAX_LISTED: usize = 10_000;

/// Runs `f` on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| StorageError::Stopped)
}

/// How one shard's check ended.
enum Outcome {
    /// Every fragment checked out.
    Clean,
    /// A CRC or format failure (the reader marked it).
    Corrupt(StorageError),
    /// Deleted since it was listed.
    Gone,
    /// The read failed in a way that may pass (I/O): not marked.
    Failed(StorageError),
}

/// Reads one shard whole, a piece per blocking call, paying the throttle
/// for each piece; the bytes read and how it ended.
async fn check_shard(
    reader: &ShardReader,
    key: ShardKey,
    throttle: &mut Throttle,
) -> (u64, Outcome) {
    let r = reader.clone();
    let mut read = match blocking(move || r.read(key, None)).await {
        Ok(Ok(read)) => read,
        Ok(Err(StorageError::NotFound(_))) => return (0, Outcome::Gone),
        // The index entry itself does not decode: the shard is lost here.
        Ok(Err(e @ StorageError::IndexDamaged(_))) => return (0, Outcome::Corrupt(e)),
        Ok(Err(e)) | Err(e) => return (0, Outcome::Failed(e)),
    };
    let mut bytes = 0u64;
    loop {
        let step = blocking(move || {
            let piece = read.next();
            (read, piece)
        })
        .await;
        let piece = match step {
            Ok((r, piece)) => {
                read = r;
                piece
            }
            Err(e) => return (bytes, Outcome::Failed(e)),
        };
        match piece {
            None => break,
            Some(Ok(data)) => {
                let n = data.len() as u64;
                bytes += n;
                metrics::SCRUB_BYTES.inc_by(n);
                throttle.take(n).await;
            }
            Some(Err(e @ StorageError::Corrupt { .. })) => return (bytes, Outcome::Corrupt(e)),
            Some(Err(StorageError::NotFound(_))) => return (bytes, Outcome::Gone),
            Some(Err(e)) => return (bytes, Outcome::Failed(e)),
        }
    }
    throttle.take(MIN_CHARGE.saturating_sub(bytes)).await;
    (bytes, Outcome::Clean)
}

/// A full pass over the node's shards at `rate` bytes a second (0: as
/// fast as the disk goes). Keeps the metrics and the persisted record.
pub(super) async fn run(reader: ShardReader, rate: u64) -> Result<ScrubReport, StorageError> {
    let started = Instant::now();
    let started_at = now_secs();
    let index: ShardIndex = reader.index().clone();
    let total = index.approximate_len().max(1);
    metrics::SCRUB_PASS_PROGRESS.set(0.0);
    let mut throttle = Throttle::new(rate);
    let mut report = ScrubReport::default();
    let mut after: Option<ShardKey> = None;
    let mut seen = 0u64;
    loop {
        let idx = index.clone();
        let page = blocking(move || idx.list(after.as_ref(), PAGE)).await??;
        let Some(last) = page.last().copied() else {
            break;
        };
        for key in page {
            seen += 1;
            let (bytes, outcome) = check_shard(&reader, key, &mut throttle).await;
            report.bytes += bytes;
            match outcome {
                Outcome::Clean => {
                    report.shards += 1;
                    metrics::SCRUB_SHARDS.inc();
                }
                Outcome::Corrupt(e) => {
                    report.shards += 1;
                    metrics::SCRUB_SHARDS.inc();
                    report.corrupt += 1;
                    if report.corrupt_keys.len() < MAX_LISTED {
                        report.corrupt_keys.push(key);
                    }
                    metrics::SCRUB_CORRUPT_SHARDS.inc();
                    tracing::warn!(shard = %key, error = %e, "scrub found a corrupt shard");
                }
                Outcome::Gone => {}
                Outcome::Failed(e) => {
                    report.errors += 1;
                    tracing::debug!(shard = %key, error = %e, "scrub could not read a shard");
                }
            }
            metrics::SCRUB_PASS_PROGRESS.set((seen as f64 / total as f64).min(1.0));
        }
        after = Some(last);
    }
    report.elapsed = started.elapsed();
    let record = ScrubRecord {
        started_at,
        finished_at: now_secs(),
        shards: report.shards,
        bytes: report.bytes,
        corrupt: report.corrupt,
    };
    let idx = index.clone();
    let marked = blocking(move || {
        idx.set_scrub_record(&record)?;
        idx.corrupt_count()
    })
    .await??;
    metrics::SHARDS_MARKED_CORRUPT.set(marked as i64);
    metrics::SCRUB_PASS_PROGRESS.set(1.0);
    metrics::SCRUB_LAST_PASS_CORRUPT.set(report.corrupt as i64);
    metrics::SCRUB_PASSES.inc();
    tracing::info!(
        shards = report.shards,
        bytes = report.bytes,
        corrupt = report.corrupt,
        unreadable = report.errors,
        seconds = report.elapsed.as_secs_f64(),
        "scrub pass done"
    );
    Ok(report)
}
