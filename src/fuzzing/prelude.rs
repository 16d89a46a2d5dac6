//! What every fuzz entry point shares: the parsers' paths and the fixed
//! credentials, clock and region the auth targets sign with.

pub(super) use std::fs::File;
pub(super) use std::os::unix::fs::FileExt;
pub(super) use std::path::PathBuf;
pub(super) use std::sync::atomic::{AtomicU64, Ordering};
pub(super) use std::sync::OnceLock;

pub(super) use bytes::BytesMut;
pub(super) use sha2::{Digest, Sha256};
pub(super) use time::OffsetDateTime;

pub(super) use crate::actors::core::consensus::wire::{
    self, MetaCall, MetaReply, RaftCall, RaftReply,
};
pub(super) use crate::api::auth::chunked::{ChunkedDecoder, MAX_LINE_LEN};
pub(super) use crate::api::auth::sigv2::{HeaderV2, PresignedV2};
pub(super) use crate::api::auth::sigv4::{
    self, canonical_request, detect_auth_kind, format_amz_date, parse_amz_date, string_to_sign,
    AuthContext, AuthKind, AuthorizationHeader, Credential, PayloadMode, PresignedParams,
    RequestParts, SigningKey, ALGORITHM, EMPTY_SHA256, MAX_PRESIGNED_EXPIRES, UNSIGNED_PAYLOAD,
};
pub(super) use crate::api::checksum::{parse_checksum, parse_content_md5, ChecksumAlgorithm};
pub(super) use crate::api::request::params::MAX_PART_NUMBER;
pub(super) use crate::api::request::sse::{
    customer_key, refuse_write_encryption, write_encryption, COPY_SOURCE_CUSTOMER,
};
pub(super) use crate::api::request::tagging::MAX_OBJECT_TAGS;
pub(super) use crate::api::request::user_metadata::MAX_USER_METADATA_BYTES;
pub(super) use crate::api::request::{
    check_tags, check_unsupported_headers, evaluate_conditions, header_text,
    make_continuation_token, parse_continuation_token, parse_copy_source, parse_copy_source_range,
    parse_max_keys, parse_part_number, parse_range, parse_tagging_directive, parse_tagging_header,
    response_overrides, user_metadata, validate_bucket_name, validate_object_key,
    validate_response_overrides, ConditionTarget, Conditions, HeaderError, TagTarget,
};
pub(super) use crate::api::xml::acl::{acl_to_xml, parse_access_control_policy};
pub(super) use crate::api::xml::bucket_access::{
    ownership_controls_to_xml, parse_ownership_controls, parse_public_access_block,
    public_access_block_to_xml,
};
pub(super) use crate::api::xml::cors::{cors_to_xml, parse_cors, MAX_CORS_RULES};
pub(super) use crate::api::xml::lifecycle::{lifecycle_to_xml, parse_lifecycle};
pub(super) use crate::api::xml::{
    parse_complete_multipart_upload, parse_create_bucket_configuration, parse_delete,
    parse_tagging, tagging_to_xml, MAX_DELETE_OBJECTS,
};
pub(super) use crate::policy::{ConditionContext, Policy, PolicyRequest, Principal};
pub(super) use crate::storage::index::marks::{CorruptMark, ScrubRecord};
pub(super) use crate::storage::meta::acl::{CannedAcl, Grantee};
pub(super) use crate::storage::meta::lifecycle::MAX_RULES;
pub(super) use crate::storage::meta::records::RECORD_VERSION;
pub(super) use crate::storage::meta::{
    AccessKey, BucketRecord, ClusterLayout, MetaOp, MetaRead, MetaState, MultipartUpload,
    ObjectRecord, PartRecord, RepairReport,
};
pub(super) use crate::storage::wal::record::{decode_crc_table, RecordHeader};
pub(super) use crate::storage::wal::segment::{
    create_segment, scan_segment, wal_dir, SEGMENT_HEADER_LEN,
};
pub(super) use crate::storage::{ShardEntry, ShardKey};

/// The secret every access key has in the auth targets.
pub(super) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// The store's region in the auth targets.
pub(super) const REGION: &str = "us-east-1";
/// The server clock of the auth targets, as signed (AWS's examples' date).
pub(super) const NOW_AMZ: &str = "20130524T000000Z";
/// [`NOW_AMZ`] in seconds since the Unix epoch.
pub(super) const NOW_UNIX: i64 = 1_369_353_600;
/// The credential scope of the chunked targets' signing key.
pub(super) const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
/// The seed signature of the chunked targets' signature chains.
pub(super) const SEED_SIGNATURE: &str =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
