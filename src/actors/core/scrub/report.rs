//! The scrubber's settings and what a pass found: plain data shared by
//! the actor, its messages and the pass itself.

use std::time::Duration;

use crate::storage::ShardKey;

/// How the scrubber paces itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrubConfig {
    /// Bytes read per second at most; 0 turns the periodic scrub off (a
    /// pass asked for with `ScrubNow` then runs unthrottled).
    pub bytes_per_sec: u64,
    /// Time from the start of one pass to the start of the next.
    pub every: Duration,
}

impl ScrubConfig {
    /// No periodic scrub; `ScrubNow` passes run unthrottled.
    pub const MANUAL: ScrubConfig = ScrubConfig {
        bytes_per_sec: 0,
        every: Duration::from_secs(7 * 24 * 3600),
    };

    /// Whether passes run on their own schedule.
    pub fn periodic(&self) -> bool {
        self.bytes_per_sec > 0
    }
}

/// What one pass found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScrubReport {
    /// Shards read to the end or to their first damaged fragment.
    pub shards: u64,
    /// Bytes read and checked.
    pub bytes: u64,
    /// Corrupt shards found (each is marked in the shard index).
    pub corrupt: u64,
    /// The corrupt shards' keys, in key order (the first 10,000).
    pub corrupt_keys: Vec<ShardKey>,
    /// Shards that could not be read for a reason that may pass (I/O);
    /// not marked.
    pub errors: u64,
    /// How long the pass took.
    pub elapsed: Duration,
}
