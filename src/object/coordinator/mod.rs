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

use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::future::Either;
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::sync::mpsc;

mod error;
mod read;
mod refusals;
mod shard_store;

pub(crate) use error::CoordinatorError;

use refusals::WriteRefusals;
use shard_store::{LocalShards, RemoteShards, ShardBody, ShardStore};

use crate::actors::core::pool::PeerClient;
use crate::actors::core::ring::RingView;
use crate::actors::core::wal::node::StorageNode;
use crate::cluster::placement::assign_shards;
use crate::cluster::ring::{placement_key, NodeId};
use crate::object::erasure::ErasureCodec;
pub(crate) use crate::storage::meta::ShardSet;
use crate::storage::meta::{ClusterLayout, ErasureLayout, NO_NODE};
use crate::storage::{ObjectId, ShardKey, ShardState, StorageError, VolumeStatus};

/// Stripes in flight per shard between the encoder and a shard writer.
const SHARD_QUEUE: usize = 2;

/// A write that failed: because of the body (the caller's error), or here.
#[derive(Debug)]
pub(crate) enum WriteError<E, S = CoordinatorError> {
    /// The body failed or did not pass its checks; nothing was stored.
    Body(E),
    /// Storing failed.
    Store(S),
}

impl ShardSet {
    /// The storage key of shard `shard` of this set.
    pub(crate) fn key(&self, shard: usize) -> ShardKey {
        ShardKey {
            object: ObjectId(self.object_id),
            part: self.part,
            shard: shard as u16,
        }
    }

    fn codec(&self) -> Result<ErasureCodec, CoordinatorError> {
        Ok(ErasureCodec::new(
            self.layout.data,
            self.layout.parity,
            self.layout.stripe_bytes,
        )?)
    }
}

/// Writes and reads erasure-coded objects on the storage nodes.
#[derive(Clone)]
pub(crate) struct ObjectCoordinator {
    /// This process's storage node, if it has the storage role and takes
    /// shards (it is in the ring, or the ring is empty).
    local: Option<StorageNode>,
    node_id: u64,
    /// Placement over every storage node, from the Ring actor; empty when
    /// this process's volumes are the only ones.
    ring: RingView,
    peers: PeerClient,
    layout: ErasureLayout,
    /// Nodes that just failed a shard write: new shards avoid them.
    refusals: Arc<WriteRefusals>,
}

type ShardSender = mpsc::Sender<Result<Bytes, StorageError>>;

/// Where one shard is written, read or deleted.
type ShardTarget = Box<dyn ShardStore>;

impl ObjectCoordinator {
    /// A coordinator writing new objects with `layout`, placing shards by
    /// `ring` (this process's `node_id` among its members if `local` should
    /// take shards); an empty ring means `local` alone, shard i on volume i.
    pub(crate) fn new(
        local: Option<StorageNode>,
        node_id: u64,
        ring: RingView,
        peers: PeerClient,
        layout: ErasureLayout,
    ) -> Result<Self, CoordinatorError> {
        ErasureCodec::new(layout.data, layout.parity, layout.stripe_bytes)?;
        let shards = usize::from(layout.data) + usize::from(layout.parity);
        let snapshot = ring.snapshot();
        // A process with no storage of its own and no storage nodes listed
        // learns them from the layout in Raft (its writes answer 503 until
        // then).
        // Alone (no ring), the node spreads an object's shards over its
        // volumes, one per volume. A single store seeds a ring of itself
        // (it may have grown since: the layout in Raft is read later), so
        // too few volumes for the code is only a warning there.
        let own_ring = snapshot.len() == 1 && snapshot.member(NodeId(node_id)).is_some();
        if let (true, Some(node)) = (snapshot.is_empty() || own_ring, &local) {
            if shards > node.volume_count() {
                let why = format!(
                    "{}+{} needs {shards} volumes, this node has {}",
                    layout.data,
                    layout.parity,
                    node.volume_count()
                );
                if !own_ring {
                    return Err(CoordinatorError::Layout(why));
                }
                tracing::warn!(
                    "{why}: while the store is one node, an object's shards share disks"
                );
            }
        } else if snapshot.len() > 1 && snapshot.len() < shards {
            // Two shards of an object on one node: losing that node
            // would lose objects that 2+1 (say) promises to keep.
            return Err(CoordinatorError::Layout(format!(
                "{}+{} needs {shards} storage nodes, {} are listed",
                layout.data,
                layout.parity,
                snapshot.len()
            )));
        }
        // The local node serves the shards placed on this node's id; a
        // node the layout does not list is simply never placed on.
        Ok(Self {
            local,
            node_id,
            ring,
            peers,
            layout,
            refusals: Arc::default(),
        })
    }

    /// A new shard set for `size` bytes of `object_id` (part `part`) of
    /// `bucket/key`, its shards placed on the storage nodes: each on its
    /// proper node, or — for a node known to be down — on another one by
    /// the rule of [`assign_shards`] (repair moves it back later). A node
    /// that just failed a shard write counts as down here (see
    /// `refusals`).
    pub(crate) fn new_shard_set(
        &self,
        place: (&str, &str),
        object_id: u128,
        part: u32,
        size: u64,
        layout: ErasureLayout,
    ) -> ShardSet {
        let total = usize::from(layout.data) + usize::from(layout.parity);
        let preference = self.preference(place);
        let nodes = if preference.is_empty() {
            vec![self.node_id; total]
        } else {
            let avoided = self.refusals.avoided(Instant::now());
            let up = |n: NodeId| self.node_is_up(n) && !avoided.contains(&n.0);
            assign_shards(&preference, total, up, up)
                .into_iter()
                .map(|n| n.0)
                .collect()
        };
        ShardSet {
            object_id,
            part,
            size,
            layout,
            nodes,
        }
    }

    /// Every storage node in the order the ring prefers them for `place`:
    /// the proper node of shard i at entry i, fallbacks after the first
    /// k+m. Empty when this process's volumes are the only storage.
    pub(crate) fn preference(&self, (bucket, key): (&str, &str)) -> Vec<NodeId> {
        let ring = self.ring.snapshot();
        ring.place(placement_key(bucket, key), ring.len())
    }

    /// Whether storage node `node` is up as far as this process knows
    /// (this process's own node always is).
    pub(crate) fn node_is_up(&self, node: NodeId) -> bool {
        if node.0 == self.node_id && self.local.is_some() {
            return true;
        }
        match self.ring.snapshot().member(node) {
            Some(member) => self.peers.is_up(member.addr),
            None => false,
        }
    }

    /// Since when storage node `node` has been down, if it is.
    pub(crate) fn node_down_since(&self, node: NodeId) -> Option<std::time::Instant> {
        if node.0 == self.node_id && self.local.is_some() {
            return None;
        }
        let addr = self.ring.snapshot().member(node).map(|m| m.addr)?;
        self.peers.down_since(addr)
    }

    /// Whether `set` of `place` is not where a healthy cluster keeps it (a
    /// shard on a stand-in node, or with no copy): repair's business.
    pub(crate) fn needs_repair(&self, (bucket, key): (&str, &str), set: &ShardSet) -> bool {
        // On every PUT's commit: only the proper nodes are needed, not the
        // fallbacks behind them (`place(k, n)` is a prefix of the full order).
        let proper = self.ring.place(placement_key(bucket, key), set.nodes.len());
        if proper.is_empty() {
            return set.nodes.contains(&NO_NODE);
        }
        // As a set: repair keeps a shard on any of the proper nodes.
        let mut have = set.nodes.clone();
        let mut want: Vec<u64> = proper.iter().map(|n| n.0).collect();
        have.sort_unstable();
        want.sort_unstable();
        have != want
    }

    /// Whether storage node `node` was removed from the cluster layout
    /// (what it held is rebuilt elsewhere; nothing is owed to it).
    pub(crate) fn removed(&self, node: u64) -> bool {
        self.ring.layout().is_some_and(|l| {
            l.storage_nodes
                .iter()
                .any(|n| n.id == node && n.state == crate::storage::meta::NodeState::Removed)
        })
    }

    /// The cluster layout placement follows (`None`: none read yet, or no
    /// layout).
    pub(crate) fn cluster_layout(&self) -> Option<std::sync::Arc<ClusterLayout>> {
        self.ring.layout()
    }

    /// What placement follows of the ring: each member's id, zone and
    /// weight (a layout change that leaves these alone, a disk's state
    /// recorded, moves no shard).
    pub(crate) fn placement_members(&self) -> Vec<(u64, String, u32)> {
        let ring = self.ring.snapshot();
        ring.members()
            .iter()
            .map(|m| (m.id.0, m.zone.clone(), m.weight))
            .collect()
    }

    /// The version of the cluster layout placement follows (0: none read
    /// yet, or no layout).
    pub(crate) fn layout_version(&self) -> u64 {
        self.ring.layout_version()
    }

    /// Where shard `i` of `set` lives.
    fn target(&self, set: &ShardSet, i: usize) -> Result<ShardTarget, CoordinatorError> {
        let node = set.nodes.get(i).copied().unwrap_or(self.node_id);
        self.target_on(node, i)
    }

    /// Shard `i` of a set, on storage node `node`.
    fn target_on(&self, node: u64, i: usize) -> Result<ShardTarget, CoordinatorError> {
        let ring = self.ring.snapshot();
        if node == self.node_id {
            if let Some(local) = &self.local {
                // Alone, this node spreads an object's shards over its
                // volumes itself; in a cluster the node picks.
                let volume = ring.is_empty().then(|| (i % local.volume_count()) as u16);
                return Ok(Box::new(LocalShards {
                    node: local.clone(),
                    volume,
                }));
            }
        }
        if node == NO_NODE {
            return Err(CoordinatorError::Quorum(format!(
                "shard {i} has no copy (its write failed)"
            )));
        }
        match ring.member(NodeId(node)) {
            Some(member) => Ok(Box::new(RemoteShards {
                peers: self.peers.clone(),
                addr: member.addr,
            })),
            None => Err(CoordinatorError::Quorum(format!(
                "shard {i} is on node {node}, which is not a known storage node"
            ))),
        }
    }

    /// Every storage node: the ring's members, or this node alone.
    pub(crate) fn storage_nodes(&self) -> Vec<u64> {
        let ring = self.ring.snapshot();
        if ring.is_empty() {
            return self.local.iter().map(|_| self.node_id).collect();
        }
        ring.members().iter().map(|m| m.id.0).collect()
    }

    /// Bytes in each shard of `set`.
    pub(crate) fn shard_len(&self, set: &ShardSet) -> u64 {
        set.codec().map_or(0, |c| c.shard_len(set.size))
    }

    /// What storage node `node` holds under each of `keys`.
    pub(crate) async fn stat_shards_on(
        &self,
        node: u64,
        keys: Vec<ShardKey>,
    ) -> Result<Vec<ShardState>, CoordinatorError> {
        self.target_on(node, 0)?.stat(keys).await
    }

    /// Up to `limit` shard keys storage node `node` holds, after `after`.
    pub(crate) async fn list_shards_on(
        &self,
        node: u64,
        after: Option<ShardKey>,
        limit: usize,
    ) -> Result<Vec<ShardKey>, CoordinatorError> {
        self.target_on(node, 0)?.list(after, limit).await
    }

    /// How each volume of storage node `node` stands.
    pub(crate) async fn volumes_on(
        &self,
        node: u64,
    ) -> Result<Vec<VolumeStatus>, CoordinatorError> {
        self.target_on(node, 0)?.volumes().await
    }

    /// Deletes shard `key` on storage node `node`; whether it was there.
    pub(crate) async fn delete_shard_on(
        &self,
        node: u64,
        key: ShardKey,
    ) -> Result<bool, CoordinatorError> {
        self.target_on(node, usize::from(key.shard))?
            .delete(key)
            .await
    }

    /// The layout new objects get.
    pub(crate) fn layout(&self) -> ErasureLayout {
        self.layout
    }

    /// This node's id, recorded for every shard it holds.
    pub(crate) fn node_id(&self) -> u64 {
        self.node_id
    }

    /// Stores `set.size` bytes from `body` as the shards of `set`; returns
    /// once a write quorum is durable: k+1 shards (k without parity) on at
    /// least k distinct nodes (every node, if there are fewer). A shard
    /// whose write failed is recorded as [`NO_NODE`] in `set`, for repair
    /// to rebuild. `body` must end (yield `None`) only after the caller's
    /// checks passed: the last stripe is released only then.
    pub(crate) async fn write<S, E>(
        &self,
        set: &mut ShardSet,
        body: &mut S,
    ) -> Result<(), WriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let targets = (0..set.nodes.len())
            .map(|i| (i, self.target(set, i)))
            .collect();
        let results = match self.write_shards(set, targets, body).await {
            Ok(results) => results,
            Err(e) => {
                // The writers saw their bodies end short: nothing is stored.
                self.delete(set).await;
                return Err(e);
            }
        };
        let mut holders: Vec<u64> = Vec::new();
        let mut errors = Vec::new();
        for (i, r) in results {
            match r {
                Ok(()) => holders.push(set.nodes[i]),
                Err(e) => {
                    self.refusals.saw(set.nodes[i], &e, Instant::now());
                    errors.push(format!("shard {i}: {e}"));
                    set.nodes[i] = NO_NODE;
                }
            }
        }
        let written = holders.len();
        holders.sort_unstable();
        holders.dedup();
        let data = usize::from(set.layout.data);
        let quorum = data + usize::from(set.layout.parity.min(1));
        let nodes = self.ring.snapshot().active_len();
        let spread = nodes <= 1 || holders.len() >= data.min(nodes);
        if written < quorum || !spread {
            self.delete(set).await;
            let why = if errors.is_empty() {
                format!("{written} shards on {} nodes", holders.len())
            } else {
                errors.join("; ")
            };
            return Err(WriteError::Store(CoordinatorError::Quorum(why)));
        }
        if !errors.is_empty() {
            tracing::warn!(object = set.object_id, errors = %errors.join("; "), "object stored without some shards");
        }
        Ok(())
    }

    /// Copies shard `i` of `set` as it is from storage node `from` to node
    /// `to`: one shard read and written, nothing decoded or encoded. The
    /// read checks every fragment's CRC, so a damaged copy fails here
    /// instead of spreading (and `to` stores nothing of a body cut short).
    pub(crate) async fn copy_shard(
        &self,
        set: &ShardSet,
        i: usize,
        from: u64,
        to: u64,
    ) -> Result<(), CoordinatorError> {
        let len = self.shard_len(set);
        let key = set.key(i);
        let (source, target) = (self.target_on(from, i)?, self.target_on(to, i)?);
        // Between two other nodes: the target reads the source itself, so
        // the bytes cross the network once, not through this node.
        if let Some(copy) = source
            .peer_addr()
            .and_then(|addr| target.copy_from_peer(addr, key, len))
        {
            return copy.await;
        }
        let body = source.read(key, 0..len).await?;
        target.put(key, len, body).await
    }

    /// Rebuilds shards of `set` from the others: reads its data through
    /// the reader a GET uses (which reconstructs what is missing), encodes
    /// it again and writes shard i to node n for each `(i, n)` of
    /// `targets`; each target's result.
    pub(crate) async fn rebuild(
        &self,
        set: &ShardSet,
        targets: &[(usize, u64)],
    ) -> Result<Vec<(usize, Result<(), CoordinatorError>)>, CoordinatorError> {
        let mut body = self.read(set.clone(), 0..set.size);
        let targets = targets
            .iter()
            .map(|&(i, node)| (i, self.target_on(node, i)))
            .collect();
        self.write_shards(set, targets, &mut body)
            .await
            .map_err(|e| match e {
                WriteError::Body(e) | WriteError::Store(e) => e,
            })
    }

    /// Streams the data from `body`, erasure coded, to the shard writers
    /// of `targets` (shard index, where); each writer's result, or the
    /// body's failure (then every writer saw its body end short).
    async fn write_shards<S, E>(
        &self,
        set: &ShardSet,
        targets: Vec<(usize, Result<ShardTarget, CoordinatorError>)>,
        body: &mut S,
    ) -> Result<Vec<(usize, Result<(), CoordinatorError>)>, WriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let codec = set.codec().map_err(WriteError::Store)?;
        let shard_len = codec.shard_len(set.size);
        let mut senders: Vec<Option<ShardSender>> =
            (0..codec.total_chunks()).map(|_| None).collect();
        let writers = FuturesUnordered::new();
        for (i, target) in targets {
            let target = match target {
                Ok(target) if i < senders.len() => target,
                Ok(_) => {
                    let e = CoordinatorError::Layout(format!("no shard {i} in this layout"));
                    writers.push(Either::Left(futures::future::ready((i, Err(e)))));
                    continue;
                }
                Err(e) => {
                    writers.push(Either::Left(futures::future::ready((i, Err(e)))));
                    continue;
                }
            };
            let (tx, rx) = mpsc::channel(SHARD_QUEUE);
            senders[i] = Some(tx);
            let key = set.key(i);
            let stream = futures::stream::unfold(rx, |mut rx| async move {
                let item = rx.recv().await?;
                Some((item, rx))
            });
            writers.push(Either::Right(async move {
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
                if senders.iter().all(Option::is_none) {
                    // Every writer has failed: reading on is wasted work.
                    return Ok(());
                }
                let chunk = chunk.map_err(WriteError::Body)?;
                received += chunk.len() as u64;
                for stripe in cutter.push(chunk) {
                    if let Some(prev) = held.replace(stripe) {
                        send_stripe(&codec, &prev, &mut senders).await?;
                    }
                }
            }
            if received != set.size {
                return Err(WriteError::Store(CoordinatorError::Layout(format!(
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
        let collect = writers.collect::<Vec<_>>();
        let (fed, results) = futures::join!(feed, collect);
        fed.map(|()| results)
    }

    /// Deletes every shard of `set` (a missing shard is fine); whether
    /// every delete went through (a node that is down still owes one).
    pub(crate) async fn delete(&self, set: &ShardSet) -> bool {
        // A shard with no copy (its write failed) has nothing to delete,
        // nor has one on a node removed from the cluster.
        let deletes = (0..set.nodes.len())
            .filter(|&i| set.nodes[i] != NO_NODE && !self.removed(set.nodes[i]))
            .map(|i| {
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
                // A node known down is the usual case: the drop list or
                // the orphan collector deletes it later.
                tracing::debug!(object = set.object_id, shard = i, error = %e, "shard delete failed");
                all = false;
            }
        }
        all
    }

    /// Streams `range` of the object data of `set`.
    pub(crate) fn read(
        &self,
        set: ShardSet,
        range: Range<u64>,
    ) -> Pin<Box<dyn Stream<Item = Result<Bytes, CoordinatorError>> + Send>> {
        self.read_reporting(set, range, None)
    }

    /// Like [`Self::read`]; `on_degraded` runs (once) if a shard could not
    /// be read and the data had to come from parity.
    pub(crate) fn read_reporting(
        &self,
        set: ShardSet,
        range: Range<u64>,
        on_degraded: Option<DegradedHook>,
    ) -> Pin<Box<dyn Stream<Item = Result<Bytes, CoordinatorError>> + Send>> {
        read::stream(self.clone(), set, range, on_degraded)
    }
}

/// Runs when a read had to do without a shard.
pub(crate) type DegradedHook = Box<dyn FnOnce() + Send>;

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
