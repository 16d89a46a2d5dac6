//! Entry points for the cargo-fuzz targets in `fuzz/`.
//!
//! The parsers that read untrusted input (request heads, aws-chunked
//! bodies, XML bodies, cluster messages, stored records) are crate-private,
//! and should stay so. The fuzz targets are a separate crate, so this module
//! gives each parser a thin `pub` wrapper that feeds it the fuzzer's bytes,
//! discards what it returns, and asserts the invariants that are cheap to
//! check (a resolved range lies inside the object, a decoded value encodes
//! back to itself, splitting a body anywhere changes nothing). Every wrapper
//! must return normally for any input: a panic here is a bug the fuzzer
//! found, in the parser or in the invariant.
//!
//! Each byte-level wrapper documents how it reads its input; text inputs
//! are newline-separated fields, so seeds stay readable. [`seeds`] gives
//! valid examples of every target's input, built from the code itself so
//! they follow its formats; [`plant_seeds`] writes them into the corpus
//! directories the fuzzer was started with.
//!
//! Not part of the product's API: hidden from the docs, and nothing else
//! calls it.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use bytes::BytesMut;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::actors::consensus::wire::{self, MetaCall, MetaReply, RaftCall, RaftReply};
use crate::api::auth::chunked::{ChunkedDecoder, MAX_LINE_LEN};
use crate::api::auth::sigv2::{HeaderV2, PresignedV2};
use crate::api::auth::sigv4::{
    self, canonical_request, detect_auth_kind, format_amz_date, parse_amz_date, string_to_sign,
    AuthContext, AuthKind, AuthorizationHeader, Credential, PayloadMode, PresignedParams,
    RequestParts, SigningKey, ALGORITHM, EMPTY_SHA256, MAX_PRESIGNED_EXPIRES, UNSIGNED_PAYLOAD,
};
use crate::api::checksum::{parse_checksum, parse_content_md5, ChecksumAlgorithm};
use crate::api::request::params::MAX_PART_NUMBER;
use crate::api::request::tagging::MAX_OBJECT_TAGS;
use crate::api::request::user_metadata::MAX_USER_METADATA_BYTES;
use crate::api::request::{
    check_tags, check_unsupported_headers, evaluate_conditions, header_text,
    make_continuation_token, parse_continuation_token, parse_copy_source, parse_copy_source_range,
    parse_max_keys, parse_part_number, parse_range, parse_tagging_directive, parse_tagging_header,
    response_overrides, user_metadata, validate_bucket_name, validate_object_key,
    validate_response_overrides, ConditionTarget, Conditions, HeaderError, HeaderScope, TagTarget,
};
use crate::api::xml::acl::{acl_to_xml, parse_access_control_policy};
use crate::api::xml::cors::{cors_to_xml, parse_cors, MAX_CORS_RULES};
use crate::api::xml::{
    parse_complete_multipart_upload, parse_create_bucket_configuration, parse_delete,
    parse_tagging, tagging_to_xml, MAX_DELETE_OBJECTS,
};
use crate::storage::meta::acl::{CannedAcl, Grantee};
use crate::storage::meta::records::RECORD_VERSION;
use crate::storage::meta::{
    AccessKey, BucketRecord, ClusterLayout, MetaOp, MetaRead, MetaState, MultipartUpload,
    ObjectRecord, PartRecord, RepairReport,
};
use crate::storage::wal::record::{decode_crc_table, RecordHeader};
use crate::storage::wal::segment::{create_segment, scan_segment, wal_dir, SEGMENT_HEADER_LEN};
use crate::storage::{CorruptMark, ScrubRecord, ShardEntry, ShardKey};

/// The secret every access key has in the auth targets.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// The store's region in the auth targets.
const REGION: &str = "us-east-1";
/// The server clock of the auth targets, as signed (AWS's examples' date).
const NOW_AMZ: &str = "20130524T000000Z";
/// [`NOW_AMZ`] in seconds since the Unix epoch.
const NOW_UNIX: i64 = 1_369_353_600;
/// The credential scope of the chunked targets' signing key.
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
/// The seed signature of the chunked targets' signature chains.
const SEED_SIGNATURE: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

/// Every target, as named in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "auth_header",
    "auth_query",
    "auth_request",
    "aws_chunked",
    "consensus_wire",
    "frame_decode",
    "meta_records",
    "meta_snapshot",
    "range_headers",
    "request_headers",
    "segment_scan",
    "xml_bodies",
];

// ----- Seeds -----

/// Valid example inputs of `target` (one of [`TARGETS`]), for the fuzzer
/// to start from; empty for an unknown target.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let text = |items: &[&str]| items.iter().map(|s| s.as_bytes().to_vec()).collect();
    match target {
        "auth_header" => text(&[
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
            "20130524T000000Z",
            "Fri, 24 May 2013 00:00:00 GMT",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            EMPTY_SHA256,
        ]),
        "auth_query" => text(&[
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F\
             us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&\
             X-Amz-SignedHeaders=host&X-Amz-Signature=\
             aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369353660&\
             Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D&response-content-type=text%2Fplain",
            "list-type=2&prefix=a%2Fb&max-keys=10&continuation-token=YQ&partNumber=3&\
             uploadId=x+y&response-cache-control=no-cache",
        ]),
        "auth_request" => text(&[
            "GET /examplebucket/test.txt HTTP/1.1\n\
             host: examplebucket.s3.amazonaws.com\n\
             range: bytes=0-9\n\
             x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-amz-date: 20130524T000000Z\n\
             authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/\
             s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n",
            "PUT /examplebucket/chunked?partNumber=1&uploadId=u HTTP/1.1\n\
             host: s3.amazonaws.com\n\
             content-encoding: aws-chunked\n\
             x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\n\
             x-amz-trailer: x-amz-checksum-crc32\n\
             date: Fri, 24 May 2013 00:00:00 GMT\n\
             authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/\
             s3/aws4_request,SignedHeaders=content-encoding;host;x-amz-content-sha256;\
             x-amz-trailer,Signature=00\n\
             \n\
             5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
            "GET /examplebucket/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\
             AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=\
             20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=00 \
             HTTP/1.1\nhost: examplebucket.s3.amazonaws.com\n",
            "PUT /b/k?acl HTTP/1.1\nhost: b.s3.amazonaws.com\ncontent-md5: md5==\n\
             content-type: text/plain\ndate: Fri, 24 May 2013 00:00:00 GMT\n\
             x-amz-meta-a: 1\nauthorization: AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=\n",
            "GET /b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1369353660&\
             Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D HTTP/1.1\nhost: b\n",
        ]),
        "aws_chunked" => chunked_seeds(),
        "range_headers" => text(&[
            "bytes=0-99\n1000\n\"abc\"\nW/\"x\", \"y\"\nTue, 02 Jan 2024 03:04:05 GMT\n\
             Tue, 02 Jan 2024 03:04:05 GMT\n\"abc\"\n1704164645678\nbytes=0-9",
            "bytes=-5\n3",
            "bytes=5-\n0\n*\n*",
            "bytes=0-1,3-4\n10\n\n\nTuesday, 02-Jan-24 03:04:05 GMT\nTue Jan  2 03:04:05 2024",
        ]),
        "request_headers" => text(&[
            "/bucket/key%20with%20space?versionId=null\n\
             a=1&project=blue+sky&k%20e=v%2Bw\n\
             REPLACE\n\
             x-amz-meta-color: blue\n\
             X-Amz-Meta-Color: green\n\
             x-amz-storage-class: STANDARD\n\
             x-amz-server-side-encryption: AES256\n\
             x-amz-acl: private\n\
             public-read\n\
             content-md5: 1B2M2Y8AsgTpgAmY7PhCfg==\n\
             x-amz-checksum-crc32: AAAAAA==\n\
             x-amz-checksum-sha256: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
             my-bucket.example\n\
             1000\n\
             cGhvdG9zLzIwMjQvaW1nLmpwZw",
        ]),
        "xml_bodies" => text(&[
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag>\
             <ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>\
             <Part><PartNumber>2</PartNumber><ETag>0c78aef83f66abc1fa1e8477f296d394</ETag></Part>\
             </CompleteMultipartUpload>",
            "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>\
             <Object><Key>c&#x1;</Key><VersionId>null</VersionId></Object></Delete>",
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>us-west-2</LocationConstraint></CreateBucketConfiguration>",
            "<Tagging><TagSet><Tag><Key>project</Key><Value>blue sky</Value></Tag>\
             <Tag><Key>caf\u{e9}</Key><Value></Value></Tag></TagSet></Tagging>",
            "<AccessControlPolicy><Owner><ID>alice</ID></Owner><AccessControlList>\
             <Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:type=\"CanonicalUser\"><ID>bob</ID></Grantee><Permission>READ</Permission>\
             </Grant><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>\
             </Grantee><Permission>WRITE_ACP</Permission></Grant></AccessControlList>\
             </AccessControlPolicy>",
            "<CORSConfiguration><CORSRule><ID>web</ID>\
             <AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>\
             <AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>\
             <MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>",
        ]),
        "consensus_wire" => consensus_seeds(),
        "meta_records" => record_seeds(),
        "meta_snapshot" => snapshot_seeds(),
        "frame_decode" => frame_seeds(),
        "segment_scan" => segment_seeds(),
        _ => Vec::new(),
    }
}

/// Writes [`seeds`] of `target` into every directory named on the command
/// line (the corpus directories libFuzzer was given), as `seed-NN` files;
/// call it from the target's `init`. A file argument (a crash being
/// reproduced) is left alone.
pub fn plant_seeds(target: &str) {
    let seeds = seeds(target);
    if seeds.is_empty() {
        return;
    }
    for arg in std::env::args_os().skip(1) {
        let dir = PathBuf::from(arg);
        if dir.to_string_lossy().starts_with('-') || !dir.is_dir() {
            continue;
        }
        for (i, seed) in seeds.iter().enumerate() {
            // Best effort: a corpus that cannot be written to still fuzzes.
            let _ = std::fs::write(dir.join(format!("seed-{i:02}")), seed);
        }
    }
}

mod auth;
mod chunked;
mod headers;
mod stored;
#[cfg(test)]
mod tests;

pub use auth::*;
pub use chunked::*;
pub use headers::*;
pub use stored::*;
