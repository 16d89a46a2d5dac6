//! Helpers shared by the integration tests, by concern.
//!
//! All tests run in one process, concurrently. Tests that start cluster
//! processes each use their own range of loopback addresses (ports come
//! from [`node::free_port`]), so no two running tests share an
//! address:port:
//!
//! | range | tests |
//! | --- | --- |
//! | 127.0.0.1 | single-node stores (`s3`, `inline_objects`), client sockets |
//! | 127.0.0.2–4 | `cluster::meta_cluster` ([`meta::MetaCluster`]) |
//! | 127.0.0.12–17 | `cluster::multi_node` |
//! | 127.0.0.22–29 | `transport` |
//! | 127.0.0.32–35 | `consistency` (the leader-kill run) |
//! | 127.0.0.42–45 | `cluster::healing` (a node killed mid-upload) |
//! | 127.0.0.52–56 | `cluster::healing` (a node removed for good) |
//! | 127.0.0.62–65 | `cluster::healing` (space after faults) |
//! | 127.0.0.71–77 | `deploy` (`scripts/cluster.sh`, fixed ports) |
//! | 127.0.0.82–88 | `cluster::healing` (4+2 on six nodes) |
//! | 127.0.0.102–106 | `cluster::operations` (a node added) |
//! | 127.0.0.112–116 | `cluster::operations` (a node drained) |
//! | 127.0.0.132–136 | `cluster::meta_membership` |
//! | 127.0.0.162–165 | `cluster::versioning` (leader kills on a versioned bucket) |
//! | 127.0.0.172–175 | `cluster::versioning` (noncurrent versions, a node down, bit rot) |
//! | 127.0.0.192–195 | `cluster::lifecycle` (a leader killed mid-walk) |
//! | 127.0.0.202–205 | `cluster::scrub_heal` (bit rot healed at default settings) |
//! | 127.0.0.212–215 | `cluster::restart_read` (reads right after a restart, a shard corrupt) |
//! | 127.0.0.222–228 | `cluster::repair_copy` (a damaged shard moved by repair) |
//! | 127.0.0.232–235 | `cluster::lock_clock` (a leader whose clock runs ahead) |
//!
//! Tests that read this process's own metrics hold [`serial::process_metrics`].
#![allow(dead_code)]

pub mod access;
pub mod admin;
pub mod cluster;
pub mod damage;
pub mod digest;
pub mod disk;
pub mod heal;
pub mod http;
pub mod iam;
pub mod lifecycle;
pub mod meta;
pub mod node;
pub mod presign;
pub mod s3;
pub mod sdk;
pub mod serial;
pub mod shards;
pub mod sse;
pub mod store;
