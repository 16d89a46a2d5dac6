//! What happens to data after its commit: the fence that settles a commit
//! whose outcome was lost, and the drop task that deletes replaced and
//! deleted versions' data once the grace period has passed.

use std::sync::Arc;
use std::time::Duration;

use super::{DataOwner, ObjectService};
use crate::actors::core::consensus::ConsensusClient;
use crate::clock::now_ms;
use crate::metrics;
use crate::object::coordinator::ShardSet;
use crate::object::error::ObjectError;
use crate::storage::meta::{MetaOp, MetaOutcome, MetaRead, MetaReadResult, ObjectRecord, OpId};

/// How often the drop task looks for due drops.
const DROP_EVERY: Duration = Duration::from_secs(1);
/// Drop-list entries handled per look.
const DROPS_PER_ROUND: usize = 64;
/// Noncurrent versions read per page when looking for a version's data.
const VERSIONS_PAGE: usize = 1000;
/// How often an unsettled op is fenced again while no leader answers.
const FENCE_RETRY: Duration = Duration::from_secs(1);

/// The version of `bucket/key` (current first, then noncurrent ones,
/// newest first) that `matches`; `None` if the metadata could not be read.
pub(super) async fn version_where(
    consensus: &ConsensusClient,
    (bucket, key): (&str, &str),
    matches: impl Fn(&ObjectRecord) -> bool,
) -> Option<Option<ObjectRecord>> {
    let object = MetaRead::Object {
        bucket: bucket.into(),
        key: key.into(),
    };
    let MetaReadResult::Object(current) = consensus.read(object).await.ok()? else {
        return None;
    };
    if let Some(current) = current.filter(|r| matches(r)) {
        return Some(Some(current));
    }
    let mut after = None;
    loop {
        let read = MetaRead::KeyVersions {
            bucket: bucket.into(),
            key: key.into(),
            after,
            limit: VERSIONS_PAGE,
        };
        let MetaReadResult::VersionRecords(page) = consensus.read(read).await.ok()? else {
            return None;
        };
        let full = page.len() == VERSIONS_PAGE;
        after = page.last().map(|r| r.seq);
        if let Some(found) = page.into_iter().find(|r| matches(r)) {
            return Some(Some(found));
        }
        if !full {
            return Some(None);
        }
    }
}

/// Whether the metadata still points to the data of `object_id` (any
/// version of the object and, for a part, the upload's part); `None` if
/// it could not be read.
async fn still_referenced(
    consensus: &ConsensusClient,
    owner: &DataOwner,
    object_id: u128,
) -> Option<bool> {
    let (bucket, key) = match owner {
        DataOwner::Object { bucket, key } | DataOwner::Part { bucket, key, .. } => (bucket, key),
    };
    let holds = |r: &ObjectRecord| r.shard_sets().iter().any(|s| s.object_id == object_id);
    if version_where(consensus, (bucket.as_str(), key.as_str()), holds)
        .await?
        .is_some()
    {
        return Some(true);
    }
    let DataOwner::Part {
        upload_id, part, ..
    } = owner
    else {
        return Some(false);
    };
    let parts = MetaRead::Parts {
        upload_id: upload_id.clone(),
        part_number_marker: part.saturating_sub(1),
        max_parts: 1,
    };
    let MetaReadResult::Parts(page) = consensus.read(parts).await.ok()? else {
        return None;
    };
    Some(page.parts.iter().any(|p| p.object_id == object_id))
}

impl ObjectService {
    /// Fences op `id` until a leader answers, then drops `new` unless the
    /// op had applied. "Not applied" from the fence can also mean "applied
    /// so long ago that its id is forgotten" (no leader for minutes): data
    /// is deleted only if `owner`'s record does not point to it either.
    pub(super) fn settle_later(&self, id: OpId, owner: DataOwner, new: Vec<ShardSet>) {
        let consensus = self.consensus.clone();
        let data = self.data.clone();
        actix::spawn(async move {
            loop {
                let fence = consensus.submit(MetaOp::Fence { op: id }).await;
                match fence {
                    Ok(Ok(MetaOutcome::Fenced { applied })) => {
                        let kept = matches!(applied, Some(Ok(())));
                        if !kept {
                            for set in &new {
                                let referenced = loop {
                                    match still_referenced(&consensus, &owner, set.object_id).await
                                    {
                                        Some(r) => break r,
                                        None => tokio::time::sleep(FENCE_RETRY).await,
                                    }
                                };
                                if !referenced {
                                    data.delete(set).await;
                                }
                            }
                        }
                        tracing::info!(op = %format!("{id:032x}"), applied = kept, "unknown metadata commit settled");
                        return;
                    }
                    Ok(other) => {
                        tracing::error!(op = %format!("{id:032x}"), answer = ?other, "unexpected answer to a fence; keeping its data");
                        return;
                    }
                    // The actor is gone (shutting down): nothing to settle with.
                    Err(_) if !consensus.is_running() => return,
                    Err(_) => tokio::time::sleep(FENCE_RETRY).await,
                }
            }
        });
    }

    /// Starts the drop task: every [`DROP_EVERY`] it deletes the data of
    /// drop-list entries older than the grace period and forgets them.
    /// Every gateway runs one; deletes are idempotent.
    pub(crate) fn start_drops(self: &Arc<Self>) {
        let service = Arc::downgrade(self);
        actix::spawn(async move {
            loop {
                tokio::time::sleep(DROP_EVERY).await;
                let Some(service) = service.upgrade() else {
                    return;
                };
                if let Err(e) = service.drop_due().await {
                    tracing::debug!(error = %e, "drop round failed; trying again");
                }
            }
        });
    }

    /// One round of the drop task; how many entries it settled.
    pub(crate) async fn drop_due(&self) -> Result<usize, ObjectError> {
        let grace = u64::try_from(self.limits.drop_grace.as_millis()).unwrap_or(u64::MAX);
        let after = self.drop_cursor.lock().ok().and_then(|c| c.clone());
        let read = MetaRead::DueDrops {
            after,
            before_ms: now_ms().saturating_sub(grace),
            limit: DROPS_PER_ROUND,
        };
        let MetaReadResult::Drops(due) = self.read(read).await? else {
            return Err(ObjectError::Internal(
                "unexpected answer to a drop-list read",
            ));
        };
        // A short page is the end of the list: start over next round.
        let next = (due.len() == DROPS_PER_ROUND)
            .then(|| due.last().map(|d| d.key.clone()))
            .flatten();
        if let Ok(mut cursor) = self.drop_cursor.lock() {
            *cursor = next;
        }
        let mut done = Vec::new();
        for drop in due {
            let mut all = true;
            for set in &drop.sets {
                all &= self.data.delete(set).await;
            }
            if all {
                done.push(drop.key);
            }
        }
        let n = done.len();
        if n > 0 {
            self.submit(MetaOp::ForgetDrops { keys: done }).await?;
            metrics::DATA_DROPPED.inc_by(n as u64);
        }
        Ok(n)
    }
}
