//! The Pool: one per process, one QUIC connection per peer, reused by every
//! request (each request is a new stream on it).
//!
//! A dial that cannot complete fails within the dial timeout; a request on
//! a connection that fails or times out evicts that connection, so the next
//! request dials again. The pool's failure detector (see `detector`)
//! remembers peers that are down: a request to one fails at once with
//! [`NetError::PeerDown`] until a background probe finds it up.
//! [`PeerClient`] is what callers use: it picks the connection, bounds each
//! call by the RPC timeout, retries idempotent calls once on a fresh
//! connection, and tells without a round trip whether a peer is up.
mod actor;
mod client;
mod detector;
pub(crate) mod health;
mod inventory;
mod messages;
#[cfg(test)]
mod tests;

pub use actor::Pool;
pub use actor::PoolConfig;
pub use client::PeerClient;
