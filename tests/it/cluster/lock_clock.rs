//! A COMPLIANCE retention against a leader whose clock runs an hour
//! ahead: three `storage,meta` nodes and a gateway on 127.0.0.232–235,
//! the third member's clock set ahead (`PREDASTORE_TEST_CLOCK_OFFSET_MS`,
//! tests only), leaders killed until it leads. The version stays
//! undeletable until the quorum's time passes its retention, and the
//! leader exports the others' skew. A bucket policy and a quota set under
//! that leader still hold after it is killed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{ObjectLockRetention, ObjectLockRetentionMode};

use crate::common::admin::admin;
use crate::common::cluster::Cluster;
use crate::common::heal::*;
use crate::common::sdk::error_code;

const HOUR_MS: &str = "3600000";
const TOKEN: &str = "lock-clock-admin-token";

#[tokio::test]
async fn a_leader_with_its_clock_ahead_cannot_release_a_compliance_version() {
    let mut cluster = Cluster::start(232, &[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let s3 = cluster.gateway(3);
    // A lock bucket, once the group is up (a minute at most).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let made = s3
            .create_bucket()
            .bucket("vault")
            .object_lock_enabled_for_bucket(true)
            .send()
            .await;
        match made {
            Ok(_) => break,
            Err(e) if error_code(&e).as_deref() == Some("BucketAlreadyOwnedByYou") => break,
            Err(e) => assert!(
                std::time::Instant::now() < deadline,
                "the cluster never took the lock bucket: {e:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Once the group is up (a member killed while the group is still
    // forming is another test), the third member comes back with its
    // clock an hour ahead.
    let fast = 2;
    cluster.nodes[fast].kill();
    cluster.nodes[fast].set_env("PREDASTORE_TEST_CLOCK_OFFSET_MS", HOUR_MS);
    cluster.nodes[fast].spawn();

    // Kill leaders (bringing each back) until the fast member leads.
    for _ in 0..12 {
        let leader = wait_for("a leader", Duration::from_secs(30), |_| cluster.leader()).await;
        if leader == fast {
            break;
        }
        cluster.nodes[leader].kill();
        wait_for("a new leader", Duration::from_secs(30), |_| {
            cluster.leader()
        })
        .await;
        cluster.nodes[leader].spawn();
    }
    let leader = wait_for("a leader", Duration::from_secs(30), |_| cluster.leader()).await;
    assert_eq!(leader, fast, "the member ahead never took the lead");
    let put = s3
        .put_object()
        .bucket("vault")
        .key("ledger")
        .body(b"ledger".to_vec().into())
        .send()
        .await
        .expect("put the version");
    let version = put.version_id().expect("a version id").to_string();
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Set under the fast leader, which an hour ahead finds it over at once.
    let until_s = now_s + 20;
    s3.put_object_retention()
        .bucket("vault")
        .key("ledger")
        .version_id(&version)
        .retention(
            ObjectLockRetention::builder()
                .mode(ObjectLockRetentionMode::Compliance)
                .retain_until_date(DateTime::from_secs(until_s as i64))
                .build(),
        )
        .send()
        .await
        .expect("compliance retention");

    // It sees the others an hour behind it.
    let skew = wait_for("the skew exported", Duration::from_secs(10), |note| {
        let m = cluster.nodes[fast].metric("predastore_meta_clock_skew_seconds{node=\"1\"}");
        *note = format!("{m:?}");
        m.filter(|s| *s < -3000.0)
    })
    .await;
    assert!(skew > -3700.0, "skew {skew}");

    let delete = || {
        s3.delete_object()
            .bucket("vault")
            .key("ledger")
            .version_id(&version)
            .send()
    };
    // Its own clock is past the retention; the group's time is not.
    let r = delete().await;
    let code = r.as_ref().err().and_then(error_code);
    assert_eq!(
        code.as_deref(),
        Some("AccessDenied"),
        "deleted early: {r:?}"
    );
    let later = s3
        .put_object()
        .bucket("vault")
        .key("after")
        .body(b"x".to_vec().into())
        .send()
        .await
        .expect("writes go on under the fast leader");
    assert!(later.version_id().is_some());

    // Once the true time passes the retention, the version goes.
    let wait = (until_s + 2).saturating_sub(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    );
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let deleted = wait_for_delete(&delete).await;
    assert!(
        deleted,
        "the retention ended and the version could not be deleted"
    );

    // A policy and a quota committed under the fast leader survive it.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::vault/blocked/*"}]}"#;
    s3.put_bucket_policy()
        .bucket("vault")
        .policy(policy)
        .send()
        .await
        .expect("put the policy");
    create_bucket_when_ready(&s3, "capped").await;
    let (status, answer) = admin(
        cluster.gateway_http(),
        "PUT",
        "/buckets/capped/quota",
        Some(TOKEN),
        r#"{"max_objects":1}"#,
    );
    assert_eq!(status, 200, "{answer}");
    let put = |bucket: &'static str, key: &'static str| {
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(b"x".to_vec().into())
            .send()
    };
    put("capped", "first")
        .await
        .expect("the quota's one object");
    cluster.nodes[fast].kill();
    wait_for(
        "a leader after the fast one",
        Duration::from_secs(30),
        |_| cluster.leader(),
    )
    .await;
    let denied = put("vault", "blocked/k").await;
    assert_eq!(
        denied.as_ref().err().and_then(error_code).as_deref(),
        Some("AccessDenied"),
        "the policy after the failover: {denied:?}"
    );
    let over = put("capped", "second").await;
    assert_eq!(
        over.as_ref().err().and_then(error_code).as_deref(),
        Some("QuotaExceeded"),
        "the quota after the failover: {over:?}"
    );
    put("vault", "open/k")
        .await
        .expect("what the policy allows");
}

/// Tries the delete for up to 20 s (a leader change may answer 503).
async fn wait_for_delete<F, Fut, T, E>(delete: &F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if delete().await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}
