//! Unit tests of `api/auth/sigv4/header.rs`.

use super::*;
use crate::api::error::testing::s3_code;

#[test]
fn authorization_header_parsing() {
    let ok = AuthorizationHeader::parse(
            "AWS4-HMAC-SHA256 Credential=AK/with/slash/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .unwrap();
    assert_eq!(ok.credential.access_key, "AK/with/slash");
    assert_eq!(ok.credential.scope(), "20130524/us-east-1/s3/aws4_request");
    assert_eq!(ok.signed_headers, vec!["host", "x-amz-date"]);
    assert_eq!(ok.signature, "abc");

    let malformed = [
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;a, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a, Extra=1",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 garbage",
            // The algorithm alone (AWS answers it as malformed).
            "AWS4-HMAC-SHA256",
        ];
    for m in malformed {
        assert_eq!(
            s3_code(AuthorizationHeader::parse(m).unwrap_err()),
            "AuthorizationHeaderMalformed",
            "{m}"
        );
    }
    for unsupported in ["AWS AKIA:sig", "AWS4-HMAC-SHA256x Credential=a"] {
        assert_eq!(
            s3_code(AuthorizationHeader::parse(unsupported).unwrap_err()),
            "InvalidArgument"
        );
    }
}
