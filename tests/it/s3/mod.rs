//! The S3 API of a real `predastore` process, driven by the AWS SDK for
//! Rust (path-style, SigV4, the SDK's default CRC32 checksums with
//! aws-chunked trailers) and by a plain HTTP client: buckets, objects of
//! stripe-edge sizes, ranges, conditionals, checksums, copy, listing,
//! multipart, lifecycle rules, quotas, auth and presigned URLs, request
//! ids, restart, and the loss of volumes under erasure coding 2+1.
//!
//! Each test starts its own store (one node, three volumes, 1 MiB stripes).

mod acl;
mod auth;
mod buckets;
mod checksums;
mod conditional;
mod copy;
mod cors;
mod costs;
mod durability;
mod encryption;
mod lifecycle;
mod listing;
mod multipart;
mod multipart_checksums;
mod notification;
mod object_lock;
mod objects;
mod policy;
mod post_object;
mod quota;
mod reads;
mod select;
mod tagging;
mod versioning;
mod versioning_exclusions;

use std::time::SystemTime;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::{ByteStream, DateTime, DateTimeFormat};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;

use crate::common::s3::*;

async fn create_bucket(s3: &Client, bucket: &str) {
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create bucket {bucket}: {}", DisplayErrorContext(&e)));
}

/// Asserts two byte strings are equal without printing megabytes.
#[track_caller]
fn assert_same_bytes(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "length of {what}");
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
        panic!("{what}: bytes differ first at offset {at}");
    }
}

fn parse_http_date(s: &str) -> i64 {
    DateTime::from_str(s, DateTimeFormat::HttpDate)
        .unwrap_or_else(|e| panic!("not an HTTP date: {s:?}: {e}"))
        .secs()
}

fn now_secs() -> i64 {
    DateTime::from(SystemTime::now()).secs()
}

async fn upload_part(
    s3: &Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    number: i32,
    data: &[u8],
) -> String {
    let out = s3
        .upload_part()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .body(ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload part {number}: {}", DisplayErrorContext(&e)));
    let etag = out.e_tag().expect("part ETag").to_string();
    assert_eq!(etag, etag_of(data), "ETag of part {number}");
    etag
}

fn completed(parts: &[(i32, &str)]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|(n, etag)| {
                    CompletedPart::builder()
                        .part_number(*n)
                        .e_tag(*etag)
                        .build()
                })
                .collect(),
        ))
        .build()
}

async fn create_upload(s3: &Client, bucket: &str, key: &str) -> String {
    s3.create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create upload {key}: {}", DisplayErrorContext(&e)))
        .upload_id()
        .expect("UploadId")
        .to_string()
}
