//! Where one shard is written, read or deleted, behind one trait: this
//! process's storage node ([`LocalShards`], the in-process path) or
//! another storage node over the cluster transport ([`RemoteShards`],
//! through the connection Pool). The coordinator asks a [`ShardStore`]
//! and never which kind it is.

use crate::net::PeerAddr;
use std::ops::Range;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt, Stream, StreamExt};

use super::error::CoordinatorError;
use crate::actors::core::pool::PeerClient;
use crate::actors::core::wal::node::StorageNode;
use crate::net::NetError;
use crate::storage::{ShardKey, ShardState, StorageError, VolumeStatus};

/// Where a shard is, as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// On this node: no network between it and the reader.
    Local,
    /// On a node the failure detector believes up.
    Up,
    /// On a node believed down, or on no known node.
    Down,
}

/// A shard's bytes as they are read or written.
pub(super) type ShardBody = Pin<Box<dyn Stream<Item = Result<Bytes, StorageError>> + Send>>;

/// What a node holds under a key, and a read of it, asked together.
pub(super) type StatAndRead = (
    Result<Option<ShardState>, CoordinatorError>,
    Result<ShardBody, CoordinatorError>,
);

/// A result a store answers later.
type Answer<T> = BoxFuture<'static, Result<T, CoordinatorError>>;

/// One storage node's shards, as the coordinator uses them.
pub(super) trait ShardStore: Send + Sync {
    /// Stores shard `key` of `len` bytes read from `body`.
    fn put(&self, key: ShardKey, len: u64, body: ShardBody) -> Answer<()>;
    /// Reads `range` of shard `key`.
    fn read(&self, key: ShardKey, range: Range<u64>) -> Answer<ShardBody>;
    /// What the node holds under `key` (`Ok(None)`: it answered no state)
    /// and a read of `range` of it, asked together so that neither waits
    /// on the other.
    fn stat_and_read(&self, key: ShardKey, range: Range<u64>) -> BoxFuture<'static, StatAndRead>;
    /// What the node holds under each of `keys`, in their order.
    fn stat(&self, keys: Vec<ShardKey>) -> Answer<Vec<ShardState>>;
    /// The node's shard keys after `after`, at most `limit`.
    fn list(&self, after: Option<ShardKey>, limit: usize) -> Answer<Vec<ShardKey>>;
    /// Deletes shard `key`; whether it existed.
    fn delete(&self, key: ShardKey) -> Answer<bool>;
    /// Where the node is for a reader choosing shards.
    fn place(&self) -> Place;
    /// Fails unless the node answers within `timeout` (a node believed
    /// down is dialed; this process's node answers at once).
    fn reachable(&self, timeout: Duration) -> Answer<()>;
    /// Has the node store shard `key` of `len` bytes by reading it from
    /// the storage node at `source` itself, so the bytes cross the network
    /// once; `None` when it cannot (this process's node: the caller reads
    /// and writes it on).
    fn copy_from_peer(&self, source: PeerAddr, key: ShardKey, len: u64) -> Option<Answer<()>>;
    /// The node's cluster transport address; `None` for this process's.
    fn peer_addr(&self) -> Option<PeerAddr>;
    /// How each of the node's volumes stands.
    fn volumes(&self) -> Answer<Vec<VolumeStatus>>;
}

/// This process's storage node; a volume when the caller chooses it (a
/// node alone spreads an object's shards over its volumes itself).
pub(super) struct LocalShards {
    /// The storage node.
    pub node: StorageNode,
    /// The volume to write to; `None`: the node picks.
    pub volume: Option<u16>,
}

impl ShardStore for LocalShards {
    fn put(&self, key: ShardKey, len: u64, body: ShardBody) -> Answer<()> {
        let (node, volume) = (self.node.clone(), self.volume);
        async move {
            node.put_shard(volume, key, len, body).await?;
            Ok(())
        }
        .boxed()
    }

    fn read(&self, key: ShardKey, range: Range<u64>) -> Answer<ShardBody> {
        let node = self.node.clone();
        async move {
            let (_, body) = node.read_shard(key, Some(range)).await?;
            Ok(Box::pin(body) as ShardBody)
        }
        .boxed()
    }

    /// In one blocking call on the node.
    fn stat_and_read(&self, key: ShardKey, range: Range<u64>) -> BoxFuture<'static, StatAndRead> {
        let node = self.node.clone();
        async move {
            let (state, read) = node.stat_and_read_shard(key, range).await;
            let body = read.map(|(_, body)| Box::pin(body) as ShardBody);
            (
                state.map(Some).map_err(Into::into),
                body.map_err(Into::into),
            )
        }
        .boxed()
    }

    fn stat(&self, keys: Vec<ShardKey>) -> Answer<Vec<ShardState>> {
        let node = self.node.clone();
        async move { Ok(node.stat_shards(keys).await?) }.boxed()
    }

    fn list(&self, after: Option<ShardKey>, limit: usize) -> Answer<Vec<ShardKey>> {
        let node = self.node.clone();
        async move { Ok(node.list_shards(after, limit).await?) }.boxed()
    }

    fn delete(&self, key: ShardKey) -> Answer<bool> {
        let node = self.node.clone();
        async move { Ok(node.delete_shard(key).await?) }.boxed()
    }

    fn place(&self) -> Place {
        Place::Local
    }

    fn reachable(&self, _timeout: Duration) -> Answer<()> {
        futures::future::ready(Ok(())).boxed()
    }

    fn copy_from_peer(&self, _: PeerAddr, _: ShardKey, _: u64) -> Option<Answer<()>> {
        None
    }

    fn peer_addr(&self) -> Option<PeerAddr> {
        None
    }

    fn volumes(&self) -> Answer<Vec<VolumeStatus>> {
        let node = self.node.clone();
        async move { Ok(node.volumes().await) }.boxed()
    }
}

/// Another storage node, over the cluster transport.
pub(super) struct RemoteShards {
    /// The connection pool's client.
    pub peers: PeerClient,
    /// The node's cluster transport address.
    pub addr: PeerAddr,
}

impl ShardStore for RemoteShards {
    fn put(&self, key: ShardKey, len: u64, body: ShardBody) -> Answer<()> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move {
            let body = body.map(|r| r.map_err(|e| NetError::Body(e.to_string())));
            peers.put_shard(addr, key, len, body).await?;
            Ok(())
        }
        .boxed()
    }

    fn read(&self, key: ShardKey, range: Range<u64>) -> Answer<ShardBody> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move {
            let body = peers.get_shard(addr, key, Some(range)).await?;
            let chunks = futures::stream::unfold(body, |mut body| async move {
                let chunk = body.next_chunk().await?;
                Some((
                    chunk.map_err(|e| StorageError::BodyFailed(e.to_string())),
                    body,
                ))
            });
            Ok(Box::pin(chunks) as ShardBody)
        }
        .boxed()
    }

    /// As two requests side by side.
    fn stat_and_read(&self, key: ShardKey, range: Range<u64>) -> BoxFuture<'static, StatAndRead> {
        let (stat, read) = (self.stat(vec![key]), self.read(key, range));
        async move {
            let (state, body) = futures::join!(stat, read);
            (state.map(|s| s.first().copied()), body)
        }
        .boxed()
    }

    fn stat(&self, keys: Vec<ShardKey>) -> Answer<Vec<ShardState>> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move { Ok(peers.stat_shards(addr, keys).await?) }.boxed()
    }

    fn list(&self, after: Option<ShardKey>, limit: usize) -> Answer<Vec<ShardKey>> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move { Ok(peers.list_shards(addr, after, limit).await?) }.boxed()
    }

    fn delete(&self, key: ShardKey) -> Answer<bool> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move { Ok(peers.delete_shard(addr, key).await?) }.boxed()
    }

    fn place(&self) -> Place {
        if self.peers.is_up(self.addr) {
            Place::Up
        } else {
            Place::Down
        }
    }

    fn reachable(&self, timeout: Duration) -> Answer<()> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move {
            match peers.dial_now(addr, timeout).await {
                true => Ok(()),
                false => Err(NetError::PeerDown(addr).into()),
            }
        }
        .boxed()
    }

    fn copy_from_peer(&self, source: PeerAddr, key: ShardKey, len: u64) -> Option<Answer<()>> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        Some(
            async move {
                peers.copy_shard(addr, key, len, source).await?;
                Ok(())
            }
            .boxed(),
        )
    }

    fn peer_addr(&self) -> Option<PeerAddr> {
        Some(self.addr)
    }

    fn volumes(&self) -> Answer<Vec<VolumeStatus>> {
        let (peers, addr) = (self.peers.clone(), self.addr);
        async move { Ok(peers.volumes(addr).await?) }.boxed()
    }
}
