//! The Ring actor: owns the hash ring built from the cluster layout and
//! publishes it as an immutable snapshot, so placement on the hot path is a
//! pointer load, not a message round trip. A layout change builds a new
//! ring and swaps the snapshot. No other code builds a ring.
//!
//! The layout lives in Raft. Every process that places or reads shards
//! follows it ([`Ring::follow`]): it reads the layout once a second and
//! rebuilds the ring when its version moves; the environment's
//! `PREDASTORE_STORAGE_NODES` only seeds the first layout (and the ring
//! until the first read). Active nodes take shards by weight; draining
//! nodes stay members with weight 0 (their shards are read and moved off,
//! none are placed there); removed nodes leave the ring.
//!
//! An empty ring means there is no cluster layout: the process's own volumes
//! are the only storage (the `all` role).
//!
//! The actor is in `actor`, its snapshot in `view`; [`RingClient`] is what
//! a caller holding the actor uses to change its membership.

mod actor;
#[cfg(test)]
mod client;
mod messages;
#[cfg(test)]
mod tests;
mod view;

pub(crate) use actor::Ring;
pub(crate) use view::RingView;
