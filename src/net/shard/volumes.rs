//! Volumes: how each of a node's volumes stands ([`Request::Volumes`],
//! answered [`Response::Volumes`]).

use s2n_quic::connection::Handle as ConnectionHandle;

use super::service::ShardService;
use crate::net::frame::{Request, Response};
use crate::net::rpc::{call, unexpected, Idle, Sender};
use crate::net::service::answer_with;
use crate::net::NetError;
use crate::storage::VolumeStatus;

/// The peer's volumes, in slot order.
pub(crate) async fn volumes(
    conn: &mut ConnectionHandle,
    idle: Idle,
) -> Result<Vec<VolumeStatus>, NetError> {
    match call(conn, &Request::Volumes, idle).await? {
        Response::Volumes { volumes } => Ok(volumes),
        other => Err(unexpected(other)),
    }
}

/// Answers the node's volumes.
pub(super) async fn serve(shards: &dyn ShardService, tx: &mut Sender) -> Result<(), NetError> {
    let volumes = shards.volumes().await;
    answer_with(tx, volumes.map(|volumes| Response::Volumes { volumes })).await
}
