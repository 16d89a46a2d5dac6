//! Lifecycle on a cluster of real processes: the walk runs on the Raft
//! leader, paced, and commits what it expires through Raft; when the
//! leader dies mid-walk, the next leader finishes the job, and what no
//! rule selects is left whole.
//!
//! Cluster on 127.0.0.192–195: three `storage,meta` nodes and a gateway
//! (see the table in `common`).

use std::time::Duration;

use futures::stream::{self, StreamExt};

use crate::common::cluster::Cluster;
use crate::common::heal::*;
use crate::common::lifecycle::{
    after_days, built, expiry_of, now_f64, prefix, put_rules, rule, EXPIRED_OBJECTS,
};
use crate::common::sdk::list_all_keys;

const BUCKET: &str = "walked";
/// Objects under the rule's prefix: more than one page of the walk (it
/// looks at about 500 records a page), so the first leader cannot finish
/// before the kill.
const EXPIRE: usize = 600;
/// Objects no rule selects.
const KEEP: usize = 100;
/// Seconds in a lifecycle day.
const DAY: u64 = 2;

/// (objects under `expire/`, objects under `keep/`) the gateway lists.
async fn counts(s3: &aws_sdk_s3::Client) -> (usize, usize) {
    let keys = list_all_keys(s3, BUCKET).await;
    let under = |p: &str| keys.iter().filter(|k| k.starts_with(p)).count();
    (under("expire/"), under("keep/"))
}

/// 600 objects under `expire/` and 100 under `keep/`, all past their day
/// when a one-day rule on `expire/` is put; the walk looks at 50 records a
/// second (after its first page, the first leader waits ten seconds).
/// Once the leader has expired some, it is SIGKILLed: the other meta nodes
/// expire the rest (their own counters move), no `keep/` object is
/// ever missing from the listing, and each reads back with its MD5; the
/// killed node, restarted, brings nothing back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lifecycle_walk_cut_by_a_leader_kill_finishes_under_the_next_leader() {
    let env = [
        ("PREDASTORE_LIFECYCLE_DAY_SECS", "2"),
        ("PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC", "50"),
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
    ];
    let mut cluster = Cluster::start(192, &env);
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;

    let expire: Vec<TestObject> = (0..EXPIRE)
        .map(|i| TestObject::new(format!("expire/{i:04}"), i as u64, 100 + (i * 37) % 3000))
        .collect();
    let keep: Vec<TestObject> = (0..KEEP)
        .map(|i| {
            TestObject::new(
                format!("keep/{i:03}"),
                10_000 + i as u64,
                200 + (i * 131) % 20_000,
            )
        })
        .collect();
    let failed: Vec<(String, u16)> = stream::iter(expire.iter().chain(&keep))
        .map(|obj| {
            let s3 = s3.clone();
            async move { (obj.key.clone(), put_object(&s3, BUCKET, obj).await) }
        })
        .buffer_unordered(16)
        .filter_map(|(key, r)| async move { r.err().map(|status| (key, status)) })
        .collect()
        .await;
    assert!(failed.is_empty(), "PUTs failed: {failed:?}");

    // Past every object's day before the rule exists: the first walk finds
    // all of `expire/` due at once.
    let due = expiry_of(now_f64(), 1, DAY) as f64 + 0.5;
    tokio::time::sleep(Duration::from_secs_f64((due - now_f64()).max(0.0))).await;
    put_rules(
        &s3,
        BUCKET,
        built([rule("expire-after-a-day", prefix("expire/")).expiration(after_days(1))]),
    )
    .await;

    let (leader, before_kill) = wait_for(
        "the leader to expire objects",
        Duration::from_secs(60),
        |note| {
            let leader = cluster.leader()?;
            let n = metric(cluster.nodes[leader].http, EXPIRED_OBJECTS).unwrap_or(0.0);
            *note = format!("node {} leads, {EXPIRED_OBJECTS} {n}", leader + 1);
            (n > 0.0).then_some((leader, n))
        },
    )
    .await;
    cluster.nodes[leader].kill();
    println!(
        "RESULT killed node {} after it expired {before_kill} objects",
        leader + 1
    );
    assert!(
        before_kill < EXPIRE as f64,
        "the first leader finished the walk before the kill"
    );
    let next = wait_for("a new leader", Duration::from_secs(30), |_| {
        cluster.leader()
    })
    .await;

    let s3 = cluster.gateway(5);
    let mut polls = 0;
    let elected = std::time::Instant::now();
    loop {
        let (left, kept) = counts(&s3).await;
        assert_eq!(kept, KEEP, "keep/ objects listed with {left} expire/ left");
        if left == 0 {
            break;
        }
        polls += 1;
        assert!(
            elected.elapsed() < Duration::from_secs(90),
            "{left} expire/ objects still listed 90 s after the election ({polls} looks)"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    println!(
        "RESULT walk_finished_after_election_s {:.2} s",
        elected.elapsed().as_secs_f64()
    );
    let by_others: f64 = (0..cluster.meta)
        .filter(|&i| i != leader)
        .filter_map(|i| metric(cluster.nodes[i].http, EXPIRED_OBJECTS))
        .sum();
    assert!(
        by_others > 0.0,
        "the leaders after the kill (node {} first) expired nothing; {before_kill} were by the old one",
        next + 1
    );
    println!("RESULT expired_after_kill {by_others} objects");
    assert_objects(&s3, BUCKET, &keep, "after the walk, a node down").await;
    for obj in expire.iter().step_by(50) {
        assert_no_such_key(&s3, BUCKET, &obj.key, "after the walk").await;
    }

    tokio::task::block_in_place(|| cluster.nodes[leader].restart());
    let s3 = cluster.gateway(5);
    wait_for(
        "the restarted node to be up",
        Duration::from_secs(30),
        |_| metric(cluster.nodes[leader].http, "predastore_raft_is_leader").map(|_| ()),
    )
    .await;
    assert_eq!(
        counts(&s3).await,
        (0, KEEP),
        "after the old leader's restart"
    );
    assert_objects(&s3, BUCKET, &keep, "after the old leader's restart").await;
}
