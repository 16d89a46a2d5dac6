//! Corrupt marks to the heal queue: a storage node's shards marked
//! corrupt (by a scrub pass, or by any read that failed a CRC) are
//! reported to the durable heal queue in the metadata within seconds, so
//! repair rewrites them at once rather than at its next periodic scan
//! (`PREDASTORE_HEAL_SCAN_EVERY`, an hour by default).
//!
//! A shard key names only the object version's id, not its bucket and
//! key, and the metadata has no index by id: the reporter finds the
//! objects with a walk of the object and version records (metadata only,
//! no storage node asked), one walk for all the marks that are new, and
//! queues them with `QueueHeal` as a gateway does for a degraded read.
//!
//! Durable by construction: the marks themselves are on disk in the shard
//! index and the reporter only remembers a mark as reported once its
//! object's queue entry is committed through Raft. A report lost to a
//! failed op is tried again; one lost to a crash is sent again after the
//! restart (the reporter starts with nothing remembered). A mark whose
//! version is no longer in the metadata (an unreferenced copy, an upload
//! part in progress) is left to the periodic scan and the orphan collector.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::actors::core::consensus::ConsensusClient;
use crate::actors::core::wal::node::StorageNode;
use crate::metrics;
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, ObjectRecord};
use crate::storage::ShardKey;

/// How often the node's marks are looked at (a read of a keyspace that
/// is almost always empty).
const POLL: Duration = Duration::from_secs(2);
/// Wait after a failed report (no metadata leader, say) before the next.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// Most marks looked at per round; more wait for these to clear.
const MAX_MARKS: usize = 10_000;
/// Records read per metadata page of the walk.
const SCAN_PAGE: usize = 100;
/// Objects per `QueueHeal` op.
const BATCH: usize = 256;

/// An object, as the heal queue names it.
type ObjectName = (String, String);

/// The running reporter of one storage node; dropping it stops it.
pub(crate) struct MarkReports {
    task: JoinHandle<()>,
}

impl MarkReports {
    /// Starts reporting `node`'s corrupt marks through `consensus`. Must
    /// run inside an actix `System`.
    pub(crate) fn start(node: StorageNode, consensus: ConsensusClient) -> Self {
        Self {
            task: actix::spawn(run(node, consensus)),
        }
    }
}

impl Drop for MarkReports {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Looks at `node`'s marks every [`POLL`] and reports the new ones,
/// until dropped.
async fn run(node: StorageNode, consensus: ConsensusClient) {
    // Marks whose objects are queued (or found to have none).
    let mut reported: HashSet<ShardKey> = HashSet::new();
    // Reports fail (no metadata leader, say): logged once until they pass.
    let mut failing = false;
    let mut wait = POLL;
    loop {
        tokio::time::sleep(wait).await;
        wait = POLL;
        let marks = match node.corrupt_shards(None, MAX_MARKS).await {
            Ok(marks) => marks,
            Err(e) => {
                tracing::debug!(error = %e, "corrupt marks not readable now");
                continue;
            }
        };
        // A cleared mark is forgotten: the same shard damaged again later
        // is news.
        let present: HashSet<ShardKey> = marks.iter().copied().collect();
        reported.retain(|k| present.contains(k));
        let new: Vec<ShardKey> = marks
            .into_iter()
            .filter(|k| !reported.contains(k))
            .collect();
        if new.is_empty() {
            continue;
        }
        match report(&consensus, &new).await {
            Ok((objects, unowned)) => {
                let queued = new.len().saturating_sub(unowned);
                metrics::CORRUPT_SHARDS_QUEUED.inc_by(queued as u64);
                tracing::info!(
                    shards = new.len(),
                    objects,
                    without_object = unowned,
                    "corrupt shards queued for repair"
                );
                reported.extend(new);
                failing = false;
            }
            Err(error) if !failing => {
                tracing::warn!(shards = new.len(), %error, "corrupt shards not queued for repair yet; trying again");
                failing = true;
                wait = RETRY_AFTER;
            }
            Err(error) => {
                tracing::debug!(shards = new.len(), %error, "corrupt shards still not queued");
                wait = RETRY_AFTER;
            }
        }
    }
}

/// Finds the objects `shards` belong to and queues them for repair: how
/// many objects were queued and how many shards no version points to.
async fn report(
    consensus: &ConsensusClient,
    shards: &[ShardKey],
) -> Result<(usize, usize), String> {
    let mut wanted: HashMap<(u128, u32), usize> = HashMap::new();
    for key in shards {
        *wanted.entry((key.object.0, key.part)).or_default() += 1;
    }
    let names = find_objects(consensus, &mut wanted).await?;
    let unowned = wanted.values().sum();
    for batch in names.chunks(BATCH) {
        let op = MetaOp::QueueHeal {
            objects: batch.to_vec(),
        };
        let applied = consensus.submit(op).await.map_err(|e| e.to_string())?;
        applied.map_err(|e| e.to_string())?;
    }
    Ok((names.len(), unowned))
}

/// Walks the current and then the noncurrent versions until every one of
/// `wanted` ((object id, part) → shards) is found, taking each found one
/// out of it; the objects found, each once.
async fn find_objects(
    consensus: &ConsensusClient,
    wanted: &mut HashMap<(u128, u32), usize>,
) -> Result<Vec<ObjectName>, String> {
    let mut names = Vec::new();
    let mut after = None;
    while !wanted.is_empty() {
        let read = MetaRead::ScanObjects {
            after: after.take(),
            limit: SCAN_PAGE,
        };
        let page = match consensus.read(read).await.map_err(|e| e.to_string())? {
            MetaReadResult::ScanObjects(page) => page,
            _ => return Err("unexpected answer to an object scan".into()),
        };
        let full = page.len() == SCAN_PAGE;
        after = page.last().map(|r| (r.bucket.clone(), r.key.clone()));
        names.extend(owners(&page, wanted));
        if !full {
            break;
        }
    }
    let mut after = None;
    while !wanted.is_empty() {
        let read = MetaRead::ScanVersions {
            after: after.take(),
            limit: SCAN_PAGE,
        };
        let page = match consensus.read(read).await.map_err(|e| e.to_string())? {
            MetaReadResult::VersionRecords(page) => page,
            _ => return Err("unexpected answer to a version scan".into()),
        };
        let full = page.len() == SCAN_PAGE;
        after = page
            .last()
            .map(|r| (r.bucket.clone(), r.key.clone(), r.seq));
        names.extend(owners(&page, wanted));
        if !full {
            break;
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// The names of the records in `page` holding a shard set of `wanted`,
/// whose sets are taken out of it.
fn owners(page: &[ObjectRecord], wanted: &mut HashMap<(u128, u32), usize>) -> Vec<ObjectName> {
    page.iter()
        .filter(|record| {
            let sets = record.shard_sets();
            claim(sets.iter().map(|s| (s.object_id, s.part)), wanted)
        })
        .map(|r| (r.bucket.clone(), r.key.clone()))
        .collect()
}

/// Takes the shard sets `sets` ((object id, part) each) out of `wanted`;
/// whether any was in it.
fn claim(
    sets: impl IntoIterator<Item = (u128, u32)>,
    wanted: &mut HashMap<(u128, u32), usize>,
) -> bool {
    let mut hit = false;
    for set in sets {
        hit |= wanted.remove(&set).is_some();
    }
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_claims_its_own_sets_once() {
        let mut wanted = HashMap::from([((2, 0), 1), ((3, 1), 2), ((3, 2), 1), ((9, 0), 1)]);
        assert!(!claim([(1, 0)], &mut wanted), "another id");
        assert!(!claim([(2, 1)], &mut wanted), "another part of a wanted id");
        assert!(claim([(2, 0)], &mut wanted));
        assert!(!claim([(2, 0)], &mut wanted), "already claimed");
        // A multipart version: two of its parts wanted.
        assert!(claim([(3, 1), (3, 2), (3, 3)], &mut wanted));
        assert_eq!(wanted, HashMap::from([((9, 0), 1)]));
    }
}
