//! ListShards: a node's shard keys in key order, a page at a time
//! ([`Request::ListShards`], answered [`Response::ShardKeys`]).

use s2n_quic::connection::Handle as ConnectionHandle;

use super::service::{too_many, ShardService};
use crate::net::frame::{self, Request, Response};
use crate::net::rpc::{call, unexpected, Idle, Sender};
use crate::net::service::answer_with;
use crate::net::NetError;
use crate::storage::ShardKey;

/// One page of the peer's shard keys after `after`, at most `limit` (itself
/// at most [`frame::MAX_INVENTORY_KEYS`]).
pub(crate) async fn list_shards(
    conn: &mut ConnectionHandle,
    after: Option<ShardKey>,
    limit: u32,
    idle: Idle,
) -> Result<Vec<ShardKey>, NetError> {
    match call(conn, &Request::ListShards { after, limit }, idle).await? {
        Response::ShardKeys { keys }
            if keys.len() <= limit as usize
                && keys.iter().all(|k| after.is_none_or(|a| *k > a)) =>
        {
            Ok(keys)
        }
        other => Err(unexpected(other)),
    }
}

/// Answers the page of keys after `after` (at most `limit`, itself at
/// most [`frame::MAX_INVENTORY_KEYS`]).
pub(super) async fn serve(
    shards: &dyn ShardService,
    after: Option<ShardKey>,
    limit: u32,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let keys = if limit as usize > frame::MAX_INVENTORY_KEYS {
        Err(too_many(limit as usize))
    } else {
        shards.list_shards(after, limit as usize).await
    };
    answer_with(tx, keys.map(|keys| Response::ShardKeys { keys })).await
}
