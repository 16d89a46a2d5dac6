//! Cluster membership and data placement.

pub mod ring;
