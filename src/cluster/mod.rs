//! Cluster membership and data placement.

pub mod layout;
pub mod placement;
pub mod ring;
