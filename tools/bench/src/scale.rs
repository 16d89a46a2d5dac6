//! The `scale` phase: does the store stay flat as the object count grows?
//!
//! Off unless `--scale-objects N` is given (N > 0): it writes N objects and
//! leaves them (deleting a million objects one by one would take longer
//! than writing them; `scripts/bench-scale.sh` throws the whole cluster
//! away instead). In a bucket of its own, `<run>-scale`, created by the
//! phase:
//!
//! 1. N objects of `--scale-object-bytes` (1 KiB by default, kept inline
//!    in the metadata at the store's default settings) are PUT under
//!    `scale/0000000000`, `scale/0000000001`, … in that order by
//!    `--scale-clients` clients, each taking the next index from a shared
//!    counter. A failed PUT is tried again with backoff (50 ms doubling to
//!    2 s); its latency runs from the first try, and every failed try is
//!    counted in `scale_put_errors`. One that still fails after 60 s
//!    stops the load, and the phase fails.
//! 2. At 10,000 objects, at every multiple of `--scale-probe-every` and at
//!    N, the PUT load pauses and the same clients send `--scale-probe-keys`
//!    HeadObjects, then as many GetObjects, of random keys already stored:
//!    `scale_head_p50_ms_at_<n>`, `scale_head_p99_ms_at_<n>`, and the same
//!    for `get`. `scale_head_p99_growth` and `scale_get_p99_growth` are the
//!    p99 at N over the p99 at the first probe (10,000 objects).
//! 3. PUT rates per window of `--scale-probe-every` objects, without the
//!    probes' time: `scale_put_ops_s_<from>_<to>` and the window's p99;
//!    `scale_put_first_window_ops_s`, `scale_put_last_window_ops_s` (the
//!    last full window) and `scale_put_last_over_first`.
//! 4. A ListObjectsV2 walk of `scale/` with the store's default page
//!    (1000 keys): `scale_list_walk_s`, `scale_list_pages_s`,
//!    `scale_list_keys_s`, `scale_list_keys` and the slowest pages' p99;
//!    then the same with ListObjectVersions (`scale_list_versions_*`).
//!    Every key stored must come back once and in order.
//!
//! `scale_errors` counts probe requests that failed or answered the wrong
//! length, and listing faults (1 if the load stopped); above 0 the phase
//! fails.
//! Progress goes to stderr every 10 s.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;
use bytes::Bytes;
use rand::Rng;

use super::lifecycle::ratio;
use super::report::{describe, percentile, random_bytes, result, result_errors, Progress};
use super::requests::put_bytes;
use super::{get_object, Bench, BenchArgs, BoxError};

mod list;

use list::Listing;

/// Objects at the first probe, the base of the growth ratios.
const FIRST_PROBE: u64 = 10_000;
/// Where the objects are, and the listing's prefix.
const PREFIX: &str = "scale/";
/// How long a PUT (or a listing page) is tried again, with backoff, before
/// it counts as lost: a store that answers 503 SlowDown, or has no
/// metadata leader for a moment on a loaded machine, is waited for.
const RETRY_FOR: Duration = Duration::from_secs(60);
/// Pause before the first retry; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// Longest pause between two tries.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// How often a progress line is printed.
const SHOW_EVERY: Duration = Duration::from_secs(10);
/// Failed requests shown one by one on stderr; later ones are only counted.
const ERRORS_SHOWN: u64 = 10;

/// Options of the `scale` phase.
#[derive(clap::Args, Debug, Clone)]
pub struct ScaleArgs {
    /// Objects the `scale` phase writes and leaves in its bucket; 0 (the
    /// default) leaves the phase off (`scripts/bench-scale.sh` runs it on
    /// a cluster it throws away afterwards).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=100_000_000))]
    pub scale_objects: u64,
    /// Size of each object of the `scale` phase, in bytes.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=(16 << 20)))]
    pub scale_object_bytes: u64,
    /// Concurrent clients of the `scale` phase (PUTs and probes).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub scale_clients: u64,
    /// Objects between two HEAD/GET probes of the `scale` phase (also the
    /// PUT rate's window); there is one at 10,000 objects too.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub scale_probe_every: u64,
    /// HeadObjects, and then GetObjects, of each probe.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub scale_probe_keys: u64,
}

/// Runs the scale phase if `--scale-objects` asks for it; pushes its name
/// onto `failed` if it fails.
pub(super) async fn run(bench: &Bench, args: &BenchArgs, failed: &mut Vec<&'static str>) {
    let opts = &args.scale;
    if opts.scale_objects == 0 {
        return;
    }
    let settings = match Settings::from_args(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scale phase failed: {e}");
            failed.push("scale");
            return;
        }
    };
    let bucket = format!("{}-scale", bench.run_id);
    if let Err(e) = bench.client.create_bucket().bucket(&bucket).send().await {
        eprintln!("scale phase failed: bucket {bucket}: {}", describe(&e));
        failed.push("scale");
        return;
    }
    eprintln!(
        "[scale] bucket {bucket}: {} objects of {} bytes under {PREFIX}, {} clients, a probe at {} objects and every {}",
        settings.objects,
        settings.body.len(),
        settings.clients,
        FIRST_PROBE.min(settings.objects),
        settings.every
    );
    let scale = Scale {
        client: bench.client.clone(),
        bucket: bucket.clone(),
        checksums: bench.checksums,
        s: settings,
    };
    match scale.phase().await {
        Ok(0) => {}
        Ok(errors) => {
            eprintln!("scale phase failed: {errors} errors (see above)");
            failed.push("scale");
        }
        Err(e) => {
            eprintln!("scale phase failed: {e}");
            failed.push("scale");
        }
    }
    eprintln!("[scale] the objects stay in bucket {bucket}");
}

/// The phase's settings, from the command line.
struct Settings {
    objects: u64,
    body: Bytes,
    clients: usize,
    every: u64,
    probe_keys: usize,
}

impl Settings {
    /// The settings `a` asks for, with the objects' bytes drawn once.
    fn from_args(a: &ScaleArgs) -> Result<Settings, BoxError> {
        Ok(Settings {
            objects: a.scale_objects,
            body: random_bytes(usize::try_from(a.scale_object_bytes)?),
            clients: usize::try_from(a.scale_clients)?,
            every: a.scale_probe_every,
            probe_keys: usize::try_from(a.scale_probe_keys)?,
        })
    }
}

/// The key of the `i`-th object: zero-padded, so key order is index order.
fn scale_key(i: u64) -> String {
    format!("{PREFIX}{i:010}")
}

/// Object counts at which the load pauses for a probe: 10,000 (or N if
/// smaller), every multiple of `every` below N, and N; sorted, no repeats.
fn probe_points(n: u64, every: u64) -> Vec<u64> {
    let mut points = vec![FIRST_PROBE.min(n), n];
    points.extend((1..).map(|k| k * every).take_while(|&p| p < n));
    points.sort_unstable();
    points.dedup();
    points
}

/// The PUT rate's windows: `[k·every, (k+1)·every)`, the last cut at N.
fn windows(n: u64, every: u64) -> Vec<(u64, u64)> {
    (0..n.div_ceil(every))
        .map(|k| (k * every, ((k + 1) * every).min(n)))
        .collect()
}

/// The window the rate goals compare with the first: the last full one
/// (the last one if none is full).
fn last_full_window(windows: &[(u64, u64)], every: u64) -> Option<usize> {
    windows
        .iter()
        .rposition(|(a, b)| b - a == every)
        .or_else(|| windows.len().checked_sub(1))
}

/// Milliseconds of a duration, for RESULT lines.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints a line to stderr every [`SHOW_EVERY`] until dropped.
struct Shower(tokio::task::JoinHandle<()>);

impl Shower {
    /// Starts printing `line()`; the first line comes after one period.
    fn start(mut line: impl FnMut() -> String + Send + 'static) -> Shower {
        Shower(tokio::spawn(async move {
            let mut tick = tokio::time::interval(SHOW_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                eprintln!("{}", line());
            }
        }))
    }
}

impl Drop for Shower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Counts a failed request in `p`, and shows it if it is one of the first.
fn failed(p: &Progress, what: &str, why: impl std::fmt::Display) {
    p.error(what, &why);
    if p.errors() <= ERRORS_SHOWN {
        eprintln!("[scale] {what}: {why}");
    }
}

/// Tries of one request: backoff between them, and a deadline.
struct Retry {
    started: Instant,
    pause: Duration,
}

impl Retry {
    /// The first try, now.
    fn new() -> Retry {
        Retry {
            started: Instant::now(),
            pause: FIRST_BACKOFF,
        }
    }

    /// Waits before the next try; false once [`RETRY_FOR`] has passed.
    async fn wait(&mut self) -> bool {
        if self.started.elapsed() + self.pause > RETRY_FOR {
            return false;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(MAX_BACKOFF);
        true
    }
}

/// PUTs of the objects between two probes.
struct Segment {
    from: u64,
    to: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// What one probe measured.
struct Probe {
    at: u64,
    head: Vec<Duration>,
    get: Vec<Duration>,
}

/// The PUT load's shared state.
struct Load {
    progress: Arc<Progress>,
    /// Objects stored so far.
    stored: Arc<AtomicU64>,
    /// Set when a PUT failed for [`RETRY_FOR`]: the load stops.
    stop: Arc<AtomicBool>,
}

/// The phase on its bucket.
struct Scale {
    client: Client,
    bucket: String,
    checksums: bool,
    s: Settings,
}

impl Scale {
    /// Steps 1 to 4; the number of errors.
    async fn phase(&self) -> Result<u64, BoxError> {
        let n = self.s.objects;
        let load = Load {
            progress: Arc::new(Progress::default()),
            stored: Arc::new(AtomicU64::new(0)),
            stop: Arc::default(),
        };
        let probes_progress = Progress::default();
        let started = Instant::now();
        let shower = {
            let stored = load.stored.clone();
            let progress = load.progress.clone();
            let mut last = 0u64;
            Shower::start(move || {
                let now = stored.load(Ordering::Relaxed);
                let rate = (now - last.min(now)) as f64 / SHOW_EVERY.as_secs_f64();
                last = now;
                format!(
                    "[scale] {:.0} s: {now}/{n} objects stored, {rate:.0} PUT/s over the last {} s, {} failed requests",
                    started.elapsed().as_secs_f64(),
                    SHOW_EVERY.as_secs(),
                    progress.errors()
                )
            })
        };
        let (mut segments, mut probes) = (Vec::new(), Vec::new());
        let mut from = 0;
        for at in probe_points(n, self.s.every) {
            segments.push(self.put_range(&load, from, at).await?);
            if load.stop.load(Ordering::Relaxed) {
                println!("RESULT scale_errors 1 count");
                return Err(format!(
                    "a PUT failed for {} s: the load stopped at {} objects",
                    RETRY_FOR.as_secs(),
                    load.stored.load(Ordering::Relaxed)
                )
                .into());
            }
            from = at;
            probes.push(self.probe(at, &probes_progress).await?);
        }
        drop(shower);
        eprintln!(
            "[scale] {} objects stored in {:.1} s with the probes",
            load.stored.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64()
        );
        println!("RESULT scale_objects {n} count");
        self.report_puts(&segments);
        result_errors("scale_put", &load.progress);
        report_probes(&probes);
        result_errors("scale_probe", &probes_progress);
        let list_errors =
            self.list_walk(Listing::V2).await? + self.list_walk(Listing::Versions).await?;

        let errors = probes_progress.errors() + list_errors;
        println!("RESULT scale_errors {errors} count");
        Ok(errors)
    }

    /// PUTs objects `from..to`, the clients taking indices from a shared
    /// counter; sets `load.stop` and ends early if one fails for
    /// [`RETRY_FOR`].
    async fn put_range(&self, load: &Load, from: u64, to: u64) -> Result<Segment, BoxError> {
        let next = Arc::new(AtomicU64::new(from));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(self.s.clients);
        for _ in 0..self.s.clients {
            let client = self.client.clone();
            let bucket = self.bucket.clone();
            let size = self.s.body.len();
            let (next, p) = (next.clone(), load.progress.clone());
            let (stored, stop) = (load.stored.clone(), load.stop.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                'objects: while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= to {
                        break;
                    }
                    let key = scale_key(i);
                    // Each object its own random bytes, as real objects
                    // are: one body repeated would let block compression
                    // shrink the metadata as no user's data would.
                    let body = random_bytes(size);
                    let mut retry = Retry::new();
                    loop {
                        match put_bytes(&client, &bucket, &key, &body).await {
                            Ok(_) => {
                                // From the first try: what the client waited.
                                latencies.push(retry.started.elapsed());
                                p.done(body.len() as u64);
                                stored.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            Err(e) => failed(&p, "PutObject", format!("{key}: {}", describe(&e))),
                        }
                        if stop.load(Ordering::Relaxed) {
                            break 'objects;
                        }
                        if !retry.wait().await {
                            eprintln!(
                                "[scale] error: {key} was not stored after {} s of tries: the load stops",
                                RETRY_FOR.as_secs()
                            );
                            stop.store(true, Ordering::Relaxed);
                            break 'objects;
                        }
                    }
                }
                latencies
            }));
        }
        let mut latencies = Vec::with_capacity(usize::try_from(to - from)?);
        for t in tasks {
            latencies.extend(t.await?);
        }
        Ok(Segment {
            from,
            to,
            elapsed: started.elapsed(),
            latencies,
        })
    }

    /// HEADs, then GETs, of `probe_keys` random stored keys below `at`.
    async fn probe(&self, at: u64, p: &Progress) -> Result<Probe, BoxError> {
        let picks: Vec<u64> = {
            let mut rng = rand::rng();
            (0..self.s.probe_keys)
                .map(|_| rng.random_range(0..at))
                .collect()
        };
        let picks: Arc<[u64]> = picks.into();
        let t0 = Instant::now();
        let head = self.probe_pass(&picks, Op::Head).await?;
        let t1 = Instant::now();
        let get = self.probe_pass(&picks, Op::Get).await?;
        let took = [t1 - t0, t1.elapsed()];
        let keep = |v: Vec<Result<Duration, String>>, op: Op| {
            let mut ok = Vec::with_capacity(v.len());
            for r in v {
                match r {
                    Ok(d) => ok.push(d),
                    Err(why) => failed(p, op.request(), why),
                }
            }
            ok.sort_unstable();
            ok
        };
        let (head, get) = (keep(head, Op::Head), keep(get, Op::Get));
        for ((op, sorted), took) in [(Op::Head, &head), (Op::Get, &get)].into_iter().zip(took) {
            eprintln!(
                "[scale] at {at} objects: {} {} in {:.2} s, p50 {:.2} ms, p99 {:.2} ms",
                sorted.len(),
                op.request(),
                took.as_secs_f64(),
                ms(percentile(sorted, 50.0)),
                ms(percentile(sorted, 99.0))
            );
        }
        Ok(Probe { at, head, get })
    }

    /// One request of `op` per index of `picks`, `clients` at a time; the
    /// latency of each, or why it failed.
    async fn probe_pass(
        &self,
        picks: &Arc<[u64]>,
        op: Op,
    ) -> Result<Vec<Result<Duration, String>>, BoxError> {
        let next = Arc::new(AtomicU64::new(0));
        let want = self.s.body.len() as u64;
        let mut tasks = Vec::with_capacity(self.s.clients);
        for _ in 0..self.s.clients {
            let (client, bucket) = (self.client.clone(), self.bucket.clone());
            let (picks, next) = (picks.clone(), next.clone());
            let checksums = self.checksums;
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::new();
                let take = || {
                    let slot = usize::try_from(next.fetch_add(1, Ordering::Relaxed)).ok()?;
                    picks.get(slot).copied()
                };
                while let Some(i) = take() {
                    let key = scale_key(i);
                    let t0 = Instant::now();
                    let len = match op {
                        Op::Head => client
                            .head_object()
                            .bucket(&bucket)
                            .key(&key)
                            .send()
                            .await
                            .map_err(|e| describe(&e))
                            .map(|h| h.content_length().and_then(|l| u64::try_from(l).ok())),
                        Op::Get => get_object(&client, &bucket, &key, checksums)
                            .await
                            .map(Some),
                    };
                    let took = t0.elapsed();
                    out.push(match len {
                        Ok(Some(n)) if n == want => Ok(took),
                        Ok(n) => Err(format!("{key}: length {n:?}, want {want}")),
                        Err(why) => Err(format!("{key}: {why}")),
                    });
                }
                out
            }));
        }
        let mut all = Vec::with_capacity(picks.len());
        for t in tasks {
            all.extend(t.await?);
        }
        Ok(all)
    }

    /// Step 3: the PUT rate of each window, from the segments in it.
    fn report_puts(&self, segments: &[Segment]) {
        let (n, every) = (self.s.objects, self.s.every);
        let windows = windows(n, every);
        let mut rates = Vec::with_capacity(windows.len());
        for &(a, b) in &windows {
            let inside = segments.iter().filter(|s| s.from >= a && s.to <= b);
            let (mut secs, mut latencies) = (0.0, Vec::new());
            for s in inside {
                secs += s.elapsed.as_secs_f64();
                latencies.extend_from_slice(&s.latencies);
            }
            latencies.sort_unstable();
            let rate = ratio(latencies.len() as f64, secs);
            result(&format!("scale_put_ops_s_{a}_{b}"), rate, "ops/s");
            result(
                &format!("scale_put_p99_ms_{a}_{b}"),
                ms(percentile(&latencies, 99.0)),
                "ms",
            );
            rates.push(rate);
        }
        let total: f64 = segments.iter().map(|s| s.elapsed.as_secs_f64()).sum();
        let stored: usize = segments.iter().map(|s| s.latencies.len()).sum();
        result("scale_put_ops_s", ratio(stored as f64, total), "ops/s");
        if let (Some(&first), Some(last)) = (rates.first(), last_full_window(&windows, every)) {
            result("scale_put_first_window_ops_s", first, "ops/s");
            result("scale_put_last_window_ops_s", rates[last], "ops/s");
            result(
                "scale_put_last_over_first",
                ratio(rates[last], first),
                "ratio",
            );
        }
    }
}

/// A probe's request.
#[derive(Clone, Copy)]
enum Op {
    Head,
    Get,
}

impl Op {
    /// Its name in RESULT lines.
    fn name(self) -> &'static str {
        match self {
            Op::Head => "head",
            Op::Get => "get",
        }
    }

    /// The S3 operation.
    fn request(self) -> &'static str {
        match self {
            Op::Head => "HeadObject",
            Op::Get => "GetObject",
        }
    }
}

/// Step 2's figures: percentiles at each probe, and their growth.
fn report_probes(probes: &[Probe]) {
    for p in probes {
        for (op, v) in [(Op::Head, &p.head), (Op::Get, &p.get)] {
            let name = op.name();
            let at = p.at;
            result(
                &format!("scale_{name}_p50_ms_at_{at}"),
                ms(percentile(v, 50.0)),
                "ms",
            );
            result(
                &format!("scale_{name}_p99_ms_at_{at}"),
                ms(percentile(v, 99.0)),
                "ms",
            );
        }
    }
    if let [first, .., last] = probes {
        for (name, a, b) in [
            ("head", &first.head, &last.head),
            ("get", &first.get, &last.get),
        ] {
            let growth = ratio(
                percentile(b, 99.0).as_secs_f64(),
                percentile(a, 99.0).as_secs_f64(),
            );
            result(&format!("scale_{name}_p99_growth"), growth, "ratio");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_at_ten_thousand_every_window_and_the_end() {
        assert_eq!(
            probe_points(1_000_000, 100_000),
            [
                10_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000, 700_000, 800_000,
                900_000, 1_000_000
            ]
        );
        assert_eq!(probe_points(30_000, 10_000), [10_000, 20_000, 30_000]);
        assert_eq!(probe_points(25_000, 10_000), [10_000, 20_000, 25_000]);
        assert_eq!(probe_points(5_000, 100_000), [5_000]);
        assert_eq!(probe_points(150_000, 100_000), [10_000, 100_000, 150_000]);
    }

    #[test]
    fn windows_cover_every_object_once() {
        assert_eq!(
            windows(30_000, 10_000),
            [(0, 10_000), (10_000, 20_000), (20_000, 30_000)]
        );
        assert_eq!(
            windows(25_000, 10_000),
            [(0, 10_000), (10_000, 20_000), (20_000, 25_000)]
        );
        assert_eq!(windows(5, 10), [(0, 5)]);
        // The rate goal compares the last full window, not a stub.
        assert_eq!(last_full_window(&windows(25_000, 10_000), 10_000), Some(1));
        assert_eq!(last_full_window(&windows(30_000, 10_000), 10_000), Some(2));
        assert_eq!(last_full_window(&windows(5, 10), 10), Some(0));
        // Every segment between two probes lies inside one window.
        let points = probe_points(1_050_000, 100_000);
        let mut from = 0;
        for to in points {
            assert!(windows(1_050_000, 100_000)
                .iter()
                .any(|&(a, b)| from >= a && to <= b));
            from = to;
        }
    }

    #[test]
    fn keys_sort_in_index_order() {
        assert_eq!(scale_key(42), "scale/0000000042");
        assert!(scale_key(999_999) < scale_key(1_000_000));
    }
}
