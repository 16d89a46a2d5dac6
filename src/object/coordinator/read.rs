//! Reading a range of an object: stripe by stripe from k of its shards,
//! this node's first, then data shards, falling over to the others the
//! moment one fails.
//!
//! Shards are opened only as needed, and each open asks the storage node
//! at the same time what it holds under the key: a shard it reports
//! missing, or marked corrupt (by the scrubber or an earlier read), is
//! left out before a byte of it is used. Shards on nodes the failure
//! detector holds down are tried last, and then with a short dial of their
//! own rather than refused: a node restarted a moment ago is up well
//! before the detector's next probe finds it. The first stripe is read
//! only once k shards are open, so an object that cannot be read now
//! fails before its first byte (the caller can still answer with an error
//! status); only damage nobody knew of can end a read part way.

use std::collections::VecDeque;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

use super::shard_store::Place;
use super::{CoordinatorError, DegradedHook, ObjectCoordinator, ShardBody, ShardSet};
use crate::object::erasure::ErasureCodec;
use crate::storage::{ShardKey, ShardState, StorageError};

/// Longest dial of a node the failure detector holds down, when a read
/// needs a shard on it: a live node answers a dial in a few round trips,
/// and a read that cannot be served should fail fast rather than wait out
/// the pool's full dial timeout.
const DOWN_NODE_DIAL: Duration = Duration::from_millis(300);

/// Streams `range` of the data of `set`, read by `coordinator`.
pub(super) fn stream(
    coordinator: ObjectCoordinator,
    set: ShardSet,
    range: Range<u64>,
    on_degraded: Option<DegradedHook>,
) -> Pin<Box<dyn Stream<Item = Result<Bytes, CoordinatorError>> + Send>> {
    if range.is_empty() {
        return Box::pin(futures::stream::empty());
    }
    let reader = StripeReader {
        coordinator,
        set,
        codec: None,
        next_stripe: 0,
        last_stripe: 0,
        skip: 0,
        remaining: range.end - range.start,
        shards: Vec::new(),
        ready: VecDeque::new(),
        range,
        on_degraded,
    };
    Box::pin(futures::stream::unfold(reader, |mut r| async move {
        loop {
            if let Some(piece) = r.ready.pop_front() {
                return Some((Ok(piece), r));
            }
            if r.remaining == 0 {
                return None;
            }
            if let Err(e) = r.next_stripe().await {
                r.remaining = 0;
                return Some((Err(e), r));
            }
        }
    }))
}

/// One shard's bytes from some offset on, taken in exact-size chunks made
/// of the pieces the storage node sent: slices, never copies.
struct ShardCursor {
    body: ShardBody,
    pending: Bytes,
}

impl ShardCursor {
    /// The next `n` bytes, as the pieces that carry them.
    async fn take(&mut self, n: usize) -> Result<Chunk, StorageError> {
        let mut chunk = Chunk::default();
        while chunk.len < n {
            if self.pending.is_empty() {
                let Some(next) = self.body.next().await else {
                    return Err(StorageError::BodyFailed("shard ended early".into()));
                };
                self.pending = next?;
                continue;
            }
            let piece = self
                .pending
                .split_to((n - chunk.len).min(self.pending.len()));
            chunk.len += piece.len();
            chunk.pieces.push(piece);
        }
        Ok(chunk)
    }
}

/// One shard's chunk of a stripe, in the pieces it arrived in.
#[derive(Default)]
struct Chunk {
    pieces: Vec<Bytes>,
    len: usize,
}

impl Chunk {
    /// The chunk as one buffer, for decoding: copied only if it arrived in
    /// more than one piece.
    fn contiguous(self) -> Bytes {
        match <[Bytes; 1]>::try_from(self.pieces) {
            Ok([only]) => only,
            Err(pieces) => {
                let mut joined = BytesMut::with_capacity(self.len);
                for piece in &pieces {
                    joined.extend_from_slice(piece);
                }
                joined.freeze()
            }
        }
    }
}

/// A stripe's data from its `k` data chunks (all present), cut to
/// `stripe_len` (the last chunk may carry padding): their pieces in order,
/// no byte copied.
fn data_pieces(chunks: Vec<Option<Chunk>>, k: usize, stripe_len: usize) -> VecDeque<Bytes> {
    let mut out = VecDeque::new();
    let mut left = stripe_len;
    for piece in chunks.into_iter().take(k).flatten().flat_map(|c| c.pieces) {
        if left == 0 {
            break;
        }
        let piece = if piece.len() > left {
            piece.slice(..left)
        } else {
            piece
        };
        left -= piece.len();
        out.push_back(piece);
    }
    out
}

/// What the reader knows of one shard.
enum Slot {
    /// Not open: not needed yet, or closed after a stripe did without it
    /// (an open shard must sit at the stripe being read; RS cannot tell a
    /// stale chunk).
    Closed,
    /// Open at the stripe being read.
    Open(ShardCursor),
    /// Missing, known corrupt, unreachable, or failed part way: not tried
    /// again by this read.
    Bad,
}

/// Which shards to open next, at most `want`, of those `closed` (neither
/// open nor known bad). Shards on this node come first, data before
/// parity: a local parity shard and a decode cost less than a data
/// shard's bytes over the network. Then data shards on nodes believed up,
/// then their parity (no decoding while the data shards answer), each
/// group in shard order; a node believed down is dialed only when the
/// others cannot make up the number. `data` is the number of data shards.
fn pick(closed: &[bool], places: &[Place], data: usize, want: usize) -> Vec<usize> {
    let rank = |i: usize| match places.get(i).copied().unwrap_or(Place::Down) {
        Place::Local => 0,
        Place::Up if i < data => 1,
        Place::Up => 2,
        Place::Down => 3,
    };
    let mut candidates: Vec<usize> = (0..closed.len()).filter(|&i| closed[i]).collect();
    candidates.sort_by_key(|&i| (rank(i), i));
    candidates.truncate(want);
    candidates
}

/// Whether a shard a storage node reports as `state` may be read, for a
/// set whose shards are `shard_len` bytes; the reason if not.
fn readable(key: ShardKey, state: ShardState, shard_len: u64) -> Result<(), StorageError> {
    match state {
        ShardState::Present { len } if len == shard_len => Ok(()),
        ShardState::Present { len } => Err(StorageError::LengthMismatch {
            expected: shard_len,
            got: len,
        }),
        ShardState::Missing => Err(StorageError::NotFound(key)),
        ShardState::Corrupt => Err(StorageError::Corrupt {
            key,
            detail: "marked corrupt",
        }),
    }
}

/// Reads a range stripe by stripe from k open shards, opening others when
/// one fails.
struct StripeReader {
    coordinator: ObjectCoordinator,
    set: ShardSet,
    codec: Option<Arc<ErasureCodec>>,
    range: Range<u64>,
    next_stripe: u64,
    last_stripe: u64,
    skip: usize,
    remaining: u64,
    /// One slot per shard.
    shards: Vec<Slot>,
    /// Pieces of the range read but not yet handed on.
    ready: VecDeque<Bytes>,
    /// Told (once) when a shard is missing or fails.
    on_degraded: Option<DegradedHook>,
}

impl StripeReader {
    /// A shard could not be used: tell whoever asked, once.
    fn degraded(&mut self) {
        if let Some(hook) = self.on_degraded.take() {
            hook();
        }
    }

    /// Where shard `i` is (a node believed up may still be down).
    fn place(&self, i: usize) -> Place {
        match self.coordinator.target(&self.set, i) {
            Ok(target) => target.place(),
            Err(_) => Place::Down,
        }
    }

    /// Whether some data shard cannot be read now: known bad, or on a node
    /// believed down. A parity shard read then stands in for it.
    fn data_unavailable(&self, data: usize) -> bool {
        (0..data).any(|i| matches!(self.shards[i], Slot::Bad) || self.place(i) == Place::Down)
    }

    /// Opens shard `i` at the start of `stripe`, once its node says it
    /// holds it intact; a node believed down is dialed first, briefly.
    fn open_shard(
        &self,
        codec: &ErasureCodec,
        i: usize,
        stripe: u64,
    ) -> impl std::future::Future<Output = Result<ShardCursor, CoordinatorError>> + Send + 'static
    {
        let full = codec.chunk_len(codec.stripe_bytes()) as u64;
        let shard_len = codec.shard_len(self.set.size);
        let range = stripe * full..shard_len;
        let key = self.set.key(i);
        let target = self.coordinator.target(&self.set, i);
        async move {
            let target = target?;
            target.reachable(DOWN_NODE_DIAL).await?;
            // Both on the same node, together: no round trip added.
            let (state, body) = target.stat_and_read(key, range).await;
            match state {
                Ok(Some(state)) => readable(key, state, shard_len)?,
                // The open decides; a damaged chunk still fails its CRC.
                Ok(None) => {}
                Err(e) => tracing::debug!(shard = %key, error = %e, "shard state unknown"),
            }
            Ok(ShardCursor {
                body: body?,
                pending: Bytes::new(),
            })
        }
    }

    /// Opens `want` more shards at the start of `stripe` (together), or
    /// fails if the shards not yet tried are too few for that.
    async fn open_more(
        &mut self,
        codec: &ErasureCodec,
        stripe: u64,
        mut want: usize,
    ) -> Result<(), CoordinatorError> {
        while want > 0 {
            let closed: Vec<bool> = self
                .shards
                .iter()
                .map(|s| matches!(s, Slot::Closed))
                .collect();
            let left = closed.iter().filter(|c| **c).count();
            if left < want {
                return Err(CoordinatorError::Quorum(format!(
                    "{want} more shards needed for stripe {stripe} of object {:x}, {left} left to try",
                    self.set.object_id
                )));
            }
            let places: Vec<Place> = (0..closed.len()).map(|i| self.place(i)).collect();
            let picked = pick(&closed, &places, codec.data_chunks(), want);
            let opens: Vec<_> = picked
                .iter()
                .map(|&i| self.open_shard(codec, i, stripe))
                .collect();
            for (i, opened) in picked
                .into_iter()
                .zip(futures::future::join_all(opens).await)
            {
                match opened {
                    Ok(cursor) => {
                        self.shards[i] = Slot::Open(cursor);
                        want -= 1;
                        if i >= codec.data_chunks() && self.data_unavailable(codec.data_chunks()) {
                            // Parity stands in for a data shard that
                            // cannot be read, not just saves a transfer.
                            self.degraded();
                        }
                    }
                    Err(e) => {
                        tracing::warn!(object = self.set.object_id, shard = i, error = %e, "shard not readable");
                        self.shards[i] = Slot::Bad;
                        self.degraded();
                    }
                }
            }
        }
        Ok(())
    }

    /// The codec, set up on the first call.
    fn codec(&mut self) -> Result<Arc<ErasureCodec>, CoordinatorError> {
        if let Some(codec) = &self.codec {
            return Ok(codec.clone());
        }
        let codec = Arc::new(self.set.codec()?);
        let span = codec.stripes_for_range(self.set.size, self.range.clone())?;
        self.next_stripe = span.first_stripe;
        self.last_stripe = span.last_stripe;
        self.skip = span.skip;
        self.remaining = span.take;
        self.shards = (0..codec.total_chunks()).map(|_| Slot::Closed).collect();
        self.codec = Some(codec.clone());
        Ok(codec)
    }

    /// Reads the next stripe into `ready`, cut to the range.
    async fn next_stripe(&mut self) -> Result<(), CoordinatorError> {
        let codec = self.codec()?;
        if self.next_stripe > self.last_stripe {
            return Err(CoordinatorError::Quorum("read past the last stripe".into()));
        }
        let stripe = self.next_stripe;
        let stripe_len = codec.stripe_len(self.set.size, stripe);
        let chunk_len = codec.chunk_len(stripe_len);
        let k = codec.data_chunks();
        let mut chunks: Vec<Option<Chunk>> = (0..codec.total_chunks()).map(|_| None).collect();
        let mut have = 0;
        loop {
            let mut failed = false;
            let slots = self.shards.iter_mut().zip(chunks.iter_mut());
            for (i, (slot, chunk)) in slots.enumerate() {
                if have == k {
                    break;
                }
                let Slot::Open(cursor) = slot else {
                    continue;
                };
                if chunk.is_some() {
                    continue;
                }
                match cursor.take(chunk_len).await {
                    Ok(piece) => {
                        *chunk = Some(piece);
                        have += 1;
                    }
                    Err(e) => {
                        tracing::warn!(object = self.set.object_id, shard = i, error = %e, "shard unreadable; reconstructing");
                        *slot = Slot::Bad;
                        failed = true;
                    }
                }
            }
            if failed {
                self.degraded();
            }
            if have == k {
                break;
            }
            // Every open shard has been tried for this stripe: open more.
            self.open_more(&codec, stripe, k - have).await?;
        }
        // A shard open but not used for this stripe would lag behind by a
        // chunk: close it, so it is reopened at the right stripe if a later
        // stripe needs it.
        for (slot, chunk) in self.shards.iter_mut().zip(&chunks) {
            if chunk.is_none() && matches!(slot, Slot::Open(_)) {
                *slot = Slot::Closed;
            }
        }
        let mut data = if chunks[..k].iter().all(Option::is_some) {
            data_pieces(chunks, k, stripe_len)
        } else {
            let chunks = chunks
                .into_iter()
                .map(|c| c.map(Chunk::contiguous))
                .collect();
            VecDeque::from([codec.decode_stripe(chunks, stripe_len)?])
        };
        self.next_stripe += 1;
        // The range's own bytes: the first stripe's head and the last
        // one's tail fall away.
        while self.skip > 0 {
            let Some(front) = data.front_mut() else { break };
            if front.len() <= self.skip {
                self.skip -= front.len();
                data.pop_front();
            } else {
                *front = front.slice(self.skip..);
                self.skip = 0;
            }
        }
        for mut piece in data {
            if self.remaining == 0 {
                break;
            }
            if piece.len() as u64 > self.remaining {
                piece.truncate(self.remaining as usize);
            }
            self.remaining -= piece.len() as u64;
            self.ready.push_back(piece);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
