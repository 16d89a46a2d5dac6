//! Cluster operations through the admin API, with real processes: a node
//! added (rebalance while reads go on), a node drained, removed and
//! stopped, the refusals that change nothing, and access keys.

use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use crate::common::admin::{admin, shards_by_node};
use crate::common::cluster::Cluster;
use crate::common::heal::{
    assert_objects, create_bucket_when_ready, get_md5, put_object, wait_for, TestObject,
};
use crate::common::sdk::{client_config_at, error_code};
use crate::common::store::StoreProcess;

const TOKEN: &str = "admin-token-for-tests";

/// An admin call that must succeed; its JSON.
fn admin_ok(http: SocketAddr, method: &str, path: &str, body: &str) -> Value {
    let (status, json) = admin(http, method, path, Some(TOKEN), body);
    assert_eq!(status, 200, "{method} {path}: {json}");
    json
}

/// Mixed sizes, all above the inline limit so each object has k+m shards.
fn objects(n: usize) -> Vec<TestObject> {
    (0..n)
        .map(|i| {
            let len = match i % 10 {
                0 => 1_200_000,
                1..=3 => 150_000 + i * 37,
                _ => 9_000 + i * 101,
            };
            TestObject::new(format!("obj/{i:04}"), 9_000 + i as u64, len)
        })
        .collect()
}

async fn put_all(s3: &aws_sdk_s3::Client, bucket: &str, objs: &[TestObject]) {
    let failed: Vec<_> = futures::stream::iter(objs)
        .map(|o| async move { (o.key.clone(), put_object(s3, bucket, o).await) })
        .buffer_unordered(8)
        .filter(|(_, r)| futures::future::ready(r.is_err()))
        .collect()
        .await;
    assert!(failed.is_empty(), "PUTs failed: {failed:?}");
}

/// Each storage node's state in the layout, in id order.
fn node_states(gw: SocketAddr) -> Vec<Value> {
    admin_ok(gw, "GET", "/layout", "")["storage_nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["state"].clone())
        .collect()
}

/// Waits until the leader's repair report says the layout `version` (or
/// a later one: disks' states recorded since) is rebalanced: nothing left
/// to move, nothing misplaced.
async fn wait_rebalanced(gateway: SocketAddr, version: u64, timeout: Duration) -> Value {
    wait_for("rebalance to finish", timeout, |note| {
        let (_, status) = admin(gateway, "GET", "/status", Some(TOKEN), "");
        *note = status["repair"].to_string();
        let r = &status["repair"];
        let done = r["layout_version"].as_u64().is_some_and(|v| v >= version)
            && r["rebalance_objects_left"].as_u64() == Some(0)
            && r["objects_misplaced"].as_u64() == Some(0);
        done.then_some(status)
    })
    .await
}

#[tokio::test]
async fn a_node_added_takes_its_share_while_every_object_reads() {
    let mut cluster = Cluster::start(102, &[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let gw = cluster.gateway_http();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, "grow").await;
    let objs = objects(300);
    put_all(&s3, "grow", &objs).await;
    let total_shards = objs.len() as u64 * 3;

    let mut node4 = cluster.new_node(0, 4, 106, "storage");
    node4.spawn();
    let body = format!(r#"{{"id":4,"addr":"{}","zone":"z4"}}"#, node4.quic);
    let before = admin_ok(gw, "GET", "/layout", "")["version"].as_u64();
    let layout = admin_ok(gw, "POST", "/nodes", &body);
    let version = layout["version"].as_u64().unwrap_or(0);
    assert!(Some(version) > before, "{layout}");
    assert_eq!(layout["storage_nodes"][3]["state"], "active");

    // Readers run through the whole rebalance; every answer must be whole
    // and right (the SDK retries a failed attempt, as clients do).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let (s3, objs, stop) = (s3.clone(), objs.clone(), stop.clone());
            tokio::spawn(async move {
                let mut reads = 0usize;
                let mut i = r * 7;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let o = &objs[i % objs.len()];
                    match get_md5(&s3, "grow", &o.key).await {
                        Ok((len, md5)) => {
                            assert_eq!((len, md5.as_str()), (o.len, o.md5.as_str()), "{}", o.key)
                        }
                        Err(e) => panic!("GET {} during the rebalance: {e:?}", o.key),
                    }
                    reads += 1;
                    i += 13;
                }
                reads
            })
        })
        .collect();
    wait_rebalanced(gw, version, Duration::from_secs(240)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let reads = r.await.expect("reader");
        assert!(reads > 0, "a reader read nothing");
    }
    // The stale copies go 10 s after each move: wait for the exact count.
    let status = wait_for("stale copies deleted", Duration::from_secs(60), |note| {
        let (_, s) = admin(gw, "GET", "/status", Some(TOKEN), "");
        let by_node = shards_by_node(&s);
        *note = format!("{by_node:?}");
        let sum: Option<u64> = by_node.iter().map(|(_, n)| *n).sum();
        (sum == Some(total_shards)).then_some(s)
    })
    .await;
    let by_node = shards_by_node(&status);
    let new = by_node
        .iter()
        .find(|(id, _)| *id == 4)
        .and_then(|(_, n)| *n);
    let share = new.unwrap_or(0) as f64 / total_shards as f64;
    assert!(
        (0.15..=0.35).contains(&share),
        "node 4 holds {share:.2} of the shards, its share is 0.25: {by_node:?}"
    );
    assert!(status["repair"]["rebalance_bytes_moved"].as_u64() > Some(0));
    assert_objects(&s3, "grow", &objs, "after the rebalance").await;
    let (_, layout) = admin(gw, "GET", "/layout", Some(TOKEN), "");
    assert_eq!(layout["storage_nodes"].as_array().map(Vec::len), Some(4));
    drop(node4);
    cluster.nodes.clear();
}

#[tokio::test]
async fn a_drained_node_ends_empty_and_can_go_with_nothing_lost() {
    let mut cluster = Cluster::start_with(112, 3, 1, "2+1", &[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let gw = cluster.gateway_http();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, "drain").await;
    let objs = objects(120);
    put_all(&s3, "drain", &objs).await;

    // Refusals change nothing.
    let (status, e) = admin(gw, "DELETE", "/nodes/1", Some(TOKEN), "");
    assert_eq!(status, 409, "removing an active node without --force: {e}");
    let (status, _) = admin(gw, "POST", "/nodes/9/drain", Some(TOKEN), "");
    assert_eq!(status, 404, "draining an unknown node");
    let (status, e) = admin(
        gw,
        "POST",
        "/nodes",
        Some(TOKEN),
        r#"{"id":2,"addr":"nonsense"}"#,
    );
    assert_eq!(status, 400, "{e}");
    assert_eq!(node_states(gw), ["active"; 4]);

    let layout = admin_ok(gw, "POST", "/nodes/1/drain", "");
    assert_eq!(layout["storage_nodes"][0]["state"], "draining");
    let version = layout["version"].as_u64().unwrap_or(0);
    // Two of the three left draining too would leave fewer than 2+1.
    let (status, e) = admin(gw, "POST", "/nodes/2/drain", Some(TOKEN), "");
    assert_eq!(status, 409, "{e}");
    assert!(
        e["message"].as_str().unwrap_or("").contains("needs 3"),
        "{e}"
    );

    wait_rebalanced(gw, version, Duration::from_secs(240)).await;
    wait_for("node 1 empty", Duration::from_secs(60), |note| {
        let (_, s) = admin(gw, "GET", "/status", Some(TOKEN), "");
        let by_node = shards_by_node(&s);
        *note = format!("{by_node:?}");
        by_node.contains(&(1, Some(0))).then_some(())
    })
    .await;
    let layout = admin_ok(gw, "DELETE", "/nodes/1", "");
    assert_eq!(layout["storage_nodes"][0]["state"], "removed");
    assert_objects(&s3, "drain", &objs, "node 1 removed").await;

    // Stop it, then lose another storage node (a storage-only one, so the
    // metadata keeps its majority): full redundancy on the other three
    // means every object still reads.
    cluster.nodes[0].kill();
    cluster.nodes[3].kill();
    assert_objects(&s3, "drain", &objs, "nodes 1 and 4 stopped").await;
    cluster.nodes.clear();
}

#[tokio::test]
async fn admin_calls_need_the_token_and_keys_come_and_go() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let http = store.addr();
    assert_eq!(admin(http, "GET", "/status", None, "").0, 401);
    assert_eq!(admin(http, "GET", "/status", Some("wrong"), "").0, 403);
    assert_eq!(admin(http, "POST", "/keys", Some("wrong"), "{}").0, 403);
    assert_eq!(admin(http, "GET", "/nope", None, "").0, 401);
    assert_eq!(admin(http, "GET", "/nope", Some(TOKEN), "").0, 404);
    let status = admin_ok(http, "GET", "/status", "");
    assert_eq!(status["erasure"], "2+1");

    let key = admin_ok(http, "POST", "/keys", "{}");
    let id = key["access_key_id"].as_str().expect("key id").to_string();
    let secret = key["secret_access_key"]
        .as_str()
        .expect("secret")
        .to_string();
    let listed = admin_ok(http, "GET", "/keys", "");
    let ids: Vec<&str> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["access_key_id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()), "{listed}");
    assert!(
        !listed.to_string().contains(&secret),
        "a listing shows no secret"
    );

    let retry = aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(1);
    let user = aws_sdk_s3::Client::from_conf(
        client_config_at(&store.endpoint(), &id, &secret, retry).build(),
    );
    user.create_bucket()
        .bucket("keyed")
        .send()
        .await
        .expect("the new key works");
    user.put_object()
        .bucket("keyed")
        .key("k")
        .body(b"made with a created key".to_vec().into())
        .send()
        .await
        .expect("PUT with the new key");
    let info = admin_ok(http, "GET", "/buckets/keyed", "");
    assert_eq!(
        (info["objects"].as_u64(), info["bytes"].as_u64()),
        (Some(1), Some(23))
    );

    admin_ok(http, "DELETE", &format!("/keys/{id}"), "");
    let err = user
        .get_object()
        .bucket("keyed")
        .key("k")
        .send()
        .await
        .expect_err("a deleted key is refused");
    assert_eq!(error_code(&err).as_deref(), Some("InvalidAccessKeyId"));
    assert_eq!(
        admin(http, "DELETE", &format!("/keys/{id}"), Some(TOKEN), "").0,
        404
    );
    // The configured key is configuration, not the API's to delete.
    let configured = crate::common::store::ACCESS_KEY;
    assert_eq!(
        admin(
            http,
            "DELETE",
            &format!("/keys/{configured}"),
            Some(TOKEN),
            ""
        )
        .0,
        409
    );
}

#[tokio::test]
async fn without_a_token_set_the_admin_api_is_off() {
    let store = StoreProcess::start(&[]);
    assert_eq!(
        admin(store.addr(), "GET", "/status", Some("anything"), "").0,
        403
    );
    assert_eq!(admin(store.addr(), "GET", "/status", None, "").0, 401);
}
