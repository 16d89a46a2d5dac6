//! Orphan collection: a shard that nothing points to — as a PUT whose
//! gateway died between writing its shards and committing its record
//! leaves behind — is deleted after the grace period, and nothing else is.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use predastore::shards::SegmentFiles;
use predastore::shards::{
    FsyncMode, ObjectId, ShardIndex, ShardKey, SyncState, Volume, VolumeConfig,
};

use crate::common::heal::wait_for;
use crate::common::node::metric_at;
use crate::common::s3::*;
use crate::common::store::StoreProcess;

/// Writes a shard no metadata knows of into volume 0 of a stopped store's
/// data directory, as the store itself would have (same volume settings).
fn plant_stray_shard(data_dir: &Path, key: ShardKey, bytes: &[u8]) {
    let index = ShardIndex::open(&data_dir.join("shard-index")).expect("open the shard index");
    let sync = Arc::new(SyncState::default());
    let cfg = VolumeConfig {
        segment_bytes: 256 << 20,
        fragment_bytes: 64 << 10,
        compact_below: 0.5,
        max_shard_bytes: 5 << 30,
    };
    let mut volume = Volume::open(
        0,
        &data_dir.join("vol0"),
        cfg,
        index.clone(),
        Arc::new(SegmentFiles::default()),
        sync.clone(),
    )
    .expect("open volume 0");
    let mut write = volume
        .begin_shard(key, bytes.len() as u64)
        .expect("begin the stray shard");
    write.write(bytes).expect("write the stray shard");
    volume.finish_shard(write).expect("finish the stray shard");
    sync.sync(&index, FsyncMode::Group, None)
        .expect("sync the stray shard");
}

#[actix_rt::test]
async fn a_shard_nothing_points_to_is_collected_after_the_grace_period() {
    let settings = [
        ("PREDASTORE_INLINE_BYTES", "0"),
        ("PREDASTORE_HEAL_SCAN_EVERY", "1s"),
        ("PREDASTORE_ORPHAN_GRACE", "3s"),
    ];
    let mut store = StoreProcess::start(&settings);
    let client = store.client();
    client
        .create_bucket()
        .bucket("orphans")
        .send()
        .await
        .expect("create bucket");
    let body = random_bytes(11, 300_000);
    put(&client, "orphans", "kept", &body).await;
    let stored = |store: &StoreProcess| metric_at(store.addr(), "predastore_shards_stored ", "");
    assert_eq!(stored(&store), Some(3.0), "2+1: three shards of one object");

    store.kill();
    let stray = ShardKey {
        object: ObjectId(0x0bad_cafe),
        part: 0,
        shard: 0,
    };
    plant_stray_shard(store.data_dir(), stray, &random_bytes(12, 150_000));
    store.restart();
    assert_eq!(
        stored(&store),
        Some(4.0),
        "the stray shard is in the index after the restart"
    );
    let collected_before =
        metric_at(store.addr(), "predastore_orphans_collected_total", "").unwrap_or(0.0);
    assert_eq!(collected_before, 0.0, "nothing collected yet");

    let collected = wait_for(
        "the stray shard collected",
        Duration::from_secs(30),
        |note| {
            // The shard leaves the index before the collector counts it:
            // wait for both.
            let now = stored(&store);
            let collected = metric_at(store.addr(), "predastore_orphans_collected_total", "");
            *note = format!("collected {collected:?}, stored {now:?}");
            (now == Some(3.0) && collected.is_some_and(|c| c >= 1.0)).then_some(collected)
        },
    )
    .await;
    assert_eq!(collected, Some(1.0), "exactly the stray shard is collected");
    assert_eq!(
        get_bytes(&client, "orphans", "kept").await,
        body,
        "the live object is untouched"
    );
    // Scans go on: the live object's shards are never candidates.
    let scans = metric_at(store.addr(), "predastore_heal_scans_total", "").unwrap_or(0.0);
    wait_for("two more scans", Duration::from_secs(30), |note| {
        let now = metric_at(store.addr(), "predastore_heal_scans_total", "").unwrap_or(0.0);
        *note = format!("{now}");
        (now >= scans + 2.0).then_some(())
    })
    .await;
    assert_eq!(stored(&store), Some(3.0));
    assert_eq!(
        metric_at(store.addr(), "predastore_orphans_collected_total", ""),
        Some(1.0)
    );
}
