//! The leader's read lease: reads answered from local state without a
//! heartbeat round of their own, for a while after a round succeeded.
//!
//! A round that began at `t` and was answered by a quorum proves more than
//! "this node led at `t`": every member that answered took the heartbeat
//! after `t`, and openraft's followers refuse to vote for anyone else for
//! `election_timeout_max` (its leader lease, 600 ms here) after the last
//! heartbeat they took. So until `t + election_timeout_max`, no other node
//! can gather a quorum of votes and become leader, and every write
//! acknowledged in that time was acknowledged by this leader, after this
//! node applied it (an op is answered once the leader has applied its
//! entry; the first round of a term waited for the earlier leaders'
//! entries). A read that arrives before `t + READ_LEASE` may therefore be
//! answered from the local state, exactly as after a round of its own.
//!
//! Two holes in followers' own lease are closed here, on every meta node:
//! - **A restarted member** forgets when it last took a heartbeat and would
//!   vote at once: it refuses every vote for [`READ_LEASE`] after its
//!   group starts.
//! - **The leader itself** does not hold openraft's lease against its own
//!   followers' candidates: while it holds a read lease it refuses every
//!   vote, so it cannot help elect a successor while it still answers from
//!   its lease.
//!
//! What the lease assumes is that the members' clocks run at about the same
//! rate (not that they agree): [`READ_LEASE`] is half of
//! `election_timeout_max`, the rest a margin for drift and for the time a
//! checked read takes to be answered. The lease also ends at once when
//! the leader's vote or the membership changes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::{LogId, ServerState, Vote};

use crate::storage::raft::MetaRaft;

/// How long after a successful round began its leader answers reads
/// without another, by default and at most: half of the group's
/// `election_timeout_max` (600 ms). `PREDASTORE_META_READ_LEASE_MS` may
/// shorten it, or turn it off (0) where clocks are not trusted to run at
/// the same rate (a VM paused and resumed with its clock behind).
pub(crate) const READ_LEASE: Duration = Duration::from_millis(300);

/// What a lease was taken under: the leader's vote (term and node) and the
/// membership in force. A lease is only good while both are unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Leadership {
    vote: Vote<u64>,
    membership: Option<LogId<u64>>,
}

impl Leadership {
    /// This node's leadership per its Raft metrics, if it leads.
    pub(super) fn of(raft: &openraft::Raft<MetaRaft>) -> Option<Self> {
        let m = raft.metrics();
        let m = m.borrow();
        (m.state == ServerState::Leader && m.current_leader == Some(m.id)).then(|| Self {
            vote: m.vote,
            membership: *m.membership_config.log_id(),
        })
    }
}

/// A lease: good for reads arriving before `until`, under `leadership`.
#[derive(Clone, Debug)]
struct Held {
    leadership: Leadership,
    until: Instant,
}

/// The read lease of one meta node, shared by its read path (which takes
/// and uses it) and its Raft service (which refuses votes while it runs).
/// Cheap to clone.
#[derive(Clone)]
pub struct ReadLease {
    inner: Arc<LeaseState>,
}

struct LeaseState {
    /// How long a lease lasts after its round began (zero: never taken).
    length: Duration,
    /// When this node's group started: it votes for nobody before
    /// `started + length`.
    started: Instant,
    held: Mutex<Option<Held>>,
}

impl ReadLease {
    /// The lease of a group member that starts now (holding none), lasting
    /// `length` after each successful round, at most [`READ_LEASE`] (a
    /// longer one is cut to it). Zero turns leases off: every read waits
    /// for a round, and no vote is refused for the lease's sake.
    pub fn new(length: Duration) -> Self {
        Self::started_at(Instant::now(), length)
    }

    fn started_at(started: Instant, length: Duration) -> Self {
        Self {
            inner: Arc::new(LeaseState {
                length: length.min(READ_LEASE),
                started,
                held: Mutex::new(None),
            }),
        }
    }

    /// Records that a round which began at `began`, under `leadership`,
    /// was answered by a quorum: reads may be answered locally until
    /// `began` plus the lease's length. A later lease never shortens the
    /// current one.
    pub(super) fn taken(&self, leadership: Leadership, began: Instant) {
        if self.inner.length.is_zero() {
            return;
        }
        let until = began + self.inner.length;
        let mut held = self.lock();
        let keep = held
            .as_ref()
            .is_some_and(|h| h.leadership == leadership && h.until >= until);
        if !keep {
            *held = Some(Held { leadership, until });
        }
    }

    /// Whether a read may be answered from local state at `now`, this node
    /// leading under `leadership` (None: it does not lead).
    pub(super) fn covers(&self, leadership: Option<&Leadership>, now: Instant) -> bool {
        let Some(leadership) = leadership else {
            return false;
        };
        self.lock()
            .as_ref()
            .is_some_and(|h| &h.leadership == leadership && now < h.until)
    }

    /// Whether this node must refuse a vote now: it holds a read lease, or
    /// its group started less than a lease's length ago.
    pub(crate) fn refuses_votes(&self, now: Instant) -> bool {
        now < self.inner.started + self.inner.length
            || self.lock().as_ref().is_some_and(|h| now < h.until)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Held>> {
        self.inner
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for ReadLease {
    /// The lease at its default (and longest) length, [`READ_LEASE`].
    fn default() -> Self {
        Self::new(READ_LEASE)
    }
}

#[cfg(test)]
mod tests {
    use openraft::CommittedLeaderId;

    use super::*;

    fn leading(term: u64, membership_index: u64) -> Leadership {
        Leadership {
            vote: Vote::new_committed(term, 1),
            membership: Some(LogId::new(
                CommittedLeaderId::new(term, 1),
                membership_index,
            )),
        }
    }

    /// A lease whose group started long enough ago to vote again.
    fn settled() -> (ReadLease, Instant) {
        let now = Instant::now();
        let start = now.checked_sub(READ_LEASE * 2).unwrap_or(now);
        (ReadLease::started_at(start, READ_LEASE), now)
    }

    #[test]
    fn a_lease_covers_reads_until_it_runs_out_and_only_under_its_leadership() {
        let (lease, now) = settled();
        let l = leading(3, 10);
        assert!(!lease.covers(Some(&l), now), "no round yet: no lease");
        lease.taken(l.clone(), now);
        assert!(lease.covers(Some(&l), now + READ_LEASE / 2));
        assert!(!lease.covers(Some(&l), now + READ_LEASE), "ran out");
        assert!(!lease.covers(None, now), "no longer leads");
        assert!(!lease.covers(Some(&leading(4, 10)), now), "another term");
        assert!(
            !lease.covers(Some(&leading(3, 11)), now),
            "membership changed"
        );
    }

    #[test]
    fn an_older_round_never_shortens_a_lease() {
        let (lease, now) = settled();
        let l = leading(3, 10);
        lease.taken(l.clone(), now + Duration::from_millis(100));
        lease.taken(l.clone(), now);
        assert!(lease.covers(Some(&l), now + READ_LEASE + Duration::from_millis(50)));
    }

    #[test]
    fn votes_are_refused_while_a_lease_runs_and_just_after_start() {
        let now = Instant::now();
        let fresh = ReadLease::started_at(now, READ_LEASE);
        assert!(fresh.refuses_votes(now + READ_LEASE / 2), "just started");
        assert!(!fresh.refuses_votes(now + READ_LEASE));

        let (lease, now) = settled();
        assert!(!lease.refuses_votes(now));
        lease.taken(leading(3, 10), now);
        assert!(lease.refuses_votes(now + READ_LEASE / 2), "holds a lease");
        assert!(!lease.refuses_votes(now + READ_LEASE));
    }

    #[test]
    fn a_shorter_lease_runs_out_sooner_and_a_longer_one_is_cut_to_the_longest() {
        let now = Instant::now();
        let short = ReadLease::started_at(now, READ_LEASE / 3);
        let l = leading(3, 10);
        short.taken(l.clone(), now);
        assert!(short.covers(Some(&l), now + READ_LEASE / 4));
        assert!(!short.covers(Some(&l), now + READ_LEASE / 2), "ran out");
        assert!(!short.refuses_votes(now + READ_LEASE / 2));

        let long = ReadLease::started_at(now, READ_LEASE * 4);
        long.taken(l.clone(), now);
        assert!(
            !long.covers(Some(&l), now + READ_LEASE),
            "cut to READ_LEASE"
        );
        assert!(!long.refuses_votes(now + READ_LEASE));
    }

    #[test]
    fn a_lease_turned_off_covers_no_read_and_refuses_no_vote() {
        let now = Instant::now();
        let off = ReadLease::started_at(now, Duration::ZERO);
        let l = leading(3, 10);
        assert!(
            !off.refuses_votes(now),
            "just started, but no lease to guard"
        );
        off.taken(l.clone(), now);
        assert!(!off.covers(Some(&l), now));
        assert!(!off.refuses_votes(now));
    }
}
