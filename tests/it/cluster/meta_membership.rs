//! Replacing a metadata node without downtime, with real processes: a
//! fourth meta node added, the first removed and killed, the cluster still
//! committing and serving; the removed member restarted does not disturb
//! it; the last voter cannot be removed.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use crate::common::cluster::Cluster;
use crate::common::heal::{
    assert_objects, create_bucket_when_ready, metric, put_object, wait_for, TestObject,
};

const TOKEN: &str = "meta-admin-token";

fn admin(http: SocketAddr, method: &str, path: &str, body: &str) -> (u16, Value) {
    crate::common::admin::admin(http, method, path, Some(TOKEN), body)
}

fn ids(members: &Value, kind: &str) -> Vec<u64> {
    members[kind]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["id"].as_u64())
        .collect()
}

/// The highest Raft term any of `nodes` reports.
fn term(nodes: &[SocketAddr]) -> f64 {
    nodes
        .iter()
        .filter_map(|&h| metric(h, "predastore_raft_term"))
        .fold(0.0, f64::max)
}

#[tokio::test]
async fn a_meta_node_is_replaced_while_the_cluster_serves() {
    let mut cluster = Cluster::start(132, &[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let gw = cluster.gateway_http();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, "meta").await;
    let mut objects: Vec<TestObject> = (0..20)
        .map(|i| TestObject::new(format!("before/{i}"), 500 + i, 20_000 + i as usize * 999))
        .collect();
    for o in &objects {
        put_object(&s3, "meta", o).await.expect("PUT");
    }

    // A new meta node (no storage role) joins as a voter.
    let mut node4 = cluster.new_node(0, 4, 136, "meta");
    node4.spawn();
    let body = format!(r#"{{"id":4,"addr":"{}"}}"#, node4.quic);
    let (status, members) = admin(gw, "POST", "/meta", &body);
    assert_eq!(status, 200, "{members}");
    assert_eq!(ids(&members, "voters"), vec![1, 2, 3, 4], "{members}");

    // Node 1 leaves the group, then its process dies.
    let (status, members) = admin(gw, "DELETE", "/meta/1", "");
    assert_eq!(status, 200, "{members}");
    assert_eq!(ids(&members, "voters"), vec![2, 3, 4], "{members}");
    cluster.nodes[0].kill();
    let members_http: Vec<SocketAddr> =
        vec![cluster.nodes[1].http, cluster.nodes[2].http, node4.http];
    wait_for("a leader among 2, 3, 4", Duration::from_secs(20), |note| {
        let (_, m) = admin(gw, "GET", "/meta", "");
        let leaders: Vec<_> = members_http
            .iter()
            .map(|&h| metric(h, "predastore_raft_is_leader"))
            .collect();
        *note = format!("{m}; is_leader at 2, 3, 4: {leaders:?}");
        m["leader"].as_u64().filter(|l| [2, 3, 4].contains(l))
    })
    .await;
    for i in 0..20 {
        let o = TestObject::new(format!("after/{i}"), 700 + i, 15_000 + i as usize * 777);
        put_object(&s3, "meta", &o)
            .await
            .expect("PUT with node 1 gone");
        objects.push(o);
    }
    assert_objects(&s3, "meta", &objects, "node 1 removed and killed").await;

    // The old member comes back with its old state: the group goes on
    // under the same leader and term, and writes keep succeeding.
    let term_before = term(&members_http);
    cluster.nodes[0].restart();
    let until = std::time::Instant::now() + Duration::from_secs(6);
    let mut i = 0;
    while std::time::Instant::now() < until {
        let o = TestObject::new(format!("back/{i}"), 900 + i, 12_345);
        put_object(&s3, "meta", &o)
            .await
            .expect("PUT with node 1 back");
        objects.push(o);
        i += 1;
    }
    assert_eq!(
        term(&members_http),
        term_before,
        "the removed member deposed nobody"
    );
    let (_, members) = admin(gw, "GET", "/meta", "");
    assert_eq!(ids(&members, "voters"), vec![2, 3, 4], "{members}");
    assert_objects(&s3, "meta", &objects, "node 1 back").await;

    // Down to one voter; the last one cannot go.
    for id in [2, 3] {
        let (status, m) = admin(gw, "DELETE", &format!("/meta/{id}"), "");
        assert_eq!(status, 200, "{m}");
    }
    let (status, e) = admin(gw, "DELETE", "/meta/4", "");
    assert_eq!(status, 409, "{e}");
    assert!(
        e["message"].as_str().unwrap_or("").contains("last voter"),
        "{e}"
    );
    let (status, _) = admin(gw, "DELETE", "/meta/9", "");
    assert_eq!(status, 404);
    let o = TestObject::new("alone", 1234, 30_000);
    put_object(&s3, "meta", &o)
        .await
        .expect("PUT with one voter");
    drop(node4);
    cluster.nodes.clear();
}
