//! Object data spread over storage nodes: three processes on
//! 127.0.0.12–14, each a storage node with one volume and a meta node, and
//! a gateway-only process on 127.0.0.15 that holds no data. With erasure coding 2+1 the
//! three shards of every object land on the three nodes, travel over QUIC,
//! and an object still reads back exactly once one node is killed.

use std::net::IpAddr;

use crate::common::cluster::Cluster;
use crate::common::heal::{metric, shard_len, SHARDS_STORED, SHARD_BYTES_STORED};
use crate::common::node::free_port;
use crate::common::s3::*;

/// The cluster on 127.0.0.12–15.
fn start_cluster() -> Cluster {
    let stripe = STRIPE.to_string();
    Cluster::start(
        12,
        &[
            ("PREDASTORE_STRIPE_BYTES", &stripe),
            // A dead node costs each shard read one dial timeout.
            ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ],
    )
}

#[tokio::test]
async fn shards_spread_over_three_nodes_and_objects_survive_losing_one() {
    let mut cluster = start_cluster();
    let s3 = cluster.gateway(5);
    s3.create_bucket()
        .bucket("spread")
        .send()
        .await
        .expect("create bucket");
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, size) in [20 << 10, MIB + 5, 5 * MIB + 3].into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = random_bytes(300 + i as u64, size);
        let etag = put(&s3, "spread", &key, &data).await;
        assert_eq!(etag, etag_of(&data));
        objects.push((key, data));
    }
    let parts = [random_bytes(310, 5 * MIB), random_bytes(311, MIB + 1)];
    let upload = s3
        .create_multipart_upload()
        .bucket("spread")
        .key("multipart")
        .send()
        .await
        .expect("create upload");
    let id = upload.upload_id().expect("upload id").to_string();
    let mut done = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        let out = s3
            .upload_part()
            .bucket("spread")
            .key("multipart")
            .upload_id(&id)
            .part_number(n as i32 + 1)
            .body(part.clone().into())
            .send()
            .await
            .expect("upload part");
        done.push(
            aws_sdk_s3::types::CompletedPart::builder()
                .part_number(n as i32 + 1)
                .e_tag(out.e_tag().expect("etag"))
                .build(),
        );
    }
    s3.complete_multipart_upload()
        .bucket("spread")
        .key("multipart")
        .upload_id(&id)
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .set_parts(Some(done))
                .build(),
        )
        .send()
        .await
        .expect("complete");
    // Each single-part object and each part is coded on its own (none is
    // small enough to be stored inline: the default limit is 8 KiB).
    let coded: Vec<u64> = objects
        .iter()
        .map(|(_, d)| d.len() as u64)
        .chain(parts.iter().map(|p| p.len() as u64))
        .collect();
    objects.push(("multipart".into(), parts.concat()));

    // Every storage node holds one shard of every coded object or part, a
    // third of the coded data, as its own live-index gauges count it (not
    // the segment files: those are preallocated and say nothing); the
    // gateway holds none.
    let want_bytes: u64 = coded.iter().map(|&n| shard_len(n, 2, STRIPE as u64)).sum();
    for node in &cluster.nodes[..3] {
        let held = (
            metric(node.http, SHARDS_STORED),
            metric(node.http, SHARD_BYTES_STORED),
        );
        assert_eq!(
            held,
            (Some(coded.len() as f64), Some(want_bytes as f64)),
            "(shards, shard bytes) node {} holds",
            node.quic
        );
    }
    assert!(
        !cluster.nodes[3].data_dir.join("vol0").exists(),
        "the gateway-only process created a volume"
    );
    assert_eq!(
        metric(cluster.nodes[3].http, SHARD_BYTES_STORED),
        Some(0.0),
        "shard bytes the gateway-only process holds"
    );
    for (key, data) in &objects {
        assert_object(&s3, "spread", key, data).await;
    }

    // One storage (and meta) node gone: data is rebuilt from the other
    // two, metadata served by the remaining majority.
    cluster.nodes[2].kill();
    let s3 = cluster.gateway(5);
    for (key, data) in &objects {
        assert_object(&s3, "spread", key, data).await;
    }
    let (bytes, _) = get_range(&s3, "spread", "obj-5242883", "bytes=1048570-3145740").await;
    assert_eq!(bytes, &objects[2].1[1_048_570..=3_145_740]);

    // Back again, it serves its shards: with another node down instead,
    // everything still reads back.
    cluster.nodes[2].restart();
    cluster.nodes[0].kill();
    let s3 = cluster.gateway(5);
    for (key, data) in &objects {
        assert_object(&s3, "spread", key, data).await;
    }
}

#[test]
fn a_gateway_refuses_fewer_storage_nodes_than_an_object_has_shards() {
    let data = tempfile::tempdir().expect("tempdir");
    let ip = IpAddr::from([127, 0, 0, 1]);
    let mut child = std::process::Command::new(binary())
        .env_clear()
        .env("PREDASTORE_ROLE", "gateway")
        .env("PREDASTORE_DATA_DIR", data.path())
        .env("PREDASTORE_LISTEN", format!("127.0.0.1:{}", free_port(ip)))
        .env(
            "PREDASTORE_QUIC_LISTEN",
            format!("127.0.0.1:{}", free_port(ip)),
        )
        .env("PREDASTORE_EC", "2+1")
        // Addresses of this module's range that nothing listens on.
        .env(
            "PREDASTORE_STORAGE_NODES",
            "1@127.0.0.16:9100,2@127.0.0.17:9100",
        )
        .env("PREDASTORE_META_PEERS", "1@127.0.0.16:9100")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start predastore");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("a gateway with 2 storage nodes for 2+1 kept running");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert!(
        stderr.contains("needs 3 storage nodes, 2 are listed"),
        "stderr: {stderr}"
    );
}
