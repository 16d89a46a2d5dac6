//! A volume whose disk goes away, at default settings. While the store
//! serves (its directory moved away, as an unmounted disk leaves it): the
//! store notices within its probe interval, shows it in `/metrics`, puts
//! new shards on its other volumes so every PUT succeeds, rebuilds the
//! lost shards on its other volumes at once, reads every object
//! byte-identical, and takes the volume back when it returns; an
//! empty mount point in its place is not taken for it. At a restart with
//! the volume's directory deleted: the store starts, does not create the
//! directory again, and serves from its other volumes.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;

use crate::common::heal::{assert_objects, metric, put_object, volume_up, wait_for, TestObject};
use crate::common::store::StoreProcess;

/// Waits (a minute at most) until `volume` shows `up`; how long it took.
async fn wait_volume(addr: SocketAddr, volume: u16, up: f64, what: &str) -> Duration {
    let t = Instant::now();
    wait_for(what, Duration::from_secs(60), |note| {
        let now = volume_up(addr, volume);
        *note = format!("/metrics shows {now:?}");
        (now == Some(up)).then_some(())
    })
    .await;
    t.elapsed()
}

/// Bytes of every file under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => bytes_under(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn objects(prefix: &str, seed: u64, n: usize) -> Vec<TestObject> {
    (0..n)
        .map(|i| {
            let len = 1000 + (i * 37_813) % 300_000;
            TestObject::new(format!("{prefix}-{i}"), seed + i as u64, len)
        })
        .collect()
}

async fn put_all(s3: &Client, objs: &[TestObject]) -> usize {
    let mut failed = 0;
    for o in objs {
        if put_object(s3, "disks", o).await.is_err() {
            failed += 1;
        }
    }
    failed
}

#[tokio::test]
async fn a_volume_that_goes_away_is_gone_around_and_taken_back() {
    let store = StoreProcess::start(&[]);
    let (addr, s3) = (store.addr(), store.client());
    s3.create_bucket()
        .bucket("disks")
        .send()
        .await
        .expect("bucket");
    assert_eq!(volume_up(addr, 1), Some(1.0), "volume 1 starts up");
    let before = objects("before", 100, 20);
    assert_eq!(put_all(&s3, &before).await, 0, "PUTs with every disk");

    // The disk of volume 1 goes away.
    let vol1 = store.data_dir().join("vol1");
    let away = store.data_dir().join("vol1-unmounted");
    std::fs::rename(&vol1, &away).expect("move volume 1 away");
    let noticed = wait_volume(addr, 1, 0.0, "volume 1 gone").await;
    println!("RESULT volume_failure_noticed_ms {}", noticed.as_millis());
    assert!(!vol1.exists(), "a volume that is gone is not created again");
    // An empty mount point where the disk was is not the volume: it stays
    // failed over two more probes.
    std::fs::create_dir(&vol1).expect("empty mount point");
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(
        volume_up(addr, 1),
        Some(0.0),
        "an empty mount point is not the volume"
    );
    std::fs::remove_dir(&vol1).expect("remove the empty mount point");

    let written_there = bytes_under(&away);
    let during = objects("during", 200, 40);
    assert_eq!(put_all(&s3, &during).await, 0, "every PUT goes around it");
    assert_eq!(
        bytes_under(&away),
        written_there,
        "no new shard went to the failed volume"
    );
    // Repair saw the volume fail and rebuilt its shards on the healthy
    // volumes at once (reads meanwhile take parity).
    let t = Instant::now();
    let healed = wait_for(
        "the failed volume's shards written again",
        Duration::from_secs(120),
        |note| {
            let healed = metric(addr, "predastore_shards_healed_total").unwrap_or(0.0);
            let scanned = metric(addr, "predastore_failed_volumes_scanned");
            let below = metric(addr, "predastore_objects_below_redundancy");
            *note = format!("{healed} shards healed, failed volumes scanned {scanned:?}, below redundancy {below:?}");
            (healed >= 1.0 && scanned == Some(1.0) && below == Some(0.0)).then_some(healed)
        },
    )
    .await;
    println!(
        "RESULT volume_failure_shards_healed {healed} in {} ms (after the failure was noticed and the empty mount point checked)",
        t.elapsed().as_millis()
    );
    assert_objects(&s3, "disks", &before, "volume 1 gone").await;
    assert_objects(&s3, "disks", &during, "volume 1 gone").await;

    // It comes back: it takes shards again.
    std::fs::rename(&away, &vol1).expect("move volume 1 back");
    wait_volume(addr, 1, 1.0, "volume 1 back").await;
    let after = objects("after", 300, 20);
    assert_eq!(put_all(&s3, &after).await, 0, "PUTs with volume 1 back");
    assert_objects(&s3, "disks", &after, "volume 1 back").await;
}

#[tokio::test]
async fn a_store_restarted_without_a_volume_serves_from_the_others() {
    let mut store = StoreProcess::start(&[]);
    let s3 = store.client();
    s3.create_bucket()
        .bucket("disks")
        .send()
        .await
        .expect("bucket");
    let before = objects("before", 400, 20);
    assert_eq!(put_all(&s3, &before).await, 0, "PUTs with every disk");

    // The disk of volume 2 is gone at the restart.
    store.kill();
    let vol2 = store.data_dir().join("vol2");
    std::fs::remove_dir_all(&vol2).expect("delete volume 2");
    store.restart();
    let (addr, s3) = (store.addr(), store.client());
    assert_eq!(volume_up(addr, 2), Some(0.0), "volume 2 is shown failed");
    assert!(!vol2.exists(), "a missing volume is not created again");
    assert_objects(&s3, "disks", &before, "volume 2 gone at start").await;
    let after = objects("after", 500, 20);
    assert_eq!(put_all(&s3, &after).await, 0, "PUTs without volume 2");
    assert_objects(&s3, "disks", &after, "volume 2 gone at start").await;
}
