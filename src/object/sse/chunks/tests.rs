//! Unit tests of `object/sse/chunks.rs`: a round trip of every size and
//! range across chunk borders, and damaged or cut-off stored bytes.

use bytes::Bytes;
use futures::{stream, StreamExt, TryStreamExt};

use super::*;
use crate::object::sse::data_key::DataKey;

fn cipher(id: u128) -> ChunkCipher {
    ChunkCipher::new(&DataKey::from_bytes([7; 32]), id)
}

fn plain(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// `data` as a stream of pieces of `piece` bytes.
fn pieces(data: &[u8], piece: usize) -> impl Stream<Item = Result<Bytes, SseError>> + Unpin {
    let v: Vec<Result<Bytes, SseError>> = data
        .chunks(piece.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(v)
}

async fn encrypt(data: &[u8], piece: usize) -> Vec<u8> {
    let stored: Vec<Bytes> = Encrypting::new(pieces(data, piece), cipher(1))
        .try_collect()
        .await
        .unwrap_or_default();
    stored.concat()
}

async fn decrypt(
    stored: &[u8],
    plain: u64,
    range: std::ops::Range<u64>,
) -> Result<Vec<u8>, SseError> {
    let at = stored_range(plain, range.clone());
    let piece = &stored[at.start as usize..at.end as usize];
    let out: Vec<Bytes> = Decrypting::new(pieces(piece, 5000), cipher(1), plain, range)
        .try_collect()
        .await?;
    Ok(out.concat())
}

#[actix_rt::test]
async fn every_size_round_trips_and_takes_its_stored_size() {
    let chunk = CHUNK_BYTES as usize;
    for len in [0, 1, 13, chunk - 1, chunk, chunk + 1, 3 * chunk + 7] {
        let data = plain(len);
        for piece in [1000, chunk, 3 * chunk] {
            let stored = encrypt(&data, piece).await;
            let expected = crate::storage::meta::encryption::stored_size(
                Some(&crate::storage::meta::encryption::Encryption {
                    mode: crate::storage::meta::encryption::SseMode::S3,
                    key_id: String::new(),
                    sealed_key: vec![],
                }),
                len as u64,
            );
            assert_eq!(stored.len() as u64, expected, "len {len} piece {piece}");
            assert_eq!(stored, encrypt_all(cipher(1), &data).to_vec(), "len {len}");
            if len > 0 {
                assert_ne!(&stored[..len.min(16)], &data[..len.min(16)], "encrypted");
            }
            let back = decrypt(&stored, len as u64, 0..len as u64).await;
            assert_eq!(back.as_deref(), Ok(&data[..]), "len {len} piece {piece}");
        }
    }
}

#[actix_rt::test]
async fn ranges_across_chunk_borders_give_exactly_their_bytes() {
    let chunk = CHUNK_BYTES;
    let len = 3 * chunk + 100;
    let data = plain(len as usize);
    let stored = encrypt(&data, 7000).await;
    for range in [
        0..1,
        chunk - 1..chunk + 1,
        chunk..2 * chunk,
        5..len,
        2 * chunk + 3..len - 1,
        len - 1..len,
        100..3 * chunk + 50,
    ] {
        let back = decrypt(&stored, len, range.clone()).await;
        assert_eq!(
            back.as_deref(),
            Ok(&data[range.start as usize..range.end as usize]),
            "{range:?}"
        );
    }
}

#[actix_rt::test]
async fn damaged_cut_or_foreign_data_is_refused() {
    let len = 2 * CHUNK_BYTES as usize + 10;
    let data = plain(len);
    let stored = encrypt(&data, 9000).await;
    // One flipped bit in the second chunk.
    let mut flipped = stored.clone();
    flipped[CHUNK_BYTES as usize + 40] ^= 1;
    assert_eq!(
        decrypt(&flipped, len as u64, 0..len as u64).await,
        Err(SseError::Damaged)
    );
    // Cut at a chunk border: the last whole chunk is not sealed as last.
    let two = 2 * (CHUNK_BYTES + TAG_BYTES) as usize;
    assert_eq!(
        decrypt(&stored[..two], 2 * CHUNK_BYTES, 0..2 * CHUNK_BYTES).await,
        Err(SseError::Damaged)
    );
    // Stored bytes that end inside the range.
    let short: Vec<Bytes> = vec![Bytes::copy_from_slice(&stored[..100])];
    let out: Result<Vec<Bytes>, SseError> = Decrypting::new(
        stream::iter(short.into_iter().map(Ok)),
        cipher(1),
        len as u64,
        0..len as u64,
    )
    .try_collect()
    .await;
    assert_eq!(out, Err(SseError::Damaged));
    // Another blob's key (a shard set swapped in) does not open it.
    let at = stored_range(len as u64, 0..10);
    let other = Decrypting::new(
        pieces(&stored[at.start as usize..at.end as usize], 4096),
        cipher(2),
        len as u64,
        0..10,
    );
    let out: Vec<Result<Bytes, SseError>> = other.collect().await;
    assert!(matches!(out.first(), Some(Err(SseError::Damaged))));
}

#[actix_rt::test]
async fn pushed_pieces_read_back_whole() {
    let chunk = CHUNK_BYTES as usize;
    for len in [1, chunk - 1, chunk, chunk + 1, 2 * chunk, 3 * chunk + 5] {
        let data = plain(len);
        for piece in [1, 1000, chunk, 2 * chunk + 3] {
            let mut sealer = ChunkSealer::new(cipher(9));
            let mut stored = Vec::new();
            for p in data.chunks(piece) {
                for c in sealer.push(p) {
                    stored.extend_from_slice(&c);
                }
            }
            if let Some(last) = sealer.finish() {
                stored.extend_from_slice(&last);
            }
            let back: Result<Vec<Bytes>, SseError> =
                Decrypting::new(pieces(&stored, 7777), cipher(9), len as u64, 0..len as u64)
                    .try_collect()
                    .await;
            assert_eq!(
                back.map(|b| b.concat()).as_deref(),
                Ok(&data[..]),
                "len {len} piece {piece}"
            );
        }
    }
}
