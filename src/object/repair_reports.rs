//! Objects this gateway saw below full redundancy — written while a node
//! was down, or read with a shard missing or corrupt — go to the durable
//! heal queue in the metadata, where the repair actor finds them.
//!
//! Reports are fire-and-forget: a bounded channel (a full one drops the
//! report), one metadata op per batch, each object at most once per
//! [`REPORT_AGAIN_AFTER`]. A report that is lost costs only time: repair's
//! periodic scan finds every object below redundancy anyway.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::coordinator::DegradedHook;
use crate::actors::core::consensus::ConsensusClient;
use crate::metrics;
use crate::storage::meta::MetaOp;

/// Reports waiting to be sent; more are dropped.
const QUEUE: usize = 4096;
/// Most objects in one op.
const BATCH: usize = 256;
/// How long a batch collects after its first report.
const BATCH_WAIT: Duration = Duration::from_millis(200);
/// The same object is not reported again sooner.
const REPORT_AGAIN_AFTER: Duration = Duration::from_secs(60);

/// Sends objects to the heal queue; cheap to clone.
#[derive(Clone)]
pub(crate) struct HealReports {
    tx: mpsc::Sender<(String, String)>,
}

impl HealReports {
    /// Starts the task that batches reports into `QueueHeal` ops.
    pub(crate) fn start(consensus: ConsensusClient) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        actix::spawn(send_reports(consensus, rx));
        Self { tx }
    }

    /// `bucket/key` needs repair.
    pub(crate) fn report(&self, bucket: &str, key: &str) {
        if self.tx.try_send((bucket.into(), key.into())).is_err() {
            tracing::debug!(bucket, key, "heal report dropped (queue full)");
        }
    }

    /// A hook that reports `bucket/key` when a read of it is degraded.
    pub(crate) fn on_degraded_read(&self, bucket: &str, key: &str) -> DegradedHook {
        let (reports, bucket, key) = (self.clone(), bucket.to_owned(), key.to_owned());
        Box::new(move || {
            metrics::DEGRADED_READS.inc();
            reports.report(&bucket, &key);
        })
    }
}

async fn send_reports(consensus: ConsensusClient, mut rx: mpsc::Receiver<(String, String)>) {
    let mut sent: HashMap<(String, String), Instant> = HashMap::new();
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::sleep(BATCH_WAIT);
        tokio::pin!(deadline);
        while batch.len() < BATCH {
            tokio::select! {
                next = rx.recv() => match next {
                    Some(next) => batch.push(next),
                    None => break,
                },
                _ = &mut deadline => break,
            }
        }
        let now = Instant::now();
        sent.retain(|_, at| now.duration_since(*at) < REPORT_AGAIN_AFTER);
        batch.sort();
        batch.dedup();
        batch.retain(|name| !sent.contains_key(name));
        if batch.is_empty() {
            continue;
        }
        let n = batch.len();
        match consensus
            .submit(MetaOp::QueueHeal {
                objects: batch.clone(),
            })
            .await
        {
            Ok(Ok(_)) => {
                metrics::HEAL_REPORTS.inc_by(n as u64);
                sent.extend(batch.into_iter().map(|name| (name, now)));
            }
            other => {
                let error = match other {
                    Ok(Err(e)) => e.to_string(),
                    Err(e) => e.to_string(),
                    Ok(Ok(_)) => String::new(),
                };
                tracing::debug!(objects = n, %error, "heal reports not queued; the scan will find them");
            }
        }
    }
}
