//! The metadata group as separate processes on 127.0.0.2–4 with the Raft
//! network over QUIC, and this test as a gateway forwarding to it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix::prelude::*;

use crate::common::meta::{MetaClient, MetaCluster};
use crate::common::serial;
use predastore::meta::MetaStateMachine;
use predastore::meta::{
    BucketRecord, ErasureLayout, MetaOp, MetaOpError, MetaOutcome, MetaRead, MetaReadResult,
    ObjectRecord,
};
use predastore::meta::{ConsensusError, Read, Submit, SubmitOnce};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn bucket_op() -> MetaOp {
    MetaOp::CreateBucket {
        record: BucketRecord {
            name: "bucket".into(),
            owner: "test".into(),
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

fn put(key: &str, object_id: u128) -> MetaOp {
    MetaOp::PutObject {
        record: ObjectRecord {
            bucket: "bucket".into(),
            key: key.into(),
            object_id,
            size: 1,
            etag: format!("{object_id:x}"),
            content_type: None,
            user_metadata: vec![],
            headers: vec![],
            checksums: vec![],
            last_modified_ms: 1,
            layout: ErasureLayout {
                data: 2,
                parity: 1,
                stripe_bytes: 1 << 20,
            },
            parts: vec![],
            shard_nodes: vec![1, 2, 3],
            inline_data: None,
            tags: vec![],
            owner: String::new(),
            acl: predastore::meta::Acl::default(),
            seq: Default::default(),
            versioned: false,
            delete_marker: false,
            lock: Default::default(),
            encryption: None,
        },
        // Each key is submitted once: a second application would be
        // refused, so a `PreconditionFailed` means an op applied twice.
        condition: predastore::meta::WriteCondition::IfAbsent,
    }
}

/// What happened to each op the clients sent.
#[derive(Default)]
struct Outcomes {
    acked: HashMap<String, u128>,
    not_applied: Vec<String>,
    unknown: Vec<String>,
    failures: Vec<String>,
    last_ack: Option<Instant>,
}

async fn read_object(
    consensus: &Addr<predastore::meta::Consensus>,
    key: &str,
) -> Result<Option<ObjectRecord>, String> {
    let read = MetaRead::Object {
        bucket: "bucket".into(),
        key: key.into(),
    };
    match consensus.send(Read(read)).await {
        Ok(Ok(MetaReadResult::Object(o))) => Ok(o),
        other => Err(format!("read {key}: {other:?}")),
    }
}

#[actix_rt::test]
async fn acknowledged_ops_survive_two_leader_kills() -> TestResult {
    // Its pool and QUIC client move this process's metrics.
    let _serial = serial::process_metrics().await;
    let mut cluster = MetaCluster::start(3, &[]);
    cluster
        .wait_leader(Duration::from_secs(10))
        .ok_or("no leader elected")?;
    let client = cluster.client(Duration::from_secs(8));
    let created = client.consensus.send(Submit(bucket_op())).await??;
    assert_eq!(created, Ok(MetaOutcome::Done));

    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..10u128)
        .map(|c| {
            let (consensus, outcomes, stop) =
                (client.consensus.clone(), outcomes.clone(), stop.clone());
            actix_rt::spawn(async move {
                let mut n = 0u128;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let key = format!("c{c}/{n}");
                    let id = (c << 64) | n;
                    let r = consensus.send(Submit(put(&key, id))).await;
                    let Ok(mut o) = outcomes.lock() else { return };
                    match r {
                        // A `Duplicate` is an op the Consensus actor sent
                        // again after its leader died with it in flight:
                        // it had applied, once.
                        Ok(Ok(Ok(MetaOutcome::Replaced(None) | MetaOutcome::Duplicate))) => {
                            o.acked.insert(key, id);
                            o.last_ack = Some(Instant::now());
                        }
                        Ok(Ok(Err(MetaOpError::PreconditionFailed))) => {
                            o.failures.push(format!("{key}: applied twice"))
                        }
                        Ok(Err(ConsensusError::NotLeader(_) | ConsensusError::Unavailable(_))) => {
                            o.not_applied.push(key)
                        }
                        Ok(Err(ConsensusError::Indeterminate(_))) => o.unknown.push(key),
                        other => o.failures.push(format!("{key}: {other:?}")),
                    }
                }
            })
        })
        .collect();

    let acked = |o: &Arc<Mutex<Outcomes>>| o.lock().map(|o| o.acked.len()).unwrap_or(0);
    for round in 0..2 {
        // Let some ops commit under this leader, then kill it.
        let before = acked(&outcomes);
        let deadline = Instant::now() + Duration::from_secs(20);
        while acked(&outcomes) < before + 300 && Instant::now() < deadline {
            actix_rt::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            acked(&outcomes) >= before + 300,
            "round {round}: ops stopped committing"
        );
        let leader = cluster.leader().ok_or("no leader")?;
        cluster.nodes[leader].kill();
        let killed_at = Instant::now();
        let acked_at_kill = acked(&outcomes);

        // A new leader must take ops: within about a second on an idle
        // machine (the figure is printed), and within a generous deadline
        // on a loaded one.
        let mut served = None;
        while killed_at.elapsed() < Duration::from_secs(30) {
            if acked(&outcomes) > acked_at_kill + 10 {
                served = Some(killed_at.elapsed());
                break;
            }
            actix_rt::time::sleep(Duration::from_millis(10)).await;
        }
        let served = served.ok_or("no new leader served ops within 30 s")?;
        println!(
            "RESULT meta_failover_round_{round}_ms {:.0} ms",
            served.as_secs_f64() * 1000.0
        );
        // The killed node comes back (and catches up by log) so the next
        // kill still leaves a majority.
        cluster.nodes[leader].spawn();
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await?;
    }

    let o = std::mem::take(&mut *outcomes.lock().map_err(|_| "poisoned")?);
    assert!(
        o.failures.is_empty(),
        "{:?}",
        &o.failures[..o.failures.len().min(10)]
    );
    eprintln!(
        "{} acknowledged, {} refused, {} unknown",
        o.acked.len(),
        o.not_applied.len(),
        o.unknown.len()
    );
    for (key, id) in &o.acked {
        let found = read_object(&client.consensus, key).await?;
        assert_eq!(
            found.map(|r| r.object_id),
            Some(*id),
            "acknowledged {key} lost"
        );
    }
    for key in &o.not_applied {
        assert_eq!(
            read_object(&client.consensus, key).await?,
            None,
            "refused {key} was applied"
        );
    }
    let listed = client
        .consensus
        .send(Read(MetaRead::Objects {
            bucket: "bucket".into(),
            query: predastore::meta::ListQuery {
                max_keys: 1_000_000,
                ..Default::default()
            },
        }))
        .await??;
    let MetaReadResult::Objects(page) = listed else {
        return Err("wrong read result".into());
    };
    assert!(page.objects.len() >= o.acked.len());
    assert!(
        page.objects.len() <= o.acked.len() + o.unknown.len(),
        "objects nobody sent"
    );

    // Every node applies the same log: their applied indexes meet.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let applied: Vec<_> = cluster
            .nodes
            .iter()
            .map(|n| n.metric("predastore_raft_applied_index"))
            .collect();
        if applied.iter().all(|a| a.is_some() && *a == applied[0]) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "nodes did not converge: {applied:?}"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[actix_rt::test]
async fn an_op_sent_again_after_a_lost_reply_applies_once() -> TestResult {
    let _serial = serial::process_metrics().await;
    let mut cluster = MetaCluster::start(3, &[]);
    let first = cluster
        .wait_leader(Duration::from_secs(10))
        .ok_or("no leader elected")?;
    let client = cluster.client(Duration::from_secs(8));
    let created = client.consensus.send(Submit(bucket_op())).await??;
    assert_eq!(created, Ok(MetaOutcome::Done));
    let once = |id: u128, op: MetaOp| SubmitOnce { id, op };
    // The op applies; its reply is "lost" and the caller sends it again,
    // now to a new leader: it is not applied a second time (if it were,
    // `WriteCondition::IfAbsent` would refuse it with PreconditionFailed).
    let applied = client
        .consensus
        .send(once(7, put("lost-reply", 7)))
        .await??;
    assert_eq!(applied, Ok(MetaOutcome::Replaced(None)));
    cluster.nodes[first].kill();
    let again = client
        .consensus
        .send(once(7, put("lost-reply", 7)))
        .await??;
    assert_eq!(again, Ok(MetaOutcome::Duplicate));
    // A caller that gave up on op 8 fences it: a late copy never applies.
    let fenced = client
        .consensus
        .send(Submit(MetaOp::Fence { op: 8 }))
        .await??;
    assert_eq!(fenced, Ok(MetaOutcome::Fenced { applied: None }));
    let late = client.consensus.send(once(8, put("fenced", 8))).await??;
    assert_eq!(late, Err(MetaOpError::Fenced));
    assert_eq!(read_object(&client.consensus, "fenced").await?, None);
    // And the fence of an applied op reports it applied.
    let settled = client
        .consensus
        .send(Submit(MetaOp::Fence { op: 7 }))
        .await??;
    assert_eq!(
        settled,
        Ok(MetaOutcome::Fenced {
            applied: Some(Ok(()))
        })
    );
    assert_eq!(
        read_object(&client.consensus, "lost-reply")
            .await?
            .map(|o| o.object_id),
        Some(7)
    );
    Ok(())
}

/// The leader's read lease must not outlive its leadership: a leader frozen
/// (SIGSTOP) long enough for the others to elect a successor, which then
/// acknowledges a write, must not answer a read that reaches it after that
/// write from the state it had when it froze.
#[actix_rt::test]
async fn a_frozen_leader_answers_no_read_from_before_its_successor_s_writes() -> TestResult {
    let _serial = serial::process_metrics().await;
    let cluster = MetaCluster::start(3, &[]);
    let old = cluster
        .wait_leader(Duration::from_secs(10))
        .ok_or("no leader elected")?;
    let client = cluster.client(Duration::from_secs(10));
    let pinned = cluster.client_pinned_to(Duration::from_secs(5), old);
    let created = client.consensus.send(Submit(bucket_op())).await??;
    assert_eq!(created, Ok(MetaOutcome::Done));
    // Reads through the old leader now run under its lease.
    let leased_before = cluster.nodes[old]
        .metric("predastore_raft_lease_reads_total")
        .ok_or("lease metric")?;
    for _ in 0..20 {
        assert_eq!(read_object(&pinned.consensus, "after-freeze").await?, None);
    }
    let leased = cluster.nodes[old]
        .metric("predastore_raft_lease_reads_total")
        .ok_or("lease metric")?;
    assert!(leased > leased_before, "no read ran under the lease");

    cluster.nodes[old].signal("STOP");
    let deadline = Instant::now() + Duration::from_secs(15);
    let new = loop {
        match (0..3).find(|&i| {
            i != old && cluster.nodes[i].metric("predastore_raft_is_leader") == Some(1.0)
        }) {
            Some(i) => break i,
            None if Instant::now() < deadline => {
                actix_rt::time::sleep(Duration::from_millis(20)).await
            }
            None => {
                cluster.nodes[old].signal("CONT");
                return Err("no successor elected while the leader was frozen".into());
            }
        }
    };
    let written = client
        .consensus
        .send(Submit(put("after-freeze", 9)))
        .await??;
    assert_eq!(written, Ok(MetaOutcome::Replaced(None)));
    // Reads sent to the frozen leader now wait in its socket; they arrive
    // the moment it runs again, before it has heard of its successor.
    let reads: Vec<_> = (0..8)
        .map(|_| {
            let pinned = pinned.consensus.clone();
            actix_rt::spawn(async move { read_object(&pinned, "after-freeze").await })
        })
        .collect();
    actix_rt::time::sleep(Duration::from_millis(200)).await;
    cluster.nodes[old].signal("CONT");
    for read in reads {
        match read.await? {
            Ok(found) => assert_eq!(
                found.map(|o| o.object_id),
                Some(9),
                "the old leader answered from before its successor's write"
            ),
            // Refused or timed out: not an answer, so not a stale one.
            Err(refused) => eprintln!("pinned read: {refused}"),
        }
    }
    assert_eq!(
        read_object(&client.consensus, "after-freeze")
            .await?
            .map(|o| o.object_id),
        Some(9)
    );
    eprintln!("leader {old} frozen, node {new} took over");
    Ok(())
}

/// Three meta processes started with `env`, their leader, a client of
/// the leader's alone, and a bucket it created.
async fn with_a_bucket(
    env: &[(&str, &str)],
) -> Result<(MetaCluster, usize, MetaClient), Box<dyn std::error::Error>> {
    let cluster = MetaCluster::start(3, env);
    let leader = cluster
        .wait_leader(Duration::from_secs(10))
        .ok_or("no leader elected")?;
    let pinned = cluster.client_pinned_to(Duration::from_secs(10), leader);
    let created = pinned.consensus.send(Submit(bucket_op())).await??;
    assert_eq!(created, Ok(MetaOutcome::Done));
    Ok((cluster, leader, pinned))
}

/// `PREDASTORE_META_READ_LEASE_MS=0`, the operator's off switch: real
/// meta processes answer every read after a leadership round of its own
/// (sequential reads share none), and none under a lease.
#[actix_rt::test]
async fn with_the_read_lease_off_each_read_waits_for_a_leadership_round() -> TestResult {
    let _serial = serial::process_metrics().await;
    let (cluster, leader, pinned) =
        with_a_bucket(&[("PREDASTORE_META_READ_LEASE_MS", "0")]).await?;
    let checked = "predastore_raft_reads_per_leadership_check_sum";
    let before = cluster.nodes[leader]
        .metric(checked)
        .ok_or("check metric")?;
    for _ in 0..20 {
        assert_eq!(read_object(&pinned.consensus, "nothing-here").await?, None);
    }
    let after = cluster.nodes[leader]
        .metric(checked)
        .ok_or("check metric")?;
    assert!(
        after - before >= 20.0,
        "{} of 20 reads went through a leadership round",
        after - before
    );
    assert_eq!(
        cluster.nodes[leader].metric("predastore_raft_lease_reads_total"),
        Some(0.0),
        "a read was answered under a lease turned off"
    );
    Ok(())
}

/// The heartbeats a quorum accepts renew the leader's lease at the store's
/// default settings: reads that come further apart than the lease lasts
/// are still answered without a leadership round of their own (a round
/// per read is what a lease only rounds renew would cost here).
#[actix_rt::test]
async fn reads_further_apart_than_the_lease_run_under_the_lease_heartbeats_renew() -> TestResult {
    let _serial = serial::process_metrics().await;
    let (cluster, leader, pinned) = with_a_bucket(&[]).await?;
    let checked = "predastore_raft_reads_per_leadership_check_sum";
    let leased = "predastore_raft_lease_reads_total";
    let node = &cluster.nodes[leader];
    let (checked_before, leased_before) = (
        node.metric(checked).ok_or("check metric")?,
        node.metric(leased).ok_or("lease metric")?,
    );
    const READS: u32 = 10;
    for _ in 0..READS {
        // Longer than the lease (300 ms) lasts after what last renewed it.
        actix_rt::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(read_object(&pinned.consensus, "nothing-here").await?, None);
    }
    let rounds = node.metric(checked).ok_or("check metric")? - checked_before;
    let under_lease = node.metric(leased).ok_or("lease metric")? - leased_before;
    assert!(
        rounds <= 2.0 && under_lease >= f64::from(READS) - 2.0,
        "over {READS} lookups, {rounds} metadata reads waited for a round, {under_lease} ran under the lease"
    );
    Ok(())
}

#[actix_rt::test]
async fn a_restarted_node_catches_up_from_a_snapshot() -> TestResult {
    // Its pool and QUIC client move this process's metrics.
    let _serial = serial::process_metrics().await;
    let mut cluster = MetaCluster::start(3, &[("PREDASTORE_RAFT_SNAPSHOT_EVERY", "20")]);
    let leader = cluster
        .wait_leader(Duration::from_secs(10))
        .ok_or("no leader elected")?;
    let client = cluster.client(Duration::from_secs(8));
    client
        .consensus
        .send(Submit(bucket_op()))
        .await??
        .map_err(|e| format!("{e:?}"))?;

    // A follower goes down; the group commits far past its snapshot
    // interval, so the log the follower missed is purged.
    let follower = (leader + 1) % 3;
    cluster.nodes[follower].kill();
    for i in 0..200u128 {
        let r = client
            .consensus
            .send(Submit(put(&format!("k{i}"), i + 1)))
            .await??;
        assert_eq!(r, Ok(MetaOutcome::Replaced(None)), "op {i}");
    }
    let leader_node = &cluster.nodes[cluster.leader().ok_or("no leader")?];
    assert!(
        leader_node
            .metric("predastore_raft_snapshots_built_total")
            .unwrap_or(0.0)
            >= 1.0
    );
    let target = leader_node
        .metric("predastore_raft_applied_index")
        .ok_or("leader metrics")?;

    cluster.nodes[follower].spawn();
    let deadline = Instant::now() + Duration::from_secs(20);
    while cluster.nodes[follower]
        .metric("predastore_raft_applied_index")
        .unwrap_or(0.0)
        < target
    {
        assert!(Instant::now() < deadline, "restarted node did not catch up");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    // At least one snapshot (a transfer the leader retried, e.g. after a
    // lost answer, installs a second time).
    assert!(
        cluster.nodes[follower]
            .metric("predastore_raft_snapshots_installed_total")
            .is_some_and(|n| n >= 1.0),
        "it caught up without the snapshot"
    );

    // Its own state, read from its data directory once it is stopped,
    // holds every object.
    cluster.nodes[follower].signal("TERM");
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster.nodes[follower]
        .metric("predastore_raft_applied_index")
        .is_some()
    {
        assert!(Instant::now() < deadline, "node did not stop");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    cluster.nodes[follower].kill();
    let sm = MetaStateMachine::open(&cluster.nodes[follower].data_dir.join("meta").join("meta"))?;
    let state = sm.shared_state().load_full();
    for i in 0..200u128 {
        let found = state.get_object("bucket", &format!("k{i}"))?;
        assert_eq!(found.map(|r| r.object_id), Some(i + 1), "k{i}");
    }
    Ok(())
}
