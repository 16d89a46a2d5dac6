//! CPU time spent by the store and by this client during a phase, read
//! from Linux `/proc/<pid>/stat`. On a small machine both share the cores,
//! so a throughput figure alone cannot tell a slower store from a busier
//! client (TLS decryption, checksums): CPU seconds per GB moved can.

use std::time::Duration;

/// Ticks per second of `/proc/<pid>/stat`'s times (`USER_HZ`, 100 on
/// every Linux architecture this runs on).
const TICKS_PER_SECOND: f64 = 100.0;

/// User plus system CPU time of process `pid` (`"self"` for this one).
pub(super) fn cpu_time(pid: &str) -> std::io::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_stat(&stat).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("/proc/{pid}/stat: no utime/stime"),
        )
    })
}

/// utime + stime of a `/proc/<pid>/stat` line. The command name (field 2)
/// may hold spaces and parentheses, so fields are counted after its
/// closing parenthesis: utime and stime are the 12th and 13th there.
fn parse_stat(stat: &str) -> Option<Duration> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_secs_f64(
        (utime + stime) as f64 / TICKS_PER_SECOND,
    ))
}

/// CPU time of every process in `pids` added up; `None` if one cannot be
/// read (a process gone mid-phase makes no figure rather than a wrong one).
fn total_cpu_time(pids: &[u32]) -> Option<Duration> {
    pids.iter().map(|pid| cpu_time(&pid.to_string()).ok()).sum()
}

/// The CPU times of the store (the processes of it that are known: one
/// for the `all` role, every node of a cluster on this machine) and of
/// this client at the start of a phase.
pub(super) struct CpuMark {
    store_pids: Vec<u32>,
    store: Option<Duration>,
    client: Option<Duration>,
}

impl CpuMark {
    /// Reads both times now; no store figure when `store_pids` is empty.
    pub(super) fn now(store_pids: &[u32]) -> CpuMark {
        CpuMark {
            store_pids: store_pids.to_vec(),
            store: if store_pids.is_empty() {
                None
            } else {
                total_cpu_time(store_pids)
            },
            client: cpu_time("self").ok(),
        }
    }

    /// CPU seconds per GB (10^9 bytes) moved since the mark, for the store
    /// and for this client; `None` where a time could not be read.
    pub(super) fn per_gb(&self, bytes: u64) -> (Option<f64>, Option<f64>) {
        self.per(bytes as f64 / 1e9)
    }

    /// The store's CPU milliseconds per request since the mark, for a
    /// phase of `requests` small requests (the cost that holds on any
    /// machine, where ops/s follows the cores); `None` as for `per_gb`.
    pub(super) fn store_ms_per_request(&self, requests: u64) -> Option<f64> {
        self.per(requests as f64 / 1e3).0
    }

    /// CPU seconds since the mark per `units`, store's and client's.
    fn per(&self, units: f64) -> (Option<f64>, Option<f64>) {
        let per = |start: Option<Duration>, end: Option<Duration>| {
            let spent = end?.checked_sub(start?)?;
            (units > 0.0).then(|| spent.as_secs_f64() / units)
        };
        (
            per(self.store, total_cpu_time(&self.store_pids)),
            per(self.client, cpu_time("self").ok()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times_after_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0";
        assert_eq!(parse_stat(stat), Some(Duration::from_millis(3250)));
    }

    #[test]
    fn refuses_a_cut_line() {
        assert_eq!(parse_stat("4242 (name) S 1 2 3"), None);
        assert_eq!(parse_stat("no parenthesis"), None);
    }

    #[test]
    fn adds_up_the_store_s_processes_and_makes_no_figure_for_one_gone() {
        let own = std::process::id();
        let once = total_cpu_time(&[own]).expect("own /proc stat");
        let twice = total_cpu_time(&[own, own]).expect("own /proc stat");
        // Read a moment apart: the second sum counts at least twice the first.
        assert!(twice >= once * 2, "{twice:?} against {once:?}");
        assert_eq!(total_cpu_time(&[own, u32::MAX]), None);
        assert!(CpuMark::now(&[]).per_gb(1_000_000_000).0.is_none());
        assert!(CpuMark::now(&[]).store_ms_per_request(1000).is_none());
        let mark = CpuMark::now(&[own]);
        assert!(mark.store_ms_per_request(1000).is_some_and(|ms| ms >= 0.0));
        assert!(mark.store_ms_per_request(0).is_none());
    }

    #[test]
    fn counts_own_cpu() {
        let start = cpu_time("self").expect("own /proc stat");
        let spin = std::time::Instant::now();
        let mut end = start;
        // Spin until a tick is counted (10 ms of CPU), however busy the machine.
        while end == start && spin.elapsed() < Duration::from_secs(10) {
            std::hint::black_box((0..10_000u64).sum::<u64>());
            end = cpu_time("self").expect("own /proc stat");
        }
        assert!(end > start, "{end:?} after {start:?}");
    }
}
