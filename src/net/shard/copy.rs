//! CopyShard: a node has a shard it does not hold read from another node
//! and stored, node to node, without the bytes passing through the caller
//! (repair moving a shard; [`Request::CopyShard`], answered
//! [`Response::Stored`] once durable).

use std::net::SocketAddr;

use super::put::stored;
use super::service::ShardService;
use crate::net::frame::{self, Request, Response};
use crate::net::rpc::{OpenStream, Sender};
use crate::net::service::answer_with;
use crate::net::NetError;
use crate::storage::ShardKey;

/// Has the peer store a shard of `len` bytes it reads from the storage
/// node at `from` itself, over an opened stream; answers its CRC32C. The
/// peer answers once the copy is durable: `s` must allow for the copy.
pub(crate) async fn copy_shard(
    mut s: OpenStream,
    key: ShardKey,
    len: u64,
    from: SocketAddr,
) -> Result<u32, NetError> {
    s.tx.send(frame::encode(&Request::CopyShard { key, len, from })?)
        .await?;
    s.tx.finish()?;
    stored(s).await
}

/// Copies the shard from `from`, and answers once it is durable.
pub(super) async fn serve(
    shards: &dyn ShardService,
    key: ShardKey,
    len: u64,
    from: SocketAddr,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let stored = shards.copy_shard(key, len, from).await;
    answer_with(tx, stored.map(|crc| Response::Stored { crc })).await
}
