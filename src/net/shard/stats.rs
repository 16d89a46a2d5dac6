//! NodeStats: a node's totals, shards and bytes held and its volumes'
//! space ([`Request::NodeStats`], answered [`Response::NodeStats`]).

use s2n_quic::connection::Handle as ConnectionHandle;

use super::service::ShardService;
use crate::net::frame::{Request, Response};
use crate::net::rpc::{call, unexpected, Idle, Sender};
use crate::net::service::answer_with;
use crate::net::NetError;
use crate::storage::NodeStats;

/// The peer's totals (shards held, space).
pub(crate) async fn node_stats(
    conn: &mut ConnectionHandle,
    idle: Idle,
) -> Result<NodeStats, NetError> {
    match call(conn, &Request::NodeStats, idle).await? {
        Response::NodeStats { stats } => Ok(stats),
        other => Err(unexpected(other)),
    }
}

/// Answers the node's totals.
pub(super) async fn serve(shards: &dyn ShardService, tx: &mut Sender) -> Result<(), NetError> {
    let stats = shards.node_stats().await;
    answer_with(tx, stats.map(|stats| Response::NodeStats { stats })).await
}
