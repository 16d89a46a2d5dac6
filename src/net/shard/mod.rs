//! The shard operations, one file each: the client call and the node's
//! handling of [`Request::PutShard`] (`put`), `CopyShard` (`copy`),
//! `GetShard` (`get`), `DeleteShard` (`delete`), `StatShards` (`stat`),
//! `ListShards` (`list`), `NodeStats` (`stats`), `Volumes` and
//! `ReplaceVolume` (`volumes`). Their request and
//! answer frames are variants of the one wire enum in `frame`, which keeps
//! every variant's number in one place. What a node does with each is
//! the [`ShardService`] it serves (the storage node's).

mod copy;
mod delete;
mod get;
mod list;
mod put;
mod service;
mod stat;
mod stats;
mod volumes;

use super::frame::{ErrorKind, Request};
use super::rpc::{Body, Sender};
use super::service::{answer_with, not_served, ServiceError};
use super::NetError;
use crate::storage::ShardKey;

pub(crate) use copy::copy_shard;
pub(crate) use delete::delete_shard;
pub(crate) use get::get_shard;
pub(crate) use list::list_shards;
pub(crate) use put::put_shard;
pub(crate) use service::ShardService;
pub(crate) use stat::stat_shards;
pub(crate) use stats::node_stats;
pub(crate) use volumes::{replace_volume, volumes};

/// Serves a shard request that carries no body (its stream's end was
/// read), with `shards` (`None`: this node stores none).
pub(super) async fn serve(
    request: Request,
    shards: Option<&dyn ShardService>,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let Some(shards) = shards else {
        return answer_with(tx, Err(not_served("shards"))).await;
    };
    match request {
        Request::GetShard { key, range } => get::serve(shards, key, range, tx).await,
        Request::CopyShard { key, len, from } => copy::serve(shards, key, len, from, tx).await,
        Request::DeleteShard { key } => delete::serve(shards, key, tx).await,
        Request::StatShards { keys } => stat::serve(shards, keys, tx).await,
        Request::ListShards { after, limit } => list::serve(shards, after, limit, tx).await,
        Request::NodeStats => stats::serve(shards, tx).await,
        Request::Volumes => volumes::serve(shards, tx).await,
        Request::ReplaceVolume { slot } => volumes::serve_replace(shards, slot, tx).await,
        Request::PutShard { .. } | Request::Message { .. } | Request::Health => {
            let bad = ServiceError {
                kind: ErrorKind::BadRequest,
                message: "not a shard request without a body".into(),
            };
            answer_with(tx, Err(bad)).await
        }
    }
}

/// Serves a PutShard whose `len` bytes `body` brings.
pub(super) async fn serve_put(
    key: ShardKey,
    len: u64,
    body: Body,
    shards: Option<&dyn ShardService>,
    tx: &mut Sender,
) -> Result<(), NetError> {
    match shards {
        Some(shards) => put::serve(shards, key, len, body, tx).await,
        None => answer_with(tx, Err(not_served("shards"))).await,
    }
}
