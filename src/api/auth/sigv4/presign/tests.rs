//! Unit tests of `api/auth/sigv4/presign.rs`.

use super::*;

/// AWS's documented example: "Example: presigned URL" of the SigV4 query
/// authentication page (GET /test.txt of examplebucket, 24 hours).
#[test]
fn matches_the_aws_example() {
    let now = OffsetDateTime::from_unix_timestamp(1_369_353_600).expect("2013-05-24");
    let target = presign(&PresignRequest {
        method: "GET",
        host: "examplebucket.s3.amazonaws.com",
        path: "/test.txt",
        query: &[],
        headers: &[],
        access_key: "AKIAIOSFODNN7EXAMPLE",
        secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        now,
        expires: 86_400,
    });
    assert!(target.starts_with("/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"));
    assert!(target.ends_with(
        "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    ));
}

#[test]
fn encodes_keys_and_extra_parameters() {
    let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("time");
    let query = [("uploadId".to_string(), "a+b/c".to_string())];
    let target = presign(&PresignRequest {
        method: "PUT",
        host: "127.0.0.1:9000",
        path: "/b/dir/a key+ü",
        query: &query,
        headers: &[("x-amz-acl".to_string(), "private".to_string())],
        access_key: "k",
        secret: "s",
        region: "us-east-1",
        now,
        expires: 60,
    });
    assert!(target.starts_with("/b/dir/a%20key%2B%C3%BC?uploadId=a%2Bb%2Fc&"));
    assert!(target.contains("&X-Amz-SignedHeaders=host%3Bx-amz-acl&"));
}
