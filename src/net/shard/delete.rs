//! DeleteShard: a shard dropped from the node that holds it (a tombstone
//! record, its space reclaimed by compaction; [`Request::DeleteShard`],
//! answered [`Response::Deleted`]).

use s2n_quic::connection::Handle as ConnectionHandle;

use super::service::ShardService;
use crate::net::frame::{Request, Response};
use crate::net::rpc::{call, unexpected, Idle, Sender};
use crate::net::service::answer_with;
use crate::net::NetError;
use crate::storage::ShardKey;

/// Deletes a shard on the peer; whether it existed.
pub(crate) async fn delete_shard(
    conn: &mut ConnectionHandle,
    key: ShardKey,
    idle: Idle,
) -> Result<bool, NetError> {
    match call(conn, &Request::DeleteShard { key }, idle).await? {
        Response::Deleted { existed } => Ok(existed),
        other => Err(unexpected(other)),
    }
}

/// Deletes the shard, and answers whether it existed.
pub(super) async fn serve(
    shards: &dyn ShardService,
    key: ShardKey,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let deleted = shards.delete_shard(key).await;
    answer_with(tx, deleted.map(|existed| Response::Deleted { existed })).await
}
