//! The chunked cipher of object data: AES-256-GCM over chunks of
//! [`CHUNK_BYTES`] plain bytes, each stored with its tag.
//!
//! Every stored blob (a single-part object's data, one part of a multipart
//! object, an inline object) gets its own AES key, derived from the
//! object's data key and the blob's id (which is fresh for every write), so
//! a nonce never repeats under a key: the nonce is the chunk's index. The
//! last chunk is sealed with a flag in its associated data, so a blob cut
//! short at a chunk border does not pass as whole.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::hmac;
use bytes::{Bytes, BytesMut};
use futures::Stream;

use super::data_key::{DataKey, SseError};
use crate::storage::meta::encryption::{CHUNK_BYTES, TAG_BYTES};

const CHUNK: usize = CHUNK_BYTES as usize;
const TAG: usize = TAG_BYTES as usize;

/// What the blob key is derived with, besides the blob's id.
const BLOB_KEY_LABEL: &[u8] = b"predastore blob key v1";

/// The cipher of one blob's chunks.
pub(crate) struct ChunkCipher {
    key: LessSafeKey,
}

impl ChunkCipher {
    /// The cipher of blob `blob_id` (its shards' object id) of an object
    /// whose data key is `data_key`.
    pub(crate) fn new(data_key: &DataKey, blob_id: u128) -> Self {
        let mac = hmac::Key::new(hmac::HMAC_SHA256, data_key.bytes());
        let mut input = BLOB_KEY_LABEL.to_vec();
        input.extend_from_slice(&blob_id.to_be_bytes());
        let derived = hmac::sign(&mac, &input);
        // A 32-byte key for AES-256 never fails to load.
        let key = UnboundKey::new(&AES_256_GCM, derived.as_ref())
            .map(LessSafeKey::new)
            .unwrap_or_else(|_| unreachable!("HMAC-SHA256 gives 32 bytes"));
        ChunkCipher { key }
    }

    fn nonce(index: u64) -> Nonce {
        let mut n = [0u8; 12];
        n[4..].copy_from_slice(&index.to_be_bytes());
        Nonce::assume_unique_for_key(n)
    }

    /// Encrypts chunk `index` in place and appends its tag.
    fn seal(&self, index: u64, last: bool, chunk: &mut BytesMut) {
        let aad = [u8::from(last)];
        // Sealing fails only for inputs far over a chunk's size.
        if let Ok(tag) =
            self.key
                .seal_in_place_separate_tag(Self::nonce(index), Aad::from(aad), chunk)
        {
            chunk.extend_from_slice(tag.as_ref());
        }
    }

    /// Decrypts stored chunk `index` (its bytes and tag) in place; the
    /// length of its plain text, or an error if it is not what was sealed.
    fn open(&self, index: u64, last: bool, stored: &mut [u8]) -> Result<usize, SseError> {
        let aad = [u8::from(last)];
        self.key
            .open_in_place(Self::nonce(index), Aad::from(aad), stored)
            .map(|plain| plain.len())
            .map_err(|_| SseError::Damaged)
    }
}

/// Chunks a blob of `plain` bytes is cut into.
fn chunk_count(plain: u64) -> u64 {
    plain.div_ceil(CHUNK_BYTES)
}

/// Encrypts a whole small blob (an inline object).
pub(crate) fn encrypt_all(cipher: ChunkCipher, plain: &[u8]) -> Bytes {
    let mut sealer = ChunkSealer::new(cipher);
    let mut out =
        BytesMut::with_capacity(plain.len() + chunk_count(plain.len() as u64) as usize * TAG);
    for chunk in sealer.push(plain).into_iter().chain(sealer.finish()) {
        out.extend_from_slice(&chunk);
    }
    out.freeze()
}

/// A body encrypted as it streams: one stored chunk per item, sealed by a
/// [`ChunkSealer`] (the plain bytes are copied once, into the chunk they
/// are encrypted in).
pub(crate) struct Encrypting<S> {
    body: S,
    /// `None` once the body ended or failed.
    sealer: Option<ChunkSealer>,
    /// Sealed chunks not given yet.
    ready: VecDeque<Bytes>,
}

impl<S> Encrypting<S> {
    /// Encrypts `body` with `cipher`.
    pub(crate) fn new(body: S, cipher: ChunkCipher) -> Self {
        Encrypting {
            body,
            sealer: Some(ChunkSealer::new(cipher)),
            ready: VecDeque::new(),
        }
    }
}

impl<S, E> Stream for Encrypting<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(chunk) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(chunk)));
            }
            let Some(sealer) = &mut this.sealer else {
                return Poll::Ready(None);
            };
            match ready!(Pin::new(&mut this.body).poll_next(cx)) {
                Some(Ok(piece)) => this.ready.extend(sealer.push(&piece)),
                Some(Err(e)) => {
                    // Nothing follows a failure.
                    this.sealer = None;
                    return Poll::Ready(Some(Err(e)));
                }
                None => this
                    .ready
                    .extend(this.sealer.take().and_then(ChunkSealer::finish)),
            }
        }
    }
}

/// The one place chunks are filled and sealed (a streamed body, an inline
/// object, a spooled body): bytes pushed in pieces whose total need not be
/// known ahead, each chunk sealed once a byte past it arrives, the last one,
/// sealed as last, at [`ChunkSealer::finish`]. What it gives reads back
/// with [`Decrypting`] for the total pushed.
pub(crate) struct ChunkSealer {
    cipher: ChunkCipher,
    chunk: BytesMut,
    index: u64,
}

impl ChunkSealer {
    /// A sealer with `cipher`.
    pub(crate) fn new(cipher: ChunkCipher) -> Self {
        ChunkSealer {
            cipher,
            chunk: BytesMut::new(),
            index: 0,
        }
    }

    /// Takes `piece`; the stored chunks it completed.
    pub(crate) fn push(&mut self, mut piece: &[u8]) -> Vec<Bytes> {
        let mut sealed = Vec::new();
        while !piece.is_empty() {
            if self.chunk.len() == CHUNK {
                let mut full = std::mem::take(&mut self.chunk);
                self.cipher.seal(self.index, false, &mut full);
                self.index += 1;
                sealed.push(full.freeze());
            }
            if self.chunk.capacity() == 0 {
                self.chunk.reserve(CHUNK + TAG);
            }
            let n = (CHUNK - self.chunk.len()).min(piece.len());
            self.chunk.extend_from_slice(&piece[..n]);
            piece = &piece[n..];
        }
        sealed
    }

    /// The last chunk, sealed as last (none when nothing was pushed).
    pub(crate) fn finish(mut self) -> Option<Bytes> {
        if self.chunk.is_empty() {
            return None;
        }
        let mut last = std::mem::take(&mut self.chunk);
        self.cipher.seal(self.index, true, &mut last);
        Some(last.freeze())
    }
}

/// Where a read of plain bytes `range` of a blob of `plain` bytes starts
/// and ends in its stored bytes (whole chunks).
pub(crate) fn stored_range(plain: u64, range: std::ops::Range<u64>) -> std::ops::Range<u64> {
    let stored_chunk = CHUNK_BYTES + TAG_BYTES;
    let end_chunk = range.end.div_ceil(CHUNK_BYTES);
    let stored_end = (end_chunk * stored_chunk).min(plain + chunk_count(plain) * TAG_BYTES);
    range.start / CHUNK_BYTES * stored_chunk..stored_end
}

/// Stored chunks decrypted as they stream: the plain bytes of a range
/// (see [`stored_range`]), one item per chunk.
pub(crate) struct Decrypting<S> {
    stored: S,
    cipher: ChunkCipher,
    pending: Bytes,
    chunk: BytesMut,
    /// The index of the chunk being filled.
    index: u64,
    /// The blob's plain size.
    plain: u64,
    /// Plain bytes to drop from the next chunk.
    skip: usize,
    /// Plain bytes still to give.
    remaining: u64,
}

impl<S> Decrypting<S> {
    /// Decrypts `stored`, the stored bytes of plain `range` of a blob of
    /// `plain` bytes as [`stored_range`] gave them, with `cipher`.
    pub(crate) fn new(
        stored: S,
        cipher: ChunkCipher,
        plain: u64,
        range: std::ops::Range<u64>,
    ) -> Self {
        Decrypting {
            stored,
            cipher,
            pending: Bytes::new(),
            chunk: BytesMut::new(),
            index: range.start / CHUNK_BYTES,
            plain,
            // The bytes of the first chunk before the range.
            skip: (range.start % CHUNK_BYTES) as usize,
            remaining: range.end.saturating_sub(range.start),
        }
    }

    /// Stored bytes of the chunk being filled.
    fn chunk_len(&self) -> usize {
        let plain_left = self.plain.saturating_sub(self.index * CHUNK_BYTES);
        plain_left.min(CHUNK_BYTES) as usize + TAG
    }

    /// The plain bytes the full chunk gives to the reader.
    fn open_chunk(&mut self) -> Result<Bytes, SseError> {
        let last = self.index + 1 >= chunk_count(self.plain);
        let mut chunk = std::mem::take(&mut self.chunk);
        let n = self.cipher.open(self.index, last, &mut chunk)?;
        self.index += 1;
        let mut plain = chunk.split_to(n).freeze();
        let start = self.skip.min(plain.len());
        let end = (start as u64 + self.remaining).min(plain.len() as u64) as usize;
        self.skip = 0;
        self.remaining -= (end - start) as u64;
        plain = plain.slice(start..end);
        Ok(plain)
    }
}

impl<S, E> Stream for Decrypting<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: From<SseError>,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.remaining == 0 {
                return Poll::Ready(None);
            }
            let want = this.chunk_len();
            if !this.pending.is_empty() {
                if this.chunk.capacity() == 0 {
                    this.chunk.reserve(want);
                }
                let n = (want - this.chunk.len()).min(this.pending.len());
                this.chunk.extend_from_slice(&this.pending.split_to(n));
            }
            let failure = if this.chunk.len() == want {
                match this.open_chunk() {
                    Ok(plain) => return Poll::Ready(Some(Ok(plain))),
                    Err(e) => E::from(e),
                }
            } else {
                match ready!(Pin::new(&mut this.stored).poll_next(cx)) {
                    Some(Ok(piece)) => {
                        this.pending = piece;
                        continue;
                    }
                    Some(Err(e)) => e,
                    // The stored bytes ended inside the range.
                    None => E::from(SseError::Damaged),
                }
            };
            // Nothing follows a failure.
            this.remaining = 0;
            return Poll::Ready(Some(Err(failure)));
        }
    }
}

#[cfg(test)]
mod tests;
