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
pub enum ErasureError {
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
        /// Object size.
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Deterministic filler so failures reproduce from the proptest seed.
    fn pattern(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// Encodes a whole object the way the PUT path would, returning the
    /// per-stripe chunks and the assembled shards.
    fn encode_object(codec: &ErasureCodec, object: &[u8]) -> (Vec<Vec<Bytes>>, Vec<Vec<u8>>) {
        let mut stripes = Vec::new();
        let mut shards = vec![Vec::new(); codec.total_chunks()];
        for stripe in object.chunks(codec.stripe_bytes()) {
            let chunks = codec.encode_stripe(stripe).unwrap();
            assert_eq!(chunks.len(), codec.total_chunks());
            for (shard, chunk) in shards.iter_mut().zip(&chunks) {
                assert_eq!(chunk.len(), codec.chunk_len(stripe.len()));
                shard.extend_from_slice(chunk);
            }
            stripes.push(chunks);
        }
        (stripes, shards)
    }

    /// Picks `count` distinct chunk positions out of `total` from `seed`.
    fn pick_losses(total: usize, count: usize, seed: u64) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..total).collect();
        let mut x = seed | 1;
        for i in (1..total).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            idx.swap(i, (x % (i as u64 + 1)) as usize);
        }
        idx.truncate(count);
        idx
    }

    /// (k, m, stripe_bytes, object size) with sizes clustered around stripe
    /// boundaries, where off-by-one bugs live.
    fn layout() -> impl Strategy<Value = (u8, u8, u32, usize)> {
        (1u8..=6, 0u8..=3)
            .prop_flat_map(|(k, m)| {
                let sb = prop_oneof![
                    Just(u32::from(k)),
                    u32::from(k)..=64,
                    64u32..=4096,
                    (1u32..=512).prop_map(move |n| n * u32::from(k)),
                ];
                (Just(k), Just(m), sb)
            })
            .prop_flat_map(|(k, m, sb)| {
                let s = sb as usize;
                let size = prop_oneof![
                    Just(0usize),
                    Just(1usize),
                    Just(s - 1),
                    Just(s),
                    Just(s + 1),
                    Just(2 * s),
                    Just(3 * s - 1),
                    (0usize..=4 * s + 7),
                ];
                (Just(k), Just(m), Just(sb), size)
            })
    }

    #[test]
    fn constructor_validates() {
        assert_eq!(
            ErasureCodec::new(0, 2, 1024).unwrap_err(),
            ErasureError::NoDataChunks
        );
        assert!(matches!(
            ErasureCodec::new(30, 3, 1024).unwrap_err(),
            ErasureError::TooManyChunks {
                data: 30,
                parity: 3
            }
        ));
        assert!(matches!(
            ErasureCodec::new(4, 2, 3).unwrap_err(),
            ErasureError::StripeTooSmall { .. }
        ));
        assert!(ErasureCodec::new(1, 0, 1).is_ok());
        assert!(ErasureCodec::new(29, 3, DEFAULT_STRIPE_BYTES).is_ok());
        assert!(ErasureCodec::new(32, 0, 32).is_ok());
    }

    #[test]
    fn lengths_for_known_layout() {
        let c = ErasureCodec::new(4, 2, 1000).unwrap();
        assert_eq!(c.chunk_len(1000), 250);
        assert_eq!(c.chunk_len(1), 1);
        assert_eq!(c.chunk_len(5), 2);
        assert_eq!(c.stripe_count(0), 0);
        assert_eq!(c.stripe_count(1000), 1);
        assert_eq!(c.stripe_count(1001), 2);
        assert_eq!(c.shard_len(0), 0);
        assert_eq!(c.shard_len(2005), 250 + 250 + 2);
        assert_eq!(c.stripe_len(2005, 2), 5);
        assert_eq!(c.stripe_len(2005, 3), 0);
        // 3 does not divide 1000: each full stripe carries 2 bytes of padding.
        let c = ErasureCodec::new(3, 1, 1000).unwrap();
        assert_eq!(c.shard_len(2000), 2 * 334);
    }

    #[test]
    fn encode_rejects_bad_stripe_lengths() {
        let c = ErasureCodec::new(2, 1, 16).unwrap();
        assert!(matches!(
            c.encode_stripe(&[]),
            Err(ErasureError::InvalidStripeLength { len: 0, max: 16 })
        ));
        assert!(matches!(
            c.encode_stripe(&[0; 17]),
            Err(ErasureError::InvalidStripeLength { len: 17, .. })
        ));
        assert!(matches!(
            c.decode_stripe(vec![None, None, None], 0),
            Err(ErasureError::InvalidStripeLength { .. })
        ));
        assert!(matches!(
            c.decode_stripe(vec![None, None], 4),
            Err(ErasureError::WrongChunkCount {
                expected: 3,
                actual: 2
            })
        ));
    }

    /// Every erasure pattern for small codes: each pattern of at most `m`
    /// losses decodes, each of more than `m` is an error.
    #[test]
    fn every_loss_pattern_small_codes() {
        for k in 1u8..=5 {
            for m in 0u8..=3 {
                let codec = ErasureCodec::new(k, m, 97).unwrap();
                let n = codec.total_chunks();
                for len in [1usize, 13, 96, 97] {
                    let stripe = pattern(len, len as u64 * 31 + u64::from(k));
                    let chunks = codec.encode_stripe(&stripe).unwrap();
                    for mask in 0u32..(1 << n) {
                        let lost = mask.count_ones() as usize;
                        let given: Vec<Option<Bytes>> = chunks
                            .iter()
                            .enumerate()
                            .map(|(i, c)| (mask & (1 << i) == 0).then(|| c.clone()))
                            .collect();
                        let got = codec.decode_stripe(given, len);
                        if lost <= usize::from(m) {
                            assert_eq!(got.unwrap(), stripe, "k={k} m={m} len={len} mask={mask:b}");
                        } else {
                            assert_eq!(
                                got.unwrap_err(),
                                ErasureError::NotEnoughChunks {
                                    present: n - lost,
                                    needed: usize::from(k)
                                }
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn encoded_chunks_share_one_allocation() {
        let codec = ErasureCodec::new(4, 2, 4096).unwrap();
        let chunks = codec.encode_stripe(&pattern(4096, 7)).unwrap();
        for pair in chunks.windows(2) {
            // Consecutive chunks are adjacent views of the same buffer.
            assert_eq!(
                pair[0].as_ptr().wrapping_add(pair[0].len()),
                pair[1].as_ptr()
            );
        }
    }

    #[test]
    fn cutter_slices_large_chunks_without_copying() {
        let mut cutter = StripeCutter::new(NonZeroUsize::new(100).unwrap());
        let body = Bytes::from(pattern(3 * 100 + 5, 9));
        let stripes = cutter.push(body.clone());
        assert_eq!(stripes.len(), 3);
        for (i, s) in stripes.iter().enumerate() {
            assert_eq!(s.as_ptr(), body[i * 100..].as_ptr());
        }
        assert_eq!(cutter.buffered(), 5);
        assert_eq!(cutter.finish().unwrap(), body.slice(300..));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn round_trip_with_up_to_m_losses(
            (k, m, sb, size) in layout(),
            seed in any::<u64>(),
            loss_seeds in prop::collection::vec(any::<u64>(), 8),
        ) {
            let codec = ErasureCodec::new(k, m, sb).unwrap();
            let object = pattern(size, seed);
            let (stripes, shards) = encode_object(&codec, &object);
            prop_assert_eq!(stripes.len() as u64, codec.stripe_count(size as u64));
            for shard in &shards {
                prop_assert_eq!(shard.len() as u64, codec.shard_len(size as u64));
            }
            let mut rebuilt = Vec::with_capacity(size);
            for (s, chunks) in stripes.into_iter().enumerate() {
                let ls = loss_seeds[s % loss_seeds.len()] ^ s as u64;
                let lost = pick_losses(chunks.len(), (ls % (u64::from(m) + 1)) as usize, ls);
                let given: Vec<Option<Bytes>> = chunks
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| (!lost.contains(&i)).then_some(c))
                    .collect();
                let len = codec.stripe_len(size as u64, s as u64);
                rebuilt.extend_from_slice(&codec.decode_stripe(given, len).unwrap());
            }
            prop_assert_eq!(rebuilt, object);
        }

        #[test]
        fn losing_m_plus_one_is_an_error(
            (k, m, sb, size) in layout(),
            seed in any::<u64>(),
        ) {
            let size = size.max(1); // these checks need at least one stripe
            let codec = ErasureCodec::new(k, m, sb).unwrap();
            let len = size.min(codec.stripe_bytes());
            let chunks = codec.encode_stripe(&pattern(len, seed)).unwrap();
            let lost = pick_losses(chunks.len(), usize::from(m) + 1, seed);
            let given: Vec<Option<Bytes>> = chunks
                .into_iter()
                .enumerate()
                .map(|(i, c)| (!lost.contains(&i)).then_some(c))
                .collect();
            let expected = ErasureError::NotEnoughChunks {
                present: codec.total_chunks() - usize::from(m) - 1,
                needed: usize::from(k),
            };
            prop_assert_eq!(codec.decode_stripe(given, len), Err(expected));
        }

        #[test]
        fn wrong_chunk_length_is_an_error(
            (k, m, sb, size) in layout(),
            seed in any::<u64>(),
            grow in any::<bool>(),
        ) {
            let size = size.max(1); // these checks need at least one stripe
            let codec = ErasureCodec::new(k, m, sb).unwrap();
            let len = size.min(codec.stripe_bytes());
            let mut given: Vec<Option<Bytes>> = codec
                .encode_stripe(&pattern(len, seed))
                .unwrap()
                .into_iter()
                .map(Some)
                .collect();
            let victim = (seed % given.len() as u64) as usize;
            let good = codec.chunk_len(len);
            let bad = if grow || good == 0 { good + 1 } else { good - 1 };
            given[victim] = Some(Bytes::from(vec![0u8; bad]));
            prop_assert_eq!(
                codec.decode_stripe(given, len),
                Err(ErasureError::WrongChunkLength { index: victim, expected: good, actual: bad })
            );
        }

        #[test]
        fn range_math_matches_naive_slice(
            (k, m, sb, size) in layout(),
            seed in any::<u64>(),
            a in any::<u64>(),
            b in any::<u64>(),
            lose in any::<u64>(),
        ) {
            let size = size.max(1); // these checks need at least one stripe
            let codec = ErasureCodec::new(k, m, sb).unwrap();
            let object = pattern(size, seed);
            let (_, shards) = encode_object(&codec, &object);
            let size64 = size as u64;
            let (x, y) = (a % size64, b % size64);
            let range = x.min(y)..x.max(y) + 1;

            let span = codec.stripes_for_range(size64, range.clone()).unwrap();
            prop_assert!(span.shard_range.end <= codec.shard_len(size64));

            // Read only the span's bytes of each shard, losing up to m shards.
            let lost = pick_losses(shards.len(), (lose % (u64::from(m) + 1)) as usize, lose);
            let pieces: Vec<Option<Bytes>> = shards
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    (!lost.contains(&i)).then(|| {
                        Bytes::copy_from_slice(
                            &s[span.shard_range.start as usize..span.shard_range.end as usize],
                        )
                    })
                })
                .collect();
            let mut decoded = Vec::new();
            let mut offset = 0usize;
            for s in span.first_stripe..=span.last_stripe {
                let len = codec.stripe_len(size64, s);
                let cl = codec.chunk_len(len);
                let chunks = pieces
                    .iter()
                    .map(|p| p.as_ref().map(|p| p.slice(offset..offset + cl)))
                    .collect();
                decoded.extend_from_slice(&codec.decode_stripe(chunks, len).unwrap());
                offset += cl;
            }
            prop_assert_eq!(offset as u64, span.shard_range.end - span.shard_range.start);
            prop_assert_eq!(span.stripe_count(), span.last_stripe - span.first_stripe + 1);
            let got = &decoded[span.skip..span.skip + span.take as usize];
            prop_assert_eq!(got, &object[range.start as usize..range.end as usize]);
        }

        #[test]
        fn invalid_ranges_are_errors(size in 0u64..10_000, start in 0u64..20_000, len in 0u64..20_000) {
            let codec = ErasureCodec::new(3, 2, 999).unwrap();
            let range = start..start + len;
            let res = codec.stripes_for_range(size, range.clone());
            if len == 0 || range.end > size {
                let is_invalid = matches!(res, Err(ErasureError::InvalidRange { .. }));
                prop_assert!(is_invalid);
            } else {
                prop_assert!(res.is_ok());
            }
        }

        #[test]
        fn cutter_reassembles_any_chunking(
            stripe in 1usize..300,
            size in 0usize..2000,
            cuts in prop::collection::vec(0usize..2000, 0..20),
            seed in any::<u64>(),
        ) {
            let body = pattern(size, seed);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (size + 1)).collect();
            cuts.push(0);
            cuts.push(size);
            cuts.sort_unstable();
            let mut cutter = StripeCutter::new(NonZeroUsize::new(stripe).unwrap());
            let mut out = Vec::new();
            for w in cuts.windows(2) {
                // Empty pushes are included on purpose.
                for s in cutter.push(Bytes::copy_from_slice(&body[w[0]..w[1]])) {
                    prop_assert_eq!(s.len(), stripe);
                    out.extend_from_slice(&s);
                }
                prop_assert!(cutter.buffered() < stripe);
            }
            if let Some(last) = cutter.finish() {
                prop_assert!(!last.is_empty() && last.len() < stripe);
                out.extend_from_slice(&last);
            }
            prop_assert_eq!(out, body);
        }
    }
}
