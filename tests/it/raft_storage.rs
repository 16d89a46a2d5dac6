//! The Raft log store and state machine against openraft's own storage
//! conformance suite, plus what the suite cannot build: normal entries
//! carrying metadata ops, restart, and snapshot install.
#![allow(clippy::result_large_err)] // openraft's StorageError, fixed by its traits

use crate::common::serial;
use openraft::storage::RaftStateMachine;
use openraft::testing::{StoreBuilder, Suite};
use openraft::{CommittedLeaderId, Entry, EntryPayload, LogId, RaftSnapshotBuilder, StorageError};
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
            ops,
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
