//! The actors that keep stored objects in shape through the object
//! service: repair (lost redundancy, misplaced and orphaned shards,
//! rebalance) and lifecycle (expiry and aborted uploads).

pub(crate) mod lifecycle;
pub(crate) mod repair;
