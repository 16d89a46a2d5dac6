//! Wire and stored formats: cluster messages, metadata records and snapshots, segment files, transport frames.

#[allow(clippy::wildcard_imports)]
use super::prelude::*;

// ----- Cluster messages -----

/// A message on the Raft or Meta channel, decoded as each message type
/// (`RaftCall`, `RaftReply`, `MetaCall`, `MetaReply`). A decoded message
/// encodes to bytes that decode to the same message.
pub fn consensus_wire(data: &[u8]) {
    if let Ok(m) = wire::decode::<MetaCall>(data) {
        let bytes = wire::encode(&m).ok();
        assert_eq!(bytes.and_then(|b| wire::decode(&b).ok()), Some(m));
    }
    if let Ok(m) = wire::decode::<MetaReply>(data) {
        let bytes = wire::encode(&m).ok();
        assert_eq!(bytes.and_then(|b| wire::decode(&b).ok()), Some(m));
    }
    if let Ok(m) = wire::decode::<RaftCall>(data) {
        reencodes(&m);
    }
    if let Ok(m) = wire::decode::<RaftReply>(data) {
        reencodes(&m);
    }
}

/// Encoding `m`, decoding and encoding again gives the same bytes (for the
/// openraft types, which have no `PartialEq`).
pub(super) fn reencodes<T>(m: &T)
where
    T: serde::Serialize + for<'de> serde::Deserialize<'de>,
{
    let Ok(first) = wire::encode(m) else {
        return;
    };
    let again = wire::decode::<T>(&first).ok();
    let second = again.and_then(|m| wire::encode(&m).ok());
    assert_eq!(second.as_ref(), Some(&first));
}

pub(super) fn consensus_seeds() -> Vec<Vec<u8>> {
    use openraft::raft::{AppendEntriesRequest, AppendEntriesResponse, VoteRequest};
    use openraft::{CommittedLeaderId, Entry, EntryPayload, LogId, Vote};

    let log_id = |term, index| LogId::new(CommittedLeaderId::new(term, 1), index);
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let mut push = |bytes: Result<bytes::Bytes, wire::WireError>| {
        if let Ok(b) = bytes {
            seeds.push(b.to_vec());
        }
    };
    push(wire::encode(&MetaCall::WhoLeads));
    push(wire::encode(&MetaCall::Read(MetaRead::Buckets)));
    if let Some(op) = sample_op() {
        push(wire::encode(&MetaCall::Submit(vec![(7, op)])));
    }
    push(wire::encode(&MetaReply::Leader(Some(2))));
    push(wire::encode(&RaftCall::Vote(VoteRequest::new(
        Vote::new(3, 1),
        Some(log_id(2, 9)),
    ))));
    push(wire::encode(&RaftCall::AppendEntries(
        AppendEntriesRequest {
            vote: Vote::new(3, 1),
            prev_log_id: Some(log_id(3, 9)),
            entries: vec![Entry {
                log_id: log_id(3, 10),
                payload: EntryPayload::Blank,
            }],
            leader_commit: Some(log_id(3, 9)),
        },
    )));
    push(wire::encode(&RaftReply::AppendEntries(Ok(
        AppendEntriesResponse::Success,
    ))));
    seeds
}

// ----- Stored records -----

/// The record decoders, for the bytes of one stored value. The first byte
/// picks the type (metadata records and ops, shard index entries, corrupt
/// marks, scrub records, segment record headers and CRC tables, shard
/// keys); the rest is the value. A decoded value encodes to bytes that
/// decode to the same value, and a record header's sizes can be computed.
pub fn meta_records(data: &[u8]) {
    let Some((&selector, b)) = data.split_first() else {
        return;
    };
    match selector % 13 {
        0 => round_trip(b, BucketRecord::decode, BucketRecord::encode),
        1 => round_trip(b, ObjectRecord::decode, ObjectRecord::encode),
        2 => round_trip(b, MultipartUpload::decode, MultipartUpload::encode),
        3 => round_trip(b, PartRecord::decode, PartRecord::encode),
        4 => round_trip(b, AccessKey::decode, AccessKey::encode),
        5 => round_trip(b, ClusterLayout::decode, ClusterLayout::encode),
        6 => round_trip(b, RepairReport::decode, RepairReport::encode),
        7 => round_trip(b, MetaOp::decode, MetaOp::encode),
        8 => round_trip(b, ShardEntry::decode, ShardEntry::encode),
        9 => round_trip(b, CorruptMark::decode, CorruptMark::encode),
        10 => round_trip(b, ScrubRecord::decode, ScrubRecord::encode),
        11 => {
            if let Ok(h) = RecordHeader::decode(b) {
                // What a segment scan computes for every header it reads.
                let _ = (h.disk_size(), h.payload_offset(), h.fragments());
                assert_eq!(RecordHeader::decode(&h.encode()), Ok(h));
            }
            let _ = decode_crc_table(b).count();
        }
        _ => {
            if let Some(k) = ShardKey::decode(b) {
                assert_eq!(ShardKey::decode(&k.encode()), Some(k));
            }
        }
    }
}

/// `decode(b)`, and if that is a value, `decode(encode(value)) == value`.
pub(super) fn round_trip<T, E, B>(b: &[u8], decode: fn(&[u8]) -> Result<T, E>, encode: fn(&T) -> B)
where
    T: PartialEq + std::fmt::Debug,
    B: AsRef<[u8]>,
{
    if let Ok(value) = decode(b) {
        let again = decode(encode(&value).as_ref()).ok();
        assert_eq!(again.as_ref(), Some(&value));
    }
}

/// A sample bucket record, from its JSON form (so that a change of the
/// record's fields drops the seed instead of breaking the build).
pub(super) fn sample_bucket() -> Option<BucketRecord> {
    serde_json::from_str(
        r#"{"name":"photos","owner":"AKIAIOSFODNN7EXAMPLE","created_ms":1369353600000,
            "tags":[["project","blue"]],"region":"us-west-2",
            "acl":{"grants":[{"grantee":{"User":"AKIAIOSFODNN7EXAMPLE"},
                              "permission":"FullControl"}]},
            "cors":[{"id":"web","allowed_origins":["https://*.example.com"],
                     "allowed_methods":["GET"],"allowed_headers":["*"],
                     "expose_headers":["ETag"],"max_age_seconds":600}],
            "versioning":"Enabled","object_lock":{"default_retention":null},
            "access":{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                      "ownership":"BucketOwnerEnforced","public_access_block":
                      {"block_public_acls":true,"ignore_public_acls":true,
                       "block_public_policy":false,"restrict_public_buckets":false}}}"#,
    )
    .ok()
}

/// A sample object record (see [`sample_bucket`]).
pub(super) fn sample_object() -> Option<ObjectRecord> {
    serde_json::from_str(
        r#"{"bucket":"photos","key":"2024/img.jpg","object_id":42,"size":5,
            "etag":"5d41402abc4b2a76b9719d911017c592","content_type":"image/jpeg",
            "user_metadata":[["color","blue"]],"headers":[["cache-control","no-cache"]],
            "checksums":[["CRC32","NhCmhg=="]],"last_modified_ms":1369353600000,
            "layout":{"data":4,"parity":2,"stripe_bytes":65536},
            "parts":[{"part_number":1,"size":5,"etag":"e","object_id":43,"shard_nodes":[1,2],
                      "checksums":[["crc32","NhCmhg=="]]}],
            "shard_nodes":[1,2,3,4,5,6],"inline_data":[104,101,108,108,111],"tags":[],
            "owner":"AKIAIOSFODNN7EXAMPLE",
            "acl":{"grants":[{"grantee":"AllUsers","permission":"Read"}]},
            "seq":1048576,"versioned":true,"delete_marker":false,
            "lock":{"retention":{"mode":"Governance","until_ms":1400000000000},"legal_hold":false}}"#,
    )
    .ok()
}

/// A sample metadata op (see [`sample_bucket`]).
pub(super) fn sample_op() -> Option<MetaOp> {
    sample_bucket().map(|record| MetaOp::CreateBucket { record })
}

pub(super) fn record_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let mut push = |selector: u8, bytes: Vec<u8>| seeds.push([vec![selector], bytes].concat());
    if let Some(b) = sample_bucket() {
        push(0, b.encode());
    }
    if let Some(o) = sample_object() {
        push(1, o.encode());
    }
    let access_key = AccessKey {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        secret: SECRET.to_owned(),
        created_ms: 1_369_353_600_000,
        user_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
        display_name: "example".to_owned(),
        email: Some("example@example.com".to_owned()),
    };
    push(4, access_key.encode());
    push(6, RepairReport::default().encode());
    if let Some(op) = sample_op() {
        push(7, op.encode());
    }
    push(
        7,
        vec![RECORD_VERSION, 1, 6, b'p', b'h', b'o', b't', b'o', b's'],
    );
    let key = ShardKey {
        object: crate::storage::ObjectId(42),
        part: 1,
        shard: 3,
    };
    push(
        11,
        RecordHeader::extent(key, 100, 0, 100, 64).encode().to_vec(),
    );
    push(12, key.encode().to_vec());
    seeds
}

/// A metadata snapshot stream (what Raft ships to a lagging node),
/// imported into a fresh store. An imported store exports a stream that
/// imports again, to a store that exports the same stream.
pub fn meta_snapshot(data: &[u8]) {
    let dir = scratch_dir("snapshot");
    let exported = MetaState::import(&dir.0, &mut &data[..]).ok().map(|state| {
        let mut out = Vec::new();
        let exported = state.export(&mut out).map(|()| out);
        drop(state);
        exported
    });
    drop(dir);
    let Some(Ok(first)) = exported else {
        return;
    };
    let dir = scratch_dir("snapshot-again");
    let state = MetaState::import(&dir.0, &mut &first[..]);
    let again = state.and_then(|s| {
        let mut out = Vec::new();
        s.export(&mut out).map(|()| out)
    });
    match again {
        Ok(second) => assert!(second == first, "re-export differs"),
        Err(e) => panic!("an exported snapshot does not import: {e}"),
    }
}

/// A directory under the system's temporary one, removed when dropped.
pub(super) struct ScratchDir(PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn scratch_dir(what: &str) -> ScratchDir {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("predastore-fuzz-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    ScratchDir(dir)
}

pub(super) fn snapshot_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    let mut export = |ops: &[MetaOp]| {
        let dir = scratch_dir("seed");
        let Ok(state) = MetaState::open(&dir.0) else {
            return;
        };
        if !ops.is_empty() && state.apply_batch(1, ops).is_err() {
            return;
        }
        let mut out = Vec::new();
        if state.export(&mut out).is_ok() {
            seeds.push(out);
        }
    };
    export(&[]);
    let mut ops = vec![MetaOp::PutAccessKey {
        key: AccessKey {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
            secret: SECRET.to_owned(),
            created_ms: 1_369_353_600_000,
            user_id: "AKIAIOSFODNN7EXAMPLE".to_owned(),
            display_name: "example".to_owned(),
            email: None,
        },
    }];
    ops.extend(sample_op());
    export(&ops);
    seeds
}

// ----- Segment files -----

/// The bytes after a segment file's header, scanned as recovery scans a
/// segment after a crash. Records follow each other from the header on,
/// none runs past the end of the file, and the valid end is inside it.
///
/// One segment file is reused for every input: it is cut back to its
/// header and the input written after it. It is unlinked as soon as it is
/// made, so nothing is left behind.
pub fn segment_scan(data: &[u8]) {
    static SEGMENT: OnceLock<Option<File>> = OnceLock::new();
    let segment = SEGMENT.get_or_init(|| {
        let dir = scratch_dir("segment");
        std::fs::create_dir_all(wal_dir(&dir.0)).ok()?;
        create_segment(&dir.0, 1, SEGMENT_HEADER_LEN).ok()
    });
    let Some(file) = segment else {
        return;
    };
    if file.set_len(SEGMENT_HEADER_LEN).is_err()
        || file.write_all_at(data, SEGMENT_HEADER_LEN).is_err()
    {
        return;
    }
    let Ok(scan) = scan_segment(file, 1, 0) else {
        return;
    };
    let len = SEGMENT_HEADER_LEN + data.len() as u64;
    assert!(scan.has_header && scan.valid_end <= len);
    let mut end = SEGMENT_HEADER_LEN;
    for r in &scan.records {
        assert_eq!(r.offset, end);
        end = r.offset + r.header.disk_size();
        assert!(end <= len && (!r.intact || r.offset < scan.valid_end));
    }
}

/// An intact extent record of `payload` in fragments of 4 bytes, then a
/// tombstone: what a segment holds after its header.
pub(super) fn segment_seeds() -> Vec<Vec<u8>> {
    let key = ShardKey {
        object: crate::storage::ObjectId(42),
        part: 0,
        shard: 1,
    };
    let payload = b"hello, segment";
    let header = RecordHeader::extent(key, payload.len() as u64, 0, payload.len() as u64, 4);
    let mut record = header.encode().to_vec();
    for fragment in payload.chunks(4) {
        record.extend_from_slice(&crc32c::crc32c(fragment).to_le_bytes());
    }
    record.extend_from_slice(payload);
    let tombstone = RecordHeader::tombstone(key, 4).encode();
    vec![record.clone(), [&record[..], &tombstone[..]].concat()]
}

// ----- Cluster transport frames -----

pub(super) fn frame_seeds() -> Vec<Vec<u8>> {
    use crate::net::frame::encode;
    use crate::net::{Channel, ErrorKind, Request, Response};

    let key = ShardKey {
        object: crate::storage::ObjectId(42),
        part: 1,
        shard: 3,
    };
    let frames = [
        encode(&Request::Health),
        encode(&Request::GetShard {
            key,
            range: Some((0, 10)),
        }),
        encode(&Request::Message {
            channel: Channel::Meta,
            len: 12,
        }),
        encode(&Response::Error {
            kind: ErrorKind::NotFound,
            message: "no such shard".to_owned(),
        }),
    ];
    frames.into_iter().flatten().map(|b| b.to_vec()).collect()
}
