//! The default log filter and the openraft events it leaves out.
//!
//! The binary's subscriber is built from `PREDASTORE_LOG` plus
//! [`is_raft_peer_noise`]; both live here so their test sees exactly what
//! the binary lets through.

/// The default `PREDASTORE_LOG`. openraft logs up to five WARN/ERROR lines
/// for every retry to a member that is down (a normal state): those of
/// `openraft::replication` (all about one failed attempt: off; a storage
/// error met there is still logged by the Raft core) and the WARN lines of
/// its replication progress handler (its ERROR stays). The Raft network
/// logs each member's changes instead (`actors::core::consensus::network`). See
/// also [`is_raft_peer_noise`].
pub(crate) const DEFAULT_LOG: &str = "info,openraft=warn,openraft::replication=off,\
openraft::engine::handler::replication_handler=error,fjall=warn,lsm_tree=warn";

/// Whether `meta` is one of openraft's per-attempt reports of an RPC to one
/// member that failed: the Raft core's WARN/ERROR events with a `target`
/// member and an `error` (in openraft 0.9: a vote, or a leadership check
/// before a read, that got no answer). While a member is down they come
/// with every read and every election round, so the binary's log filter
/// drops them; the Raft network logs the member's state changes instead.
/// The core's own errors (fatal ones, a failed task) carry no such pair
/// and stay.
pub(crate) fn is_raft_peer_noise(meta: &tracing::Metadata<'_>) -> bool {
    let fields = meta.fields();
    meta.is_event()
        && *meta.level() <= tracing::Level::WARN
        && meta.target() == "openraft::core::raft_core"
        && fields.field("target").is_some()
        && fields.field("error").is_some()
}
