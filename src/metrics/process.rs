//! The process's open files against its limit, read at each scrape: a
//! node near its limit fails opens of segments, tables and connections.

use std::sync::LazyLock;

use prometheus::IntGauge;

use super::build::gauge;

/// Open file descriptors (Prometheus's usual name).
pub(super) static OPEN_FDS: LazyLock<IntGauge> =
    LazyLock::new(|| gauge("process_open_fds", "Open file descriptors of the process"));

/// The soft limit on open file descriptors.
pub(super) static MAX_FDS: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "process_max_fds",
        "Most file descriptors the process may open (its soft limit)",
    )
});

/// Reads both from the kernel; a count it cannot read stays as it was.
pub(super) fn update() {
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        OPEN_FDS.set(i64::try_from(dir.count()).unwrap_or(i64::MAX));
    }
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    if let Some(soft) = limit.current {
        MAX_FDS.set(i64::try_from(soft).unwrap_or(i64::MAX));
    }
}
