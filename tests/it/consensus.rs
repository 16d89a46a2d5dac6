//! The Consensus actor in front of a one-node Raft group on real storage:
//! concurrent callers each get their own op's result, ops are batched into
//! entries, and everything committed survives a restart.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use futures::StreamExt;

use crate::common::serial;
use openraft::Raft;
use predastore::meta::start_single_node;
use predastore::meta::{BucketRecord, MetaOp, MetaOpError, MetaRead, MetaReadResult};
use predastore::meta::{Consensus, ConsensusConfig, LocalRaft, Read, ReadLease, Submit};
use predastore::meta::{MetaRaft, SharedMetaState};
use predastore::metrics;
use predastore::transport::endpoint;

fn create_bucket(name: String) -> MetaOp {
    MetaOp::CreateBucket {
        record: BucketRecord {
            name,
            owner: "owner".into(),
            created_ms: 1,
            tags: vec![],
            region: None,
            acl: predastore::meta::Acl::default(),
            cors: vec![],
            versioning: Default::default(),
            object_lock: None,
            access: Default::default(),
            encryption: None,
        },
    }
}

fn one_node(raft: &Raft<MetaRaft>, state: &SharedMetaState) -> Addr<Consensus> {
    one_node_leasing(raft, state, ReadLease::default())
}

fn one_node_leasing(
    raft: &Raft<MetaRaft>,
    state: &SharedMetaState,
    lease: ReadLease,
) -> Addr<Consensus> {
    let local = LocalRaft {
        raft: raft.clone(),
        state: state.clone(),
        lease,
        clock: predastore::meta::MetaClock::default(),
    };
    Consensus::new(1, Some(local), None, vec![], ConsensusConfig::default()).start()
}

/// Starts (or restarts) the one-node group stored under `dir` on `rt`.
async fn start(
    rt: &predastore::transport::endpoint::EndpointRuntime,
    dir: &std::path::Path,
) -> Result<(Raft<MetaRaft>, SharedMetaState), Box<dyn std::error::Error>> {
    let path = dir.to_path_buf();
    Ok(rt
        .handle()
        .spawn(async move { start_single_node(&path, 1).await })
        .await??)
}

/// Buckets as a linearizable read through the actor sees them.
async fn bucket_count(consensus: &Addr<Consensus>) -> Result<usize, Box<dyn std::error::Error>> {
    match consensus.send(Read(MetaRead::Buckets)).await?? {
        MetaReadResult::Buckets(b) => Ok(b.len()),
        other => Err(format!("unexpected {other:?}").into()),
    }
}

#[actix_rt::test]
async fn concurrent_ops_are_batched_committed_and_kept() -> Result<(), Box<dyn std::error::Error>> {
    // Counts this process's Raft entries.
    let _serial = serial::process_metrics().await;
    let dir = tempfile::tempdir()?;
    let rt = endpoint::runtime(2)?;
    let (raft, state) = start(&rt, dir.path()).await?;
    let consensus = one_node(&raft, &state);
    let entries_before = metrics::RAFT_OPS_PER_ENTRY.get_sample_count();

    // 64 callers, 100 ops each; every tenth is a duplicate create that
    // must be refused with its own error, not its neighbour's.
    let results = futures::stream::iter((0..6400u32).map(|i| {
        let consensus = consensus.clone();
        async move {
            let name = if i % 10 == 9 {
                format!("b{}", i - 1)
            } else {
                format!("b{i}")
            };
            (i, consensus.send(Submit(create_bucket(name))).await)
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<_>>()
    .await;
    for (i, r) in results {
        let r = r??;
        if i % 10 == 9 {
            assert_eq!(
                r.err(),
                Some(MetaOpError::BucketAlreadyOwnedByYou),
                "op {i}"
            );
        } else {
            assert!(r.is_ok(), "op {i}: {r:?}");
        }
    }
    let entries = metrics::RAFT_OPS_PER_ENTRY.get_sample_count() - entries_before;
    assert!(
        entries < 6400 / 4,
        "{entries} entries for 6400 ops: not batched"
    );

    assert_eq!(bucket_count(&consensus).await?, 5760);
    assert_eq!(state.load().list_buckets()?.len(), 5760);

    // Restart from the data directory: the log and state come back.
    raft.shutdown().await?;
    drop((raft, state, consensus));
    let (raft, state) = start(&rt, dir.path()).await?;
    let consensus = one_node(&raft, &state);
    assert_eq!(bucket_count(&consensus).await?, 5760);
    let again = consensus.send(Submit(create_bucket("b0".into()))).await??;
    assert_eq!(again.err(), Some(MetaOpError::BucketAlreadyOwnedByYou));
    raft.shutdown().await?;
    let _ = Arc::strong_count(&state);
    Ok(())
}

#[actix_rt::test]
async fn reads_see_every_acknowledged_write_and_share_leadership_checks_or_a_lease(
) -> Result<(), Box<dyn std::error::Error>> {
    let leased = concurrent_reads_under(ReadLease::default()).await?;
    assert!(leased > 0, "no read was answered under the read lease");
    Ok(())
}

/// `PREDASTORE_META_READ_LEASE_MS=0`: every read waits for a leadership
/// round (still shared), none is answered under a lease.
#[actix_rt::test]
async fn with_the_lease_off_every_read_goes_through_a_leadership_check(
) -> Result<(), Box<dyn std::error::Error>> {
    let leased = concurrent_reads_under(ReadLease::new(Duration::ZERO)).await?;
    assert_eq!(leased, 0, "reads answered under a lease turned off");
    Ok(())
}

/// 64 callers each create a bucket and read the bucket list three times
/// through a one-node group holding `lease`; every read must see the
/// caller's own write, and every read is counted by a leadership check or
/// the lease, with fewer checks than reads. Returns the reads answered
/// under the lease.
async fn concurrent_reads_under(lease: ReadLease) -> Result<u64, Box<dyn std::error::Error>> {
    // Counts this process's leadership checks.
    let _serial = serial::process_metrics().await;
    let dir = tempfile::tempdir()?;
    let rt = endpoint::runtime(2)?;
    let (raft, state) = start(&rt, dir.path()).await?;
    let consensus = one_node_leasing(&raft, &state, lease);
    let checks_before = metrics::RAFT_READS_PER_CHECK.get_sample_count();
    let reads_before = metrics::RAFT_READS_PER_CHECK.get_sample_sum();
    let leased_before = metrics::RAFT_LEASE_READS.get();

    // 64 callers: each creates its bucket, then reads the bucket list
    // three times; every read must see the caller's own acknowledged write.
    let reads = futures::stream::iter((0..640u32).map(|i| {
        let consensus = consensus.clone();
        async move {
            let name = format!("r{i}");
            consensus
                .send(Submit(create_bucket(name.clone())))
                .await??
                .map_err(|e| format!("create {name}: {e:?}"))?;
            for _ in 0..3 {
                match consensus.send(Read(MetaRead::Buckets)).await?? {
                    MetaReadResult::Buckets(b) if b.iter().any(|r| r.name == name) => {}
                    other => return Err(format!("read after {name} missed it: {other:?}").into()),
                }
            }
            Ok::<_, Box<dyn std::error::Error>>(())
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<_>>()
    .await;
    for r in reads {
        r?;
    }
    let checks = metrics::RAFT_READS_PER_CHECK.get_sample_count() - checks_before;
    let served = metrics::RAFT_READS_PER_CHECK.get_sample_sum() - reads_before;
    let leased = metrics::RAFT_LEASE_READS.get() - leased_before;
    assert_eq!(
        served + leased as f64,
        1920.0,
        "every read went through a leadership check or the read lease"
    );
    assert!(
        checks < 1920,
        "{checks} leadership checks for 1920 concurrent reads: not shared"
    );
    raft.shutdown().await?;
    Ok(leased)
}
