//! Volumes: how each of a node's volumes stands ([`Request::Volumes`]),
//! and a failed one's disk replaced ([`Request::ReplaceVolume`]); both
//! answered [`Response::Volumes`].

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

/// Has the peer take a new disk in for failed volume `slot`; its volumes
/// afterwards.
pub(crate) async fn replace_volume(
    conn: &mut ConnectionHandle,
    slot: u16,
    idle: Idle,
) -> Result<Vec<VolumeStatus>, NetError> {
    match call(conn, &Request::ReplaceVolume { slot }, idle).await? {
        Response::Volumes { volumes } => Ok(volumes),
        other => Err(unexpected(other)),
    }
}

/// Takes a new disk in for failed volume `slot`; answers the volumes.
pub(super) async fn serve_replace(
    shards: &dyn ShardService,
    slot: u16,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let volumes = shards.replace_volume(slot).await;
    answer_with(tx, volumes.map(|volumes| Response::Volumes { volumes })).await
}

/// Answers the node's volumes.
pub(super) async fn serve(shards: &dyn ShardService, tx: &mut Sender) -> Result<(), NetError> {
    let volumes = shards.volumes().await;
    answer_with(tx, volumes.map(|volumes| Response::Volumes { volumes })).await
}
