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
//! A round is not the only proof. Every append the leader sends is a
//! heartbeat too: a member that accepts one sent at `t` took the leader's
//! vote after `t` (openraft touches its lease on every accepted append). So
//! once a quorum has accepted appends sent at `t` or later, the leader holds
//! the same lease as after a round that began at `t` ([`ReadLease::acked`],
//! [`ReadLease::take_from_appends`]). While writes or heartbeats flow, reads
//! then wait neither for a round nor for the state to apply entries no
//! client has been answered for yet; a round is left for a leader whose
//! members have not answered within the lease. Such a lease is only taken
//! once the leader has applied an entry of its own term, so every write an
//! earlier leader acknowledged is in its state.
//!
//! A vote this node is deciding stops every lease (reads wait for a round
//! meanwhile), and one it grants ends them, and any lease of that term or
//! an earlier one for good: a candidate it helps elect could otherwise
//! take writes while this node still answered from its lease (openraft's
//! old replication streams may go on sending appends under the old vote,
//! and its metrics may still say it leads).
//!
//! What the lease assumes is that the members' clocks run at about the same
//! rate (not that they agree): [`READ_LEASE`] is half of
//! `election_timeout_max`, the rest a margin for drift and for the time a
//! checked read takes to be answered. The lease also ends at once when
//! the leader's vote or the membership changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::{BasicNode, LogId, RaftMetrics, ServerState, Vote};

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
        Self::in_metrics(&raft.metrics().borrow())
    }

    fn term(&self) -> u64 {
        self.vote.leader_id().term
    }

    fn in_metrics(m: &RaftMetrics<u64, BasicNode>) -> Option<Self> {
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
    leases: Mutex<Leases>,
}

/// What the lease's lock guards.
struct Leases {
    /// When this node's group started: it votes for nobody before
    /// `started + length`.
    started: Instant,
    held: Option<Held>,
    /// Appends the members accepted, under the vote they were sent with.
    appends: Appends,
    /// Votes being decided now: no lease is taken or used meanwhile.
    voting: usize,
    /// The highest term this node granted a vote in: a leadership of that
    /// term or an earlier one takes and uses no lease. (openraft only
    /// grants a vote above its own, and may still send appends under the
    /// old one before its metrics say it stepped down.)
    granted_term: u64,
}

/// When each member last accepted an append sent under `vote`: the send
/// time, not the answer's, since the member took the vote after it.
#[derive(Default)]
struct Appends {
    vote: Option<Vote<u64>>,
    sent: BTreeMap<u64, Instant>,
}

impl Appends {
    /// The latest time a majority of every config in `configs` accepted an
    /// append sent no earlier, under `vote`; `me` (the leader) counts as
    /// `now`. None while some config has no such majority.
    fn quorum_since(
        &self,
        vote: &Vote<u64>,
        configs: &[BTreeSet<u64>],
        me: u64,
        now: Instant,
    ) -> Option<Instant> {
        let mine = self.vote.as_ref() == Some(vote);
        let mut since: Option<Instant> = None;
        for config in configs {
            let mut times: Vec<Instant> = config
                .iter()
                .filter_map(|id| match *id == me {
                    true => Some(now),
                    false => self.sent.get(id).copied().filter(|_| mine),
                })
                .collect();
            let majority = config.len() / 2 + 1;
            if config.is_empty() || times.len() < majority {
                return None;
            }
            times.sort_unstable_by(|a, b| b.cmp(a));
            let t = times[majority - 1];
            since = Some(since.map_or(t, |s| s.min(t)));
        }
        since
    }
}

/// A vote this node is deciding; see [`ReadLease::deciding_vote`].
pub(super) struct VoteDecision {
    lease: ReadLease,
    /// The term of the vote asked for.
    term: u64,
    granted: bool,
}

impl VoteDecision {
    /// Records the decision: a granted vote ends every lease.
    pub(super) fn decided(mut self, granted: bool) {
        self.granted = granted;
    }
}

impl Drop for VoteDecision {
    /// A decision dropped unfinished counts as granted: the vote may have
    /// gone through.
    fn drop(&mut self) {
        let mut l = self.lease.lock();
        l.voting = l.voting.saturating_sub(1);
        if self.granted {
            l.held = None;
            l.appends = Appends::default();
            l.granted_term = l.granted_term.max(self.term);
        }
    }
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
                leases: Mutex::new(Leases {
                    started,
                    held: None,
                    appends: Appends::default(),
                    voting: 0,
                    granted_term: 0,
                }),
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
        self.hold(&mut self.lock(), leadership, began);
    }

    /// [`ReadLease::taken`] with the lock held.
    fn hold(&self, l: &mut Leases, leadership: Leadership, began: Instant) {
        let until = began + self.inner.length;
        if l.voting > 0 || leadership.term() <= l.granted_term {
            return;
        }
        let keep = l
            .held
            .as_ref()
            .is_some_and(|h| h.leadership == leadership && h.until >= until);
        if !keep {
            l.held = Some(Held { leadership, until });
        }
    }

    /// Marks the group started now: the vote refusal of a restarted member
    /// runs from here, not from when the lease was made (the network that
    /// records appends needs it before the group opens its log and state).
    pub(crate) fn group_started(&self) {
        self.lock().started = Instant::now();
    }

    /// Records that member `target` accepted an append this node sent at
    /// `sent` under `vote`.
    pub(super) fn acked(&self, target: u64, vote: Vote<u64>, sent: Instant) {
        if self.inner.length.is_zero() {
            return;
        }
        let mut l = self.lock();
        match l.appends.vote {
            Some(current) if current == vote => {}
            // A late answer from a stream of an earlier vote.
            Some(current) if vote.partial_cmp(&current) != Some(std::cmp::Ordering::Greater) => {
                return
            }
            _ => {
                l.appends = Appends {
                    vote: Some(vote),
                    sent: BTreeMap::new(),
                }
            }
        }
        let last = l.appends.sent.entry(target).or_insert(sent);
        *last = (*last).max(sent);
    }

    /// Takes the lease the appends a quorum accepted give, if this node
    /// leads (per `m`) and has applied an entry of its own term. Returns
    /// its leadership.
    pub(super) fn take_from_appends(
        &self,
        m: &RaftMetrics<u64, BasicNode>,
        now: Instant,
    ) -> Option<Leadership> {
        let leadership = Leadership::in_metrics(m)?;
        let own_term_applied = m
            .last_applied
            .is_some_and(|l| l.leader_id.term == m.vote.leader_id().term);
        if !own_term_applied || self.inner.length.is_zero() {
            return Some(leadership);
        }
        let configs = m.membership_config.membership().get_joint_config();
        let mut l = self.lock();
        if let Some(since) = l.appends.quorum_since(&leadership.vote, configs, m.id, now) {
            self.hold(&mut l, leadership.clone(), since);
        }
        Some(leadership)
    }

    /// Starts deciding a vote asked for in `term`: None if this node must
    /// refuse it now (see [`ReadLease::refuses_votes`]); otherwise no lease
    /// is taken or used until the decision is dropped.
    pub(super) fn deciding_vote(&self, term: u64, now: Instant) -> Option<VoteDecision> {
        let mut l = self.lock();
        if self.refusing(&l, now) {
            return None;
        }
        l.voting += 1;
        Some(VoteDecision {
            lease: self.clone(),
            term,
            granted: true,
        })
    }

    /// Whether a read may be answered from local state at `now`, this node
    /// leading under `leadership` (None: it does not lead).
    pub(super) fn covers(&self, leadership: Option<&Leadership>, now: Instant) -> bool {
        let Some(leadership) = leadership else {
            return false;
        };
        let l = self.lock();
        l.voting == 0
            && leadership.term() > l.granted_term
            && l.held
                .as_ref()
                .is_some_and(|h| &h.leadership == leadership && now < h.until)
    }

    /// Whether this node must refuse a vote now: it holds a read lease, or
    /// its group started less than a lease's length ago. (The Raft service
    /// asks [`ReadLease::deciding_vote`], which also holds leases back.)
    #[cfg(test)]
    fn refuses_votes(&self, now: Instant) -> bool {
        self.refusing(&self.lock(), now)
    }

    fn refusing(&self, l: &Leases, now: Instant) -> bool {
        now < l.started + self.inner.length || l.held.as_ref().is_some_and(|h| now < h.until)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Leases> {
        self.inner
            .leases
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

    /// The metrics of node 1 leading in `term`, its last applied entry of
    /// `applied_term`, its voters `configs`.
    fn leader_metrics(
        term: u64,
        applied_term: u64,
        configs: Vec<BTreeSet<u64>>,
    ) -> RaftMetrics<u64, BasicNode> {
        let mut m = RaftMetrics::new_initial(1);
        m.state = ServerState::Leader;
        m.current_leader = Some(1);
        m.vote = Vote::new_committed(term, 1);
        m.last_applied = Some(LogId::new(CommittedLeaderId::new(applied_term, 1), 12));
        let membership = openraft::Membership::new(configs, None::<BTreeSet<u64>>);
        m.membership_config = Arc::new(openraft::StoredMembership::new(
            Some(LogId::new(CommittedLeaderId::new(term, 1), 10)),
            membership,
        ));
        m
    }

    fn voters(ids: &[u64]) -> BTreeSet<u64> {
        ids.iter().copied().collect()
    }

    #[test]
    fn appends_a_quorum_accepted_give_the_lease_a_round_would() {
        let (lease, now) = settled();
        let m = leader_metrics(3, 3, vec![voters(&[1, 2, 3])]);
        let l = leading(3, 10);
        let vote = Vote::new_committed(3, 1);
        assert_eq!(lease.take_from_appends(&m, now), Some(l.clone()));
        assert!(!lease.covers(Some(&l), now), "no member accepted one yet");

        let sent = now - Duration::from_millis(100);
        lease.acked(2, vote, sent);
        lease.take_from_appends(&m, now);
        assert!(lease.covers(Some(&l), sent + READ_LEASE - Duration::from_millis(1)));
        assert!(
            !lease.covers(Some(&l), sent + READ_LEASE),
            "from the send, not the answer"
        );
        assert!(
            lease.refuses_votes(now),
            "a lease from appends guards votes too"
        );

        // A later append moves it on; an earlier answer never moves it back.
        lease.acked(3, vote, now);
        lease.acked(2, vote, sent - Duration::from_millis(50));
        lease.take_from_appends(&m, now);
        assert!(lease.covers(Some(&l), now + READ_LEASE - Duration::from_millis(1)));
    }

    #[test]
    fn appends_give_no_lease_under_another_vote_without_a_quorum_or_before_the_term_applied() {
        let (lease, now) = settled();
        let l = leading(3, 10);
        // Accepted under the vote of an earlier term.
        lease.acked(2, Vote::new_committed(2, 1), now);
        lease.take_from_appends(&leader_metrics(3, 3, vec![voters(&[1, 2, 3])]), now);
        assert!(!lease.covers(Some(&l), now));

        // Under this vote, but the term's first entry is not applied yet.
        lease.acked(2, Vote::new_committed(3, 1), now);
        lease.take_from_appends(&leader_metrics(3, 2, vec![voters(&[1, 2, 3])]), now);
        assert!(
            !lease.covers(Some(&l), now),
            "earlier leaders' writes may be missing"
        );

        // Five voters need two members besides the leader.
        let five = leader_metrics(3, 3, vec![voters(&[1, 2, 3, 4, 5])]);
        lease.take_from_appends(&five, now);
        assert!(!lease.covers(Some(&l), now));
        // Joint consensus: each config needs its own majority.
        let joint = leader_metrics(3, 3, vec![voters(&[1, 2, 3]), voters(&[1, 4, 5])]);
        lease.take_from_appends(&joint, now);
        assert!(!lease.covers(Some(&l), now));
        lease.acked(5, Vote::new_committed(3, 1), now);
        lease.take_from_appends(&joint, now);
        assert!(lease.covers(Some(&l), now));

        let mut follower = leader_metrics(3, 3, vec![voters(&[1, 2, 3])]);
        follower.state = ServerState::Follower;
        assert_eq!(lease.take_from_appends(&follower, now), None);
    }

    #[test]
    fn a_vote_being_decided_stops_the_lease_and_one_granted_ends_its_term_s() {
        let (lease, now) = settled();
        let m = leader_metrics(3, 3, vec![voters(&[1, 2, 3])]);
        let l = leading(3, 10);
        let deciding = lease.deciding_vote(4, now);
        assert!(deciding.is_some(), "not refused: no lease yet");
        lease.acked(2, Vote::new_committed(3, 1), now);
        lease.take_from_appends(&m, now);
        assert!(
            !lease.covers(Some(&l), now),
            "no lease while a vote is decided"
        );
        if let Some(deciding) = deciding {
            deciding.decided(false);
        }
        lease.take_from_appends(&m, now);
        assert!(lease.covers(Some(&l), now), "refused: leases go on");
        assert!(
            lease.deciding_vote(4, now).is_none(),
            "refused while leased"
        );

        let later = now + READ_LEASE;
        let granted = lease.deciding_vote(4, later);
        assert!(granted.is_some(), "the lease ran out");
        drop(granted); // unfinished: taken as granted
        assert!(!lease.covers(Some(&l), later), "the grant ended the lease");
        // openraft may still send appends under the old vote, and members
        // that have not heard of the candidate accept them.
        let after = later + Duration::from_millis(10);
        lease.acked(2, Vote::new_committed(3, 1), after);
        lease.take_from_appends(&m, after);
        assert!(
            !lease.covers(Some(&l), after),
            "appends under a term it voted past give no lease"
        );
        lease.taken(l.clone(), after);
        assert!(!lease.covers(Some(&l), after), "nor does a round");

        // Leading in a later term, it takes leases again.
        let l5 = leading(5, 10);
        let m5 = leader_metrics(5, 5, vec![voters(&[1, 2, 3])]);
        lease.acked(2, Vote::new_committed(5, 1), after);
        lease.acked(3, Vote::new_committed(3, 1), after); // a late answer: ignored
        lease.take_from_appends(&m5, after);
        assert!(lease.covers(Some(&l5), after));
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
