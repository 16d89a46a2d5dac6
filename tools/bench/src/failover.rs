//! The `failover` phase: how long PUTs stall when the metadata leader dies.
//!
//! Off unless `--failover-seconds N` is given (N > 0): it is only worth
//! running while something kills the leader, as
//! `scripts/bench-failover.sh` does. For N seconds `--failover-clients`
//! clients PUT objects of `--failover-object-kib` KiB under new keys; each client sends its next
//! PUT as soon as the last one is answered. The bench's client does not
//! retry (an SDK's default retries would add their own backoff to every
//! stall): a failed PUT is counted, and the client sends the next one
//! after [`AFTER_ERROR`]. The completion time of every PUT that succeeded
//! is kept.
//!
//! At the end the phase reads the kills from `--failover-kills`, one line
//! per kill: `<killed> <elected> [<restarted>]`, Unix times in seconds
//! (fractions allowed) of the SIGKILL of the leader, of the first moment a
//! new leader was known, and of the killed node's restart. A kill's window
//! runs from it to the next kill (or the end of the load); its longest gap
//! is the longest time between two successive successful PUTs (of any
//! client) where the second falls in the window, so a stall that began
//! just before the kill counts whole. Per kill it prints
//! `failover_kill<i>_election` (elected - killed),
//! `failover_kill<i>_longest_gap`, `failover_kill<i>_gap_excess` (gap -
//! election; the goal is at most 0.5 s) and `failover_kill<i>_put_errors`;
//! then the maxima, the time spent in gaps over 1 s with its share of the
//! load, and `failover_gap_before_kills`, the longest gap before the first
//! kill (what the machine's own hiccups cost, for comparison).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::report::{describe, random_bytes, result, result_errors, Progress, Ticker};
use super::requests::put_bytes;
use super::{Bench, BenchArgs, BoxError};

/// Pause of a client after a failed PUT, so a store that refuses at once
/// is not sent a flood of requests; short next to any stall measured.
const AFTER_ERROR: Duration = Duration::from_millis(20);
/// Gaps longer than this are summed in `failover_time_in_gaps_over_1s`.
const LONG_GAP: f64 = 1.0;

/// Options of the `failover` phase.
#[derive(clap::Args, Debug, Clone)]
pub struct FailoverArgs {
    /// Length of the `failover` phase's PUT load, in seconds; 0 (the
    /// default) leaves the phase off, as it needs someone killing the
    /// metadata leader meanwhile (`scripts/bench-failover.sh`).
    #[arg(long, default_value_t = 0)]
    pub failover_seconds: u64,
    /// Object size of the `failover` phase, in KiB (the default, 4, is
    /// kept inline in the metadata at default settings; above
    /// `PREDASTORE_INLINE_BYTES` the data goes to the storage nodes too).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub failover_object_kib: u64,
    /// Concurrent PUT clients of the `failover` phase.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub failover_clients: u64,
    /// The kills during the `failover` phase, read at its end: one line
    /// per kill, `<killed> <elected> [<restarted>]` in Unix seconds.
    #[arg(long)]
    pub failover_kills: Option<PathBuf>,
}

/// One leader kill, in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Kill {
    killed: f64,
    elected: f64,
    restarted: Option<f64>,
}

/// What one kill cost.
#[derive(Clone, Copy, Debug, PartialEq)]
struct KillFigures {
    election: f64,
    /// Longest time between successive successful PUTs ending in the
    /// kill's window.
    gap: f64,
    /// When that gap began, relative to the kill.
    gap_from: f64,
    /// Failed PUTs answered in the window.
    errors: usize,
}

/// A failed PUT: when it was answered, and why.
struct Failure {
    at: f64,
    why: String,
}

/// Now, in Unix seconds.
fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Runs the failover phase if `--failover-seconds` asks for it; pushes
/// its name onto `failed` if it fails.
pub(super) async fn run(bench: &Bench, args: &BenchArgs, failed: &mut Vec<&'static str>) {
    let opts = &args.failover;
    if opts.failover_seconds == 0 {
        return;
    }
    if let Err(e) = phase(bench, opts).await {
        eprintln!("failover phase failed: {e}");
        failed.push("failover");
    }
}

async fn phase(bench: &Bench, opts: &FailoverArgs) -> Result<(), BoxError> {
    let clients = usize::try_from(opts.failover_clients)?;
    let progress = Arc::new(Progress::default());
    let ticker = Ticker::start("failover put", progress.clone());
    let started = unix_now();
    let deadline = Instant::now() + Duration::from_secs(opts.failover_seconds);
    let body = random_bytes(usize::try_from(opts.failover_object_kib * 1024)?);
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let client = bench.client.clone();
        let bucket = bench.bucket.clone();
        let prefix = format!("{}/failover/{c}", bench.run_id);
        let body = body.clone();
        let p = progress.clone();
        tasks.push(tokio::spawn(async move {
            let (mut keys, mut done, mut failures) = (Vec::new(), Vec::new(), Vec::new());
            let mut i = 0u64;
            while Instant::now() < deadline {
                let key = format!("{prefix}/{i}");
                i += 1;
                let put = put_bytes(&client, &bucket, &key, &body).await;
                match put {
                    Ok(_) => {
                        done.push(unix_now());
                        p.done(body.len() as u64);
                        keys.push(key);
                    }
                    Err(e) => {
                        let why = describe(&e);
                        failures.push(Failure {
                            at: unix_now(),
                            why: why.clone(),
                        });
                        p.error("PutObject", why);
                        // A PUT whose answer was lost may have stored it.
                        keys.push(key);
                        tokio::time::sleep(AFTER_ERROR).await;
                    }
                }
            }
            (keys, done, failures)
        }));
    }
    let (mut keys, mut done, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    for t in tasks {
        let (k, d, f) = t.await?;
        keys.extend(k);
        done.extend(d);
        failures.extend(f);
    }
    let ended = unix_now();
    drop(ticker);
    done.sort_by(f64::total_cmp);
    failures.sort_by(|a, b| a.at.total_cmp(&b.at));

    let length = ended - started;
    result("failover_put", done.len() as f64 / length, "ops/s");
    result_errors("failover_put", &progress);
    let outcome = match &opts.failover_kills {
        Some(path) => {
            read_kills(path).map(|kills| report(&done, &failures, &kills, started, ended))
        }
        None => {
            report(&done, &failures, &[], started, ended);
            Ok(())
        }
    };
    let left = bench
        .delete_all(
            &bench.bucket,
            &keys.into_iter().map(|k| (k, None)).collect::<Vec<_>>(),
        )
        .await;
    if left > 0 {
        eprintln!("warning: {left} failover objects could not be deleted");
    }
    outcome
}

/// The kills listed in `path`.
fn read_kills(path: &Path) -> Result<Vec<Kill>, BoxError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--failover-kills {}: {e}", path.display()))?;
    parse_kills(&text).map_err(|e| format!("--failover-kills {}: {e}", path.display()).into())
}

/// Kills from lines of `<killed> <elected> [<restarted>]`; blank lines
/// and `#` comments are skipped.
fn parse_kills(text: &str) -> Result<Vec<Kill>, String> {
    let mut kills = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Result<Vec<f64>, _> = line.split_whitespace().map(str::parse).collect();
        let kill = match fields.as_deref() {
            Ok([killed, elected]) => Kill {
                killed: *killed,
                elected: *elected,
                restarted: None,
            },
            Ok([killed, elected, restarted]) => Kill {
                killed: *killed,
                elected: *elected,
                restarted: Some(*restarted),
            },
            _ => {
                return Err(format!(
                    "line {}: want `<killed> <elected> [<restarted>]`, got {line:?}",
                    n + 1
                ))
            }
        };
        kills.push(kill);
    }
    kills.sort_by(|a, b| a.killed.total_cmp(&b.killed));
    Ok(kills)
}

/// Gaps between successive successful PUTs (`done`, sorted), the last
/// running to `end`: (start, end) pairs.
fn gaps(done: &[f64], start: f64, end: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
    let first = std::iter::once(start).chain(done.iter().copied());
    let next = done.iter().copied().chain(std::iter::once(end));
    first.zip(next)
}

/// The longest gap whose end falls in `(from, to]`: (length, start).
fn longest_gap(done: &[f64], start: f64, end: f64, from: f64, to: f64) -> (f64, f64) {
    gaps(done, start, end)
        .filter(|(_, b)| *b > from && *b <= to)
        .map(|(a, b)| (b - a, a))
        .fold((0.0, from), |best, g| if g.0 > best.0 { g } else { best })
}

/// Each kill's figures, for a load from `start` to `end` whose successful
/// PUTs ended at `done` (sorted) and whose failed ones at `failed`.
fn per_kill(
    done: &[f64],
    failed: &[f64],
    kills: &[Kill],
    start: f64,
    end: f64,
) -> Vec<KillFigures> {
    kills
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let to = kills.get(i + 1).map_or(end, |n| n.killed);
            let (gap, gap_start) = longest_gap(done, start, end, k.killed, to);
            KillFigures {
                election: k.elected - k.killed,
                gap,
                gap_from: gap_start - k.killed,
                errors: failed
                    .iter()
                    .filter(|t| **t > k.killed && **t <= to)
                    .count(),
            }
        })
        .collect()
}

/// Prints the per-kill figures and the totals.
fn report(done: &[f64], failures: &[Failure], kills: &[Kill], start: f64, end: f64) {
    let failed: Vec<f64> = failures.iter().map(|f| f.at).collect();
    let figures = per_kill(done, &failed, kills, start, end);
    for (i, (k, f)) in kills.iter().zip(&figures).enumerate() {
        let n = i + 1;
        let restart = k
            .restarted
            .map(|r| format!(", restarted at +{:.2} s", r - k.killed))
            .unwrap_or_default();
        let to = kills.get(i + 1).map_or(end, |n| n.killed);
        let first_error = failures
            .iter()
            .find(|e| e.at > k.killed && e.at <= to)
            .map(|e| format!(" (first: {})", e.why))
            .unwrap_or_default();
        eprintln!(
            "kill {n}: election {:.3} s, longest gap {:.3} s from {:+.3} s to {:+.3} s after the kill{restart}; {} failed PUTs{first_error}",
            f.election,
            f.gap,
            f.gap_from,
            f.gap_from + f.gap,
            f.errors
        );
        result(&format!("failover_kill{n}_election"), f.election, "s");
        result(&format!("failover_kill{n}_longest_gap"), f.gap, "s");
        result(
            &format!("failover_kill{n}_gap_excess"),
            f.gap - f.election,
            "s",
        );
        println!("RESULT failover_kill{n}_put_errors {} count", f.errors);
    }
    let before = kills.first().map_or(end, |k| k.killed);
    let (baseline, _) = longest_gap(done, start, end, start, before);
    let max = |v: fn(&KillFigures) -> f64| figures.iter().map(v).fold(0.0, f64::max);
    let long: f64 = gaps(done, start, end)
        .map(|(a, b)| b - a)
        .filter(|g| *g > LONG_GAP)
        .sum();
    println!("RESULT failover_kills {} count", kills.len());
    result("failover_election_max", max(|f| f.election), "s");
    result("failover_longest_gap_max", max(|f| f.gap), "s");
    result("failover_gap_excess_max", max(|f| f.gap - f.election), "s");
    result("failover_gap_before_kills", baseline, "s");
    result("failover_time_in_gaps_over_1s", long, "s");
    result(
        "failover_share_in_gaps_over_1s",
        100.0 * long / (end - start).max(f64::EPSILON),
        "%",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_parse_with_and_without_restart() {
        let kills = parse_kills("# killed elected restarted\n20.5 21 25\n\n10 10.75\n").unwrap();
        assert_eq!(
            kills,
            vec![
                Kill {
                    killed: 10.0,
                    elected: 10.75,
                    restarted: None
                },
                Kill {
                    killed: 20.5,
                    elected: 21.0,
                    restarted: Some(25.0)
                },
            ]
        );
        assert!(parse_kills("10\n").is_err());
        assert!(parse_kills("10 x\n").is_err());
    }

    #[test]
    fn a_gap_across_the_kill_counts_whole_in_its_window() {
        // PUTs every 0.1 s, none from 9.9 to 12.4, a kill at 10 elected
        // at 11; then a kill at 20.05 and none from 20.0 to 21.1.
        let mut done: Vec<f64> = (1..=99).map(|i| f64::from(i) / 10.0).collect();
        done.extend((124..=200).map(|i| f64::from(i) / 10.0));
        done.extend((211..=300).map(|i| f64::from(i) / 10.0));
        let kills = [
            Kill {
                killed: 10.0,
                elected: 11.0,
                restarted: Some(15.0),
            },
            Kill {
                killed: 20.05,
                elected: 20.5,
                restarted: None,
            },
        ];
        let f = per_kill(&done, &[10.5, 30.5], &kills, 0.0, 30.0);
        assert!((f[0].election - 1.0).abs() < 1e-9);
        assert!((f[0].gap - 2.5).abs() < 1e-9, "{f:?}");
        assert!((f[0].gap_from + 0.1).abs() < 1e-9, "{f:?}");
        assert_eq!(f[0].errors, 1);
        assert!((f[1].gap - 1.1).abs() < 1e-9, "{f:?}");
        assert_eq!(f[1].errors, 0);
    }

    #[test]
    fn a_stall_to_the_end_of_the_load_counts() {
        let done = [1.0, 2.0, 3.0];
        let kills = [Kill {
            killed: 3.5,
            elected: 4.0,
            restarted: None,
        }];
        let f = per_kill(&done, &[], &kills, 0.0, 10.0);
        assert!((f[0].gap - 7.0).abs() < 1e-9, "{f:?}");
    }
}
