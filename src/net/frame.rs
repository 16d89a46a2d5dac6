//! The wire format of one RPC: a request header and its streamed body on
//! one bidirectional QUIC stream, the response header and body on the way
//! back.
//!
//! ```text
//! frame: version u8 | header length u32 LE | header (postcard)
//! ```
//!
//! A body follows its header as raw bytes; its length is in the header, so
//! a stream that ends early or runs long is detected, never taken as data.

use std::net::SocketAddr;

use bytes::{Buf, Bytes, BytesMut};
use serde::{Deserialize, Serialize};

use crate::storage::{NodeStats, ShardKey, ShardState, VolumeStatus};

/// The frame format version this code writes and reads.
pub(crate) const FRAME_VERSION: u8 = 1;
/// Bytes before a header: version and length.
pub(crate) const PREFIX_LEN: usize = 5;
/// Largest header accepted; larger is a protocol error, not an allocation.
pub(crate) const MAX_HEADER_LEN: usize = 64 << 10;
/// Most keys one [`Request::StatShards`] may carry, and the largest
/// `limit` of one [`Request::ListShards`]; more is refused as `BadRequest`
/// (the largest batch still fits in [`MAX_HEADER_LEN`]).
pub(crate) const MAX_INVENTORY_KEYS: usize = 1000;

/// What a client asks of a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Store a shard; exactly `len` body bytes follow.
    PutShard {
        /// The shard to store (object id, part, shard index).
        key: ShardKey,
        /// Body length.
        len: u64,
    },
    /// Read a shard, whole or `start..end`.
    GetShard {
        /// The shard to read.
        key: ShardKey,
        /// Byte range, end exclusive.
        range: Option<(u64, u64)>,
    },
    /// Delete a shard: a tombstone record, its space reclaimed by
    /// compaction.
    DeleteShard {
        /// The shard to delete.
        key: ShardKey,
    },
    /// Is the node up?
    Health,
    /// A message for one of the node's services; exactly `len` body bytes
    /// (the service's own versioned encoding) follow. Answered by a
    /// [`Response::Body`] carrying the service's reply.
    Message {
        /// Which service reads it.
        channel: Channel,
        /// Body length.
        len: u64,
    },
    /// What the node holds under each key (at most
    /// [`MAX_INVENTORY_KEYS`]); answered by [`Response::ShardStates`].
    StatShards {
        /// The shards asked about.
        keys: Vec<ShardKey>,
    },
    /// The node's shard keys in key order strictly after `after`, at most
    /// `limit` (itself at most [`MAX_INVENTORY_KEYS`]); answered by
    /// [`Response::ShardKeys`]. Fewer than `limit` means the end.
    ListShards {
        /// Where the previous page ended.
        after: Option<ShardKey>,
        /// Most keys wanted.
        limit: u32,
    },
    /// The node's totals; answered by [`Response::NodeStats`].
    NodeStats,
    /// Store a shard read from another storage node, `from`: the bytes go
    /// from node to node, not through the caller (repair moving a shard).
    /// Answered like [`Request::PutShard`], once the copy is durable.
    CopyShard {
        /// The shard to copy.
        key: ShardKey,
        /// Its length: exactly this many bytes are read and stored.
        len: u64,
        /// The cluster transport address of the node that holds it (its IP
        /// and port: an IPv6 scope id is not carried).
        from: SocketAddr,
    },
    /// How each of the node's volumes stands; answered by
    /// [`Response::Volumes`] (a node of an older version answers
    /// `BadRequest`).
    Volumes,
    /// Take the empty directory of failed volume `slot` in as its new
    /// disk; answered by [`Response::Volumes`] once it is in service.
    ReplaceVolume {
        /// The failed volume's slot.
        slot: u16,
    },
}

/// The services a node answers [`Request::Message`]s for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// Raft's own RPCs between meta nodes (vote, append, snapshot).
    Raft,
    /// Metadata ops and reads forwarded to the Raft leader.
    Meta,
}

/// Why a request failed, as the peer reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No such shard.
    NotFound,
    /// Stored bytes failed their checksum.
    Corrupt,
    /// Range outside the shard.
    InvalidRange,
    /// Body shorter or longer than declared.
    LengthMismatch,
    /// Overloaded; retry later.
    Busy,
    /// The node cannot serve this now (failed sync, stopping).
    Unavailable,
    /// The request could not be understood.
    BadRequest,
    /// Anything else.
    Internal,
}

/// What a node answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// The shard is stored (durable per the node's fsync mode).
    Stored {
        /// CRC32C of the shard.
        crc: u32,
    },
    /// A shard body of `len` bytes follows.
    Body {
        /// Body length.
        len: u64,
    },
    /// The delete was applied.
    Deleted {
        /// Whether the shard existed.
        existed: bool,
    },
    /// The node is up.
    Healthy,
    /// One state per key of a [`Request::StatShards`], in its order.
    ShardStates {
        /// What the node holds under each key, in the request's order.
        states: Vec<ShardState>,
    },
    /// A page of a [`Request::ListShards`].
    ShardKeys {
        /// The keys, in order.
        keys: Vec<ShardKey>,
    },
    /// The request failed.
    Error {
        /// Category.
        kind: ErrorKind,
        /// Human-readable detail.
        message: String,
    },
    /// The answer to [`Request::NodeStats`].
    NodeStats {
        /// Shards and bytes held, and the volumes' capacity and free space.
        stats: NodeStats,
    },
    /// The answer to [`Request::Volumes`].
    Volumes {
        /// One per volume slot, in slot order.
        volumes: Vec<VolumeStatus>,
    },
}

/// A frame that cannot be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Written by a format this code does not know.
    #[error("unknown frame version {0}")]
    Version(u8),
    /// Declared header larger than [`MAX_HEADER_LEN`].
    #[error("frame header of {0} bytes is too large")]
    TooLarge(usize),
    /// The header bytes are not a valid message.
    #[error("malformed frame header: {0}")]
    Malformed(String),
    /// The stream ended inside a frame.
    #[error("stream ended inside a frame")]
    Truncated,
}

/// Encodes a header frame.
pub(crate) fn encode<T: Serialize>(header: &T) -> Result<Bytes, FrameError> {
    let body = postcard::to_stdvec(header).map_err(|e| FrameError::Malformed(e.to_string()))?;
    if body.len() > MAX_HEADER_LEN {
        return Err(FrameError::TooLarge(body.len()));
    }
    let mut out = BytesMut::with_capacity(PREFIX_LEN + body.len());
    out.extend_from_slice(&[FRAME_VERSION]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out.freeze())
}

/// Tries to take one header frame off the front of `buf`: `Ok(None)` if
/// more bytes are needed. Any byte sequence gives a value or an error.
pub fn decode<T: for<'de> Deserialize<'de>>(buf: &mut BytesMut) -> Result<Option<T>, FrameError> {
    if buf.len() < PREFIX_LEN {
        return Ok(None);
    }
    if buf[0] != FRAME_VERSION {
        return Err(FrameError::Version(buf[0]));
    }
    let len = u32::from_le_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    if len > MAX_HEADER_LEN {
        return Err(FrameError::TooLarge(len));
    }
    if buf.len() < PREFIX_LEN + len {
        return Ok(None);
    }
    buf.advance(PREFIX_LEN);
    let header = buf.split_to(len);
    postcard::from_bytes(&header)
        .map(Some)
        .map_err(|e| FrameError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::shard_key::arb_shard_key as key;
    use proptest::prelude::*;

    fn request() -> impl Strategy<Value = Request> {
        prop_oneof![
            (key(), any::<u64>()).prop_map(|(key, len)| Request::PutShard { key, len }),
            (key(), proptest::option::of((any::<u64>(), any::<u64>())))
                .prop_map(|(key, range)| Request::GetShard { key, range }),
            key().prop_map(|key| Request::DeleteShard { key }),
            Just(Request::Health),
            (
                prop_oneof![Just(Channel::Raft), Just(Channel::Meta)],
                any::<u64>()
            )
                .prop_map(|(channel, len)| Request::Message { channel, len }),
            proptest::collection::vec(key(), 0..20).prop_map(|keys| Request::StatShards { keys }),
            (proptest::option::of(key()), any::<u32>())
                .prop_map(|(after, limit)| Request::ListShards { after, limit }),
            Just(Request::NodeStats),
            // An address is carried as IP and port (no IPv6 flow or scope).
            (key(), any::<u64>(), any::<std::net::IpAddr>(), any::<u16>()).prop_map(
                |(key, len, ip, port)| Request::CopyShard {
                    key,
                    len,
                    from: SocketAddr::new(ip, port),
                }
            ),
        ]
    }

    fn state() -> impl Strategy<Value = ShardState> {
        prop_oneof![
            any::<u64>().prop_map(|len| ShardState::Present { len }),
            Just(ShardState::Missing),
            Just(ShardState::Corrupt),
        ]
    }

    fn inventory_response() -> impl Strategy<Value = Response> {
        prop_oneof![
            proptest::collection::vec(state(), 0..20)
                .prop_map(|states| Response::ShardStates { states }),
            proptest::collection::vec(key(), 0..20).prop_map(|keys| Response::ShardKeys { keys }),
            proptest::array::uniform4(any::<u64>()).prop_map(|v| Response::NodeStats {
                stats: NodeStats {
                    shards: v[0],
                    shard_bytes: v[1],
                    capacity_bytes: v[2],
                    free_bytes: v[3],
                },
            }),
        ]
    }

    proptest! {
        #[test]
        fn requests_round_trip_split_anywhere(r in request(), cut in 0usize..64) {
            let frame = encode(&r).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let cut = cut.min(frame.len());
            let mut buf = BytesMut::from(&frame[..cut]);
            if cut < frame.len() {
                prop_assert_eq!(decode::<Request>(&mut buf), Ok(None));
            }
            buf.extend_from_slice(&frame[cut..]);
            buf.extend_from_slice(b"body");
            prop_assert_eq!(decode::<Request>(&mut buf), Ok(Some(r)));
            prop_assert_eq!(&buf[..], b"body", "the body after the header is left alone");
        }

        #[test]
        fn inventory_responses_round_trip(r in inventory_response(), cut in 0usize..64) {
            let frame = encode(&r).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut buf = BytesMut::from(&frame[..]);
            prop_assert_eq!(decode::<Response>(&mut buf), Ok(Some(r)));
            // Cut short: incomplete, or (with a shortened length) malformed.
            let cut = cut.min(frame.len() - 1);
            let mut buf = BytesMut::from(&frame[..cut]);
            prop_assert_eq!(decode::<Response>(&mut buf), Ok(None));
            if frame.len() > PREFIX_LEN + 1 {
                let mut short = frame[..frame.len() - 1].to_vec();
                let len = (frame.len() - PREFIX_LEN - 1) as u32;
                short[1..5].copy_from_slice(&len.to_le_bytes());
                let mut buf = BytesMut::from(&short[..]);
                prop_assert!(decode::<Response>(&mut buf).is_err(), "a shortened header decoded");
            }
        }

        #[test]
        fn garbage_is_an_error_or_incomplete_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut buf = BytesMut::from(&bytes[..]);
            let _ = decode::<Request>(&mut buf);
            let mut buf = BytesMut::from(&bytes[..]);
            let _ = decode::<Response>(&mut buf);
        }
    }

    /// The bytes of each shard request on the wire, written out: nodes of
    /// different builds talk to each other, so a change of how a request
    /// is declared must not change them.
    #[test]
    fn shard_requests_keep_their_wire_bytes() -> Result<(), FrameError> {
        use crate::storage::shard_key::ObjectId;
        let key = ShardKey {
            object: ObjectId(5),
            part: 2,
            shard: 3,
        };
        let from = SocketAddr::from(([127, 0, 0, 1], 9000));
        let cases: [(Request, &[u8]); 10] = [
            (
                Request::PutShard { key, len: 1000 },
                &[0, 5, 2, 3, 0xE8, 0x07],
            ),
            (
                Request::GetShard {
                    key,
                    range: Some((10, 300)),
                },
                &[1, 5, 2, 3, 1, 10, 0xAC, 0x02],
            ),
            (Request::GetShard { key, range: None }, &[1, 5, 2, 3, 0]),
            (Request::DeleteShard { key }, &[2, 5, 2, 3]),
            (Request::StatShards { keys: vec![key] }, &[5, 1, 5, 2, 3]),
            (
                Request::ListShards {
                    after: Some(key),
                    limit: 1000,
                },
                &[6, 1, 5, 2, 3, 0xE8, 0x07],
            ),
            (Request::NodeStats, &[7]),
            (
                Request::CopyShard { key, len: 7, from },
                &[8, 5, 2, 3, 7, 0, 127, 0, 0, 1, 0xA8, 0x46],
            ),
            (Request::Volumes, &[9]),
            (Request::ReplaceVolume { slot: 2 }, &[10, 2]),
        ];
        for (request, wire) in cases {
            let frame = encode(&request)?;
            assert_eq!(&frame[PREFIX_LEN..], wire, "{request:?}");
        }
        Ok(())
    }

    #[test]
    fn responses_round_trip() -> Result<(), FrameError> {
        for r in [
            Response::Stored { crc: 7 },
            Response::Body { len: 1 << 40 },
            Response::Deleted { existed: true },
            Response::Healthy,
            Response::ShardStates {
                states: vec![
                    ShardState::Present { len: 3 },
                    ShardState::Missing,
                    ShardState::Corrupt,
                ],
            },
            Response::ShardKeys { keys: vec![] },
            Response::Volumes {
                volumes: vec![crate::storage::VolumeStatus {
                    slot: 2,
                    path: "/srv/disk2".into(),
                    state: crate::storage::VolumeState::Failed,
                    capacity_bytes: 1 << 40,
                    free_bytes: 7,
                    io_errors: 3,
                }],
            },
            Response::Error {
                kind: ErrorKind::Corrupt,
                message: "bad".into(),
            },
        ] {
            let mut buf = BytesMut::from(&encode(&r)?[..]);
            assert_eq!(decode::<Response>(&mut buf)?, Some(r));
        }
        Ok(())
    }

    /// The largest inventory batch, with the widest keys and lengths, fits
    /// in one header.
    #[test]
    fn the_largest_inventory_batch_fits_a_header() -> Result<(), FrameError> {
        let key = ShardKey {
            object: crate::storage::ObjectId(u128::MAX),
            part: u32::MAX,
            shard: u16::MAX,
        };
        let keys = vec![key; MAX_INVENTORY_KEYS];
        encode(&Request::StatShards { keys: keys.clone() })?;
        encode(&Response::ShardKeys { keys })?;
        let states = vec![ShardState::Present { len: u64::MAX }; MAX_INVENTORY_KEYS];
        encode(&Response::ShardStates { states })?;
        Ok(())
    }

    /// An unknown shard state or a key list cut inside a key is refused.
    #[test]
    fn corrupt_inventory_frames_are_refused() -> Result<(), FrameError> {
        let frame = encode(&Response::ShardStates {
            states: vec![ShardState::Missing, ShardState::Corrupt],
        })?;
        // The last state's variant index becomes one that does not exist.
        let mut bad = frame.to_vec();
        if let Some(last) = bad.last_mut() {
            *last = 9;
        }
        let mut buf = BytesMut::from(&bad[..]);
        assert!(matches!(
            decode::<Response>(&mut buf),
            Err(FrameError::Malformed(_))
        ));
        let frame = encode(&Request::StatShards {
            keys: vec![
                ShardKey {
                    object: crate::storage::ObjectId(7),
                    part: 0,
                    shard: 1,
                };
                3
            ],
        })?;
        let mut cut = frame[..frame.len() - 3].to_vec();
        let len = (cut.len() - PREFIX_LEN) as u32;
        cut[1..5].copy_from_slice(&len.to_le_bytes());
        let mut buf = BytesMut::from(&cut[..]);
        assert!(matches!(
            decode::<Request>(&mut buf),
            Err(FrameError::Malformed(_))
        ));
        // A version this code does not know.
        let mut bad = frame.to_vec();
        bad[0] = FRAME_VERSION + 1;
        let mut buf = BytesMut::from(&bad[..]);
        assert_eq!(
            decode::<Request>(&mut buf),
            Err(FrameError::Version(FRAME_VERSION + 1))
        );
        Ok(())
    }

    #[test]
    fn corrupt_prefixes_are_refused() {
        let mut buf = BytesMut::from(&[2u8, 0, 0, 0, 0][..]);
        assert_eq!(decode::<Request>(&mut buf), Err(FrameError::Version(2)));
        let mut buf = BytesMut::from(&[1u8, 0xff, 0xff, 0xff, 0xff][..]);
        assert!(matches!(
            decode::<Request>(&mut buf),
            Err(FrameError::TooLarge(_))
        ));
        let mut buf = BytesMut::from(&[1u8, 2, 0, 0, 0, 0xff, 0xff][..]);
        assert!(matches!(
            decode::<Request>(&mut buf),
            Err(FrameError::Malformed(_))
        ));
    }
}
