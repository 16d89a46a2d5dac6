//! The integration tests: one test binary (one link of the whole
//! dependency tree), a module per area. Most start real `predastore`
//! processes; all run concurrently in this process (see `common` for the
//! address ranges and the lock that keep them apart).

// The shared helpers are `pub` for the modules that use them, and unwrap
// and panic as test code does.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod common;

mod access;
mod browser;
mod cluster;
mod consensus;
mod consistency;
mod deploy;
mod grafana;
mod hostile;
mod https;
mod identity;
mod import;
mod inline_objects;
mod raft_storage;
mod s3;
mod startup;
mod storage;
mod transport;
