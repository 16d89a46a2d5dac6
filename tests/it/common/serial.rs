//! Tests that must not run at the same time as some others.
//!
//! The metrics in `predastore::metrics` are process-wide statics, and every
//! test of this binary runs in the one process. A test that asserts on how
//! they move (connection pool misses, open client QUIC streams, ops per
//! Raft entry) holds this lock, and so does every test that moves them
//! in this process (a connection pool, a QUIC client, a Raft state machine).
//! The lock is not poisoned by a failed test.

use tokio::sync::{Mutex, MutexGuard};

static PROCESS_METRICS: Mutex<()> = Mutex::const_new(());

/// Holds the process metrics to the caller until the guard drops.
pub async fn process_metrics() -> MutexGuard<'static, ()> {
    PROCESS_METRICS.lock().await
}

/// [`process_metrics`] for a test outside an async runtime.
pub fn process_metrics_blocking() -> MutexGuard<'static, ()> {
    PROCESS_METRICS.blocking_lock()
}
