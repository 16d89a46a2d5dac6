//! The periodic scan: every object and upload part against the layout and
//! the storage nodes, then orphan collection.
//!
//! Orphans are shards no object, upload part or drop-list entry points to
//! on the node that holds them: data of PUTs that failed or whose commit
//! never took, deletes owed to a node that was down, old copies a repair
//! moved, anything a crash left behind. The scan builds the map of every
//! referenced shard copies as it goes (a Bloom filter, `live`: a copy it
//! wrongly calls referenced waits for a later scan; a referenced copy is
//! never missed); then each storage node that is up lists its shards. A shard that is not referenced becomes a
//! candidate; it is deleted only when a later scan, at least
//! `PREDASTORE_ORPHAN_GRACE` after the first sighting, still finds it
//! unreferenced — so a PUT in flight (its shards written, its record not
//! yet committed) is never touched unless it takes longer than the grace
//! period. A scan whose metadata reads did not all succeed collects
//! nothing.

use std::collections::HashMap;
use std::time::Instant;

use futures::StreamExt;

use super::heal::{self, Outcome, CONCURRENCY};
use super::live::LiveShards;
use super::plan::{plan_set, CopyState};
use super::{ObjectName, RepairState};
use crate::metrics;
use crate::object::ShardSet;
use crate::storage::meta::{MetaRead, MetaReadResult, ObjectRecord, ShardOwner};
use crate::storage::ShardKey;

/// Records read per metadata page.
const SCAN_PAGE: usize = 100;
/// Shard keys listed per page.
const LIST_PAGE: usize = 1000;

impl RepairState {
    /// One scan; whether it saw all metadata (only then are orphans
    /// collected).
    pub(super) async fn scan(&mut self) -> bool {
        let started = Instant::now();
        if let Ok(mut written) = self.written.lock() {
            written.clear();
        }
        let mut live = LiveShards::new(self.live_shards);
        let complete = self.scan_objects(&mut live).await
            && self.scan_versions(&mut live).await
            && self.scan_upload_parts(&mut live).await
            && self.scan_drops(&mut live).await;
        if complete {
            self.live_shards = live.len();
            metrics::HEAL_SCAN_LIVE_SHARDS.set(i64::try_from(live.len()).unwrap_or(i64::MAX));
            metrics::HEAL_SCAN_FILTER_BYTES.set(i64::try_from(live.bytes()).unwrap_or(i64::MAX));
        }
        if complete && (self.is_leader)() {
            self.collect_orphans(&live, started).await;
        }
        complete
    }

    /// How many objects the current ring places elsewhere than their
    /// records say (from metadata alone, no node asked): the work a
    /// rebalance starts with. `None` if the metadata could not be read.
    pub(super) async fn count_moves(&self) -> Option<i64> {
        let data = self.objects.coordinator().clone();
        let standing = |n: u64| heal::standing(&data, n, self.cfg.node_down_after);
        let mut after = None;
        let mut moves = 0;
        loop {
            let read = MetaRead::ScanObjects {
                after: after.clone(),
                limit: SCAN_PAGE,
            };
            let Ok(MetaReadResult::ScanObjects(page)) = self.objects.read(read).await else {
                return None;
            };
            let full = page.len() == SCAN_PAGE;
            after = page.last().map(|r| (r.bucket.clone(), r.key.clone()));
            for record in page {
                let preference = heal::preference_of(&data, (&record.bucket, &record.key));
                let moved = record.shard_sets().iter().any(|set| {
                    let whole = vec![CopyState::Healthy; set.nodes.len()];
                    !plan_set(&set.nodes, &whole, &preference, standing)
                        .writes
                        .is_empty()
                });
                moves += i64::from(moved);
            }
            if !full {
                return Some(moves);
            }
        }
    }

    /// Noncurrent versions and delete markers: their shards are live and
    /// healed like the current versions'.
    async fn scan_versions(&mut self, live: &mut LiveShards) -> bool {
        let mut after = None;
        loop {
            let read = MetaRead::ScanVersions {
                after: after.clone(),
                limit: SCAN_PAGE,
            };
            let Ok(MetaReadResult::VersionRecords(page)) = self.objects.read(read).await else {
                return false;
            };
            let full = page.len() == SCAN_PAGE;
            after = page
                .last()
                .map(|r| (r.bucket.clone(), r.key.clone(), r.seq));
            self.heal_page(page, live, |r| ShardOwner::Version {
                bucket: r.bucket.clone(),
                key: r.key.clone(),
                seq: r.seq,
            })
            .await;
            if !full {
                return true;
            }
        }
    }

    async fn scan_objects(&mut self, live: &mut LiveShards) -> bool {
        let mut after = None;
        loop {
            let read = MetaRead::ScanObjects {
                after: after.clone(),
                limit: SCAN_PAGE,
            };
            let Ok(MetaReadResult::ScanObjects(page)) = self.objects.read(read).await else {
                return false;
            };
            let full = page.len() == SCAN_PAGE;
            after = page.last().map(|r| (r.bucket.clone(), r.key.clone()));
            self.heal_page(page, live, |r| ShardOwner::Object {
                bucket: r.bucket.clone(),
                key: r.key.clone(),
            })
            .await;
            if !full {
                return true;
            }
        }
    }

    /// Notes the shards of a page of versions as live and heals them,
    /// each as `owner_of` names it, recording each object's health.
    async fn heal_page(
        &mut self,
        page: Vec<ObjectRecord>,
        live: &mut LiveShards,
        owner_of: impl Fn(&ObjectRecord) -> ShardOwner,
    ) {
        let repairer = self.repairer();
        let verdicts: Vec<(ObjectName, Outcome)> = futures::stream::iter(page)
            .map(|record| {
                let sets = record.shard_sets();
                note_live(live, &sets);
                let repairer = repairer.clone();
                let owner = owner_of(&record);
                async move {
                    let outcome = repairer
                        .heal_sets(&owner, (&record.bucket, &record.key), sets)
                        .await;
                    ((record.bucket, record.key), outcome)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for (name, outcome) in verdicts {
            if let Outcome::Done(health) | Outcome::Later(health) = outcome {
                self.record(&name, health);
            }
        }
        self.publish();
    }

    async fn scan_upload_parts(&mut self, live: &mut LiveShards) -> bool {
        let mut after = None;
        loop {
            let read = MetaRead::ScanUploadParts {
                after: after.clone(),
                limit: SCAN_PAGE,
            };
            let Ok(MetaReadResult::ScanUploadParts(page)) = self.objects.read(read).await else {
                return false;
            };
            let full = page.len() == SCAN_PAGE;
            after = page
                .last()
                .map(|(u, p)| (u.upload_id.clone(), p.part_number));
            let repairer = self.repairer();
            futures::stream::iter(page)
                .map(|(upload, part)| {
                    let set = upload.part_shards(&part);
                    note_live(live, std::slice::from_ref(&set));
                    let repairer = repairer.clone();
                    async move {
                        let owner = ShardOwner::Upload {
                            bucket: upload.bucket.clone(),
                            key: upload.key.clone(),
                            upload_id: upload.upload_id.clone(),
                        };
                        repairer
                            .heal_sets(&owner, (&upload.bucket, &upload.key), vec![set])
                            .await
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .collect::<Vec<_>>()
                .await;
            if !full {
                return true;
            }
        }
    }

    async fn scan_drops(&mut self, live: &mut LiveShards) -> bool {
        let mut after = None;
        loop {
            let read = MetaRead::DueDrops {
                after: after.clone(),
                before_ms: u64::MAX,
                limit: SCAN_PAGE,
            };
            let Ok(MetaReadResult::Drops(page)) = self.objects.read(read).await else {
                return false;
            };
            let full = page.len() == SCAN_PAGE;
            for drop in page {
                note_live(live, &drop.sets);
                after = Some(drop.key);
            }
            if !full {
                return true;
            }
        }
    }

    /// Lists every storage node that is up and deletes the shards found
    /// unreferenced twice, the grace period apart.
    async fn collect_orphans(&mut self, live: &LiveShards, started: Instant) {
        let data = self.objects.coordinator().clone();
        let now = Instant::now();
        // What repair wrote during the scan may be referenced by a
        // placement committed after the scan read its record.
        let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        let mut seen: HashMap<(u64, ShardKey), Instant> = HashMap::new();
        for node in data.storage_nodes() {
            if !data.node_is_up(crate::cluster::ring::NodeId(node)) {
                // Its candidates keep their first sighting for next time.
                seen.extend(self.orphans.iter().filter(|((n, _), _)| *n == node));
                continue;
            }
            let mut after = None;
            loop {
                let Ok(keys) = data.list_shards_on(node, after, LIST_PAGE).await else {
                    break;
                };
                let full = keys.len() == LIST_PAGE;
                after = keys.last().copied();
                for key in keys {
                    let referenced = live.contains(&(key.object.0, key.part, key.shard, node))
                        || written.contains(&(node, key));
                    if referenced {
                        continue;
                    }
                    let first = self.orphans.get(&(node, key)).copied().unwrap_or(now);
                    // Aged against the scan's start: it saw the metadata
                    // from then on.
                    if started.saturating_duration_since(first) < self.cfg.orphan_grace {
                        seen.insert((node, key), first);
                        continue;
                    }
                    match data.delete_shard_on(node, key).await {
                        Ok(_) => {
                            metrics::ORPHANS_COLLECTED.inc();
                            tracing::info!(node, shard = %key, "deleted an orphaned shard");
                        }
                        Err(_) => {
                            seen.insert((node, key), first);
                        }
                    }
                }
                if !full {
                    break;
                }
            }
        }
        self.orphans = seen;
    }
}

fn note_live(live: &mut LiveShards, sets: &[ShardSet]) {
    for set in sets {
        for (i, &node) in set.nodes.iter().enumerate() {
            live.insert((set.object_id, set.part, i as u16, node));
        }
    }
}
