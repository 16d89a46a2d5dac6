//! Linearizable reads on the leader, many to one leadership check.
//!
//! Before it answers a read, the leader confirms it still leads: a round
//! of heartbeats to a quorum (openraft's `ensure_linearizable`), then it
//! waits until its state machine has applied everything committed when the
//! round began. Done once per read, 64 concurrent GETs cost 128 heartbeat
//! RPCs and as many wakeups on the followers.
//!
//! Reads that arrive together share one round instead. The rule that keeps
//! them linearizable: a read only joins a round that *starts after it
//! arrived*. A read that arrives while a round is in flight waits for the
//! next one, which starts as soon as the current one ends. So every read's
//! answer reflects every write acknowledged before the read arrived, just
//! as with a round of its own: nothing is served from a lease or a clock,
//! and a deposed leader's round fails for every read in it alike. A round
//! no quorum answers is tried again for a few seconds before the reads
//! fail: a stall of the members' disks is then a pause, not an error.
//!
//! A round that succeeded also gives the leader a read lease (see
//! `lease`): for the lease's length after it began
//! ([`READ_LEASE`](super::lease::READ_LEASE) unless configured shorter or
//! off), reads are answered without a round of their own.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::Raft;
use tokio::sync::oneshot;

use super::error::ConsensusError;
use super::lease::{Leadership, ReadLease};
use super::types::classify;
use crate::metrics;
use crate::storage::raft::MetaRaft;

type Waiter = oneshot::Sender<Result<(), ConsensusError>>;

/// How long a check is tried again while no quorum answers: several
/// election timeouts, so a leader that lost its quorum is replaced first.
const QUORUM_WAIT: Duration = Duration::from_secs(3);
/// Pause between two such tries (a heartbeat interval).
const QUORUM_RETRY: Duration = Duration::from_millis(100);

/// The leadership checks of one Raft node. Cheap to clone.
#[derive(Clone)]
pub(super) struct ReadIndex {
    raft: Raft<MetaRaft>,
    lease: ReadLease,
    rounds: Arc<Mutex<Rounds>>,
}

/// Reads waiting for the next round, and whether a round is in flight.
#[derive(Default)]
struct Rounds {
    in_flight: bool,
    next: Vec<Waiter>,
}

impl ReadIndex {
    /// Leadership checks of `raft`, which take and use `lease`.
    pub(super) fn new(raft: Raft<MetaRaft>, lease: ReadLease) -> Self {
        Self {
            raft,
            lease,
            rounds: Arc::default(),
        }
    }

    /// Resolves once the local state may be read: at once under a read
    /// lease, otherwise once this node is confirmed leader by a round that
    /// began after the call and its state machine has caught up with that
    /// round's commit index.
    pub(super) async fn confirm(&self) -> Result<(), ConsensusError> {
        if self.leased() {
            metrics::RAFT_LEASE_READS.inc();
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut rounds = self.lock();
            rounds.next.push(tx);
            !std::mem::replace(&mut rounds.in_flight, true)
        };
        if start {
            tokio::spawn(self.clone().run());
        }
        rx.await
            .unwrap_or_else(|_| Err(ConsensusError::Unavailable("metadata group stopped".into())))
    }

    /// Runs rounds until no read waits.
    async fn run(self) {
        loop {
            let batch = {
                let mut rounds = self.lock();
                if rounds.next.is_empty() {
                    rounds.in_flight = false;
                    return;
                }
                std::mem::take(&mut rounds.next)
            };
            // The round just ended may have given a lease that covers
            // the reads which arrived while it ran.
            if self.leased() {
                metrics::RAFT_LEASE_READS.inc_by(batch.len() as u64);
                for waiter in batch {
                    let _ = waiter.send(Ok(()));
                }
                continue;
            }
            metrics::RAFT_READS_PER_CHECK.observe(batch.len() as f64);
            let leadership = Leadership::of(&self.raft);
            let began = Instant::now();
            let result = self.confirm_round().await;
            if let (Ok(()), Some(leadership)) = (&result, leadership) {
                self.lease.taken(leadership, began);
            }
            for waiter in batch {
                let _ = waiter.send(result.clone());
            }
        }
    }

    /// One leadership check, tried again while no quorum answers: a
    /// quorum that stalls for a moment (its members' disks busy) or a
    /// leader about to be deposed settles within [`QUORUM_WAIT`], and the
    /// reads then go on or go to the new leader instead of failing. Every
    /// try is a round that began after the batch's reads arrived.
    async fn confirm_round(&self) -> Result<(), ConsensusError> {
        let started = Instant::now();
        loop {
            let tried = Instant::now();
            let result = self
                .raft
                .ensure_linearizable()
                .await
                .map(|_| ())
                .map_err(|e| classify(&e));
            match result {
                // A try that timed out has waited already: the next begins
                // a retry pause after this one began, not after it ended.
                Err(ConsensusError::Unavailable(_)) if started.elapsed() < QUORUM_WAIT => {
                    metrics::RAFT_READ_CHECK_RETRIES.inc();
                    tokio::time::sleep_until((tried + QUORUM_RETRY).into()).await;
                }
                other => return other,
            }
        }
    }

    /// Whether a read arriving now is covered by this node's read lease,
    /// from a round or from the appends a quorum accepted.
    fn leased(&self) -> bool {
        let now = Instant::now();
        let leadership = self
            .lease
            .take_from_appends(&self.raft.metrics().borrow(), now);
        self.lease.covers(leadership.as_ref(), now)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rounds> {
        self.rounds
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
