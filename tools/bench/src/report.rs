//! What the bench shows: a progress line per phase on stderr and
//! `RESULT <name> <value> <unit>` lines on stdout.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use rand::RngCore;

use super::cpu::CpuMark;
use super::metrics_page::RequestCosts;
use super::BoxError;

/// Counters of one phase, shared by its clients and its progress line.
#[derive(Default)]
pub(super) struct Progress {
    ops: AtomicU64,
    bytes: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Progress {
    /// One request done that moved `bytes`.
    pub(super) fn done(&self, bytes: u64) {
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.add_bytes(bytes);
    }

    /// Bytes moved by a request still under way (or one that failed).
    pub(super) fn add_bytes(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Bytes moved so far.
    pub(super) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(super) fn error(&self, what: &str, err: impl std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first_error.lock() {
            if first.is_none() {
                *first = Some(format!("{what}: {err}"));
            }
        }
    }

    /// Requests answered (done or failed).
    pub(super) fn requests(&self) -> u64 {
        self.ops.load(Ordering::Relaxed) + self.errors()
    }

    pub(super) fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }
}

/// Prints a phase's progress to stderr about once a second until dropped,
/// then a final line.
pub(super) struct Ticker {
    name: &'static str,
    progress: Arc<Progress>,
    started: Instant,
    task: tokio::task::JoinHandle<()>,
}

impl Ticker {
    pub(super) fn start(name: &'static str, progress: Arc<Progress>) -> Ticker {
        Ticker::with_note(name, "", progress)
    }

    /// Like `start`, with `note` after each progress line.
    pub(super) fn with_note(
        name: &'static str,
        note: &'static str,
        progress: Arc<Progress>,
    ) -> Ticker {
        let started = Instant::now();
        let p = progress.clone();
        let task = tokio::spawn(async move {
            let tty = std::io::stderr().is_terminal();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            loop {
                tick.tick().await;
                let line = progress_line(name, &p, started.elapsed()) + note;
                if tty {
                    eprint!("\r{line}\x1b[K");
                    let _ = std::io::stderr().flush();
                } else {
                    eprintln!("{line}");
                }
            }
        });
        Ticker {
            name,
            progress,
            started,
            task,
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.task.abort();
        let line = progress_line(self.name, &self.progress, self.started.elapsed());
        if std::io::stderr().is_terminal() {
            eprintln!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        let errors = self.progress.errors();
        if errors > 0 {
            let first = self
                .progress
                .first_error
                .lock()
                .ok()
                .and_then(|f| f.clone())
                .unwrap_or_default();
            eprintln!("  {errors} failed requests; first: {first}");
        }
    }
}

pub(super) fn progress_line(name: &str, p: &Progress, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    let ops = p.ops.load(Ordering::Relaxed);
    let bytes = p.bytes.load(Ordering::Relaxed);
    format!(
        "[{name}] {:.0} s: {ops} ops ({:.0} ops/s), {:.1} MB/s, {} errors",
        elapsed.as_secs_f64(),
        ops as f64 / secs,
        bytes as f64 / secs / 1e6,
        p.errors()
    )
}

/// Prints one `RESULT` line on stdout.
pub(super) fn result(name: &str, value: f64, unit: &str) {
    match unit {
        "s" | "ms" | "ratio" => println!("RESULT {name} {value:.3} {unit}"),
        _ => println!("RESULT {name} {value:.1} {unit}"),
    }
}

/// Prints a phase's error count if it had any.
pub(super) fn result_errors(name: &str, p: &Progress) {
    let errors = p.errors();
    if errors > 0 {
        println!("RESULT {name}_errors {errors} count");
    }
}

/// A short description of an SDK error: the S3 error code, message and
/// HTTP status for an error answer, the whole error chain otherwise.
pub(super) fn describe<E>(e: &SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e {
        SdkError::ServiceError(se) => format!(
            "{} (HTTP {}): {}",
            se.err().code().unwrap_or("error without a code"),
            se.raw().status().as_u16(),
            se.err().message().unwrap_or("no message")
        ),
        other => DisplayErrorContext(other).to_string(),
    }
}

/// `n` random bytes.
pub(super) fn random_bytes(n: usize) -> Bytes {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    Bytes::from(buf)
}

/// The `p`-th percentile (nearest rank) of sorted `v`.
pub(super) fn percentile(v: &[Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// Reads an object to its end, discarding it; returns its length.
pub(super) async fn drain(mut body: ByteStream) -> Result<u64, BoxError> {
    let mut n = 0u64;
    while let Some(chunk) = body.try_next().await? {
        n += chunk.len() as u64;
    }
    Ok(n)
}

/// Prints the MB/s of a throughput phase, and its errors.
pub(super) fn report_throughput(name: &str, p: &Progress, elapsed: Duration) {
    result(
        &format!("{name}_mb_s"),
        p.bytes() as f64 / elapsed.as_secs_f64() / 1e6,
        "MB/s",
    );
    result_errors(name, p);
}

/// Prints the CPU seconds per GB the store (with `--pid`) and this client
/// spent since `mark`, for a phase that moved `bytes`.
pub(super) fn report_cpu(name: &str, mark: &CpuMark, bytes: u64) {
    let (store, client) = mark.per_gb(bytes);
    if let Some(store) = store {
        result(&format!("{name}_store_cpu_s_per_gb"), store, "s");
    }
    if let Some(client) = client {
        result(&format!("{name}_client_cpu_s_per_gb"), client, "s");
    }
}

/// Prints the store's CPU milliseconds per request (with `--pid`) since
/// `mark`, for a small-object phase that served `requests`.
pub(super) fn report_cpu_per_request(name: &str, mark: &CpuMark, requests: usize) {
    if let Some(ms) = mark.store_ms_per_request(requests as u64) {
        result(&format!("{name}_store_cpu_ms_per_op"), ms, "ms");
    }
}

/// Prints ops/s and p50/p99 latency of a small-object phase.
pub(super) fn report_small(
    name: &str,
    p: &Progress,
    elapsed: Duration,
    latencies: &mut [Duration],
) {
    latencies.sort_unstable();
    result(
        &format!("{name}_ops_s"),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        "ops/s",
    );
    if !latencies.is_empty() {
        result(
            &format!("{name}_p50_ms"),
            percentile(latencies, 50.0).as_secs_f64() * 1e3,
            "ms",
        );
        result(
            &format!("{name}_p99_ms"),
            percentile(latencies, 99.0).as_secs_f64() * 1e3,
            "ms",
        );
    }
    result_errors(name, p);
}

/// Prints what each request of a phase cost the store: metadata reads (by
/// kind, and all) and signature checks per request, from its counters
/// `before` and `after` the phase. Nothing if either is unknown.
pub(super) fn report_costs(
    name: &str,
    before: Option<&RequestCosts>,
    after: Option<&RequestCosts>,
    p: &Progress,
) {
    let (Some(before), Some(after)) = (before, after) else {
        return;
    };
    for (figure, per_op) in after.per_op_since(before, p.requests()) {
        result(&format!("{name}_{figure}_per_op"), per_op, "ratio");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&v[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
