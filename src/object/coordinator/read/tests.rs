//! Which shards a read opens, and which it leaves out.

use super::*;
use crate::storage::ObjectId;

const L: Place = Place::Local;
const U: Place = Place::Up;
const D: Place = Place::Down;

fn key() -> ShardKey {
    ShardKey {
        object: ObjectId(7),
        part: 0,
        shard: 1,
    }
}

#[test]
fn data_shards_on_nodes_believed_up_come_first() {
    // 2+1, all closed, all up: the data shards, no parity.
    assert_eq!(pick(&[true, true, true], &[U, U, U], 2, 2), vec![0, 1]);
    // 4+2: only as many as asked for, in shard order.
    let all = [true; 6];
    let up = [U; 6];
    assert_eq!(pick(&all, &up, 4, 4), vec![0, 1, 2, 3]);
    assert_eq!(pick(&all, &up, 4, 1), vec![0]);
}

#[test]
fn shards_on_this_node_come_first_parity_before_a_remote_data_shard() {
    // 2+1, parity here: it and one data shard, not two over the network.
    assert_eq!(pick(&[true, true, true], &[U, U, L], 2, 2), vec![2, 0]);
    // A data shard here: it and the other data shard.
    assert_eq!(pick(&[true, true, true], &[U, L, U], 2, 2), vec![1, 0]);
    // Every shard here (the `all` role): the data shards, no decoding.
    assert_eq!(pick(&[true, true, true], &[L, L, L], 2, 2), vec![0, 1]);
    // 4+2 with a data and a parity shard here: both, then remote data.
    let all = [true; 6];
    assert_eq!(pick(&all, &[L, U, U, U, L, U], 4, 4), vec![0, 4, 1, 2]);
    // A remote node believed down still comes last.
    assert_eq!(pick(&[true, true, true], &[D, U, L], 2, 2), vec![2, 1]);
}

#[test]
fn a_shard_known_bad_or_open_is_not_picked_again() {
    // Shard 0 marked corrupt (or open already): parity stands in.
    assert_eq!(pick(&[false, true, true], &[U, U, U], 2, 2), vec![1, 2]);
    assert_eq!(pick(&[false, false, true], &[U, U, U], 2, 1), vec![2]);
    // Nothing left: nothing to open (the caller fails before a byte).
    assert!(pick(&[false, false, false], &[U, U, U], 2, 1).is_empty());
    assert_eq!(pick(&[false, true, false], &[U, U, U], 2, 2), vec![1]);
}

#[test]
fn a_node_believed_down_is_tried_only_when_the_others_are_too_few() {
    // Data shard 0 on a down node: parity on an up node first.
    assert_eq!(pick(&[true, true, true], &[D, U, U], 2, 2), vec![1, 2]);
    // The restart case: shard 1 corrupt, parity's node believed down; the
    // down node is the only way, so it is tried.
    assert_eq!(pick(&[false, false, true], &[U, U, D], 2, 1), vec![2]);
    // Two needed, one up: the up one and then the down one.
    assert_eq!(pick(&[true, false, true], &[D, U, U], 2, 2), vec![2, 0]);
    // Down nodes in shard order too.
    assert_eq!(
        pick(&[true, true, true, true], &[D, D, U, D], 2, 3),
        vec![2, 0, 1]
    );
}

#[test]
fn only_a_present_shard_of_the_right_length_is_read() {
    assert!(readable(key(), ShardState::Present { len: 10 }, 10).is_ok());
    assert!(matches!(
        readable(key(), ShardState::Corrupt, 10),
        Err(StorageError::Corrupt { .. })
    ));
    assert!(matches!(
        readable(key(), ShardState::Missing, 10),
        Err(StorageError::NotFound(k)) if k == key()
    ));
    assert!(matches!(
        readable(key(), ShardState::Present { len: 9 }, 10),
        Err(StorageError::LengthMismatch {
            expected: 10,
            got: 9
        })
    ));
}

/// A coordinator over one in-process storage node of three volumes (an
/// empty ring: shard i on volume i), with an idle peer pool.
mod local {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use actix::Actor;

    use super::*;
    use crate::actors::core::pool::{PeerClient, Pool, PoolConfig};
    use crate::actors::core::ring::Ring;
    use crate::actors::core::scrub::tests::data;
    use crate::actors::core::wal::node::{StorageConfig, StorageNode};
    use crate::net::endpoint::{self, EndpointRuntime, QuicSettings};
    use crate::net::tls::TlsMaterial;
    use crate::storage::meta::ErasureLayout;
    use crate::storage::wal::record::{RecordHeader, HEADER_LEN};
    use crate::storage::wal::segment::segment_path;
    use crate::storage::{FsyncMode, VolumeConfig};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn start(
        root: &std::path::Path,
    ) -> Result<(ObjectCoordinator, StorageNode, EndpointRuntime), Box<dyn std::error::Error>> {
        let node = StorageNode::start(&StorageConfig {
            index_dir: root.join("index"),
            volumes: (0..3).map(|i| root.join(format!("vol{i}"))).collect(),
            volume: VolumeConfig {
                segment_bytes: 1 << 20,
                fragment_bytes: 4096,
                compact_below: 0.5,
                max_shard_bytes: 1 << 30,
            },
            fsync: FsyncMode::Off,
            sync_interval: Duration::from_millis(2),
            sync_pending_bytes: 64 << 20,
            compact_bytes_per_sec: 0,
            slow_sync: None,
            page_cache_reads: false,
        })?;
        let rt = endpoint::runtime(1)?;
        let tls = TlsMaterial::dev(&root.join("tls"))?;
        let client = endpoint::start_client(
            rt.handle(),
            ([127, 0, 0, 1], 0).into(),
            &tls,
            &QuicSettings::default(),
        )?;
        let cfg = PoolConfig {
            dial_timeout: Duration::from_secs(1),
            rpc_timeout: Duration::from_secs(5),
            keep_alive: false,
        };
        let peers = PeerClient::new(Pool::new(client, cfg).start(), cfg.rpc_timeout);
        let (_, ring) = Ring::new(Vec::new())?;
        let layout = ErasureLayout {
            data: 2,
            parity: 1,
            stripe_bytes: 16 << 10,
        };
        let coordinator = ObjectCoordinator::new(Some(node.clone()), 1, ring, peers, layout)?;
        Ok((coordinator, node, rt))
    }

    /// Flips a bit of byte `at` of shard `key` (on volume 0) on disk.
    async fn flip(
        node: &StorageNode,
        root: &std::path::Path,
        key: ShardKey,
        at: u64,
    ) -> TestResult {
        use std::os::unix::fs::FileExt;
        let entry = node.shard_entry(key).await?;
        let extent = entry
            .extents
            .iter()
            .find(|e| e.shard_offset <= at && at < e.shard_offset + e.len)
            .ok_or("no extent holds the byte")?;
        let path = segment_path(&root.join("vol0"), extent.at.segment);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        let mut head = [0u8; HEADER_LEN as usize];
        file.read_exact_at(&mut head, extent.at.offset)?;
        let header = RecordHeader::decode(&head).map_err(|_| "record header")?;
        let pos = extent.at.offset + header.payload_offset() + (at - extent.shard_offset);
        let mut b = [0u8; 1];
        file.read_exact_at(&mut b, pos)?;
        file.write_all_at(&[b[0] ^ 0x04], pos)?;
        Ok(())
    }

    async fn read_all(
        mut body: Pin<Box<dyn Stream<Item = Result<Bytes, CoordinatorError>> + Send>>,
    ) -> Result<Vec<u8>, CoordinatorError> {
        let mut out = Vec::new();
        while let Some(piece) = body.next().await {
            out.extend_from_slice(&piece?);
        }
        Ok(out)
    }

    #[actix_rt::test]
    async fn a_shard_marked_corrupt_is_left_out_and_too_few_fail_before_the_first_byte(
    ) -> TestResult {
        let dir = tempfile::tempdir()?;
        let (coordinator, node, _rt) = start(dir.path())?;
        // 160 stripes of 16 KiB: 8 KiB of each shard per stripe, shards of
        // 1.25 MiB (a storage node reads 1 MiB at a time).
        let body = data(9, 2560 << 10);
        let len = body.len() as u64;
        let mut set = coordinator.new_shard_set(("b", "k"), 77, 0, len, coordinator.layout());
        let mut feed = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(body.clone()))]);
        coordinator
            .write(&mut set, &mut feed)
            .await
            .map_err(|e| format!("write: {e:?}"))?;
        assert_eq!(read_all(coordinator.read(set.clone(), 0..len)).await?, body);

        // Data shard 0 damaged in a late stripe, past the first MiB the
        // node would read of it; scrub marks it.
        flip(&node, dir.path(), set.key(0), (1200 << 10) + 100).await?;
        assert_eq!(node.scrub_now().await?.corrupt_keys, vec![set.key(0)]);

        // Parity stands in, and the read says it was degraded.
        let degraded = Arc::new(AtomicBool::new(false));
        let told = degraded.clone();
        let hook: DegradedHook = Box::new(move || told.store(true, Ordering::SeqCst));
        let got = read_all(coordinator.read_reporting(set.clone(), 0..len, Some(hook))).await?;
        assert_eq!(got, body);
        assert!(
            degraded.load(Ordering::SeqCst),
            "a parity read not reported"
        );

        // Parity gone too: one good shard of two needed. The read fails
        // at its first piece, though most stripes of shard 0 would read
        // back: it is known corrupt, so it is not used at all.
        assert!(coordinator.delete_shard_on(1, set.key(2)).await?);
        let mut read = coordinator.read(set.clone(), 0..len);
        let first = read.next().await;
        assert!(
            matches!(first, Some(Err(CoordinatorError::Quorum(_)))),
            "first piece: {:?}",
            first.map(|r| r.map(|piece| piece.len()))
        );
        assert!(read.next().await.is_none(), "a failed read went on");
        node.shutdown().await?;
        Ok(())
    }

    #[actix_rt::test]
    async fn a_local_open_answers_the_state_and_reads_only_a_shard_not_known_bad() -> TestResult {
        let dir = tempfile::tempdir()?;
        let (coordinator, node, _rt) = start(dir.path())?;
        let body = data(4, 96 << 10);
        let len = body.len() as u64;
        let layout = coordinator.layout();
        let mut set = coordinator.new_shard_set(("b", "k"), 78, 0, len, layout);
        let mut feed = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(body))]);
        coordinator
            .write(&mut set, &mut feed)
            .await
            .map_err(|e| format!("write: {e:?}"))?;
        let key = set.key(0);
        let whole = node.read_shard_to_vec(key, None).await?;
        let n = whole.len() as u64;

        // Present: its length, and the range asked for.
        let (state, read) = node.stat_and_read_shard(key, 100..n).await;
        assert_eq!(state?, ShardState::Present { len: n });
        let (read_len, stream) = read?;
        assert_eq!(read_len, n - 100);
        let mut stream = std::pin::pin!(stream);
        let mut got = Vec::new();
        while let Some(piece) = stream.next().await {
            got.extend_from_slice(&piece?);
        }
        assert_eq!(got, whole[100..]);

        // Never written: missing, and no read.
        let other = coordinator.new_shard_set(("b", "other"), 79, 0, len, layout);
        let (state, read) = node.stat_and_read_shard(other.key(0), 0..n).await;
        assert_eq!(state?, ShardState::Missing);
        assert!(
            matches!(read, Err(StorageError::NotFound(_))),
            "{:?}",
            read.map(|(l, _)| l)
        );

        // Damaged in its first fragment and marked by scrub: corrupt, and
        // no read started (one would have answered its first piece).
        flip(&node, dir.path(), key, 10).await?;
        assert_eq!(node.scrub_now().await?.corrupt_keys, vec![key]);
        let (state, read) = node.stat_and_read_shard(key, 0..n).await;
        assert_eq!(state?, ShardState::Corrupt);
        assert!(
            matches!(
                read,
                Err(StorageError::Corrupt {
                    detail: "marked corrupt",
                    ..
                })
            ),
            "{:?}",
            read.map(|(l, _)| l)
        );
        node.shutdown().await?;
        Ok(())
    }
}

fn chunk(pieces: &[&'static [u8]]) -> Chunk {
    Chunk {
        pieces: pieces.iter().map(|p| Bytes::from_static(p)).collect(),
        len: pieces.iter().map(|p| p.len()).sum(),
    }
}

fn joined(pieces: &VecDeque<Bytes>) -> Vec<u8> {
    pieces.iter().flat_map(|p| p.iter().copied()).collect()
}

#[test]
fn a_healthy_stripe_is_its_data_chunks_pieces_cut_to_the_stripe() {
    // 2+1, stripe of 9 bytes in chunks of 5: the second chunk ends with a
    // padding byte; parity (last) is not part of the data.
    let chunks = vec![
        Some(chunk(&[b"abc", b"de"])),
        Some(chunk(&[b"f", b"ghi", b"\0"])),
        Some(chunk(&[b"PPPPP"])),
    ];
    let data = data_pieces(chunks, 2, 9);
    assert_eq!(joined(&data), b"abcdefghi");
    assert_eq!(data.len(), 4, "the pieces as they arrived, none joined");
}

#[test]
fn a_chunk_to_decode_is_joined_only_when_it_came_in_pieces() {
    let one = Bytes::from_static(b"whole");
    let single = Chunk {
        pieces: vec![one.clone()],
        len: 5,
    };
    let out = single.contiguous();
    assert_eq!(out.as_ptr(), one.as_ptr(), "a single piece is not copied");
    assert_eq!(chunk(&[b"ab", b"c", b"de"]).contiguous(), &b"abcde"[..]);
}

#[actix_rt::test]
async fn a_cursor_hands_out_exact_chunks_across_the_pieces_it_reads() -> Result<(), StorageError> {
    let body: ShardBody = Box::pin(futures::stream::iter(
        [&b"abcd"[..], b"ef", b"ghijk"].map(|p| Ok(Bytes::from_static(p))),
    ));
    let mut cursor = ShardCursor {
        body,
        pending: Bytes::new(),
    };
    let first = cursor.take(3).await?;
    assert_eq!((first.len, first.pieces.len()), (3, 1));
    let second = cursor.take(5).await?;
    assert_eq!(second.contiguous(), &b"defgh"[..]);
    assert!(matches!(
        cursor.take(4).await,
        Err(StorageError::BodyFailed(_))
    ));
    Ok(())
}
