//! Reads sent to a leader on another node, and what cuts them short.
//!
//! A read waiting on a leader that died would wait for the transport to
//! give up on it (the pool's failure detector or the RPC timeout, seconds)
//! while every request behind it stalls. Instead a read in flight is
//! counted in [`RemoteReads`], so that the actor's probe asks who leads
//! once one has waited [`PROBE_AFTER`](super::types::PROBE_AFTER), just as
//! for a stalled entry; and it watches the actor's route
//! ([`RouteWatch`]): when the leader moves, the read is abandoned and sent
//! again to the new one (reads change nothing, so sending one twice is
//! harmless).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::watch;

use super::types::Route;

/// The reads in flight to other nodes, by when each left. Cheap to clone.
#[derive(Clone, Default)]
pub(super) struct RemoteReads {
    inner: Arc<Reads>,
}

#[derive(Default)]
struct Reads {
    next: AtomicU64,
    started: Mutex<HashMap<u64, Instant>>,
}

impl RemoteReads {
    /// Counts a read that leaves now, until the guard is dropped.
    pub(super) fn start(&self) -> ReadInFlight {
        let seq = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.started().insert(seq, Instant::now());
        ReadInFlight {
            reads: self.clone(),
            seq,
        }
    }

    /// When the oldest read still in flight left.
    pub(super) fn oldest(&self) -> Option<Instant> {
        self.started().values().min().copied()
    }

    fn started(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Instant>> {
        self.inner
            .started
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One read counted in [`RemoteReads`]; uncounted when dropped.
pub(super) struct ReadInFlight {
    reads: RemoteReads,
    seq: u64,
}

impl Drop for ReadInFlight {
    fn drop(&mut self) {
        self.reads.started().remove(&self.seq);
    }
}

/// The route the actor's entries take, published each time it changes.
pub(super) type RouteWatch = watch::Receiver<Route>;

/// Resolves once the route is no longer `route` (at once if it already
/// is not); never if the actor is gone, whose reads end otherwise.
pub(super) async fn moved_from(mut routes: RouteWatch, route: Route) {
    if routes.wait_for(|now| *now != route).await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::PeerAddr;
    use std::time::Duration;

    #[test]
    fn a_read_is_counted_until_its_guard_drops() {
        let reads = RemoteReads::default();
        assert!(reads.oldest().is_none());
        let first = reads.start();
        let when = reads.oldest();
        let second = reads.start();
        assert_eq!(reads.oldest(), when, "the oldest read is the first");
        drop(first);
        assert!(reads.oldest() >= when);
        drop(second);
        assert!(reads.oldest().is_none());
    }

    #[tokio::test]
    async fn a_read_is_cut_short_when_the_route_moves() {
        let old: PeerAddr = ([127, 0, 0, 1], 9100).into();
        let new: PeerAddr = ([127, 0, 0, 2], 9100).into();
        let (tx, rx) = watch::channel(Route::Remote(1, old));
        let wait = tokio::spawn(moved_from(rx.clone(), Route::Remote(1, old)));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!wait.is_finished(), "the route has not moved yet");
        tx.send_replace(Route::Remote(2, new));
        tokio::time::timeout(Duration::from_secs(5), wait)
            .await
            .expect("the route moved")
            .expect("the wait ended");
        // A route that moved before the read left ends the wait at once.
        tokio::time::timeout(
            Duration::from_secs(5),
            moved_from(rx, Route::Remote(1, old)),
        )
        .await
        .expect("already moved");
    }
}
