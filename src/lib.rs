//! predastore: a distributed, S3-compatible object store.
//!
//! Floors, top to bottom (a file imports only from its own floor and
//! those below it; `scripts/import-cycles.py` checks it in CI):
//!
//! 1. `node`, `error`, `fuzzing`: a process assembled from its roles
//! 2. `api`, `admin`, `console`, `config`: the S3, admin and console edges
//! 3. `actors/upkeep`: repair and lifecycle, clients of the object service
//! 4. `object`, `identity`: the object service and the shard coordinator;
//!    IAM identities (users, roles' sessions) and their policies
//! 5. `actors/core`: consensus, WAL writers, syncer, pool, ring, scrub
//! 6. `storage`, `net`, `cluster`: plain code, no actix
//! 7. `policy`, `select`, `metrics`, `clock`, `activity`: leaves (the
//!    policy and S3 Select languages among them)
//!
//! Only floors 1–5 use actix; the plain modules are tested without it.
//! The modules are private: what the binary, the integration tests, the
//! benches and the fuzz targets use is re-exported below, so
//! `unreachable_pub` flags everything else.

mod activity;
mod actors;
mod admin;
mod api;
mod clock;
mod cluster;
mod config;
mod console;
mod error;
mod identity;
mod net;
mod node;
mod object;
/// AWS's policy language (bucket, identity and trust policies: parse,
/// evaluate, is-public); no HTTP in it.
pub(crate) mod policy;
mod select;
mod storage;

/// Every Prometheus metric the process exports: public as a whole, since
/// the metrics are the store's contract with its dashboards (the Grafana
/// test and the transport tests read them).
pub mod metrics;

// Entry points of the cargo-fuzz targets in fuzz/; not an API.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;

// Running a process (src/main.rs): configuration, the log, the roles, and
// the `admin` command.
pub use admin::cli::{run as run_admin, AdminArgs};
pub use config::Config;
pub use error::Error;
pub use node::logging::init as init_logging;
pub use node::{https_identity, serve};

/// What the store's own client tools share with it (`predastore-import`
/// in tools/import): the S3 error codes it reads in answers, the version
/// listing reader, and the plain-text tables `predastore admin` prints.
pub mod client {
    pub use crate::admin::table::{bytes, table};
    pub use crate::api::error::S3ErrorCode;
    pub use crate::api::xml::version_listing::{read_version_page, ListedVersion, VersionPage};
}

/// The metadata layer: the Consensus actor, metadata ops and records, and
/// the Raft group's storage (the consensus and Raft storage tests, the
/// consensus bench).
pub mod meta {
    pub use crate::actors::core::consensus::{
        Consensus, ConsensusConfig, ConsensusError, LocalRaft, MetaClock, Read, ReadLease, Submit,
        SubmitOnce,
    };
    pub use crate::storage::meta::acl::Acl;
    pub use crate::storage::meta::{
        BucketRecord, ErasureLayout, ListQuery, MetaOp, MetaOpError, MetaOutcome, MetaRead,
        MetaReadResult, ObjectRecord, WriteCondition,
    };
    pub use crate::storage::raft::group::start_single_node;
    pub use crate::storage::raft::log_store::LogStore;
    pub use crate::storage::raft::state_machine::MetaStateMachine;
    pub use crate::storage::raft::{MetaRaft, MetaRequest, SharedMetaState};
}

/// The storage engine: WAL segments and records, volumes, the shard index
/// and a storage node's client (the storage tests, the WAL bench).
pub mod shards {
    pub use crate::actors::core::wal::node::{StorageConfig, StorageNode};
    pub use crate::storage::wal::record::{record_disk_size, Padding, RecordKind};
    pub use crate::storage::wal::segment::{
        list_segments, open_segment, scan_segment, segment_path, SegmentFiles, SEGMENT_HEADER_LEN,
    };
    pub use crate::storage::{
        Appended, FsyncMode, ObjectId, ShardEntry, ShardIndex, ShardKey, ShardReader, StorageError,
        SyncState, Volume, VolumeConfig,
    };
}

/// The cluster transport: the QUIC endpoint and its certificates, RPC
/// frames and the connection pool (the transport tests and bench, `tls
/// init`).
pub mod transport {
    pub use crate::actors::core::pool::{PeerClient, Pool, PoolConfig};
    pub use crate::net::frame::decode;
    pub use crate::net::rpc::Body;
    pub use crate::net::{endpoint, tls, ErrorKind, NetError, PeerAddr, Request, Response};
}
