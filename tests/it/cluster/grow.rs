//! A single store grows into a cluster, with real processes and the
//! admin CLI, as README's "Grow a single store into a cluster" tells a
//! user: the data directory of the previous release's `all` role
//! (`tests/it/fixtures/all-role.tar.gz`, written by
//! `scripts/upgrade-fixture.sh` with that release's binary, on another
//! QUIC address) opens with its objects, takes more, gets two more nodes
//! with certificates from its own CA, and rebalances while readers read;
//! afterwards every object's shards sit on three distinct nodes, the
//! metadata group has three voters, and with the first node killed every
//! object still reads byte-identical.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::Client;
use futures::StreamExt;
use serde_json::Value;

use crate::common::admin::{admin, shards_by_node};
use crate::common::digest::{md5_hex, random_bytes};
use crate::common::heal::{get_md5, put_object, wait_for, TestObject};
use crate::common::node::{NodeProcess, NodeTls};
use crate::common::sdk::{self, client_config_at};

const TOKEN: &str = "grow-admin-token";
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures/all-role");

/// An object the store must give back: where, how long, its MD5.
#[derive(Clone, Debug)]
struct Expected {
    bucket: String,
    key: String,
    len: usize,
    md5: String,
}

/// The objects the previous release wrote into the fixture.
fn fixture_objects() -> Vec<Expected> {
    let manifest =
        std::fs::read_to_string(format!("{FIXTURE}.manifest")).expect("fixture manifest");
    manifest
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            Some(Expected {
                bucket: f.first()?.to_string(),
                key: f.get(1)?.to_string(),
                len: f.get(2)?.parse().ok()?,
                md5: f.get(3)?.to_string(),
            })
        })
        .collect()
}

/// The previous release's data directory, unpacked as `dir`.
fn unpack_fixture(dir: &Path) {
    let parent = dir.parent().expect("a parent");
    let status = Command::new("tar")
        .args(["-xzSf", &format!("{FIXTURE}.tar.gz"), "-C"])
        .arg(parent)
        .status()
        .expect("run tar");
    assert!(status.success(), "unpacking the fixture failed");
    std::fs::rename(parent.join("data"), dir).expect("move the data directory");
}

/// A client with README's default credentials (the fixture's buckets
/// belong to their user).
fn s3_at(http: SocketAddr, retry: RetryConfig) -> Client {
    let endpoint = format!("http://{http}");
    let config = client_config_at(&endpoint, "predastore", "predastore-secret", retry);
    Client::from_conf(config.build())
}

/// `predastore <args>` as a user types it; its standard output.
fn predastore(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_predastore"))
        .args(args)
        .env_remove("PREDASTORE_ADMIN_TOKEN")
        .output()
        .expect("run predastore");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "predastore {args:?} failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// `predastore admin <args>` against `http`, as JSON.
fn admin_cli(http: SocketAddr, args: &[&str]) -> Value {
    let url = format!("http://{http}");
    let mut all = vec!["admin", "--url", &url, "--token", TOKEN, "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&predastore(&all)).expect("admin CLI prints JSON")
}

/// A node of the grown cluster on 127.0.0.`ip`, data in `dir`, with its
/// own development identity, its volumes at the defaults.
fn node(ip: u8, dir: &Path, env: &[(&str, &str)]) -> NodeProcess {
    let mut node = NodeProcess::new(
        IpAddr::from([127, 0, 0, ip]),
        dir,
        NodeTls::own_identity(),
        env,
    );
    for (k, v) in [
        ("PREDASTORE_ROLE", "all"),
        ("PREDASTORE_ADMIN_TOKEN", TOKEN),
        ("PREDASTORE_VOLUMES", "3"),
        ("PREDASTORE_SEGMENT_BYTES", "268435456"),
        ("PREDASTORE_CONSOLE_LISTEN", "off"),
    ] {
        node.set_env(k, v);
    }
    node
}

/// A 12 MiB object uploaded in three parts; what it must read back as.
async fn put_multipart(s3: &Client, bucket: &str, key: &str, seed: u64) -> Expected {
    let data = random_bytes(seed, 12 << 20);
    sdk::put_multipart(s3, bucket, key, &data, 5 << 20).await;
    Expected {
        bucket: bucket.into(),
        key: key.into(),
        len: data.len(),
        md5: md5_hex(&data),
    }
}

/// Every object reads back whole and right.
async fn assert_all(s3: &Client, objects: &[Expected], when: &str) {
    for o in objects {
        match get_md5(s3, &o.bucket, &o.key).await {
            Ok((len, md5)) => assert_eq!(
                (len, md5.as_str()),
                (o.len, o.md5.as_str()),
                "{when}: {}/{}",
                o.bucket,
                o.key
            ),
            Err(e) => panic!("{when}: GET {}/{} failed: {e:?}", o.bucket, o.key),
        }
    }
}

#[tokio::test]
async fn a_single_store_from_the_previous_release_grows_into_three_nodes() {
    let data = tempfile::tempdir().expect("tempdir");
    let dirs: Vec<_> = (1..=3).map(|i| data.path().join(format!("n{i}"))).collect();
    unpack_fixture(&dirs[0]);

    // The single store, on another address than the one it was written on.
    let mut n1 = node(122, &dirs[0], &[]);
    n1.spawn();
    let retry = RetryConfig::standard().with_max_attempts(4);
    let s3 = s3_at(n1.http, retry.clone());
    let mut objects = fixture_objects();
    assert_eq!(objects.len(), 30, "the fixture's manifest");
    assert_all(&s3, &objects, "the previous release's objects").await;

    // It takes more: 170 objects of mixed sizes and two multipart ones.
    let new: Vec<TestObject> = (0..168)
        .map(|i| {
            let len = match i % 8 {
                0 => 700,
                1 => 900_000,
                _ => 15_000 + i * 1_001,
            };
            TestObject::new(format!("new/{i:03}"), 4_600 + i as u64, len)
        })
        .collect();
    let failed: Vec<_> = futures::stream::iter(&new)
        .map(|o| {
            let s3 = s3.clone();
            async move { (o.key.clone(), put_object(&s3, "old", o).await) }
        })
        .buffer_unordered(4)
        .filter(|(_, r)| futures::future::ready(r.is_err()))
        .collect()
        .await;
    assert!(failed.is_empty(), "PUTs failed: {failed:?}");
    objects.extend(new.iter().map(|o| Expected {
        bucket: "old".into(),
        key: o.key.clone(),
        len: o.len,
        md5: o.md5.clone(),
    }));
    objects.push(put_multipart(&s3, "old", "multi/a", 71).await);
    objects.push(put_multipart(&s3, "second", "multi/b", 91).await);
    assert_eq!(objects.len(), 200);

    // Alone, its layout is itself, at the address it listens on now.
    let status = admin_cli(n1.http, &["status"]);
    let before = shards_by_node(&status);
    let [(1, Some(total))] = before.as_slice() else {
        panic!("a single store's layout is node 1 alone: {status}");
    };
    let total = *total;
    assert_eq!(total % 3, 0, "whole 2+1 shard sets: {status}");
    let layout = admin_cli(n1.http, &["layout", "show"]);
    assert_eq!(
        layout["storage_nodes"][0]["addr"].as_str(),
        Some(n1.quic.to_string().as_str()),
        "{layout}"
    );

    // Two more nodes, with certificates from the store's own CA.
    let ca = dirs[0].join("tls");
    let mut joining = Vec::new();
    for (id, ip) in [(2u64, 123u8), (3, 124)] {
        let dir = &dirs[id as usize - 1];
        predastore(&[
            "tls",
            "node",
            "--ca",
            ca.to_str().expect("utf-8"),
            dir.join("tls").to_str().expect("utf-8"),
        ]);
        let mut n = node(ip, dir, &[]);
        n.set_env("PREDASTORE_NODE_ID", &id.to_string());
        n.set_env(
            "PREDASTORE_META_PEERS",
            &format!("1@{},{id}@{}", n1.quic, n.quic),
        );
        n.spawn();
        joining.push(n);
    }
    for (id, n) in (2..).zip(&joining) {
        let quic = n.quic.to_string();
        admin_cli(n1.http, &["meta", "add", &id.to_string(), &quic]);
        admin_cli(n1.http, &["node", "add", &id.to_string(), &quic]);
    }

    // Readers run through the whole move; every answer whole and right.
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let (s3, objects, stop) = (s3.clone(), objects.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut reads, mut i) = (0usize, r * 7);
                while !stop.load(Ordering::Relaxed) {
                    let o = &objects[i % objects.len()];
                    match get_md5(&s3, &o.bucket, &o.key).await {
                        Ok((len, md5)) => {
                            assert_eq!((len, md5.as_str()), (o.len, o.md5.as_str()), "{}", o.key)
                        }
                        Err(e) => panic!("GET {} during the move: {e:?}", o.key),
                    }
                    reads += 1;
                    i += 13;
                }
                reads
            })
        })
        .collect();
    // Each node holds one shard of every set once the move is done and
    // the moved copies are gone: with 2+1 on three nodes, that is every
    // set on three distinct nodes (and repair finds nothing misplaced).
    let third = total / 3;
    let status = wait_for(
        "the move to three nodes",
        Duration::from_secs(300),
        |note| {
            let (_, s) = admin(n1.http, "GET", "/status", Some(TOKEN), "");
            let by_node = shards_by_node(&s);
            *note = format!("{by_node:?} {}", s["repair"]);
            let r = &s["repair"];
            let done = by_node == [(1, Some(third)), (2, Some(third)), (3, Some(third))]
                && r["rebalance_objects_left"].as_u64() == Some(0)
                && r["objects_misplaced"].as_u64() == Some(0);
            done.then_some(s)
        },
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.await.expect("reader") > 0, "a reader read nothing");
    }
    // A set with two shards on one node counts as below redundancy once
    // there are nodes enough: its moves are healing, the rest rebalance.
    let r = &status["repair"];
    let moved =
        r["rebalance_bytes_moved"].as_u64().unwrap_or(0) + r["heal_bytes"].as_u64().unwrap_or(0);
    assert!(moved > 0, "nothing moved: {r}");
    let meta = admin_cli(n1.http, &["meta", "list"]);
    let voters: Vec<u64> = meta["voters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["id"].as_u64())
        .collect();
    assert_eq!(voters, vec![1, 2, 3], "{meta}");
    // The first node's address moved with it, in Raft too.
    assert_eq!(
        meta["voters"][0]["addr"].as_str(),
        Some(n1.quic.to_string().as_str()),
        "{meta}"
    );
    assert_all(&s3, &objects, "after the move").await;

    // The first node, once the whole store, dies: every object still
    // reads, through another node's gateway.
    n1.kill();
    let s3 = s3_at(joining[0].http, retry);
    wait_for(
        "a leader among nodes 2 and 3",
        Duration::from_secs(30),
        |note| {
            let (code, m) = admin(joining[0].http, "GET", "/meta", Some(TOKEN), "");
            *note = format!("{code} {m}");
            m["leader"].as_u64().filter(|l| [2, 3].contains(l))
        },
    )
    .await;
    assert_all(&s3, &objects, "with node 1 killed").await;
}
