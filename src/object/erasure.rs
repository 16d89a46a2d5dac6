//! Reed-Solomon erasure coding of objects into one shard per node.
//!
//! An object is cut into stripes of `stripe_bytes` bytes (the last stripe may be
//! shorter). Each stripe is split into `k` data chunks of
//! `chunk_len = ceil(stripe_len / k)` bytes, the last data chunk zero-padded,
//! and `m` parity chunks of the same length are computed from them. Chunk `i` of
//! every stripe is appended to shard `i`, so shard `i` of an object is the
//! concatenation of chunk `i` of stripes `0..n`, and any `k` of the `k + m`
//! shards recover the object.
//!
//! `stripe_bytes` need not be a multiple of `k`; when it is not, every full
//! stripe carries `k * chunk_len - stripe_bytes` (< `k`) bytes of padding. Since
//! every stripe but the last has the same length, stripe `s` starts at byte
//! `s * chunk_len(stripe_bytes)` of every shard, which is what lets a ranged GET
//! read only the part of each shard that covers the stripes it needs.

#[cfg(test)]
use std::num::NonZeroUsize;
use std::ops::Range;

use bytes::{Bytes, BytesMut};
use reed_solomon_erasure::galois_8::ReedSolomon;

/// Stripe size used unless configured otherwise: large enough to amortise
/// per-stripe overhead, small enough to keep per-request buffers modest.
#[cfg(test)]
pub(crate) const DEFAULT_STRIPE_BYTES: u32 = 1 << 20;

/// Most chunks (data + parity) a stripe may have; bounds the fan-out of one
/// object and keeps the decode matrices small.
pub(crate) const MAX_CHUNKS: usize = 32;

/// Why an erasure operation was refused; callers map these to storage or
/// request errors instead of the codec panicking.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum ErasureError {
    /// A code needs at least one data chunk.
    #[error("erasure code needs at least one data chunk")]
    NoDataChunks,
    /// More chunks than [`MAX_CHUNKS`] were asked for.
    #[error("erasure code {data}+{parity} exceeds {MAX_CHUNKS} chunks")]
    TooManyChunks {
        /// Requested data chunks.
        data: usize,
        /// Requested parity chunks.
        parity: usize,
    },
    /// A stripe smaller than `k` would make some data chunks pure padding.
    #[error("stripe size {stripe_bytes} is smaller than the {data} data chunks")]
    StripeTooSmall {
        /// Requested stripe size.
        stripe_bytes: u32,
        /// Requested data chunks.
        data: usize,
    },
    /// A stripe handed to encode/decode was empty or longer than the stripe size.
    #[error("stripe length {len} is not in 1..={max}")]
    InvalidStripeLength {
        /// The length given.
        len: usize,
        /// The codec's stripe size.
        max: usize,
    },
    /// Decode was given a chunk list of the wrong size.
    #[error("expected {expected} chunk slots, got {actual}")]
    WrongChunkCount {
        /// `k + m`.
        expected: usize,
        /// Slots given.
        actual: usize,
    },
    /// A present chunk does not have the length the stripe length implies
    /// (truncated read, wrong stripe, or corrupt shard).
    #[error("chunk {index} is {actual} bytes, expected {expected}")]
    WrongChunkLength {
        /// Position of the chunk in the stripe.
        index: usize,
        /// `chunk_len(stripe_len)`.
        expected: usize,
        /// Length received.
        actual: usize,
    },
    /// Fewer than `k` chunks survive, so the stripe is lost.
    #[error("only {present} chunks present, {needed} needed")]
    NotEnoughChunks {
        /// Chunks present.
        present: usize,
        /// `k`.
        needed: usize,
    },
    /// A byte range that is empty or extends past the object.
    #[error("range {start}..{end} is empty or outside an object of {object_size} bytes")]
    InvalidRange {
        /// Range start.
        start: u64,
        /// Range end (exclusive).
        end: u64,
        /// The object's length in bytes the range was checked against.
        object_size: u64,
    },
    /// The Reed-Solomon library refused the operation; not expected after the
    /// checks above, kept so a library surprise is an error rather than a panic.
    #[error("reed-solomon: {0}")]
    Codec(reed_solomon_erasure::Error),
}

impl From<reed_solomon_erasure::Error> for ErasureError {
    fn from(e: reed_solomon_erasure::Error) -> Self {
        ErasureError::Codec(e)
    }
}

/// A `k + m` Reed-Solomon code with a fixed stripe size; shared (e.g. in an
/// `Arc`) by all requests for objects written with that layout.
#[derive(Debug)]
pub(crate) struct ErasureCodec {
    data: usize,
    parity: usize,
    stripe_bytes: usize,
    /// `None` when `m == 0`: plain striping, nothing to compute.
    rs: Option<ReedSolomon>,
}

/// Which stripes, and which bytes of every shard, a ranged read needs.
///
/// Read `shard_range` from each shard, cut it into per-stripe chunks
/// (`chunk_len(stripe_len(object_size, s))` bytes each for
/// `s in first_stripe..=last_stripe`), decode those stripes in order, then drop
/// `skip` bytes and return the next `take` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StripeSpan {
    /// First stripe overlapping the requested range.
    pub first_stripe: u64,
    /// Last stripe overlapping the requested range (inclusive).
    pub last_stripe: u64,
    /// Bytes of every shard holding the chunks of those stripes.
    pub shard_range: Range<u64>,
    /// Bytes of the first decoded stripe that precede the range.
    pub skip: usize,
    /// Length of the requested range: bytes to return after `skip`.
    pub take: u64,
}

impl StripeSpan {
    /// Number of stripes the reader must decode.
    #[cfg(test)]
    pub(crate) fn stripe_count(&self) -> u64 {
        self.last_stripe - self.first_stripe + 1
    }
}

impl ErasureCodec {
    /// Builds a codec for `data` data chunks, `parity` parity chunks and
    /// stripes of `stripe_bytes` object bytes.
    ///
    /// Requires `data >= 1`, `data + parity <= 32` and `stripe_bytes >= data`.
    /// `parity == 0` is allowed and means plain striping with no redundancy.
    pub(crate) fn new(data: u8, parity: u8, stripe_bytes: u32) -> Result<Self, ErasureError> {
        let (k, m) = (usize::from(data), usize::from(parity));
        if k == 0 {
            return Err(ErasureError::NoDataChunks);
        }
        if k + m > MAX_CHUNKS {
            return Err(ErasureError::TooManyChunks { data: k, parity: m });
        }
        if (stripe_bytes as usize) < k {
            return Err(ErasureError::StripeTooSmall {
                stripe_bytes,
                data: k,
            });
        }
        let rs = if m == 0 {
            None
        } else {
            Some(ReedSolomon::new(k, m)?)
        };
        Ok(ErasureCodec {
            data: k,
            parity: m,
            stripe_bytes: stripe_bytes as usize,
            rs,
        })
    }

    /// `k`: chunks needed to rebuild a stripe.
    pub(crate) fn data_chunks(&self) -> usize {
        self.data
    }

    /// `k + m`: chunks per stripe, i.e. shards (nodes) per object.
    pub(crate) fn total_chunks(&self) -> usize {
        self.data + self.parity
    }

    /// Object bytes per full stripe.
    pub(crate) fn stripe_bytes(&self) -> usize {
        self.stripe_bytes
    }

    /// Length of every chunk of a stripe holding `stripe_len` object bytes.
    pub(crate) fn chunk_len(&self, stripe_len: usize) -> usize {
        stripe_len.div_ceil(self.data)
    }

    /// Number of stripes an object of `object_size` bytes is cut into (0 for
    /// an empty object).
    #[cfg(test)]
    pub(crate) fn stripe_count(&self, object_size: u64) -> u64 {
        object_size.div_ceil(self.stripe_bytes as u64)
    }

    /// Object bytes in stripe `index`; 0 when the object has no such stripe.
    pub(crate) fn stripe_len(&self, object_size: u64, index: u64) -> usize {
        let sb = self.stripe_bytes as u64;
        let start = index.saturating_mul(sb);
        // Bounded by `stripe_bytes`, which came from a u32, so it fits usize.
        object_size.saturating_sub(start).min(sb) as usize
    }

    /// Exact length of each shard of an object of `object_size` bytes; the
    /// same for every shard, data or parity.
    pub(crate) fn shard_len(&self, object_size: u64) -> u64 {
        let sb = self.stripe_bytes as u64;
        let full = object_size / sb;
        // `tail < stripe_bytes`, so it fits usize.
        let tail = (object_size % sb) as usize;
        full * self.chunk_len(self.stripe_bytes) as u64 + self.chunk_len(tail) as u64
    }

    /// Splits one stripe into `k` data chunks followed by `m` parity chunks.
    ///
    /// All chunks live in a single allocation and are handed out as `Bytes`
    /// views of it, so sending them to `k + m` nodes copies nothing more.
    pub(crate) fn encode_stripe(&self, stripe: &[u8]) -> Result<Vec<Bytes>, ErasureError> {
        let len = stripe.len();
        if len == 0 || len > self.stripe_bytes {
            return Err(ErasureError::InvalidStripeLength {
                len,
                max: self.stripe_bytes,
            });
        }
        let cl = self.chunk_len(len);
        let total = cl * self.total_chunks();
        let mut buf = BytesMut::with_capacity(total);
        buf.extend_from_slice(stripe);
        buf.resize(total, 0);
        if let Some(rs) = &self.rs {
            let (data, parity) = buf.split_at_mut(cl * self.data);
            let data: Vec<&[u8]> = data.chunks_exact(cl).collect();
            let mut parity: Vec<&mut [u8]> = parity.chunks_exact_mut(cl).collect();
            rs.encode_sep(&data, &mut parity)?;
        }
        let mut all = buf.freeze();
        Ok((0..self.total_chunks()).map(|_| all.split_to(cl)).collect())
    }

    /// Rebuilds the object bytes of one stripe from its chunks, `None` marking
    /// a chunk that could not be read. `stripe_len` is the stripe's length in
    /// object bytes (see [`Self::stripe_len`]).
    ///
    /// With all `k` data chunks present no Reed-Solomon work is done; otherwise
    /// up to `m` missing chunks are tolerated.
    pub(crate) fn decode_stripe(
        &self,
        chunks: Vec<Option<Bytes>>,
        stripe_len: usize,
    ) -> Result<Bytes, ErasureError> {
        if stripe_len == 0 || stripe_len > self.stripe_bytes {
            return Err(ErasureError::InvalidStripeLength {
                len: stripe_len,
                max: self.stripe_bytes,
            });
        }
        if chunks.len() != self.total_chunks() {
            return Err(ErasureError::WrongChunkCount {
                expected: self.total_chunks(),
                actual: chunks.len(),
            });
        }
        let cl = self.chunk_len(stripe_len);
        let mut present = 0;
        for (index, chunk) in chunks.iter().enumerate() {
            if let Some(chunk) = chunk {
                if chunk.len() != cl {
                    return Err(ErasureError::WrongChunkLength {
                        index,
                        expected: cl,
                        actual: chunk.len(),
                    });
                }
                present += 1;
            }
        }
        if present < self.data {
            return Err(ErasureError::NotEnoughChunks {
                present,
                needed: self.data,
            });
        }
        let (data_chunks, parity_chunks) = chunks.split_at(self.data);
        let missing_data = data_chunks.iter().filter(|c| c.is_none()).count();

        if missing_data == 0 {
            if let [Some(only)] = data_chunks {
                return Ok(only.slice(..stripe_len));
            }
            let mut out = BytesMut::with_capacity(stripe_len);
            for chunk in data_chunks.iter().flatten() {
                let take = chunk.len().min(stripe_len - out.len());
                out.extend_from_slice(&chunk[..take]);
            }
            return Ok(out.freeze());
        }

        // Missing data and `present >= k` imply parity exists.
        let Some(rs) = &self.rs else {
            return Err(ErasureError::NotEnoughChunks {
                present,
                needed: self.data,
            });
        };

        // Data chunks go straight into the output buffer (missing ones as
        // zeroed slots the library fills in). Only as many parity chunks as
        // there are missing data chunks are used, and only those are copied
        // into scratch space, because the library needs them mutable.
        let mut out = BytesMut::with_capacity(self.data * cl);
        for chunk in data_chunks {
            match chunk {
                Some(c) => out.extend_from_slice(c),
                None => out.resize(out.len() + cl, 0),
            }
        }
        let mut used_parity = vec![false; self.parity];
        let mut scratch = Vec::with_capacity(missing_data * cl);
        for (slot, chunk) in parity_chunks.iter().enumerate() {
            if scratch.len() == missing_data * cl {
                break;
            }
            if let Some(c) = chunk {
                scratch.extend_from_slice(c);
                used_parity[slot] = true;
            }
        }

        let mut slots: Vec<(&mut [u8], bool)> = Vec::with_capacity(self.total_chunks());
        for (slot, chunk) in out.chunks_exact_mut(cl).zip(data_chunks) {
            slots.push((slot, chunk.is_some()));
        }
        let mut scratch_slots = scratch.chunks_exact_mut(cl);
        for &used in &used_parity {
            let slot = if used { scratch_slots.next() } else { None };
            match slot {
                Some(slot) => slots.push((slot, true)),
                None => slots.push((&mut [], false)),
            }
        }
        rs.reconstruct_data(&mut slots)?;
        drop(slots);

        out.truncate(stripe_len);
        Ok(out.freeze())
    }

    /// Works out which stripes and shard bytes serve `range` of an object of
    /// `object_size` bytes. The range must be non-empty and inside the object
    /// (the HTTP layer resolves suffix/open ranges and 416s first).
    pub(crate) fn stripes_for_range(
        &self,
        object_size: u64,
        range: Range<u64>,
    ) -> Result<StripeSpan, ErasureError> {
        if range.start >= range.end || range.end > object_size {
            return Err(ErasureError::InvalidRange {
                start: range.start,
                end: range.end,
                object_size,
            });
        }
        let sb = self.stripe_bytes as u64;
        let full_chunk = self.chunk_len(self.stripe_bytes) as u64;
        let first_stripe = range.start / sb;
        let last_stripe = (range.end - 1) / sb;
        let last_chunk = self.chunk_len(self.stripe_len(object_size, last_stripe)) as u64;
        Ok(StripeSpan {
            first_stripe,
            last_stripe,
            shard_range: first_stripe * full_chunk..last_stripe * full_chunk + last_chunk,
            // `< stripe_bytes`, so it fits usize.
            skip: (range.start - first_stripe * sb) as usize,
            take: range.end - range.start,
        })
    }

    /// A [`StripeCutter`] producing stripes of this codec's size.
    pub(crate) fn stripe_cutter(&self) -> StripeCutter {
        StripeCutter {
            stripe_bytes: self.stripe_bytes,
            pending: BytesMut::new(),
        }
    }
}

/// Turns an HTTP body's arbitrarily sized chunks into full stripes.
///
/// Stripes lying wholly inside one pushed chunk are zero-copy slices of it;
/// only bytes that straddle chunk boundaries are copied, into a buffer that
/// never exceeds one stripe. A partial tail is copied out rather than kept as
/// a slice so that a small remainder cannot pin a large body chunk in memory.
#[derive(Debug)]
pub(crate) struct StripeCutter {
    stripe_bytes: usize,
    pending: BytesMut,
}

impl StripeCutter {
    /// A cutter emitting stripes of exactly `stripe_bytes` bytes.
    #[cfg(test)]
    pub(crate) fn new(stripe_bytes: NonZeroUsize) -> Self {
        StripeCutter {
            stripe_bytes: stripe_bytes.get(),
            pending: BytesMut::new(),
        }
    }

    /// Feeds the next body chunk and returns the stripes it completes, each
    /// exactly `stripe_bytes` long, in order.
    pub(crate) fn push(&mut self, mut data: Bytes) -> Vec<Bytes> {
        let mut out = Vec::new();
        if !self.pending.is_empty() {
            let need = self.stripe_bytes - self.pending.len();
            let head = data.split_to(need.min(data.len()));
            self.pending.extend_from_slice(&head);
            if self.pending.len() < self.stripe_bytes {
                return out;
            }
            out.push(std::mem::take(&mut self.pending).freeze());
        }
        while data.len() >= self.stripe_bytes {
            out.push(data.split_to(self.stripe_bytes));
        }
        if !data.is_empty() {
            self.pending.reserve(self.stripe_bytes);
            self.pending.extend_from_slice(&data);
        }
        out
    }

    /// Bytes held back waiting for the rest of their stripe (< `stripe_bytes`).
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.pending.len()
    }

    /// Ends the body: the final, shorter stripe, if any bytes remain.
    pub(crate) fn finish(self) -> Option<Bytes> {
        if self.pending.is_empty() {
            None
        } else {
            Some(self.pending.freeze())
        }
    }
}

#[cfg(test)]
mod tests;
