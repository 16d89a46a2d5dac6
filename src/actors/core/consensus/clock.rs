//! The metadata group's clock: the time a Raft entry carries, which the
//! state machine applies every op with (object lock expiry, lifecycle,
//! `Last-Modified`).
//!
//! No single member's wall clock may decide when a COMPLIANCE retention
//! ends: a leader whose clock runs a year ahead would release every
//! locked version at once. So each member answers every AppendEntries
//! (heartbeats included) with its own wall clock, and the leader stamps
//! an entry with the quorum's time: the latest time that a majority of
//! the voters' clocks has reached (each report advanced by the leader's
//! monotonic time since it came). One clock running ahead, the leader's
//! included, moves it not at all while a majority runs true; until a
//! majority has reported, entries wait (a heartbeat). The state machine
//! never lets the time go backwards across leaders (it keeps the last
//! entry's time).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Skew beyond which a member's clock is logged as off (once, when it
/// goes off and when it comes back).
const SKEW_WARNING: Duration = Duration::from_secs(1);

/// One member's last report.
#[derive(Clone, Copy, Debug)]
struct Report {
    /// Its wall clock, ms since the Unix epoch.
    clock_ms: u64,
    /// When the leader received it.
    at: Instant,
    /// Whether its skew was beyond [`SKEW_WARNING`] (logged on change).
    off: bool,
}

/// This member's wall clock, and the clocks its peers reported; shared by
/// the Raft service (which answers with the clock), the network (which
/// records replies) and the Consensus actor (which stamps entries).
#[derive(Clone, Debug, Default)]
pub struct MetaClock {
    /// Added to the wall clock: tests only (`PREDASTORE_TEST_CLOCK_OFFSET_MS`).
    offset_ms: i64,
    reports: Arc<Mutex<HashMap<u64, Report>>>,
    /// Whether entries are waiting for a majority of clocks (logged when
    /// that starts and ends).
    waiting: Arc<AtomicBool>,
}

impl MetaClock {
    /// A clock `offset_ms` off the wall clock (0 but in tests).
    pub fn new(offset_ms: i64) -> Self {
        Self {
            offset_ms,
            reports: Arc::default(),
            waiting: Arc::default(),
        }
    }

    /// This member's wall clock, ms since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        crate::clock::now_ms().saturating_add_signed(self.offset_ms)
    }

    /// Records member `node`'s clock from its answer to a heartbeat or an
    /// append; exports its skew and logs a clock that goes off or back.
    pub(crate) fn record(&self, node: u64, clock_ms: u64) {
        let skew_ms = clock_ms as i64 - self.now_ms() as i64;
        crate::metrics::META_CLOCK_SKEW
            .with_label_values(&[&node.to_string()])
            .set(skew_ms as f64 / 1000.0);
        let off = skew_ms.unsigned_abs() > SKEW_WARNING.as_millis() as u64;
        let was_off = {
            let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
            let was = reports.get(&node).is_some_and(|r| r.off);
            let at = Instant::now();
            reports.insert(node, Report { clock_ms, at, off });
            was
        };
        match (was_off, off) {
            (false, true) => tracing::warn!(
                node, skew_ms,
                "meta member's clock is off this leader's; entries carry the quorum's time, so it cannot move lock expiry"
            ),
            (true, false) => tracing::info!(node, skew_ms, "meta member's clock agrees again"),
            _ => {}
        }
    }

    /// The quorum's time for an entry this member (`me`, leading) stamps
    /// now, among `voters`; `None` while fewer than a majority of them
    /// have a clock (this one's and the reports').
    pub(crate) fn quorum_ms(&self, me: u64, voters: &[u64]) -> Option<u64> {
        let now = Instant::now();
        let mut clocks = Vec::with_capacity(voters.len());
        {
            let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
            for v in voters {
                if *v == me {
                    clocks.push(self.now_ms());
                } else if let Some(r) = reports.get(v) {
                    let since = now.saturating_duration_since(r.at).as_millis() as u64;
                    clocks.push(r.clock_ms.saturating_add(since));
                }
            }
        }
        let time = quorum_time(clocks, voters.len());
        let was_waiting = self.waiting.swap(time.is_none(), Ordering::Relaxed);
        match (was_waiting, time) {
            (false, None) => tracing::warn!(
                node = me,
                ?voters,
                reported = ?self.reported(),
                "metadata entries wait: fewer than a majority of the members' clocks reported"
            ),
            (true, Some(_)) => tracing::info!(
                node = me,
                "a majority of the members' clocks reported; metadata entries go on"
            ),
            _ => {}
        }
        time
    }

    /// The members that have reported a clock (for the log).
    fn reported(&self) -> Vec<u64> {
        let reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        reports.keys().copied().collect()
    }
}

/// The latest time a majority of `voters` clocks has reached: the
/// majority-th largest of `clocks`; `None` with fewer clocks than that.
fn quorum_time(mut clocks: Vec<u64>, voters: usize) -> Option<u64> {
    let majority = voters / 2 + 1;
    if clocks.len() < majority {
        return None;
    }
    clocks.sort_unstable_by(|a, b| b.cmp(a));
    clocks.get(majority - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;

    #[test]
    fn one_clock_ahead_moves_the_quorum_time_not_at_all() {
        let t = 1_800_000_000_000;
        // Three voters, one a year ahead: the quorum's time is a true one.
        assert_eq!(quorum_time(vec![t + YEAR_MS, t, t + 5], 3), Some(t + 5));
        assert_eq!(quorum_time(vec![t, t + YEAR_MS, t - 5], 3), Some(t));
        // Two of three reported (one member down): the earlier of them.
        assert_eq!(quorum_time(vec![t + YEAR_MS, t], 3), Some(t));
        // Only the leader's own clock: no majority, no time.
        assert_eq!(quorum_time(vec![t + YEAR_MS], 3), None);
        // Alone in its group, a member is its own majority.
        assert_eq!(quorum_time(vec![t], 1), Some(t));
        // Five voters, two ahead: the third largest.
        let five = vec![t + YEAR_MS, t + YEAR_MS, t, t - 1, t - 2];
        assert_eq!(quorum_time(five, 5), Some(t));
    }

    #[test]
    fn a_leader_ahead_stamps_its_followers_time() {
        let leader = MetaClock::new(YEAR_MS as i64);
        let true_now = crate::clock::now_ms();
        assert_eq!(leader.quorum_ms(3, &[1, 2, 3]), None, "no reports yet");
        leader.record(2, true_now);
        let stamped = leader.quorum_ms(3, &[1, 2, 3]).unwrap_or(u64::MAX);
        assert!(
            stamped >= true_now && stamped < true_now + 60_000,
            "stamped {stamped}, true time {true_now}"
        );
        let single = MetaClock::new(0);
        assert!(single.quorum_ms(1, &[1]).is_some());
    }
}
