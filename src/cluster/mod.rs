//! Cluster membership and data placement.

pub(crate) mod layout;
pub(crate) mod placement;
pub(crate) mod ring;
