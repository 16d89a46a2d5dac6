//! `predastore-bench` against a real store, scaled down: every phase runs,
//! prints its `RESULT` lines with plausible values, counts no failed
//! request, and leaves no bucket behind. The store is the workspace's
//! `predastore` binary (see `common::store_binary`).

// Test code: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use common::*;

/// Runs the bench with small sizes; its stdout and exit status.
fn run_bench(store: &StoreProcess, extra: &[&str]) -> (String, std::process::ExitStatus) {
    let pid = store.pid().to_string();
    let endpoint = store.endpoint();
    let mut args = vec![
        "--endpoint",
        &endpoint,
        "--seconds",
        "1",
        "--large-mib",
        "3",
        "--large-clients",
        "2",
        "--small-clients",
        "8",
        "--parts",
        "3",
        "--part-mib",
        "5",
        "--big-gib",
        "0.01",
        "--pid",
        &pid,
    ];
    args.extend_from_slice(extra);
    let out = Command::new(bench_binary())
        .args(&args)
        .env_clear()
        .env("PREDASTORE_ACCESS_KEY", ACCESS_KEY)
        .env("PREDASTORE_SECRET_KEY", SECRET_KEY)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("run predastore-bench");
    (
        String::from_utf8(out.stdout).expect("bench stdout is UTF-8"),
        out.status,
    )
}

/// `RESULT <name> <value> <unit>` lines as name → (value, unit).
fn results(stdout: &str) -> BTreeMap<String, (f64, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut f = line.strip_prefix("RESULT ")?.split(' ');
            let name = f.next()?.to_string();
            let value = f.next()?.parse::<f64>().ok()?;
            let unit = f.next()?.to_string();
            Some((name, (value, unit)))
        })
        .collect()
}

#[tokio::test]
async fn bench_runs_every_phase_and_reports_each_figure() {
    let store = StoreProcess::start();
    let (stdout, status) = run_bench(&store, &[]);
    assert!(status.success(), "bench failed: {status}\n{stdout}");
    let r = results(&stdout);
    let want = [
        ("put_3mib_mb_s", "MB/s"),
        ("get_3mib_mb_s", "MB/s"),
        ("put_4k_ops_s", "ops/s"),
        ("put_4k_p50_ms", "ms"),
        ("put_4k_p99_ms", "ms"),
        ("get_4k_ops_s", "ops/s"),
        ("get_4k_p50_ms", "ms"),
        ("get_4k_p99_ms", "ms"),
        ("complete_3x5mib_s", "s"),
        ("big_put_mb_s", "MB/s"),
        ("big_get_mb_s", "MB/s"),
        ("peak_rss_mib", "MiB"),
    ];
    for (name, unit) in want {
        let (value, got_unit) = r
            .get(name)
            .unwrap_or_else(|| panic!("no RESULT {name} in:\n{stdout}"));
        assert_eq!(got_unit, unit, "{name}");
        assert!(value.is_finite() && *value > 0.0, "{name} = {value}");
    }
    let errors: Vec<&String> = r.keys().filter(|k| k.ends_with("_errors")).collect();
    assert!(errors.is_empty(), "failed requests: {errors:?}\n{stdout}");
    let (p50, _) = &r["put_4k_p50_ms"];
    let (p99, _) = &r["put_4k_p99_ms"];
    assert!(p50 <= p99, "p50 {p50} > p99 {p99}");
    // The store's memory was read from /proc, so it is the store's size,
    // not nothing.
    assert!(r["peak_rss_mib"].0 > 1.0);

    // It created the bucket, so it removed it.
    let s3 = store.client();
    let buckets = s3.list_buckets().send().await.expect("list buckets");
    assert!(
        buckets.buckets().is_empty(),
        "bench left buckets: {:?}",
        buckets.buckets()
    );
}

#[tokio::test]
async fn bench_fails_when_the_store_refuses_its_credentials() {
    let store = StoreProcess::start();
    let out = Command::new(bench_binary())
        .args([
            "--endpoint",
            &store.endpoint(),
            "--seconds",
            "1",
            "--skip",
            "large,multipart,big",
        ])
        .env_clear()
        .env("PREDASTORE_ACCESS_KEY", ACCESS_KEY)
        .env("PREDASTORE_SECRET_KEY", "not-the-secret")
        .stdin(Stdio::null())
        .output()
        .expect("run predastore-bench");
    assert!(!out.status.success(), "bench with a wrong secret succeeded");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SignatureDoesNotMatch"),
        "stderr does not name the S3 error:\n{stderr}"
    );
}
