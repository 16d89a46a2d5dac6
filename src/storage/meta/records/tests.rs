use bytes::Bytes;

use super::super::acl::Acl;
use super::super::bucket_access::{BucketAccess, ObjectOwnership, PublicAccessBlock};
use super::super::cors::CorsRule;
use super::super::encryption::{DefaultEncryption, Encryption, SseMode};
use super::super::lock::{
    DefaultRetention, LockMode, ObjectLock, ObjectLockConfig, Retention, RetentionPeriod,
    Versioning,
};
use super::super::version::VersionSeq;
use super::*;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((text(), text()), 0..4)
}

fn layout() -> impl Strategy<Value = ErasureLayout> {
    (any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(data, parity, stripe_bytes)| {
        ErasureLayout {
            data,
            parity,
            stripe_bytes,
        }
    })
}

fn nodes() -> impl Strategy<Value = Vec<u64>> {
    proptest::collection::vec(any::<u64>(), 0..8)
}

fn part_info() -> impl Strategy<Value = PartInfo> {
    (
        any::<u32>(),
        any::<u64>(),
        text(),
        any::<u128>(),
        nodes(),
        pairs(),
    )
        .prop_map(
            |(part_number, size, etag, object_id, shard_nodes, checksums)| PartInfo {
                part_number,
                size,
                etag,
                object_id,
                shard_nodes,
                checksums,
            },
        )
}

fn acl() -> impl Strategy<Value = Acl> {
    use super::super::acl::{Grant, Grantee, Permission};
    let grantee = prop_oneof![
        text().prop_map(Grantee::User),
        Just(Grantee::AllUsers),
        Just(Grantee::AuthenticatedUsers),
    ];
    let permission = prop_oneof![
        Just(Permission::FullControl),
        Just(Permission::Read),
        Just(Permission::Write),
        Just(Permission::ReadAcp),
        Just(Permission::WriteAcp),
    ];
    proptest::collection::vec(
        (grantee, permission).prop_map(|(grantee, permission)| Grant {
            grantee,
            permission,
        }),
        0..4,
    )
    .prop_map(|grants| Acl { grants })
}

fn access() -> impl Strategy<Value = BucketAccess> {
    let ownership = prop_oneof![
        Just(ObjectOwnership::BucketOwnerEnforced),
        Just(ObjectOwnership::BucketOwnerPreferred),
        Just(ObjectOwnership::ObjectWriter),
    ];
    (
        proptest::option::of(text()),
        proptest::option::of(ownership),
        proptest::option::of(proptest::array::uniform4(any::<bool>())),
    )
        .prop_map(|(policy, ownership, block)| BucketAccess {
            policy,
            ownership,
            public_access_block: block.map(|[a, b, c, d]| PublicAccessBlock {
                block_public_acls: a,
                ignore_public_acls: b,
                block_public_policy: c,
                restrict_public_buckets: d,
            }),
        })
}

fn encryption() -> impl Strategy<Value = Option<Encryption>> {
    proptest::option::of(
        (
            0u8..3,
            proptest::option::of(text()),
            text(),
            proptest::collection::vec(any::<u8>(), 0..70),
            any::<[u8; 16]>(),
            any::<[u8; 32]>(),
        )
            .prop_map(
                |(mode, context, key_id, sealed_key, salt, key_check)| Encryption {
                    mode: match mode {
                        0 => SseMode::S3,
                        1 => SseMode::Kms { context },
                        _ => SseMode::Customer { salt, key_check },
                    },
                    key_id,
                    sealed_key,
                },
            ),
    )
}

fn default_encryption() -> impl Strategy<Value = Option<DefaultEncryption>> {
    proptest::option::of(
        (any::<bool>(), proptest::option::of(text()), any::<bool>()).prop_map(
            |(kms, kms_key_id, bucket_key)| DefaultEncryption {
                kms,
                kms_key_id,
                bucket_key,
            },
        ),
    )
}

fn bucket() -> impl Strategy<Value = BucketRecord> {
    (
        text(),
        text(),
        any::<u64>(),
        pairs(),
        proptest::option::of(text()),
        acl(),
        proptest::collection::vec(
            (
                proptest::option::of(text()),
                proptest::collection::vec(text(), 0..3),
            ),
            0..3,
        ),
        access(),
        default_encryption(),
    )
        .prop_map(
            |(name, owner, created_ms, tags, region, acl, cors, access, encryption)| BucketRecord {
                encryption,
                versioning: if created_ms % 3 == 0 {
                    Versioning::Enabled
                } else {
                    Versioning::Unversioned
                },
                object_lock: (created_ms % 2 == 0).then(|| ObjectLockConfig {
                    default_retention: Some(DefaultRetention {
                        mode: LockMode::Governance,
                        period: RetentionPeriod::Days(1 + (created_ms % 10) as u32),
                    }),
                }),
                name,
                owner,
                created_ms,
                tags,
                region,
                acl,
                cors: cors
                    .into_iter()
                    .map(|(id, origins)| CorsRule {
                        id,
                        allowed_origins: origins.clone(),
                        allowed_methods: vec!["GET".into()],
                        allowed_headers: origins,
                        expose_headers: vec![],
                        max_age_seconds: Some(5),
                    })
                    .collect(),
                access,
            },
        )
}

fn lock() -> impl Strategy<Value = ObjectLock> {
    (
        proptest::option::of((any::<bool>(), any::<u64>())),
        any::<bool>(),
    )
        .prop_map(|(retention, legal_hold)| ObjectLock {
            retention: retention.map(|(compliance, until_ms)| Retention {
                mode: if compliance {
                    LockMode::Compliance
                } else {
                    LockMode::Governance
                },
                until_ms,
            }),
            legal_hold,
        })
}

fn object() -> impl Strategy<Value = ObjectRecord> {
    (
        (text(), text(), any::<u128>(), any::<u64>(), text()),
        (proptest::option::of(text()), pairs(), pairs(), pairs()),
        (
            any::<u64>(),
            layout(),
            proptest::collection::vec(part_info(), 0..3),
            nodes(),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        ),
        (pairs(), text(), acl()),
        (
            any::<u64>(),
            any::<bool>(),
            any::<bool>(),
            lock(),
            encryption(),
        ),
    )
        .prop_map(
            |(
                (bucket, key, object_id, size, etag),
                (content_type, user_metadata, headers, checksums),
                (last_modified_ms, layout, parts, shard_nodes, inline_data),
                (tags, owner, acl),
                (seq, versioned, delete_marker, lock, encryption),
            )| ObjectRecord {
                encryption,
                seq: VersionSeq(seq),
                versioned,
                delete_marker,
                lock,
                bucket,
                key,
                object_id,
                size,
                etag,
                content_type,
                user_metadata,
                headers,
                checksums,
                last_modified_ms,
                layout,
                parts,
                shard_nodes,
                inline_data: inline_data.map(Bytes::from),
                tags,
                owner,
                acl,
            },
        )
}

fn upload() -> impl Strategy<Value = MultipartUpload> {
    (
        (text(), text(), text(), any::<u64>()),
        (proptest::option::of(text()), pairs(), pairs(), layout()),
        (
            pairs(),
            text(),
            acl(),
            proptest::option::of((text(), any::<bool>())),
        ),
        lock(),
        encryption(),
    )
        .prop_map(
            |(
                (bucket, key, upload_id, initiated_ms),
                (content_type, user_metadata, headers, layout),
                (tags, owner, acl, checksum),
                lock,
                encryption,
            )| MultipartUpload {
                encryption,
                lock,
                bucket,
                key,
                upload_id,
                initiated_ms,
                content_type,
                user_metadata,
                headers,
                layout,
                tags,
                owner,
                acl,
                checksum: checksum.map(|(algorithm, full_object)| UploadChecksum {
                    algorithm,
                    full_object,
                }),
            },
        )
}

fn part() -> impl Strategy<Value = PartRecord> {
    (
        text(),
        any::<u32>(),
        any::<u64>(),
        text(),
        any::<u128>(),
        nodes(),
        any::<u64>(),
        pairs(),
    )
        .prop_map(
            |(
                upload_id,
                part_number,
                size,
                etag,
                object_id,
                shard_nodes,
                last_modified_ms,
                checksums,
            )| {
                PartRecord {
                    upload_id,
                    part_number,
                    size,
                    etag,
                    object_id,
                    shard_nodes,
                    last_modified_ms,
                    checksums,
                }
            },
        )
}

fn access_key() -> impl Strategy<Value = AccessKey> {
    (
        text(),
        text(),
        any::<u64>(),
        text(),
        text(),
        proptest::option::of(text()),
    )
        .prop_map(
            |(access_key_id, secret, created_ms, user_id, display_name, email)| AccessKey {
                access_key_id,
                secret,
                created_ms,
                user_id,
                display_name,
                email,
            },
        )
}

fn cluster() -> impl Strategy<Value = ClusterLayout> {
    (
        any::<u64>(),
        proptest::collection::vec(
            (
                (any::<u64>(), text(), text(), any::<u32>(), 0..3u8),
                proptest::collection::vec((any::<u16>(), 0..3u8, any::<u64>()), 0..4),
            )
                .prop_map(|((id, addr, zone, weight, state), volumes)| NodeInfo {
                    id,
                    addr,
                    zone,
                    weight,
                    state: [NodeState::Active, NodeState::Draining, NodeState::Removed]
                        [usize::from(state)],
                    volumes: volumes
                        .into_iter()
                        .map(|(slot, condition, capacity_bytes)| VolumeInfo {
                            slot,
                            condition: [
                                VolumeCondition::Ok,
                                VolumeCondition::Full,
                                VolumeCondition::Failed,
                            ][usize::from(condition)],
                            capacity_bytes,
                        })
                        .collect(),
                }),
            0..4,
        ),
    )
        .prop_map(|(version, storage_nodes)| ClusterLayout {
            version,
            storage_nodes,
        })
}

/// Round trip, then damage the bytes: a flip must not panic (and a
/// flipped version byte must fail), a truncation must fail.
fn check<T: PartialEq + std::fmt::Debug>(
    value: &T,
    encode: impl Fn(&T) -> Vec<u8>,
    decode: impl Fn(&[u8]) -> Result<T, MetaError>,
    flip: usize,
    cut: usize,
) -> Result<(), TestCaseError> {
    let b = encode(value);
    prop_assert_eq!(b[0], RECORD_VERSION);
    prop_assert_eq!(
        &decode(&b).map_err(|e| TestCaseError::fail(e.to_string()))?,
        value
    );

    let mut flipped = b.clone();
    let at = flip % flipped.len();
    flipped[at] ^= 0xff;
    let decoded = decode(&flipped);
    if at == 0 {
        prop_assert!(decoded.is_err());
    }

    let cut = cut % b.len();
    prop_assert!(decode(&b[..cut]).is_err());

    let mut longer = b.clone();
    longer.push(0);
    prop_assert!(decode(&longer).is_err());
    Ok(())
}

proptest! {
    #[test]
    fn bucket_round_trip(v in bucket(), flip in any::<usize>(), cut in any::<usize>()) {
        check(&v, BucketRecord::encode, BucketRecord::decode, flip, cut)?;
    }

    #[test]
    fn object_round_trip(v in object(), flip in any::<usize>(), cut in any::<usize>()) {
        check(&v, ObjectRecord::encode, ObjectRecord::decode, flip, cut)?;
    }

    #[test]
    fn upload_round_trip(v in upload(), flip in any::<usize>(), cut in any::<usize>()) {
        check(&v, MultipartUpload::encode, MultipartUpload::decode, flip, cut)?;
    }

    #[test]
    fn part_round_trip(v in part(), flip in any::<usize>(), cut in any::<usize>()) {
        check(&v, PartRecord::encode, PartRecord::decode, flip, cut)?;
    }

    #[test]
    fn access_key_round_trip(v in access_key(), flip in any::<usize>(), cut in any::<usize>()) {
        check(&v, AccessKey::encode, AccessKey::decode, flip, cut)?;
    }

    #[test]
    fn cluster_layout_round_trip(v in cluster(), flip in any::<usize>(), cut in any::<usize>()) {
        check(&v, ClusterLayout::encode, ClusterLayout::decode, flip, cut)?;
    }

    #[test]
    fn repair_report_round_trip(v in proptest::array::uniform9(any::<u64>()), flip in any::<usize>(), cut in any::<usize>()) {
        let v = RepairReport {
            objects_below_redundancy: v[0],
            objects_misplaced: v[1],
            heal_queue_length: v[2],
            rebalance_objects_left: v[3],
            rebalance_bytes_moved: v[4],
            heal_bytes: v[5],
            layout_version: v[6],
            reported_by: v[7],
            updated_ms: v[8],
        };
        check(&v, RepairReport::encode, RepairReport::decode, flip, cut)?;
    }

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = BucketRecord::decode(&b);
        let _ = ObjectRecord::decode(&b);
        let _ = MultipartUpload::decode(&b);
        let _ = PartRecord::decode(&b);
        let _ = AccessKey::decode(&b);
        let _ = RepairReport::decode(&b);
        let _ = ClusterLayout::decode(&b);
    }
}

#[test]
fn unknown_version_is_rejected() {
    let rec = AccessKey {
        access_key_id: "AK".into(),
        secret: "s".into(),
        created_ms: 1,
        user_id: "u".into(),
        display_name: "user".into(),
        email: None,
    };
    let mut b = rec.encode();
    b[0] = RECORD_VERSION + 1;
    assert!(matches!(AccessKey::decode(&b), Err(MetaError::Corrupt(_))));
    assert!(AccessKey::decode(&[]).is_err());
}
