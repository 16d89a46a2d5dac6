//! The storage node's side of the cluster transport: each shard RPC that
//! arrives over QUIC is served by the local [`StorageNode`].

use std::ops::Range;

use futures::future::BoxFuture;
use futures::StreamExt;

use crate::actors::wal::node::StorageNode;
use crate::net::rpc::Body;
use crate::net::server::{ServiceBody, ServiceError, ShardService};
use crate::net::ErrorKind;
use crate::storage::{NodeStats, ShardKey, ShardState, StorageError};

/// Serves shard RPCs from a storage node.
pub(crate) struct StorageService {
    node: StorageNode,
}

impl StorageService {
    /// A service over `node`.
    pub(crate) fn new(node: StorageNode) -> Self {
        Self { node }
    }
}

/// How a storage failure is reported to the peer.
pub(crate) fn service_error(e: StorageError) -> ServiceError {
    let kind = match &e {
        StorageError::NotFound(_) => ErrorKind::NotFound,
        StorageError::Corrupt { .. } => ErrorKind::Corrupt,
        StorageError::InvalidRange { .. } => ErrorKind::InvalidRange,
        StorageError::LengthMismatch { .. } | StorageError::BodyFailed(_) => {
            ErrorKind::LengthMismatch
        }
        StorageError::Busy => ErrorKind::Busy,
        StorageError::SyncFailed | StorageError::Stopped => ErrorKind::Unavailable,
        StorageError::NoSuchVolume(_) | StorageError::TooLarge { .. } => ErrorKind::BadRequest,
        StorageError::Io(_)
        | StorageError::Index(_)
        | StorageError::IndexDamaged(_)
        | StorageError::UnknownWrite(_) => ErrorKind::Internal,
    };
    ServiceError {
        kind,
        message: e.to_string(),
    }
}

impl ShardService for StorageService {
    fn put_shard(
        &self,
        key: ShardKey,
        len: u64,
        body: Body,
    ) -> BoxFuture<'static, Result<u32, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move {
            let body = body
                .into_stream()
                .map(|chunk| chunk.map_err(|e| StorageError::BodyFailed(e.to_string())));
            let ack = node
                .put_shard(None, key, len, Box::pin(body))
                .await
                .map_err(service_error)?;
            Ok(ack.crc)
        })
    }

    fn get_shard(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> BoxFuture<'static, Result<(u64, ServiceBody), ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move {
            let (len, pieces) = node.read_shard(key, range).await.map_err(service_error)?;
            let body: ServiceBody = Box::pin(pieces.map(|p| p.map_err(service_error)));
            Ok((len, body))
        })
    }

    fn delete_shard(&self, key: ShardKey) -> BoxFuture<'static, Result<bool, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { node.delete_shard(key).await.map_err(service_error) })
    }

    fn stat_shards(
        &self,
        keys: Vec<ShardKey>,
    ) -> BoxFuture<'static, Result<Vec<ShardState>, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { node.stat_shards(keys).await.map_err(service_error) })
    }

    fn list_shards(
        &self,
        after: Option<ShardKey>,
        limit: usize,
    ) -> BoxFuture<'static, Result<Vec<ShardKey>, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { node.list_shards(after, limit).await.map_err(service_error) })
    }

    fn node_stats(&self) -> BoxFuture<'static, Result<NodeStats, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { Ok(node.stats().await) })
    }
}
