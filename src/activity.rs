//! Whether clients are using the store, as this process sees it, so that
//! repair and rebalance give way to them: they run at their busy rate
//! (`PREDASTORE_HEAL_MB_S`, `PREDASTORE_REBALANCE_MB_S`) while clients
//! are active and at `PREDASTORE_REPAIR_IDLE_MB_S` otherwise.
//!
//! Repair runs on the Raft leader, and every S3 request of the cluster
//! reaches the leader as metadata reads (the access key that signed it, the
//! bucket, the object): the S3 front end of this process marks its own
//! requests, and the forwarded-call service marks the reads other gateways
//! make for theirs. Background callers (rings reading the layout, scans,
//! repair, lifecycle) make other reads and mark nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// Clients count as active this long after the last request seen: longer
/// than the gaps between a busy client's requests, short enough that
/// repair speeds up again soon after the clients stop.
pub(crate) const CLIENTS_QUIET_AFTER: Duration = Duration::from_secs(3);

/// When this process last saw a client request.
pub(crate) struct ClientActivity {
    /// When counting began.
    epoch: Instant,
    /// Milliseconds after `epoch` of the last request, plus one (0: none).
    last_ms: AtomicU64,
}

impl ClientActivity {
    /// No request seen yet.
    pub(crate) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    /// A client request now.
    pub(crate) fn seen(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms
            .fetch_max(ms.saturating_add(1), Ordering::Relaxed);
    }

    /// Whether a client request was seen within `quiet` of now.
    pub(crate) fn active_within(&self, quiet: Duration) -> bool {
        let last = self.last_ms.load(Ordering::Relaxed);
        if last == 0 {
            return false;
        }
        let seen_at = self.epoch + Duration::from_millis(last - 1);
        seen_at.elapsed() < quiet
    }

    /// Whether clients use the store now: a request within
    /// [`CLIENTS_QUIET_AFTER`].
    pub(crate) fn active(&self) -> bool {
        self.active_within(CLIENTS_QUIET_AFTER)
    }
}

/// This process's view.
pub(crate) static CLIENTS: LazyLock<ClientActivity> = LazyLock::new(ClientActivity::new);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_active_from_a_request_until_the_quiet_time_passes() {
        let clients = ClientActivity::new();
        assert!(!clients.active(), "no request seen yet");
        clients.seen();
        assert!(clients.active());
        assert!(clients.active_within(Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(30));
        assert!(
            !clients.active_within(Duration::from_millis(20)),
            "30 ms since the last request is quiet for a 20 ms window"
        );
        clients.seen();
        assert!(clients.active_within(Duration::from_millis(20)));
    }
}
