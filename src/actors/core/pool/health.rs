//! What the failure detector knows, as data: its timing, the shared view
//! of which peers are down that [`PeerClient`](super::PeerClient)s read
//! without a round trip, and the pool's record of each peer.

use crate::net::PeerAddr;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

/// How often down peers are probed and watched peers get a heartbeat.
pub(crate) const PROBE_INTERVAL: Duration = Duration::from_millis(500);
/// How long a heartbeat or probe `health` call may take.
pub(crate) const HEARTBEAT_TIMEOUT: Duration = Duration::from_millis(1000);
/// Heartbeats a watched peer may miss in a row before it is marked down
/// (one alone may be a busy machine).
pub(crate) const HEARTBEAT_MISSES: u32 = 2;
/// Longest dial of a probe (the pool's dial timeout, if shorter, wins):
/// short, so a peer that comes back is found by the next probe rather
/// than by a QUIC handshake retransmission much later.
pub(crate) const PROBE_DIAL_TIMEOUT: Duration = Duration::from_secs(1);

/// Default of [`ProbeConfig::forget_unwatched_after`].
pub(crate) const FORGET_UNWATCHED_AFTER: Duration = Duration::from_secs(60);

/// Timing of the failure detector.
#[derive(Clone, Copy, Debug)]
pub struct ProbeConfig {
    /// Time between probe rounds.
    pub interval: Duration,
    /// Bound of one `health` call of a probe or heartbeat.
    pub heartbeat_timeout: Duration,
    /// Heartbeats missed in a row that mark a watched peer down.
    pub misses: u32,
    /// Bound of a probe's dial.
    pub dial_timeout: Duration,
    /// How long a peer nobody watches (a shard copy's source named by IP,
    /// a node taken out of the layout) stays known, and probed, while
    /// down; then it is forgotten, gauge and all.
    pub forget_unwatched_after: Duration,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            interval: PROBE_INTERVAL,
            heartbeat_timeout: HEARTBEAT_TIMEOUT,
            misses: HEARTBEAT_MISSES,
            dial_timeout: PROBE_DIAL_TIMEOUT,
            forget_unwatched_after: FORGET_UNWATCHED_AFTER,
        }
    }
}

pub(super) type DownMap = HashMap<PeerAddr, Instant>;

/// Which peers the pool holds down, and since when: written by the pool,
/// read by anyone without a round trip (the lock is never held across an
/// await). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct PeerHealth {
    /// The down peers and since when, shared with the pool that writes it.
    pub(super) down: Arc<RwLock<DownMap>>,
}

impl PeerHealth {
    /// False only when the peer is known down.
    pub fn is_up(&self, addr: PeerAddr) -> bool {
        self.down_since(addr).is_none()
    }

    /// When the peer was marked down; `None` when up or unknown.
    pub fn down_since(&self, addr: PeerAddr) -> Option<Instant> {
        match self.down.read() {
            Ok(down) => down.get(&addr).copied(),
            Err(poisoned) => poisoned.into_inner().get(&addr).copied(),
        }
    }

    pub(super) fn set(lock: &RwLock<DownMap>, down: DownMap) {
        match lock.write() {
            Ok(mut g) => *g = down,
            Err(poisoned) => *poisoned.into_inner() = down,
        }
    }
}

/// What the pool knows of one peer.
#[derive(Debug, Default)]
pub(super) struct PeerEntry {
    /// When it was marked down; `None` while up.
    pub(super) down: Option<Instant>,
    /// When it last answered (a dial, a heartbeat); `None`: not since
    /// this process started.
    pub(super) alive_at: Option<Instant>,
    /// Probed even without traffic.
    pub(super) watched: bool,
    /// A probe of it is under way.
    pub(super) probing: bool,
    /// Heartbeats missed in a row.
    pub(super) misses: u32,
}

/// Views of the pool's health state, dropped with their last reader.
pub(super) type Views = Vec<Weak<RwLock<DownMap>>>;
