//! What a node does with each shard operation (the storage node
//! implements it), and the refusal of a batch too large to serve.

use std::net::SocketAddr;
use std::ops::Range;

use futures::future::BoxFuture;

use crate::net::frame::{self, ErrorKind};
use crate::net::rpc::Body;
use crate::net::service::{not_served, ServiceBody, ServiceError};
use crate::storage::{NodeStats, ShardKey, ShardState, VolumeStatus};

/// What a node does with each shard operation; the storage node
/// implements it.
pub(crate) trait ShardService: Send + Sync + 'static {
    /// Store a shard read from `body`; answer its CRC32C once durable.
    fn put_shard(
        &self,
        key: ShardKey,
        len: u64,
        body: Body,
    ) -> BoxFuture<'static, Result<u32, ServiceError>>;
    /// Length and bytes of a shard or of `range` of it.
    fn get_shard(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> BoxFuture<'static, Result<(u64, ServiceBody), ServiceError>>;
    /// Delete a shard; whether it existed.
    fn delete_shard(&self, key: ShardKey) -> BoxFuture<'static, Result<bool, ServiceError>>;
    /// Store a shard of `len` bytes read from the storage node at `from`;
    /// its CRC32C once durable.
    fn copy_shard(
        &self,
        key: ShardKey,
        len: u64,
        from: SocketAddr,
    ) -> BoxFuture<'static, Result<u32, ServiceError>> {
        let _ = (key, len, from);
        Box::pin(async { Err(not_served("shard copies")) })
    }
    /// What the node holds under each key, in order (at most
    /// [`frame::MAX_INVENTORY_KEYS`] keys, checked before this is called).
    fn stat_shards(
        &self,
        keys: Vec<ShardKey>,
    ) -> BoxFuture<'static, Result<Vec<ShardState>, ServiceError>> {
        let _ = keys;
        Box::pin(async { Err(not_served("shard inventory")) })
    }
    /// Shard keys in key order strictly after `after`, at most `limit`
    /// (at most [`frame::MAX_INVENTORY_KEYS`], checked before this is called).
    fn list_shards(
        &self,
        after: Option<ShardKey>,
        limit: usize,
    ) -> BoxFuture<'static, Result<Vec<ShardKey>, ServiceError>> {
        let _ = (after, limit);
        Box::pin(async { Err(not_served("shard inventory")) })
    }
    /// The node's totals.
    fn node_stats(&self) -> BoxFuture<'static, Result<NodeStats, ServiceError>> {
        Box::pin(async { Err(not_served("node stats")) })
    }
    /// How each volume stands, in slot order.
    fn volumes(&self) -> BoxFuture<'static, Result<Vec<VolumeStatus>, ServiceError>> {
        Box::pin(async { Err(not_served("volume status")) })
    }
    /// Takes a new disk in for failed volume `slot`; the volumes after.
    fn replace_volume(
        &self,
        slot: u16,
    ) -> BoxFuture<'static, Result<Vec<VolumeStatus>, ServiceError>> {
        let _ = slot;
        Box::pin(async { Err(not_served("volume replacement")) })
    }
}

/// Refuses a batch larger than [`frame::MAX_INVENTORY_KEYS`].
pub(super) fn too_many(n: usize) -> ServiceError {
    ServiceError {
        kind: ErrorKind::BadRequest,
        message: format!(
            "{n} keys asked for; at most {} per request",
            frame::MAX_INVENTORY_KEYS
        ),
    }
}
