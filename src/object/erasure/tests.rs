//! Unit tests of `erasure`.

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
