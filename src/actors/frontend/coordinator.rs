//! The object coordinator: turns an object's byte stream into erasure-coded
//! shards on the storage volumes and back.
//!
//! PUT: the body is cut into stripes, each stripe Reed-Solomon encoded into
//! k data and m parity chunks, and chunk i of every stripe streamed to shard
//! i (one `put_shard` per shard, running concurrently, each on its own
//! volume). The last stripe is held back until the body has ended and
//! passed its checks, so a body that fails a digest stores nothing. GET
//! reads the data shards of the stripes a range needs, checks every
//! fragment's CRC (the storage layer does), and reconstructs from parity
//! when a shard is missing or corrupt. Memory per request is a few stripes.
//!
//! Shards are placed on the storage nodes by the hash ring
//! (`PREDASTORE_STORAGE_NODES`): a shard on this process's own storage node
//! takes the in-process path, one on another node travels over the cluster
//! transport through the connection Pool. With no storage nodes listed,
//! every shard goes to this process's volumes, shard i on volume i.
//!
//! Placement comes from the Ring actor's snapshot ([`RingView`]): an empty
//! ring means this process's volumes are the only storage.

use std::net::SocketAddr;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::sync::mpsc;

use crate::actors::pool::PeerClient;
use crate::actors::ring::RingView;
use crate::actors::storage_node::StorageNode;
use crate::cluster::ring::{placement_key, NodeId};
use crate::net::NetError;
use crate::storage::erasure::{ErasureCodec, ErasureError};
use crate::storage::meta::ErasureLayout;
pub use crate::storage::meta::ShardSet;
use crate::storage::{ObjectId, ShardKey, StorageError};

/// Stripes in flight per shard between the encoder and a shard writer.
const SHARD_QUEUE: usize = 2;

/// What can go wrong moving object data.
#[derive(Debug, thiserror::Error)]
pub enum FrontendError {
    /// Too few shards could be written or read.
    #[error("not enough shards: {0}")]
    Quorum(String),
    /// The erasure code refused the data.
    #[error("erasure coding: {0}")]
    Erasure(#[from] ErasureError),
    /// A storage node failed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Another storage node could not be reached or refused.
    #[error("peer: {0}")]
    Peer(#[from] NetError),
    /// The layout cannot be used.
    #[error("bad layout: {0}")]
    Layout(String),
}

/// A write that failed: because of the body (the caller's error), or here.
#[derive(Debug)]
pub enum WriteError<E, S = FrontendError> {
    /// The body failed or did not pass its checks; nothing was stored.
    Body(E),
    /// Storing failed.
    Store(S),
}

impl ShardSet {
    fn key(&self, shard: usize) -> ShardKey {
        ShardKey {
            object: ObjectId(self.object_id),
            part: self.part,
            shard: shard as u16,
        }
    }

    fn codec(&self) -> Result<ErasureCodec, FrontendError> {
        Ok(ErasureCodec::new(
            self.layout.data,
            self.layout.parity,
            self.layout.stripe_bytes,
        )?)
    }
}

/// Writes and reads erasure-coded objects on the storage nodes.
#[derive(Clone)]
pub struct ObjectCoordinator {
    /// This process's storage node, if it has the storage role and takes
    /// shards (it is in the ring, or the ring is empty).
    local: Option<StorageNode>,
    node_id: u64,
    /// Placement over every storage node, from the Ring actor; empty when
    /// this process's volumes are the only ones.
    ring: RingView,
    peers: PeerClient,
    layout: ErasureLayout,
}

type ShardSender = mpsc::Sender<Result<Bytes, StorageError>>;
type ShardBody = Pin<Box<dyn Stream<Item = Result<Bytes, StorageError>> + Send>>;

/// Where one shard is written, read or deleted.
enum ShardTarget {
    /// This process's storage node; a volume when the caller chooses it.
    Local(StorageNode, Option<u16>),
    /// Another storage node, over the cluster transport.
    Remote(PeerClient, SocketAddr),
}

impl ShardTarget {
    async fn put(self, key: ShardKey, len: u64, body: ShardBody) -> Result<(), FrontendError> {
        match self {
            ShardTarget::Local(node, volume) => {
                node.put_shard(volume, key, len, body).await?;
            }
            ShardTarget::Remote(peers, addr) => {
                let body = body.map(|r| r.map_err(|e| NetError::Body(e.to_string())));
                peers.put_shard(addr, key, len, body).await?;
            }
        }
        Ok(())
    }

    async fn read(self, key: ShardKey, range: Range<u64>) -> Result<ShardBody, FrontendError> {
        match self {
            ShardTarget::Local(node, _) => {
                let (_, body) = node.read_shard(key, Some(range)).await?;
                Ok(Box::pin(body))
            }
            ShardTarget::Remote(peers, addr) => {
                let body = peers.get_shard(addr, key, Some(range)).await?;
                let chunks = futures::stream::unfold(body, |mut body| async move {
                    let chunk = body.next_chunk().await?;
                    Some((
                        chunk.map_err(|e| StorageError::BodyFailed(e.to_string())),
                        body,
                    ))
                });
                Ok(Box::pin(chunks))
            }
        }
    }

    async fn delete(self, key: ShardKey) -> Result<bool, FrontendError> {
        Ok(match self {
            ShardTarget::Local(node, _) => node.delete_shard(key).await?,
            ShardTarget::Remote(peers, addr) => peers.delete_shard(addr, key).await?,
        })
    }
}

impl ObjectCoordinator {
    /// A coordinator writing new objects with `layout`, placing shards by
    /// `ring` (this process's `node_id` among its members if `local` should
    /// take shards); an empty ring means `local` alone, shard i on volume i.
    pub fn new(
        local: Option<StorageNode>,
        node_id: u64,
        ring: RingView,
        peers: PeerClient,
        layout: ErasureLayout,
    ) -> Result<Self, FrontendError> {
        ErasureCodec::new(layout.data, layout.parity, layout.stripe_bytes)?;
        let shards = usize::from(layout.data) + usize::from(layout.parity);
        let snapshot = ring.snapshot();
        if snapshot.is_empty() {
            let Some(node) = &local else {
                return Err(FrontendError::Layout(
                    "no storage: this process has no storage role and no storage nodes are listed"
                        .into(),
                ));
            };
            if shards > node.volume_count() {
                return Err(FrontendError::Layout(format!(
                    "{}+{} needs {shards} volumes, this node has {}",
                    layout.data,
                    layout.parity,
                    node.volume_count()
                )));
            }
        } else if snapshot.len() > 1 && snapshot.len() < shards {
            // Two shards of an object on one node: losing that node
            // would lose objects that 2+1 (say) promises to keep.
            return Err(FrontendError::Layout(format!(
                "{}+{} needs {shards} storage nodes, {} are listed",
                layout.data,
                layout.parity,
                snapshot.len()
            )));
        }
        let takes_shards = snapshot.is_empty() || snapshot.member(NodeId(node_id)).is_some();
        Ok(Self {
            local: local.filter(|_| takes_shards),
            node_id,
            ring,
            peers,
            layout,
        })
    }

    /// A new shard set for `size` bytes of `object_id` (part `part`) of
    /// `bucket/key`, its shards placed on the storage nodes.
    pub fn new_shard_set(
        &self,
        (bucket, key): (&str, &str),
        object_id: u128,
        part: u32,
        size: u64,
        layout: ErasureLayout,
    ) -> ShardSet {
        let total = usize::from(layout.data) + usize::from(layout.parity);
        let placed = self.ring.place(placement_key(bucket, key), total);
        let nodes = if placed.is_empty() {
            vec![self.node_id; total]
        } else {
            (0..total).map(|i| placed[i % placed.len()].0).collect()
        };
        ShardSet {
            object_id,
            part,
            size,
            layout,
            nodes,
        }
    }

    /// Where shard `i` of `set` lives.
    fn target(&self, set: &ShardSet, i: usize) -> Result<ShardTarget, FrontendError> {
        let node = set.nodes.get(i).copied().unwrap_or(self.node_id);
        let ring = self.ring.snapshot();
        if node == self.node_id {
            if let Some(local) = &self.local {
                // Alone, this node spreads an object's shards over its
                // volumes itself; in a cluster the node picks.
                let volume = ring.is_empty().then(|| (i % local.volume_count()) as u16);
                return Ok(ShardTarget::Local(local.clone(), volume));
            }
        }
        match ring.member(NodeId(node)) {
            Some(member) => Ok(ShardTarget::Remote(self.peers.clone(), member.addr)),
            None => Err(FrontendError::Quorum(format!(
                "shard {i} is on node {node}, which is not a known storage node"
            ))),
        }
    }

    /// The layout new objects get.
    pub fn layout(&self) -> ErasureLayout {
        self.layout
    }

    /// This node's id, recorded for every shard it holds.
    pub fn node_id(&self) -> u64 {
        self.node_id
    }

    /// Stores `set.size` bytes from `body` as the shards of `set`; returns
    /// once a write quorum of shards is durable. `body` must end (yield
    /// `None`) only after the caller's checks passed: the last stripe is
    /// released only then.
    pub async fn write<S, E>(&self, set: &ShardSet, body: &mut S) -> Result<(), WriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let codec = set.codec().map_err(WriteError::Store)?;
        let shard_len = codec.shard_len(set.size);
        let total = codec.total_chunks();
        let mut senders: Vec<Option<ShardSender>> = Vec::with_capacity(total);
        let mut writers = FuturesUnordered::new();
        for i in 0..total {
            let (tx, rx) = mpsc::channel(SHARD_QUEUE);
            let target = match self.target(set, i) {
                Ok(target) => {
                    senders.push(Some(tx));
                    target
                }
                Err(e) => {
                    senders.push(None);
                    writers.push(futures::future::Either::Left(futures::future::ready((
                        i,
                        Err(e),
                    ))));
                    continue;
                }
            };
            let key = set.key(i);
            let stream = futures::stream::unfold(rx, |mut rx| async move {
                let item = rx.recv().await?;
                Some((item, rx))
            });
            writers.push(futures::future::Either::Right(async move {
                (i, target.put(key, shard_len, Box::pin(stream)).await)
            }));
        }

        // The feed owns the senders: however it ends, they are dropped with
        // it, so every writer sees its body end (short, if the feed failed:
        // then nothing is stored).
        let feed = async move {
            let mut senders = senders;
            let mut cutter = codec.stripe_cutter();
            let mut held: Option<Bytes> = None;
            let mut received = 0u64;
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(WriteError::Body)?;
                received += chunk.len() as u64;
                for stripe in cutter.push(chunk) {
                    if let Some(prev) = held.replace(stripe) {
                        send_stripe(&codec, &prev, &mut senders).await?;
                    }
                }
            }
            if received != set.size {
                return Err(WriteError::Store(FrontendError::Layout(format!(
                    "body of {received} bytes, {} declared",
                    set.size
                ))));
            }
            if let Some(last) = cutter.finish() {
                if let Some(prev) = held.replace(last) {
                    send_stripe(&codec, &prev, &mut senders).await?;
                }
            }
            if let Some(last) = held {
                send_stripe(&codec, &last, &mut senders).await?;
            }
            Ok(())
        };
        // Writers and feed run together; a writer that fails drops its
        // receiver, and its sender is skipped from then on.
        let collect = async {
            let mut ok = 0usize;
            let mut errors = Vec::new();
            while let Some((i, r)) = writers.next().await {
                match r {
                    Ok(_) => ok += 1,
                    Err(e) => errors.push(format!("shard {i}: {e}")),
                }
            }
            (ok, errors)
        };
        let (fed, (ok, errors)) = futures::join!(feed, collect);
        if let Err(e) = fed {
            // The writers saw their bodies end short: nothing is stored.
            self.delete(set).await;
            return Err(e);
        }
        let quorum = usize::from(set.layout.data) + usize::from(set.layout.parity.min(1));
        if ok < quorum {
            self.delete(set).await;
            return Err(WriteError::Store(FrontendError::Quorum(errors.join("; "))));
        }
        if !errors.is_empty() {
            tracing::warn!(object = set.object_id, errors = %errors.join("; "), "object stored without some shards");
        }
        Ok(())
    }

    /// Deletes every shard of `set` (a missing shard is fine); whether
    /// every delete went through (a node that is down still owes one).
    pub async fn delete(&self, set: &ShardSet) -> bool {
        let total = usize::from(set.layout.data) + usize::from(set.layout.parity);
        let deletes = (0..total).map(|i| {
            let target = self.target(set, i);
            async move {
                match target {
                    Ok(target) => (i, target.delete(set.key(i)).await),
                    Err(e) => (i, Err(e)),
                }
            }
        });
        let mut all = true;
        for (i, deleted) in futures::future::join_all(deletes).await {
            if let Err(e) = deleted {
                tracing::warn!(object = set.object_id, shard = i, error = %e, "shard delete failed");
                all = false;
            }
        }
        all
    }

    /// Streams `range` of the object data of `set`.
    pub fn read(
        &self,
        set: ShardSet,
        range: Range<u64>,
    ) -> Pin<Box<dyn Stream<Item = Result<Bytes, FrontendError>> + Send>> {
        if range.is_empty() {
            return Box::pin(futures::stream::empty());
        }
        let reader = StripeReader {
            coordinator: self.clone(),
            set,
            codec: None,
            next_stripe: 0,
            last_stripe: 0,
            skip: 0,
            remaining: range.end - range.start,
            shards: Vec::new(),
            range,
        };
        Box::pin(futures::stream::unfold(reader, |mut r| async move {
            if r.remaining == 0 {
                return None;
            }
            match r.next_piece().await {
                Ok(piece) => Some((Ok(piece), r)),
                Err(e) => {
                    r.remaining = 0;
                    Some((Err(e), r))
                }
            }
        }))
    }
}

/// Encodes one stripe and hands chunk i to shard i's writer.
async fn send_stripe<E>(
    codec: &ErasureCodec,
    stripe: &Bytes,
    senders: &mut [Option<ShardSender>],
) -> Result<(), WriteError<E>> {
    let chunks = codec
        .encode_stripe(stripe)
        .map_err(|e| WriteError::Store(e.into()))?;
    for (slot, chunk) in senders.iter_mut().zip(chunks) {
        if let Some(tx) = slot {
            if tx.send(Ok(chunk)).await.is_err() {
                // That shard's writer failed; the quorum check decides.
                *slot = None;
            }
        }
    }
    Ok(())
}

/// One shard's bytes from some offset on, taken in exact-size pieces:
/// slices of what the storage node read, copied only where a piece spans
/// two reads.
struct ShardCursor {
    body: ShardBody,
    pending: Bytes,
}

impl ShardCursor {
    async fn take(&mut self, n: usize) -> Result<Bytes, StorageError> {
        while self.pending.len() < n {
            let Some(next) = self.body.next().await else {
                return Err(StorageError::BodyFailed("shard ended early".into()));
            };
            let next = next?;
            self.pending = if self.pending.is_empty() {
                next
            } else {
                let mut joined = BytesMut::with_capacity(self.pending.len() + next.len());
                joined.extend_from_slice(&self.pending);
                joined.extend_from_slice(&next);
                joined.freeze()
            };
        }
        Ok(self.pending.split_to(n))
    }
}

/// Reads a range stripe by stripe: the data shards while they answer, all
/// shards (and a reconstruction) once one does not.
struct StripeReader {
    coordinator: ObjectCoordinator,
    set: ShardSet,
    codec: Option<Arc<ErasureCodec>>,
    range: Range<u64>,
    next_stripe: u64,
    last_stripe: u64,
    skip: usize,
    remaining: u64,
    /// One cursor slot per shard; `None` = not opened or failed.
    shards: Vec<Option<ShardCursor>>,
}

impl StripeReader {
    /// Opens shard `i` at the start of `stripe`; `None` if it cannot be read.
    fn open_shard(
        &self,
        codec: &ErasureCodec,
        i: usize,
        stripe: u64,
    ) -> impl std::future::Future<Output = Option<ShardCursor>> + Send + 'static {
        let full = codec.chunk_len(codec.stripe_bytes()) as u64;
        let range = stripe * full..codec.shard_len(self.set.size);
        let (key, object) = (self.set.key(i), self.set.object_id);
        let target = self.coordinator.target(&self.set, i);
        async move {
            let opened = match target {
                Ok(target) => target.read(key, range).await,
                Err(e) => Err(e),
            };
            match opened {
                Ok(body) => Some(ShardCursor {
                    body,
                    pending: Bytes::new(),
                }),
                Err(e) => {
                    tracing::warn!(object, shard = i, error = %e, "shard missing");
                    None
                }
            }
        }
    }

    async fn next_piece(&mut self) -> Result<Bytes, FrontendError> {
        if self.codec.is_none() {
            let codec = self.set.codec()?;
            let span = codec.stripes_for_range(self.set.size, self.range.clone())?;
            self.next_stripe = span.first_stripe;
            self.last_stripe = span.last_stripe;
            self.skip = span.skip;
            self.remaining = span.take;
            self.shards = (0..codec.total_chunks()).map(|_| None).collect();
            // The data shards open together: on other nodes each open is a
            // round trip (or, for a dead node, a dial timeout).
            let opens: Vec<_> = (0..codec.data_chunks())
                .map(|i| self.open_shard(&codec, i, self.next_stripe))
                .collect();
            for (i, cursor) in futures::future::join_all(opens)
                .await
                .into_iter()
                .enumerate()
            {
                self.shards[i] = cursor;
            }
            self.codec = Some(Arc::new(codec));
        }
        let Some(codec) = self.codec.clone() else {
            return Err(FrontendError::Layout("no codec".into()));
        };
        if self.next_stripe > self.last_stripe {
            return Err(FrontendError::Quorum("read past the last stripe".into()));
        }
        let stripe = self.next_stripe;
        let stripe_len = codec.stripe_len(self.set.size, stripe);
        let chunk_len = codec.chunk_len(stripe_len);
        let mut chunks: Vec<Option<Bytes>> = vec![None; codec.total_chunks()];
        let mut have = 0;
        let mut next_shard = 0;
        while have < codec.data_chunks() {
            if next_shard == codec.total_chunks() {
                return Err(FrontendError::Quorum(format!(
                    "only {have} of {} shards readable for stripe {stripe} of object {:x}",
                    codec.data_chunks(),
                    self.set.object_id
                )));
            }
            let i = next_shard;
            next_shard += 1;
            if self.shards[i].is_none() && i >= codec.data_chunks() {
                self.shards[i] = self.open_shard(&codec, i, stripe).await;
            }
            let Some(cursor) = self.shards[i].as_mut() else {
                continue;
            };
            match cursor.take(chunk_len).await {
                Ok(chunk) => {
                    chunks[i] = Some(chunk);
                    have += 1;
                }
                Err(e) => {
                    tracing::warn!(object = self.set.object_id, shard = i, error = %e, "shard unreadable; reconstructing");
                    self.shards[i] = None;
                }
            }
        }
        let mut data = codec.decode_stripe(chunks, stripe_len)?;
        self.next_stripe += 1;
        if self.skip > 0 {
            data = data.slice(self.skip.min(data.len())..);
            self.skip = 0;
        }
        let take = (data.len() as u64).min(self.remaining) as usize;
        self.remaining -= take as u64;
        Ok(data.slice(..take))
    }
}
