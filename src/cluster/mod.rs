//! Cluster membership and data placement.

pub mod placement;
pub mod ring;
