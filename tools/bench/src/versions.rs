//! The versioning phases, on a bucket of their own with versioning enabled
//! (`<bucket>-v-<run>`, created and removed by the run):
//!
//! - `versions-put`: 4 KiB PUTs (`--small-clients`) and 1 MiB PUTs
//!   (`--medium-clients`) to new keys, the same way as the `small` and
//!   `medium` phases, for `--seconds` on the run's unversioned `--bucket`,
//!   then twice on the versioned one, then again on the unversioned one;
//!   each side's two loops are taken together and printed side by side
//!   with the ratio versioned / unversioned.
//! - `versions-list`: ListObjectVersions pages (`--list-max-keys`, 100 by
//!   default) of a key with `--history-versions` versions (10,000 by
//!   default) walked from newest to oldest, against the same request for a
//!   key with 10 versions; and pages of 10 of the deep key taken at the
//!   walk's page starts, so both sides return as many entries. One client,
//!   one request at a time, medians over three rounds.
//! - `versions-get`: GETs of the latest version (4 KiB) of the deep key
//!   against a key with one version, `--small-clients` clients for
//!   `--seconds` each, in the order deep, single, single, deep.
//!
//! `--skip versions` skips the three. The deep key's older versions are
//! 64-byte objects PUT `HISTORY_CLIENTS` at a time. At the end every
//! version the run wrote is deleted by id, newest first, and the rate is
//! printed (`versions_purge_per_s`): a purge that grew with the history
//! once made those deletes time out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use bytes::Bytes;
use futures::StreamExt;

use super::report::{describe, percentile, random_bytes, result, Progress, Ticker};
use super::requests::put_bytes;
use super::{Bench, BenchArgs, BoxError, Phase, Timed, MIB, SMALL_BYTES};

/// Versions of the shallow key (and the entries of the like-for-like
/// page of the deep key).
const SHALLOW_VERSIONS: usize = 10;
/// Size of each older version of the deep and shallow keys.
const HISTORY_BYTES: usize = 64;
/// PUTs in flight while the deep key's history is written.
const HISTORY_CLIENTS: usize = 32;
/// Rounds of the list measurements.
const LIST_ROUNDS: usize = 3;
/// Fewest requests per list figure and round.
const MIN_LIST_REQUESTS: usize = 20;

/// Which versioning phases run, from `--skip`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Wanted {
    put: bool,
    list: bool,
    get: bool,
}

impl Wanted {
    pub(super) fn from_skip(skip: &[Phase]) -> Wanted {
        let all = skip.contains(&Phase::Versions);
        Wanted {
            put: !all && !skip.contains(&Phase::VersionsPut),
            list: !all && !skip.contains(&Phase::VersionsList),
            get: !all && !skip.contains(&Phase::VersionsGet),
        }
    }

    fn any(self) -> bool {
        self.put || self.list || self.get
    }

    /// The names of the phases wanted.
    fn names(self) -> Vec<&'static str> {
        [
            (self.put, Phase::VersionsPut),
            (self.list, Phase::VersionsList),
            (self.get, Phase::VersionsGet),
        ]
        .into_iter()
        .filter(|(w, _)| *w)
        .map(|(_, p)| p.name())
        .collect()
    }
}

/// Runs the versioning phases `args` does not skip; pushes the names of
/// those that failed onto `failed`.
pub(super) async fn run(bench: &Bench, args: &BenchArgs, failed: &mut Vec<&'static str>) {
    let wanted = Wanted::from_skip(&args.skip);
    if !wanted.any() {
        return;
    }
    let small_clients = usize::try_from(args.small_clients).unwrap_or(1);
    let medium_clients = usize::try_from(args.medium_clients).unwrap_or(1);
    let vb = versioned_bucket_name(&bench.bucket, &bench.run_id);
    if let Err(e) = bench.create_versioned(&vb).await {
        eprintln!("versioning phases failed: bucket {vb}: {e}");
        failed.extend(wanted.names());
        return;
    }
    eprintln!("[versions] versioned bucket {vb}");
    if wanted.put {
        if let Err(e) = bench.versions_put(&vb, small_clients, medium_clients).await {
            eprintln!("versions-put phase failed: {e}");
            failed.push(Phase::VersionsPut.name());
        }
    }
    if wanted.list || wanted.get {
        let versions = usize::try_from(args.history_versions).unwrap_or(usize::MAX);
        match bench.history(&vb, versions).await {
            Ok(h) => {
                if wanted.list {
                    let page = i32::try_from(args.list_max_keys).unwrap_or(1000);
                    if let Err(e) = bench.versions_list(&vb, &h, page).await {
                        eprintln!("versions-list phase failed: {e}");
                        failed.push(Phase::VersionsList.name());
                    }
                }
                if wanted.get {
                    if let Err(e) = bench.versions_get(&vb, &h, small_clients).await {
                        eprintln!("versions-get phase failed: {e}");
                        failed.push(Phase::VersionsGet.name());
                    }
                }
            }
            Err(e) => {
                eprintln!("versions history could not be written: {e}");
                if wanted.list {
                    failed.push(Phase::VersionsList.name());
                }
                if wanted.get {
                    failed.push(Phase::VersionsGet.name());
                }
            }
        }
    }
    bench.purge_versions(&vb, "").await;
    if let Err(e) = bench.client.delete_bucket().bucket(&vb).send().await {
        eprintln!("warning: could not delete bucket {vb}: {}", describe(&e));
    }
}

/// `<bucket>-v-<run>`, within S3's 63 characters.
fn versioned_bucket_name(bucket: &str, run_id: &str) -> String {
    let run = run_id.trim_start_matches("bench-");
    let room = 63usize.saturating_sub(run.len() + 3);
    let base: String = bucket.chars().take(room).collect();
    let base = base.trim_end_matches(['-', '.']);
    format!("{base}-v-{run}")
}

/// The figures of PUT or GET loops.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Figures {
    ops_s: f64,
    mb_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

impl Figures {
    /// The figures of loops taken together: requests and bytes over
    /// their summed time, percentiles over all their latencies.
    fn of(legs: &[Timed]) -> Figures {
        let mut latencies: Vec<Duration> = legs
            .iter()
            .flat_map(|t| t.latencies.iter().copied())
            .collect();
        latencies.sort_unstable();
        let secs = legs
            .iter()
            .map(|t| t.elapsed.as_secs_f64())
            .sum::<f64>()
            .max(1e-9);
        let bytes: u64 = legs.iter().map(|t| t.progress.bytes()).sum();
        Figures {
            ops_s: latencies.len() as f64 / secs,
            mb_s: bytes as f64 / secs / 1e6,
            p50_ms: ms(percentile(&latencies, 50.0)),
            p99_ms: ms(percentile(&latencies, 99.0)),
            errors: legs.iter().map(|t| t.progress.errors()).sum(),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `a / b`, or 0 when `b` is not positive.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// The keys of the list and GET phases.
struct History {
    /// The key with `--history-versions` versions, the latest 4 KiB.
    deep: String,
    versions: usize,
    /// The key with `SHALLOW_VERSIONS` versions, the latest 4 KiB.
    shallow: String,
    /// The key with one 4 KiB version.
    single: String,
}

/// Timings of one list figure.
#[derive(Default)]
struct Samples(Vec<Duration>);

impl Samples {
    fn report(&mut self, name: &str) -> f64 {
        self.0.sort_unstable();
        let p50 = ms(percentile(&self.0, 50.0));
        result(&format!("{name}_p50_ms"), p50, "ms");
        result(
            &format!("{name}_p99_ms"),
            ms(percentile(&self.0, 99.0)),
            "ms",
        );
        p50
    }
}

/// Where a ListObjectVersions page starts: after this key and version.
type Marker = Option<(String, String)>;

/// One ListObjectVersions page.
struct Page {
    took: Duration,
    /// (size, is latest) of each version, in order.
    versions: Vec<(i64, bool)>,
    markers: usize,
    next: Marker,
}

impl Bench {
    /// Creates `bucket` and enables versioning on it.
    async fn create_versioned(&self, bucket: &str) -> Result<(), BoxError> {
        self.client
            .create_bucket()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| format!("CreateBucket: {}", describe(&e)))?;
        let enabled = self
            .client
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| format!("PutBucketVersioning: {}", describe(&e)));
        let status = match enabled {
            Ok(_) => self
                .client
                .get_bucket_versioning()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| format!("GetBucketVersioning: {}", describe(&e)))
                .map(|out| out.status().cloned()),
            Err(e) => Err(e),
        };
        match status {
            Ok(Some(BucketVersioningStatus::Enabled)) => Ok(()),
            other => {
                let _ = self.client.delete_bucket().bucket(bucket).send().await;
                match other {
                    Err(e) => Err(e.into()),
                    Ok(s) => Err(format!("versioning is {s:?} after enabling it").into()),
                }
            }
        }
    }

    /// The run's `--bucket` must never have had versioning, to be the
    /// unversioned side.
    async fn check_unversioned(&self) -> Result<(), BoxError> {
        let out = self
            .client
            .get_bucket_versioning()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| format!("GetBucketVersioning {}: {}", self.bucket, describe(&e)))?;
        match out.status() {
            None => Ok(()),
            Some(s) => Err(format!(
                "bucket {} has versioning {s:?}; the unversioned side needs a bucket that never had it",
                self.bucket
            )
            .into()),
        }
    }

    /// PUT 4 KiB and 1 MiB, unversioned then versioned; prints both and
    /// the ratio.
    async fn versions_put(
        &self,
        vb: &str,
        small_clients: usize,
        medium_clients: usize,
    ) -> Result<(), BoxError> {
        self.check_unversioned().await?;
        let cases: [(&str, &str, usize, usize, [&'static str; 2]); 2] = [
            (
                "4k",
                "4 KiB",
                SMALL_BYTES,
                small_clients,
                ["put 4k unversioned", "put 4k versioned"],
            ),
            (
                "1mib",
                "1 MiB",
                MIB as usize,
                medium_clients,
                ["put 1mib unversioned", "put 1mib versioned"],
            ),
        ];
        let mut table = Vec::new();
        let mut errors = 0u64;
        for (label, title, size, clients, [plain_ticker, versioned_ticker]) in cases {
            let body = random_bytes(size);
            // Unversioned, versioned, versioned, unversioned: a drift of
            // the machine over the phase weighs on both sides alike.
            let (mut plain, mut versioned) = (Vec::new(), Vec::new());
            for (leg, is_versioned) in ["a", "b", "c", "d"]
                .into_iter()
                .zip([false, true, true, false])
            {
                let phase = format!("versions-put-{label}-{leg}");
                if is_versioned {
                    let t = self
                        .put_loop(vb, versioned_ticker, &phase, clients, body.clone())
                        .await?;
                    self.purge_versions(vb, &format!("{}/{phase}/", self.run_id))
                        .await;
                    versioned.push(t);
                } else {
                    let mut t = self
                        .put_loop(&self.bucket, plain_ticker, &phase, clients, body.clone())
                        .await?;
                    self.delete_keys(&phase, std::mem::take(&mut t.keys)).await;
                    plain.push(t);
                }
            }
            let (p, v) = (Figures::of(&plain), Figures::of(&versioned));
            for (side, f) in [("unversioned", p), ("versioned", v)] {
                let name = format!("versions_put_{label}_{side}");
                result(&format!("{name}_ops_s"), f.ops_s, "ops/s");
                result(&format!("{name}_mb_s"), f.mb_s, "MB/s");
                result(&format!("{name}_p50_ms"), f.p50_ms, "ms");
                result(&format!("{name}_p99_ms"), f.p99_ms, "ms");
                if f.errors > 0 {
                    println!("RESULT {name}_errors {} count", f.errors);
                    errors += f.errors;
                }
            }
            result(
                &format!("versions_put_{label}_ratio"),
                ratio(v.ops_s, p.ops_s),
                "ratio",
            );
            table.push((title, clients, p, v));
        }
        eprintln!(
            "[versions-put] {:<22} {:>12} {:>12} {:>8}",
            "", "unversioned", "versioned", "ratio"
        );
        for (title, clients, p, v) in table {
            let rows = [
                ("ops/s", p.ops_s, v.ops_s),
                ("MB/s", p.mb_s, v.mb_s),
                ("p50 ms", p.p50_ms, v.p50_ms),
                ("p99 ms", p.p99_ms, v.p99_ms),
            ];
            for (what, a, b) in rows {
                let row = format!("PUT {title} x{clients} {what}");
                eprintln!(
                    "[versions-put] {row:<22} {a:>12.1} {b:>12.1} {:>8.3}",
                    ratio(b, a)
                );
            }
        }
        if errors > 0 {
            return Err(format!("{errors} failed PUTs").into());
        }
        Ok(())
    }

    /// PUTs one version of `key`; its version id.
    async fn put_version(&self, vb: &str, key: &str, body: Bytes) -> Result<String, String> {
        let out = put_bytes(&self.client, vb, key, &body)
            .await
            .map_err(|e| format!("PutObject {key}: {}", describe(&e)))?;
        out.version_id()
            .map(str::to_string)
            .ok_or_else(|| format!("PutObject {key} answered no x-amz-version-id"))
    }

    /// Writes the deep key's `versions` versions (all 64 bytes, `HISTORY_CLIENTS`
    /// at a time, then a 4 KiB latest), the shallow key's 10 and the single
    /// key's one.
    async fn history(&self, vb: &str, versions: usize) -> Result<History, BoxError> {
        let base = format!("{}/versions", self.run_id);
        let h = History {
            deep: format!("{base}/deep"),
            versions,
            shallow: format!("{base}/shallow"),
            single: format!("{base}/single"),
        };
        let small = random_bytes(HISTORY_BYTES);
        let latest = random_bytes(SMALL_BYTES);
        let progress = Arc::new(Progress::default());
        let ticker = Ticker::start("versions history", progress.clone());
        let started = Instant::now();
        let failed = futures::stream::iter(1..versions)
            .map(|_| {
                let body = small.clone();
                let p = progress.clone();
                let key = &h.deep;
                async move {
                    match self.put_version(vb, key, body).await {
                        Ok(_) => {
                            p.done(HISTORY_BYTES as u64);
                            false
                        }
                        Err(e) => {
                            p.error("PutObject", e);
                            true
                        }
                    }
                }
            })
            .buffer_unordered(HISTORY_CLIENTS)
            .filter(|&failed| async move { failed })
            .count()
            .await;
        let elapsed = started.elapsed();
        drop(ticker);
        if failed > 0 {
            return Err(format!("{failed} of {} PUTs failed", versions - 1).into());
        }
        result(
            "versions_history_put_ops_s",
            (versions - 1) as f64 / elapsed.as_secs_f64().max(1e-9),
            "ops/s",
        );
        self.put_version(vb, &h.deep, latest.clone()).await?;
        for _ in 1..SHALLOW_VERSIONS {
            self.put_version(vb, &h.shallow, small.clone()).await?;
        }
        self.put_version(vb, &h.shallow, latest.clone()).await?;
        self.put_version(vb, &h.single, latest).await?;
        eprintln!(
            "[versions] {} has {} versions, {} has {SHALLOW_VERSIONS}, {} has 1",
            h.deep, h.versions, h.shallow, h.single
        );
        Ok(h)
    }

    /// One ListObjectVersions page of `key`'s versions after `after`.
    async fn list_page(
        &self,
        vb: &str,
        key: &str,
        max_keys: i32,
        after: &Marker,
    ) -> Result<Page, String> {
        let mut req = self
            .client
            .list_object_versions()
            .bucket(vb)
            .prefix(key)
            .max_keys(max_keys);
        if let Some((k, v)) = after {
            req = req.key_marker(k).version_id_marker(v);
        }
        let t0 = Instant::now();
        let out = req
            .send()
            .await
            .map_err(|e| format!("ListObjectVersions {key}: {}", describe(&e)))?;
        let took = t0.elapsed();
        let next = if out.is_truncated() == Some(true) {
            match (out.next_key_marker(), out.next_version_id_marker()) {
                (Some(k), Some(v)) => Some((k.to_string(), v.to_string())),
                _ => {
                    return Err(format!(
                        "ListObjectVersions {key}: a truncated page without next markers"
                    ))
                }
            }
        } else {
            None
        };
        Ok(Page {
            took,
            versions: out
                .versions()
                .iter()
                .map(|v| (v.size().unwrap_or(-1), v.is_latest() == Some(true)))
                .collect(),
            markers: out.delete_markers().len(),
            next,
        })
    }

    /// ListObjectVersions page times: the deep key walked in pages of
    /// `page`, the shallow key with the same request, and pages of 10 of
    /// the deep key at the walk's page starts.
    async fn versions_list(&self, vb: &str, h: &History, page: i32) -> Result<(), BoxError> {
        let shallow_page = i32::try_from(SHALLOW_VERSIONS)?;
        let (mut deep, mut shallow, mut deep10) =
            (Samples::default(), Samples::default(), Samples::default());
        let mut starts: Vec<Marker> = Vec::new();
        for round in 0..LIST_ROUNDS {
            // The deep key, newest to oldest.
            let mut after: Marker = None;
            let mut seen = Vec::new();
            loop {
                let p = self.list_page(vb, &h.deep, page, &after).await?;
                deep.0.push(p.took);
                if p.markers > 0 {
                    return Err(format!("{}: {} delete markers", h.deep, p.markers).into());
                }
                seen.extend(p.versions);
                if round == 0 {
                    starts.push(after.take());
                }
                match p.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            check_history(&h.deep, &seen, h.versions)?;
            let requests = starts.len().max(MIN_LIST_REQUESTS);
            // The shallow key, as many times.
            for _ in 0..requests {
                let p = self.list_page(vb, &h.shallow, page, &None).await?;
                shallow.0.push(p.took);
                check_history(&h.shallow, &p.versions, SHALLOW_VERSIONS)?;
            }
            // Pages of 10 of the deep key, at the walk's page starts.
            for i in 0..requests {
                let at = &starts[i % starts.len()];
                let p = self.list_page(vb, &h.deep, shallow_page, at).await?;
                deep10.0.push(p.took);
                if p.versions.len() != SHALLOW_VERSIONS.min(h.versions) && p.next.is_some() {
                    return Err(format!(
                        "{}: a page of {shallow_page} held {} versions",
                        h.deep,
                        p.versions.len()
                    )
                    .into());
                }
            }
        }
        let n = h.versions;
        eprintln!(
            "[versions-list] ListObjectVersions, one request at a time, {LIST_ROUNDS} rounds:"
        );
        eprintln!(
            "[versions-list]   {n} versions, max-keys {page} ({} pages walked): {} requests",
            starts.len(),
            deep.0.len()
        );
        let d = deep.report("versions_list_deep");
        eprintln!(
            "[versions-list]   {SHALLOW_VERSIONS} versions, max-keys {page}: {} requests",
            shallow.0.len()
        );
        let s = shallow.report("versions_list_shallow");
        eprintln!(
            "[versions-list]   {n} versions, max-keys {shallow_page} at those page starts: {} requests",
            deep10.0.len()
        );
        let d10 = deep10.report("versions_list_deep_10");
        result("versions_list_deep_ratio", ratio(d, s), "ratio");
        result("versions_list_deep_10_ratio", ratio(d10, s), "ratio");
        eprintln!(
            "[versions-list] median page: {d:.3} ms ({n} versions, {page} entries) / {d10:.3} ms ({n} versions, {SHALLOW_VERSIONS} entries) / {s:.3} ms ({SHALLOW_VERSIONS} versions)"
        );
        Ok(())
    }

    /// GETs of the deep key's latest version and of the single key, in the
    /// order deep, single, single, deep.
    async fn versions_get(&self, vb: &str, h: &History, clients: usize) -> Result<(), BoxError> {
        let size = SMALL_BYTES as u64;
        let (mut deep, mut single) = (Vec::new(), Vec::new());
        for is_deep in [true, false, false, true] {
            if is_deep {
                let keys = std::slice::from_ref(&h.deep);
                deep.push(
                    self.get_loop(vb, "get latest of deep key", clients, keys, size)
                        .await?,
                );
            } else {
                let keys = std::slice::from_ref(&h.single);
                single.push(
                    self.get_loop(vb, "get single-version key", clients, keys, size)
                        .await?,
                );
            }
        }
        let (d, s) = (Figures::of(&deep), Figures::of(&single));
        for (side, f) in [("deep", d), ("single", s)] {
            let name = format!("versions_get_{side}");
            result(&format!("{name}_ops_s"), f.ops_s, "ops/s");
            result(&format!("{name}_p50_ms"), f.p50_ms, "ms");
            result(&format!("{name}_p99_ms"), f.p99_ms, "ms");
            if f.errors > 0 {
                println!("RESULT {name}_errors {} count", f.errors);
            }
        }
        result("versions_get_deep_ratio", ratio(d.ops_s, s.ops_s), "ratio");
        eprintln!(
            "[versions-get] latest 4 KiB, x{clients}: {:.0} ops/s p50 {:.3} ms ({} versions) / {:.0} ops/s p50 {:.3} ms (1 version), ratio {:.3}",
            d.ops_s,
            d.p50_ms,
            h.versions,
            s.ops_s,
            s.p50_ms,
            ratio(d.ops_s, s.ops_s)
        );
        let errors = d.errors + s.errors;
        if errors > 0 {
            return Err(format!("{errors} failed GETs").into());
        }
        Ok(())
    }

    /// Deletes every version and delete marker under `prefix` of `vb`
    /// (best effort).
    async fn purge_versions(&self, vb: &str, prefix: &str) {
        let mut ids = Vec::new();
        let mut after: Marker = None;
        loop {
            let mut req = self
                .client
                .list_object_versions()
                .bucket(vb)
                .prefix(prefix)
                .max_keys(1000);
            if let Some((k, v)) = &after {
                req = req.key_marker(k).version_id_marker(v);
            }
            let out = match req.send().await {
                Ok(out) => out,
                Err(e) => {
                    eprintln!(
                        "warning: could not list the versions of {vb}: {}",
                        describe(&e)
                    );
                    break;
                }
            };
            let versions = out.versions().iter().map(|v| (v.key(), v.version_id()));
            let markers = out
                .delete_markers()
                .iter()
                .map(|m| (m.key(), m.version_id()));
            for (k, v) in versions.chain(markers) {
                if let (Some(k), Some(v)) = (k, v) {
                    ids.push((k.to_string(), v.to_string()));
                }
            }
            match (
                out.is_truncated(),
                out.next_key_marker(),
                out.next_version_id_marker(),
            ) {
                (Some(true), Some(k), Some(v)) => after = Some((k.to_string(), v.to_string())),
                _ => break,
            }
        }
        let total = ids.len();
        let ids: Vec<_> = ids.into_iter().map(|(k, v)| (k, Some(v))).collect();
        let started = Instant::now();
        let failed = self.delete_all(vb, &ids).await;
        let secs = started.elapsed().as_secs_f64();
        if failed > 0 {
            eprintln!("warning: could not delete {failed} of {total} versions in {vb}");
        } else if total > 0 {
            // Mostly the deep key's history, newest first: what a user
            // emptying a versioned bucket waits for.
            eprintln!("[versions] deleted {total} versions by id in {secs:.2} s");
            result(
                "versions_purge_per_s",
                total as f64 / secs.max(1e-3),
                "versions/s",
            );
        }
    }
}

/// A whole listing of a key: `want` versions, the first the latest 4 KiB
/// one and no other latest.
fn check_history(key: &str, seen: &[(i64, bool)], want: usize) -> Result<(), String> {
    if seen.len() != want {
        return Err(format!(
            "{key}: ListObjectVersions listed {} versions, want {want}",
            seen.len()
        ));
    }
    let latest: Vec<usize> = (0..seen.len()).filter(|&i| seen[i].1).collect();
    if latest != [0] {
        return Err(format!(
            "{key}: the latest flag is on versions {latest:?}, want only the first"
        ));
    }
    if seen[0].0 != SMALL_BYTES as i64 {
        return Err(format!(
            "{key}: the latest version has {} bytes, want {SMALL_BYTES}",
            seen[0].0
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_bucket_name_fits() {
        assert_eq!(
            versioned_bucket_name("bench", "bench-0123abcd"),
            "bench-v-0123abcd"
        );
        let long = "a".repeat(63);
        let name = versioned_bucket_name(&long, "bench-0123abcd");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("-v-0123abcd"));
        // No `-` or `.` doubled up before the suffix.
        let name = versioned_bucket_name(&format!("{}-b", "a".repeat(51)), "bench-0123abcd");
        assert_eq!(name, format!("{}-v-0123abcd", "a".repeat(51)));
    }

    #[test]
    fn skip_versions_skips_the_three() {
        let all = Wanted::from_skip(&[]);
        assert_eq!(
            all.names(),
            ["versions-put", "versions-list", "versions-get"]
        );
        assert!(!Wanted::from_skip(&[Phase::Versions]).any());
        let w = Wanted::from_skip(&[Phase::VersionsPut, Phase::VersionsGet]);
        assert_eq!(w.names(), ["versions-list"]);
    }

    #[test]
    fn history_check() {
        let ok = [(SMALL_BYTES as i64, true), (64, false), (64, false)];
        assert!(check_history("k", &ok, 3).is_ok());
        assert!(check_history("k", &ok, 4).is_err());
        assert!(check_history("k", &[(64, true), (64, false)], 2).is_err());
        assert!(check_history("k", &[(4096, true), (64, true)], 2).is_err());
        assert!(check_history("k", &[(4096, false), (64, true)], 2).is_err());
    }

    #[test]
    fn legs_are_taken_together() {
        let leg = |n: u64, secs: u64, bytes: u64| {
            let progress = Arc::new(Progress::default());
            progress.add_bytes(bytes);
            Timed {
                progress,
                elapsed: Duration::from_secs(secs),
                latencies: (1..=n).map(Duration::from_millis).collect(),
                keys: Vec::new(),
            }
        };
        let f = Figures::of(&[leg(30, 1, 3_000_000), leg(10, 3, 1_000_000)]);
        assert_eq!(f.ops_s, 10.0);
        assert_eq!(f.mb_s, 1.0);
        assert_eq!(f.p50_ms, 10.0);
        assert_eq!(f.p99_ms, 30.0);
        assert_eq!(f.errors, 0);
        assert_eq!(Figures::of(&[]).ops_s, 0.0);
    }

    #[test]
    fn ratio_of_nothing_is_zero() {
        assert_eq!(ratio(1.0, 0.0), 0.0);
        assert_eq!(ratio(9.0, 10.0), 0.9);
    }
}
