//! Reading a range of an object: stripe by stripe from the data shards,
//! falling over to parity the moment a shard fails.

use std::ops::Range;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use std::pin::Pin;

use futures::{Stream, StreamExt};

use super::{CoordinatorError, DegradedHook, ObjectCoordinator, ShardBody, ShardSet};
use crate::object::erasure::ErasureCodec;
use crate::storage::StorageError;

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
        range,
        on_degraded,
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
    /// Told (once) when a shard fails.
    on_degraded: Option<DegradedHook>,
}

impl StripeReader {
    /// A shard failed: tell whoever asked, once.
    fn degraded(&mut self) {
        if let Some(hook) = self.on_degraded.take() {
            hook();
        }
    }

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

    async fn next_piece(&mut self) -> Result<Bytes, CoordinatorError> {
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
                if cursor.is_none() {
                    self.degraded();
                }
                self.shards[i] = cursor;
            }
            self.codec = Some(Arc::new(codec));
        }
        let Some(codec) = self.codec.clone() else {
            return Err(CoordinatorError::Layout("no codec".into()));
        };
        if self.next_stripe > self.last_stripe {
            return Err(CoordinatorError::Quorum("read past the last stripe".into()));
        }
        let stripe = self.next_stripe;
        let stripe_len = codec.stripe_len(self.set.size, stripe);
        let chunk_len = codec.chunk_len(stripe_len);
        let mut chunks: Vec<Option<Bytes>> = vec![None; codec.total_chunks()];
        let mut have = 0;
        let mut next_shard = 0;
        while have < codec.data_chunks() {
            if next_shard == codec.total_chunks() {
                return Err(CoordinatorError::Quorum(format!(
                    "only {have} of {} shards readable for stripe {stripe} of object {:x}",
                    codec.data_chunks(),
                    self.set.object_id
                )));
            }
            let i = next_shard;
            next_shard += 1;
            if self.shards[i].is_none() && i >= codec.data_chunks() {
                self.shards[i] = self.open_shard(&codec, i, stripe).await;
                if self.shards[i].is_none() {
                    self.degraded();
                }
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
                    self.degraded();
                }
            }
        }
        // A shard open but not needed for this stripe would lag behind by
        // a chunk: close it, so it is reopened at the right stripe if a
        // later stripe needs it (RS cannot tell a stale chunk).
        for cursor in &mut self.shards[next_shard..] {
            *cursor = None;
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
