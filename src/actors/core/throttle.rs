//! The pace of a node's background I/O (scrub reads, shards moved back
//! to a replaced disk): bytes a second, so foreground requests keep the
//! disk.

use std::time::{Duration, Instant};

/// Holds background reads and copies to `rate` bytes a second, with at most a second's worth of
/// credit saved up; a rate of 0 does not wait.
pub(crate) struct Throttle {
    rate: u64,
    next: Instant,
}

impl Throttle {
    /// A throttle letting `rate` bytes a second through (0: no limit).
    pub(crate) fn new(rate: u64) -> Self {
        Self {
            rate,
            next: Instant::now(),
        }
    }

    /// Waits until `bytes` more fit in the rate.
    pub(crate) async fn take(&mut self, bytes: u64) {
        if self.rate == 0 || bytes == 0 {
            return;
        }
        let now = Instant::now();
        let floor = now.checked_sub(Duration::from_secs(1)).unwrap_or(now);
        self.next = self.next.max(floor) + Duration::from_secs_f64(bytes as f64 / self.rate as f64);
        if self.next > now {
            tokio::time::sleep(self.next - now).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn the_throttle_holds_reads_to_the_rate() {
        let mut t = Throttle::new(4 << 20);
        let start = Instant::now();
        for _ in 0..16 {
            t.take(64 << 10).await;
        }
        // 1 MiB at 4 MiB/s: at least 250 ms (less the first take's
        // credit); how much longer depends on the machine.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(230), "{took:?}");

        // Idle time saves up at most a second of credit.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let start = Instant::now();
        t.take(4 << 20).await;
        t.take(2 << 20).await;
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(400), "{took:?}");

        // No rate: 1 TiB is let through at once, not paced (paced at any
        // rate, it would take far longer than the generous deadline).
        let mut free = Throttle::new(0);
        tokio::time::timeout(Duration::from_secs(20), free.take(1 << 40))
            .await
            .expect("a throttle without a rate does not wait");
    }
}
