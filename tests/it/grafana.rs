//! The dashboards only chart metrics the process exports.

use std::collections::BTreeSet;

#[test]
fn every_dashboard_metric_is_exported() -> Result<(), Box<dyn std::error::Error>> {
    // Labelled families appear once a child exists: as after the gateway's
    // first request.
    predastore::metrics::S3_REQUESTS
        .with_label_values(&["GetObject", "200"])
        .inc();
    predastore::metrics::S3_REQUEST_SECONDS
        .with_label_values(&["GetObject"])
        .observe(0.001);
    predastore::metrics::PEER_UP
        .with_label_values(&["127.0.0.1:9100"])
        .set(1);
    // As once a storage node has opened its volumes.
    predastore::metrics::VOLUME_UP
        .with_label_values(&["0"])
        .set(1);
    predastore::metrics::VOLUME_FULL
        .with_label_values(&["0"])
        .set(0);
    predastore::metrics::VOLUME_IO_ERRORS
        .with_label_values(&["0"])
        .inc_by(0);
    predastore::metrics::VOLUME_CAPACITY
        .with_label_values(&["0"])
        .set(0);
    predastore::metrics::VOLUME_FREE
        .with_label_values(&["0"])
        .set(0);
    predastore::metrics::SHARDS_MOVING_HOME
        .with_label_values(&["0"])
        .set(0);
    predastore::metrics::SHARDS_MOVED_HOME
        .with_label_values(&["0"])
        .inc_by(0);
    predastore::metrics::BYTES_MOVED_HOME
        .with_label_values(&["0"])
        .inc_by(0);
    // As once a gateway saw a storage node fail a shard write.
    predastore::metrics::SHARD_WRITES_REFUSED
        .with_label_values(&["2"])
        .inc_by(0);
    let exported = predastore::metrics::render();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/grafana");
    let mut charted = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        let _: serde_json::Value = serde_json::from_str(&text)?;
        for (i, _) in text.match_indices("predastore_") {
            let name: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            charted.insert(name);
        }
    }
    assert!(!charted.is_empty(), "no metric charted");
    for name in &charted {
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        assert!(
            exported.contains(&format!("# TYPE {base} ")),
            "dashboard charts {name}, which /metrics does not export"
        );
    }
    Ok(())
}
