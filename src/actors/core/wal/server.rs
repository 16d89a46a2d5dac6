//! The storage node's side of the cluster transport: each shard RPC that
//! arrives over QUIC is served by the local [`StorageNode`].

use std::net::SocketAddr;
use std::ops::Range;

use futures::future::BoxFuture;
use futures::StreamExt;

use crate::actors::core::pool::PeerClient;
use crate::actors::core::wal::node::StorageNode;
use crate::metrics;
use crate::net::rpc::Body;
use crate::net::service::{ServiceBody, ServiceError};
use crate::net::shard::ShardService;
use crate::net::{ErrorKind, NetError};
use crate::storage::{NodeStats, ShardKey, ShardState, StorageError, VolumeStatus};

/// Serves shard RPCs from a storage node.
pub(crate) struct StorageService {
    node: StorageNode,
    /// This process's client to other nodes, for shard copies.
    peers: PeerClient,
}

impl StorageService {
    /// A service over `node`, copying shards from other nodes through
    /// `peers`.
    pub(crate) fn new(node: StorageNode, peers: PeerClient) -> Self {
        Self { node, peers }
    }
}

/// How a failure to read the source of a copy is reported: the source's
/// own answer (not found, corrupt) when it gave one, else unavailable.
fn source_error(from: SocketAddr, e: NetError) -> ServiceError {
    let kind = match &e {
        NetError::Remote { kind, .. } => *kind,
        _ => ErrorKind::Unavailable,
    };
    ServiceError {
        kind,
        message: format!("copy source {from}: {e}"),
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
        StorageError::SyncFailed | StorageError::Stopped | StorageError::NoVolumeTakesShards => {
            ErrorKind::Unavailable
        }
        StorageError::NoSuchVolume(_)
        | StorageError::TooLarge { .. }
        | StorageError::NotReplaced { .. } => ErrorKind::BadRequest,
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

/// Stores a shard whose `len` bytes arrive over the transport; its CRC32C
/// once durable. A body that fails or ends short stores nothing.
async fn store(
    node: &StorageNode,
    key: ShardKey,
    len: u64,
    body: Body,
) -> Result<u32, ServiceError> {
    let body = body
        .into_stream()
        .map(|chunk| chunk.map_err(|e| StorageError::BodyFailed(e.to_string())));
    let ack = node
        .put_shard(None, key, len, Box::pin(body))
        .await
        .map_err(service_error)?;
    Ok(ack.crc)
}

impl ShardService for StorageService {
    fn put_shard(
        &self,
        key: ShardKey,
        len: u64,
        body: Body,
    ) -> BoxFuture<'static, Result<u32, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { store(&node, key, len, body).await })
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

    fn copy_shard(
        &self,
        key: ShardKey,
        len: u64,
        from: SocketAddr,
    ) -> BoxFuture<'static, Result<u32, ServiceError>> {
        let (node, peers) = (self.node.clone(), self.peers.clone());
        Box::pin(async move {
            let copied = async {
                let source = peers
                    .get_shard(from.into(), key, Some(0..len))
                    .await
                    .map_err(|e| source_error(from, e))?;
                // A source that fails mid-way (a corrupt fragment, a lost
                // node) cuts the body short, and a short body stores nothing.
                store(&node, key, len, source).await
            }
            .await;
            let result = if copied.is_ok() { "stored" } else { "failed" };
            metrics::SHARD_COPIES.with_label_values(&[result]).inc();
            copied
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

    fn volumes(&self) -> BoxFuture<'static, Result<Vec<VolumeStatus>, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { Ok(node.volumes().await) })
    }

    fn replace_volume(
        &self,
        slot: u16,
    ) -> BoxFuture<'static, Result<Vec<VolumeStatus>, ServiceError>> {
        let node = self.node.clone();
        Box::pin(async move { node.replace_volume(slot).await.map_err(service_error) })
    }
}
