//! The `lifecycle` phase: how fast the store's lifecycle walk expires
//! objects, and what that costs foreground traffic.
//!
//! Off unless `--lifecycle-objects N` is given (N > 0): it needs a store
//! whose lifecycle day (`PREDASTORE_LIFECYCLE_DAY_SECS`) is short and
//! equal to `--lifecycle-day-secs`, and whose `/metrics` (`--metrics-url`,
//! by default the endpoint's; plain `http://` only) it reads. Steps:
//!
//! 1. In a bucket of its own (`<bucket>-lc-<run>`, created and removed by
//!    the run), N objects of 1 KiB are PUT under `expire/` by
//!    `--small-clients` clients (`lifecycle_fill_put_*`).
//! 2. Idle foreground: 4 KiB PUTs, then GETs of what was put, on the run's
//!    `--bucket` (which has no rules), `--small-clients` clients for
//!    `--seconds` each, as the `small` phase does (`lifecycle_put_idle_*`,
//!    `lifecycle_get_idle_*`).
//! 3. Two lifecycle days after the last PUT of step 1 (when every object
//!    is past its expiry), the rule `Expiration Days=1` on prefix
//!    `expire/` is PUT; that is t0. The same foreground loops run again
//!    (`lifecycle_put_during_*`, `lifecycle_get_during_*`, and the
//!    `*_during_ratio`s, during / idle), while a task reads
//!    `predastore_lifecycle_expired_objects_total` every 100 ms; after
//!    them it goes on until the counter has risen by N (at most
//!    N / 100 s + 60 s after t0). t1 is the first reading at +N;
//!    `lifecycle_expire_objects_per_sec` is N / (t1 - t0).
//! 4. A ListObjectsV2 of `expire/` must find nothing.
//!
//! `lifecycle_during_overlap_ratio` is the share of the second foreground
//! run spent before t1: below 1, part of the "during" figures was taken
//! after the expiration had ended (a small N).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter,
};

use super::metrics_page::{default_metrics_url, metric_value, scrape, MetricsUrl};
use super::report::{
    describe, random_bytes, report_small, result, result_errors, Progress, Ticker,
};
use super::requests::put_bytes;
use super::{Bench, BenchArgs, BoxError, Phase, Timed, SMALL_BYTES};

/// Size of each object left to expire.
const EXPIRING_BYTES: usize = 1024;
/// Where the objects to expire are, and the rule's prefix.
const PREFIX: &str = "expire/";
/// The store's counter of expired object versions.
const EXPIRED_METRIC: &str = "predastore_lifecycle_expired_objects_total";
/// The store's count of records the walk in progress has looked at.
const EXAMINED_METRIC: &str = "predastore_lifecycle_walk_examined";
/// How often the expired counter is read.
const POLL: Duration = Duration::from_millis(100);
/// How often the reading is shown once the foreground loops are over.
const SHOW_EVERY: Duration = Duration::from_secs(5);
/// Tries of each PUT of step 1 before the phase gives up.
const PUT_ATTEMPTS: usize = 3;
/// Slack added to the two-day wait, for the store stamping a PUT a little
/// before the client sees its answer.
const WAIT_SLACK: Duration = Duration::from_millis(250);

/// Runs the lifecycle phase if `--lifecycle-objects` asks for it and
/// `--skip` does not name it; pushes its name onto `failed` if it fails.
pub(super) async fn run(bench: &Bench, args: &BenchArgs, failed: &mut Vec<&'static str>) {
    if args.lifecycle_objects == 0 || args.skip.contains(&Phase::Lifecycle) {
        return;
    }
    let name = Phase::Lifecycle.name();
    let url = args
        .metrics_url
        .clone()
        .unwrap_or_else(|| default_metrics_url(&args.endpoint));
    let metrics = match MetricsUrl::parse(&url) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("lifecycle phase failed: --metrics-url {url}: {e}");
            failed.push(name);
            return;
        }
    };
    let settings = Settings {
        objects: args.lifecycle_objects,
        day: Duration::from_secs(args.lifecycle_day_secs),
        clients: usize::try_from(args.small_clients).unwrap_or(1),
        metrics,
    };
    let lb = lifecycle_bucket_name(&bench.bucket, &bench.run_id);
    if let Err(e) = bench.client.create_bucket().bucket(&lb).send().await {
        eprintln!("lifecycle phase failed: bucket {lb}: {}", describe(&e));
        failed.push(name);
        return;
    }
    eprintln!(
        "[lifecycle] bucket {lb}, {} objects under {PREFIX}, a lifecycle day of {} s, metrics from {url}",
        settings.objects, args.lifecycle_day_secs
    );
    if let Err(e) = bench.lifecycle(&lb, &settings).await {
        eprintln!("lifecycle phase failed: {e}");
        failed.push(name);
    }
    bench.empty_bucket(&lb).await;
    if let Err(e) = bench.client.delete_bucket().bucket(&lb).send().await {
        eprintln!("warning: could not delete bucket {lb}: {}", describe(&e));
    }
}

/// `<bucket>-lc-<run>`, within S3's 63 characters.
fn lifecycle_bucket_name(bucket: &str, run_id: &str) -> String {
    let run = run_id.trim_start_matches("bench-");
    let room = 63usize.saturating_sub(run.len() + 4);
    let base: String = bucket.chars().take(room).collect();
    let base = base.trim_end_matches(['-', '.']);
    format!("{base}-lc-{run}")
}

/// The key of the `i`-th object to expire.
fn expiring_key(i: u64) -> String {
    format!("{PREFIX}{i:08}")
}

/// The phase's settings, from the command line.
struct Settings {
    /// Objects to expire.
    objects: u64,
    /// The store's lifecycle day.
    day: Duration,
    /// Clients of the fill and of the foreground loops.
    clients: usize,
    metrics: MetricsUrl,
}

/// Which foreground run: before the rule or while it is carried out.
#[derive(Clone, Copy)]
enum Leg {
    Idle,
    During,
}

impl Leg {
    /// The RESULT names of its PUT and GET loops.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Leg::Idle => ("lifecycle_put_idle", "lifecycle_get_idle"),
            Leg::During => ("lifecycle_put_during", "lifecycle_get_during"),
        }
    }

    /// The progress-line names of its PUT and GET loops.
    fn tickers(self) -> (&'static str, &'static str) {
        match self {
            Leg::Idle => ("lifecycle idle put", "lifecycle idle get"),
            Leg::During => (
                "lifecycle put while expiring",
                "lifecycle get while expiring",
            ),
        }
    }

    /// The key segment of its PUTs (under the run's prefix).
    fn segment(self) -> &'static str {
        match self {
            Leg::Idle => "lifecycle-idle",
            Leg::During => "lifecycle-during",
        }
    }
}

/// What the watch of the expired counter saw.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Expiry {
    /// From t0 to the first reading above the start.
    first: Option<Duration>,
    /// From t0 to the first reading at +N.
    done: Duration,
    /// Most records a walk was seen to have looked at.
    examined: u64,
}

/// Requests per second of a loop: the requests that succeeded over its time.
fn ops_per_sec(t: &Timed) -> f64 {
    t.latencies.len() as f64 / t.elapsed.as_secs_f64().max(1e-9)
}

/// `a / b`, or 0 when `b` is not positive.
pub(super) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

impl Bench {
    /// Steps 1 to 4 of the phase on the bucket `lb`.
    async fn lifecycle(&self, lb: &str, s: &Settings) -> Result<(), BoxError> {
        // Fail before the fill if the counter cannot be read.
        let start = expired_count(&s.metrics).await?;
        if start > 0 {
            eprintln!("[lifecycle] the store has expired {start} objects before this run");
        }
        let last_put = self.fill(lb, s.objects, s.clients).await?;

        let (idle_put, idle_get) = self.foreground(Leg::Idle, s.clients).await?;
        self.delete_keys("lifecycle", idle_put.keys.clone()).await;

        let ready = last_put + 2 * s.day + WAIT_SLACK;
        let now = Instant::now();
        if ready > now {
            eprintln!(
                "[lifecycle] waiting {:.1} s for every object to be past its expiry",
                (ready - now).as_secs_f64()
            );
            tokio::time::sleep_until(ready.into()).await;
        }
        let before = expired_count(&s.metrics).await?;
        self.put_rule(lb).await?;
        let t0 = Instant::now();
        eprintln!("[lifecycle] rule Expiration Days=1 on {PREFIX} in place; expiring while the foreground loops run");
        let deadline = Duration::from_secs(s.objects / 100 + 60);
        let show = Arc::new(AtomicBool::new(false));
        let watch = tokio::spawn(watch(
            s.metrics.clone(),
            before,
            s.objects,
            t0,
            deadline,
            show.clone(),
        ));
        let during = self.foreground(Leg::During, s.clients).await;
        let foreground = t0.elapsed();
        show.store(true, Ordering::Relaxed);
        let expiry = watch.await;
        if let Ok((put, _)) = &during {
            self.delete_keys("lifecycle", put.keys.clone()).await;
        }
        let expiry = expiry??;
        let (during_put, during_get) = during?;

        let n = s.objects;
        let secs = expiry.done.as_secs_f64().max(1e-9);
        println!("RESULT lifecycle_objects {n} count");
        result(
            "lifecycle_expire_objects_per_sec",
            n as f64 / secs,
            "objects/s",
        );
        result("lifecycle_expire_s", secs, "s");
        if let Some(first) = expiry.first {
            result("lifecycle_expire_first_s", first.as_secs_f64(), "s");
        }
        eprintln!(
            "[lifecycle] {n} objects expired {secs:.3} s after the rule's PUT ({:.1}/s); the walk looked at {} records at most",
            n as f64 / secs,
            expiry.examined
        );
        let overlap = ratio(
            expiry.done.min(foreground).as_secs_f64(),
            foreground.as_secs_f64(),
        );
        result("lifecycle_during_overlap_ratio", overlap, "ratio");
        if overlap < 1.0 {
            eprintln!(
                "[lifecycle] expiration ended {secs:.1} s into the {:.1} s of foreground load: part of the `during` figures is idle",
                foreground.as_secs_f64()
            );
        }

        let ratios = [
            (
                "lifecycle_put_during_ratio",
                ratio(ops_per_sec(&during_put), ops_per_sec(&idle_put)),
            ),
            (
                "lifecycle_get_during_ratio",
                ratio(ops_per_sec(&during_get), ops_per_sec(&idle_get)),
            ),
        ];
        for (leg, (put, get)) in [
            (Leg::Idle, (idle_put, idle_get)),
            (Leg::During, (during_put, during_get)),
        ] {
            let (put_name, get_name) = leg.names();
            for (name, mut t) in [(put_name, put), (get_name, get)] {
                report_small(name, &t.progress, t.elapsed, &mut t.latencies);
            }
        }
        for (name, r) in ratios {
            result(name, r, "ratio");
        }
        self.check_expired(lb).await
    }

    /// Step 1: `n` objects of 1 KiB under `expire/` of `lb`, `clients` at
    /// a time; when the last PUT was answered.
    async fn fill(&self, lb: &str, n: u64, clients: usize) -> Result<Instant, BoxError> {
        let body = random_bytes(EXPIRING_BYTES);
        let progress = Arc::new(Progress::default());
        let ticker = Ticker::start("lifecycle fill", progress.clone());
        let next = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(clients);
        for _ in 0..clients {
            let client = self.client.clone();
            let bucket = lb.to_owned();
            let body = body.clone();
            let p = progress.clone();
            let next = next.clone();
            tasks.push(tokio::spawn(async move {
                let mut failed = 0u64;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let key = expiring_key(i);
                    let mut stored = false;
                    for _ in 0..PUT_ATTEMPTS {
                        let put = put_bytes(&client, &bucket, &key, &body).await;
                        match put {
                            Ok(_) => {
                                p.done(body.len() as u64);
                                stored = true;
                                break;
                            }
                            Err(e) => p.error("PutObject", describe(&e)),
                        }
                    }
                    if !stored {
                        failed += 1;
                    }
                }
                failed
            }));
        }
        let mut failed = 0u64;
        for t in tasks {
            failed += t.await?;
        }
        let last_put = Instant::now();
        let elapsed = started.elapsed().as_secs_f64().max(1e-9);
        drop(ticker);
        result_errors("lifecycle_fill_put", &progress);
        if failed > 0 {
            return Err(format!("{failed} of {n} PUTs failed {PUT_ATTEMPTS} times").into());
        }
        result("lifecycle_fill_put_ops_s", n as f64 / elapsed, "ops/s");
        result(
            "lifecycle_fill_put_mb_s",
            progress.bytes() as f64 / elapsed / 1e6,
            "MB/s",
        );
        Ok(last_put)
    }

    /// 4 KiB PUTs, then GETs of what was put, on the run's bucket, as the
    /// small phase; the PUT loop's keys stay for the caller to delete.
    async fn foreground(&self, leg: Leg, clients: usize) -> Result<(Timed, Timed), BoxError> {
        let (put_ticker, get_ticker) = leg.tickers();
        let put = self
            .put_loop(
                &self.bucket,
                put_ticker,
                leg.segment(),
                clients,
                random_bytes(SMALL_BYTES),
            )
            .await?;
        let size = SMALL_BYTES as u64;
        match self
            .get_loop(&self.bucket, get_ticker, clients, &put.keys, size)
            .await
        {
            Ok(get) => Ok((put, get)),
            Err(e) => {
                self.delete_keys("lifecycle", put.keys).await;
                Err(e)
            }
        }
    }

    /// PutBucketLifecycleConfiguration of `lb`: expire what is under
    /// `expire/` one day after it was written.
    async fn put_rule(&self, lb: &str) -> Result<(), BoxError> {
        let rule = LifecycleRule::builder()
            .id("bench-expire")
            .filter(LifecycleRuleFilter::builder().prefix(PREFIX).build())
            .status(ExpirationStatus::Enabled)
            .expiration(LifecycleExpiration::builder().days(1).build())
            .build()?;
        let config = BucketLifecycleConfiguration::builder()
            .rules(rule)
            .build()?;
        self.client
            .put_bucket_lifecycle_configuration()
            .bucket(lb)
            .lifecycle_configuration(config)
            .send()
            .await
            .map_err(|e| format!("PutBucketLifecycleConfiguration: {}", describe(&e)))?;
        Ok(())
    }

    /// Step 4: nothing is left under `expire/` of `lb`.
    async fn check_expired(&self, lb: &str) -> Result<(), BoxError> {
        let out = self
            .client
            .list_objects_v2()
            .bucket(lb)
            .prefix(PREFIX)
            .max_keys(1000)
            .send()
            .await
            .map_err(|e| format!("ListObjectsV2 {PREFIX}: {}", describe(&e)))?;
        let left = out.contents();
        if let Some(first) = left.first() {
            let more = if out.is_truncated() == Some(true) {
                " or more"
            } else {
                ""
            };
            return Err(format!(
                "the counter rose by N but {}{more} objects are still under {PREFIX} (first: {})",
                left.len(),
                first.key().unwrap_or("?")
            )
            .into());
        }
        eprintln!("[lifecycle] ListObjectsV2 {PREFIX}: empty");
        Ok(())
    }

    /// Deletes whatever is left in `lb` (best effort): ListObjectsV2 pages,
    /// DeleteObjects in batches of 1000.
    async fn empty_bucket(&self, lb: &str) {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .list_objects_v2()
                .bucket(lb)
                .max_keys(1000)
                .set_continuation_token(token.take())
                .send()
                .await;
            let out = match out {
                Ok(out) => out,
                Err(e) => {
                    eprintln!("warning: could not list {lb}: {}", describe(&e));
                    break;
                }
            };
            keys.extend(
                out.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            match out.next_continuation_token() {
                Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_owned()),
                _ => break,
            }
        }
        let total = keys.len();
        let ids: Vec<_> = keys.into_iter().map(|k| (k, None)).collect();
        let failed = self.delete_all(lb, &ids).await;
        if failed > 0 {
            eprintln!("warning: could not delete {failed} of {total} objects in {lb}");
        }
    }
}

/// Reads the expired counter every 100 ms until it has risen `n` above
/// `before` or `deadline` has passed since `t0`; shows the count every
/// 5 s once `show` is set.
async fn watch(
    metrics: MetricsUrl,
    before: u64,
    n: u64,
    t0: Instant,
    deadline: Duration,
    show: Arc<AtomicBool>,
) -> Result<Expiry, String> {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut first = None;
    let mut examined = 0u64;
    let mut expired = 0u64;
    let mut last_error: Option<String> = None;
    let mut shown: Option<Instant> = None;
    loop {
        tick.tick().await;
        match scrape(&metrics).await {
            Ok(text) => {
                let at = t0.elapsed();
                if let Some(e) = metric_value(&text, EXAMINED_METRIC) {
                    examined = examined.max(e);
                }
                match metric_value(&text, EXPIRED_METRIC) {
                    Some(v) => {
                        expired = v.saturating_sub(before);
                        if expired > 0 && first.is_none() {
                            first = Some(at);
                        }
                        if expired >= n {
                            return Ok(Expiry {
                                first,
                                done: at,
                                examined,
                            });
                        }
                    }
                    None => last_error = Some(format!("no {EXPIRED_METRIC} in the answer")),
                }
            }
            Err(e) => last_error = Some(e),
        }
        let elapsed = t0.elapsed();
        if elapsed >= deadline {
            let why = last_error
                .map(|e| format!("; last failed reading: {e}"))
                .unwrap_or_default();
            return Err(format!(
                "{expired} of {n} objects expired {:.0} s after the rule's PUT (the deadline){why}",
                elapsed.as_secs_f64()
            ));
        }
        if show.load(Ordering::Relaxed) && shown.is_none_or(|s| s.elapsed() >= SHOW_EVERY) {
            shown = Some(Instant::now());
            eprintln!(
                "[lifecycle expiry] {:.0} s: {expired} of {n} expired ({:.0}/s), walk examined {examined}",
                elapsed.as_secs_f64(),
                expired as f64 / elapsed.as_secs_f64().max(1e-9)
            );
        }
    }
}

/// The store's expired counter now.
async fn expired_count(metrics: &MetricsUrl) -> Result<u64, String> {
    let text = scrape(metrics)
        .await
        .map_err(|e| format!("{}: {e}", metrics.url))?;
    metric_value(&text, EXPIRED_METRIC).ok_or_else(|| {
        format!(
            "{}: no {EXPIRED_METRIC} (a store without lifecycle support?)",
            metrics.url
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<BenchArgs, clap::Error> {
        <BenchArgs as clap::Parser>::try_parse_from(
            std::iter::once("predastore-bench").chain(args.iter().copied()),
        )
    }

    #[test]
    fn options_default_and_range() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.lifecycle_objects, 0);
        assert_eq!(args.lifecycle_day_secs, 1);
        assert_eq!(args.metrics_url, None);
        assert!(parse(&["--lifecycle-day-secs", "0"]).is_err());
        let args = parse(&[
            "--lifecycle-objects",
            "2000",
            "--lifecycle-day-secs",
            "2",
            "--metrics-url",
            "http://127.0.0.1:9/metrics",
        ])
        .unwrap();
        assert_eq!((args.lifecycle_objects, args.lifecycle_day_secs), (2000, 2));
        assert_eq!(
            args.metrics_url.as_deref(),
            Some("http://127.0.0.1:9/metrics")
        );
        assert_eq!(
            parse(&["--skip", "lifecycle"]).unwrap().skip,
            [Phase::Lifecycle]
        );
    }

    #[test]
    fn bucket_name_fits() {
        assert_eq!(
            lifecycle_bucket_name("bench", "bench-0123abcd"),
            "bench-lc-0123abcd"
        );
        let name = lifecycle_bucket_name(&"a".repeat(63), "bench-0123abcd");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("-lc-0123abcd"));
        let name = lifecycle_bucket_name(&format!("{}-b", "a".repeat(50)), "bench-0123abcd");
        assert_eq!(name, format!("{}-lc-0123abcd", "a".repeat(50)));
    }

    #[test]
    fn ratio_of_nothing_is_zero() {
        assert_eq!(ratio(1.0, 0.0), 0.0);
        assert_eq!(ratio(9.0, 10.0), 0.9);
    }
}
