//! The log's newest entries, kept decoded.
//!
//! openraft reads an entry back from the log right after appending it: the
//! leader once per follower to replicate it and once to apply it, a
//! follower once to apply it. Read from fjall, each is a lookup and a
//! decode of every op in it (an entry holds dozens of small objects
//! inline); served from here, it is a clone that shares the ops.
//! The entries here are always the log's own (the same indexes, contiguous);
//! truncation and purges remove them here first.

use std::collections::VecDeque;
use std::ops::{Bound, RangeBounds};

use openraft::{Entry, RaftLogId};

use super::types::MetaRaft;

/// Encoded bytes of entries kept at most: the entries replication and
/// apply have yet to read (under a second of a busy leader's log), with
/// room for a follower a little behind. Decoded, an entry of many small
/// records takes a few times its encoded size.
const KEPT_BYTES: usize = 8 << 20;

/// An entry kept, with its encoded size.
type Kept = (Entry<MetaRaft>, usize);

/// Contiguous newest entries of the log, with their encoded sizes.
#[derive(Default)]
pub(super) struct RecentEntries {
    entries: VecDeque<Kept>,
    bytes: usize,
}

impl RecentEntries {
    fn first_index(&self) -> Option<u64> {
        self.entries.front().map(|(e, _)| e.get_log_id().index)
    }

    fn last_index(&self) -> Option<u64> {
        self.entries.back().map(|(e, _)| e.get_log_id().index)
    }

    /// Keeps `entry` (`size` bytes encoded), just appended to the log. An
    /// entry that does not follow the newest kept starts over (the log was
    /// reset behind a snapshot); the oldest go past [`KEPT_BYTES`].
    pub(super) fn push(&mut self, entry: Entry<MetaRaft>, size: usize) {
        let index = entry.get_log_id().index;
        if self.last_index().is_some_and(|last| last + 1 != index) {
            self.clear();
        }
        self.bytes += size;
        self.entries.push_back((entry, size));
        while self.bytes > KEPT_BYTES && self.entries.len() > 1 {
            self.forget(VecDeque::pop_front);
        }
    }

    /// Forgets entries from `index` on (the log is truncated there).
    pub(super) fn truncate(&mut self, index: u64) {
        while self.last_index().is_some_and(|last| last >= index) {
            self.forget(VecDeque::pop_back);
        }
    }

    /// Forgets entries up to `index` (the log is purged through it).
    pub(super) fn purge(&mut self, index: u64) {
        while self.first_index().is_some_and(|first| first <= index) {
            self.forget(VecDeque::pop_front);
        }
    }

    /// Takes one entry off an end (`pop`) and out of the byte count.
    fn forget(&mut self, pop: fn(&mut VecDeque<Kept>) -> Option<Kept>) {
        if let Some((_, size)) = pop(&mut self.entries) {
            self.bytes -= size;
        }
    }

    /// Forgets every entry.
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }

    /// The entries of `range` if every one of them is kept; `None` sends
    /// the reader to the log on disk. An empty range is answered here.
    pub(super) fn get(&self, range: &impl RangeBounds<u64>) -> Option<Vec<Entry<MetaRaft>>> {
        let first = self.first_index()?;
        let last = self.last_index()?;
        let start = match range.start_bound() {
            Bound::Included(&i) => i,
            Bound::Excluded(&i) => i.checked_add(1)?,
            Bound::Unbounded => 0,
        };
        // Exclusive end; an unbounded one is the log's end, which only
        // the log on disk knows for sure.
        let end = match range.end_bound() {
            Bound::Included(&i) => i.checked_add(1)?,
            Bound::Excluded(&i) => i,
            Bound::Unbounded => return None,
        };
        if start >= end {
            return Some(Vec::new());
        }
        if start < first || end > last + 1 {
            return None;
        }
        let from = usize::try_from(start - first).ok()?;
        let to = usize::try_from(end - first).ok()?;
        Some(
            self.entries
                .range(from..to)
                .map(|(e, _)| e.clone())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::raft::types::MetaRequest;
    use openraft::{CommittedLeaderId, EntryPayload, LogId};

    fn entry(index: u64) -> Entry<MetaRaft> {
        Entry {
            log_id: LogId::new(CommittedLeaderId::new(1, 1), index),
            payload: EntryPayload::Normal(MetaRequest {
                at_ms: index,
                ..Default::default()
            }),
        }
    }

    fn indexes(entries: Option<Vec<Entry<MetaRaft>>>) -> Option<Vec<u64>> {
        entries.map(|v| v.iter().map(|e| e.log_id.index).collect())
    }

    #[test]
    fn serves_only_ranges_it_holds_whole() {
        let mut recent = RecentEntries::default();
        assert_eq!(indexes(recent.get(&(1..2))), None);
        for i in 5..=8 {
            recent.push(entry(i), 10);
        }
        assert_eq!(indexes(recent.get(&(5..9))), Some(vec![5, 6, 7, 8]));
        assert_eq!(indexes(recent.get(&(6..=7))), Some(vec![6, 7]));
        assert_eq!(indexes(recent.get(&(7..7))), Some(vec![]));
        // Partly before or after what is kept: the disk answers.
        assert_eq!(indexes(recent.get(&(4..6))), None);
        assert_eq!(indexes(recent.get(&(8..10))), None);
        assert_eq!(indexes(recent.get(&(6..))), None);
        // The payload comes back as it went in.
        let got = recent.get(&(7..8)).unwrap_or_default();
        assert_eq!(got.first().map(|e| &e.payload), Some(&entry(7).payload));
    }

    #[test]
    fn truncation_purge_and_a_gap_forget_what_the_log_no_longer_holds() {
        let mut recent = RecentEntries::default();
        for i in 1..=6 {
            recent.push(entry(i), 10);
        }
        recent.truncate(5);
        assert_eq!(indexes(recent.get(&(4..6))), None);
        assert_eq!(indexes(recent.get(&(1..5))), Some(vec![1, 2, 3, 4]));
        recent.purge(2);
        assert_eq!(indexes(recent.get(&(2..4))), None);
        assert_eq!(indexes(recent.get(&(3..5))), Some(vec![3, 4]));
        // An entry that does not follow (a log reset behind a snapshot).
        recent.push(entry(9), 10);
        assert_eq!(indexes(recent.get(&(3..5))), None);
        assert_eq!(indexes(recent.get(&(9..10))), Some(vec![9]));
        assert_eq!(recent.bytes, 10);
    }

    #[test]
    fn the_oldest_go_past_the_byte_bound_but_never_the_newest() {
        let mut recent = RecentEntries::default();
        recent.push(entry(1), KEPT_BYTES / 2);
        recent.push(entry(2), KEPT_BYTES / 2);
        recent.push(entry(3), 1);
        assert_eq!(indexes(recent.get(&(1..2))), None);
        assert_eq!(indexes(recent.get(&(2..4))), Some(vec![2, 3]));
        recent.push(entry(4), 2 * KEPT_BYTES);
        assert_eq!(indexes(recent.get(&(4..5))), Some(vec![4]));
        assert_eq!(recent.bytes, 2 * KEPT_BYTES);
    }
}
