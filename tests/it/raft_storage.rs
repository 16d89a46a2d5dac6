//! The Raft log store and state machine against openraft's own storage
//! conformance suite, plus what the suite cannot build: normal entries
//! carrying metadata ops, restart, and snapshot install.
#![allow(clippy::result_large_err)] // openraft's StorageError, fixed by its traits

use std::time::Duration;

use crate::common::heal::wait_for;
use crate::common::serial;
use openraft::storage::{RaftLogStorage, RaftLogStorageExt, RaftStateMachine};
use openraft::testing::{StoreBuilder, Suite};
use openraft::{
    CommittedLeaderId, Entry, EntryPayload, LogId, RaftLogReader, RaftSnapshotBuilder, StorageError,
};
use predastore::meta::LogStore;
use predastore::meta::MetaStateMachine;
use predastore::meta::{BucketRecord, MetaOp};
use predastore::meta::{MetaRaft, MetaRequest};

struct Builder;

impl StoreBuilder<MetaRaft, LogStore, MetaStateMachine, tempfile::TempDir> for Builder {
    async fn build(
        &self,
    ) -> Result<(tempfile::TempDir, LogStore, MetaStateMachine), StorageError<u64>> {
        let dir = tempfile::tempdir().map_err(|e| openraft::StorageIOError::write(&e))?;
        let log = LogStore::open(&dir.path().join("log"))?;
        let sm = MetaStateMachine::open(&dir.path().join("sm"))?;
        Ok((dir, log, sm))
    }
}

#[test]
fn openraft_storage_conformance_suite() -> Result<(), StorageError<u64>> {
    // Applied entries move this process's Raft metrics.
    let _serial = serial::process_metrics_blocking();
    Suite::test_all(Builder)
}

fn entry(term: u64, index: u64, ops: Vec<MetaOp>) -> Entry<MetaRaft> {
    Entry {
        log_id: LogId::new(CommittedLeaderId::new(term, 1), index),
        payload: EntryPayload::Normal(MetaRequest {
            ops: ops.into(),
            ..Default::default()
        }),
    }
}

fn create_bucket(name: &str) -> MetaOp {
    MetaOp::CreateBucket {
        record: BucketRecord {
            name: name.into(),
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

#[tokio::test]
async fn ops_in_entries_apply_survive_restart_and_travel_by_snapshot(
) -> Result<(), Box<dyn std::error::Error>> {
    // Applied entries move this process's Raft metrics.
    let _serial = serial::process_metrics().await;
    let dir = tempfile::tempdir()?;
    {
        let mut sm = MetaStateMachine::open(&dir.path().join("sm"))?;
        let responses = sm
            .apply(vec![
                entry(1, 1, vec![create_bucket("a"), create_bucket("a")]),
                entry(1, 2, vec![create_bucket("b")]),
            ])
            .await?;
        assert_eq!(responses.len(), 2);
        assert!(responses[0].results[0].is_ok());
        assert!(
            responses[0].results[1].is_err(),
            "a second create of one bucket is refused"
        );
        assert!(sm.shared_state().load().get_bucket("b")?.is_some());
    }
    // Restart: the state and Raft's record of it come back together.
    let mut sm = MetaStateMachine::open(&dir.path().join("sm"))?;
    let (applied, _) = sm.applied_state().await?;
    assert_eq!(applied.map(|l| l.index), Some(2));
    assert!(sm.shared_state().load().get_bucket("a")?.is_some());

    // A snapshot installed on another node reproduces the state. It
    // travels as openraft sends it: read from the builder's file, written
    // into the file the follower receives into.
    let mut snapshot = sm.get_snapshot_builder().await.build_snapshot().await?;
    let other = tempfile::tempdir()?;
    let mut follower = MetaStateMachine::open(other.path())?;
    let shared = follower.shared_state();
    let mut receiving = follower.begin_receiving_snapshot().await?;
    let sent = tokio::io::copy(&mut snapshot.snapshot, &mut receiving).await?;
    assert!(sent > 0, "the snapshot has data");
    follower.install_snapshot(&snapshot.meta, receiving).await?;
    assert_eq!(follower.applied_state().await?.0.map(|l| l.index), Some(2));
    assert!(
        shared.load().get_bucket("b")?.is_some(),
        "readers see the installed state"
    );
    drop((follower, shared));
    let mut reopened = MetaStateMachine::open(other.path())?;
    assert_eq!(reopened.applied_state().await?.0.map(|l| l.index), Some(2));
    let current = reopened
        .get_current_snapshot()
        .await?
        .ok_or("no snapshot after the install")?;
    assert_eq!(
        (current.meta.last_log_id, &current.meta.last_membership),
        (snapshot.meta.last_log_id, &snapshot.meta.last_membership),
        "the installed snapshot is current"
    );
    let mut data = Vec::new();
    let mut file = current.snapshot;
    tokio::io::AsyncReadExt::read_to_end(&mut file, &mut data).await?;
    assert_eq!(data.len() as u64, sent, "and can be sent on");
    Ok(())
}

/// The last purged log id and every index still in `log`.
async fn log_contents(
    log: &mut LogStore,
) -> Result<(Option<u64>, Vec<u64>), Box<dyn std::error::Error>> {
    let state = log.get_log_state().await?;
    let entries = log.try_get_log_entries(0..100).await?;
    Ok((
        state.last_purged_log_id.map(|l| l.index),
        entries.iter().map(|e| e.log_id.index).collect(),
    ))
}

#[tokio::test]
async fn a_follower_log_is_purged_no_further_than_its_state_holds_on_disk(
) -> Result<(), Box<dyn std::error::Error>> {
    let _serial = serial::process_metrics().await;
    // The leader's state through entry 3, as a snapshot.
    let leader = tempfile::tempdir()?;
    let mut leader_sm = MetaStateMachine::open(leader.path())?;
    leader_sm
        .apply((1..=3).map(|i| entry(1, i, vec![create_bucket(&format!("b{i}"))])))
        .await?;
    let mut snapshot = leader_sm
        .get_snapshot_builder()
        .await
        .build_snapshot()
        .await?;

    // A follower holding entries 1 and 2 in its log, none applied, wired
    // as a node starts it.
    let dir = tempfile::tempdir()?;
    let mut log = LogStore::open(&dir.path().join("log"))?;
    let mut sm = MetaStateMachine::open(&dir.path().join("sm"))?;
    log.gate_purges(sm.durable_index());
    sm.report_durable_to(log.clone());
    log.blocking_append((1..=2).map(|i| entry(1, i, vec![])))
        .await?;

    // openraft hands the snapshot over and purges up to it in one step.
    let mut receiving = sm.begin_receiving_snapshot().await?;
    tokio::io::copy(&mut snapshot.snapshot, &mut receiving).await?;
    let upto = snapshot.meta.last_log_id.ok_or("snapshot of nothing")?;
    log.purge(upto).await?;
    // Before the state has switched, nothing is purged: a crash here
    // restarts with the old state and the log that goes with it.
    assert_eq!(log_contents(&mut log).await?, (None, vec![1, 2]));
    drop((log, sm, receiving));
    // A crash stops every thread; here the dropped import finishes and
    // removes its directory in the background, as a live member does.
    // Reopened before it is gone, the start-up's clean-up of leftover
    // state directories would race that removal.
    let import_dir = dir.path().join("sm").join("state-1");
    wait_for(
        "the abandoned import's directory removed",
        Duration::from_secs(30),
        |_| (!import_dir.exists()).then_some(()),
    )
    .await;
    let mut reopened = LogStore::open(&dir.path().join("log"))?;
    let mut sm = MetaStateMachine::open(&dir.path().join("sm"))?;
    assert_eq!(sm.applied_state().await?.0, None);
    assert_eq!(log_contents(&mut reopened).await?, (None, vec![1, 2]));
    reopened.gate_purges(sm.durable_index());
    sm.report_durable_to(reopened.clone());

    // The leader sends the snapshot again.
    let mut snapshot = leader_sm
        .get_snapshot_builder()
        .await
        .build_snapshot()
        .await?;
    let mut receiving = sm.begin_receiving_snapshot().await?;
    tokio::io::copy(&mut snapshot.snapshot, &mut receiving).await?;
    reopened.purge(upto).await?;
    assert_eq!(log_contents(&mut reopened).await?, (None, vec![1, 2]));

    // Installed: now the purge happens.
    sm.install_snapshot(&snapshot.meta, receiving).await?;
    assert_eq!(sm.applied_state().await?.0.map(|l| l.index), Some(3));
    assert_eq!(log_contents(&mut reopened).await?, (Some(3), vec![]));
    // Past what the state holds on disk, a purge waits again: applying
    // is not enough, a snapshot's sync is.
    reopened
        .blocking_append((4..=6).map(|i| entry(1, i, vec![])))
        .await?;
    sm.apply((4..=5).map(|i| entry(1, i, vec![]))).await?;
    reopened
        .purge(LogId::new(CommittedLeaderId::new(1, 1), 5))
        .await?;
    assert_eq!(log_contents(&mut reopened).await?, (Some(3), vec![4, 5, 6]));
    sm.get_snapshot_builder().await.build_snapshot().await?;
    assert_eq!(log_contents(&mut reopened).await?, (Some(5), vec![6]));
    Ok(())
}
