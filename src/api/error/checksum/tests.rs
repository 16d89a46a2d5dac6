//! Unit tests of `api/error/checksum.rs`.

use super::*;
use crate::api::checksum::ChecksumAlgorithm;

fn s3(e: ChecksumError) -> (S3ErrorCode, String) {
    let e = S3Error::from(e);
    assert_eq!(e.http_status(), 400);
    (e.code, e.message)
}

#[test]
fn content_md5_errors_keep_aws_default_messages() {
    assert_eq!(
        s3(ChecksumError::MalformedContentMd5),
        (
            S3ErrorCode::InvalidDigest,
            S3ErrorCode::InvalidDigest.default_message().to_owned()
        )
    );
    assert_eq!(
        s3(ChecksumError::ContentMd5Mismatch),
        (
            S3ErrorCode::BadDigest,
            S3ErrorCode::BadDigest.default_message().to_owned()
        )
    );
}

#[test]
fn checksum_errors_name_the_header_or_algorithm() {
    let algorithm = ChecksumAlgorithm::Sha256;
    assert_eq!(
        s3(ChecksumError::Malformed { algorithm }),
        (
            S3ErrorCode::InvalidRequest,
            "Value for x-amz-checksum-sha256 header is invalid.".to_owned()
        )
    );
    assert_eq!(
        s3(ChecksumError::MalformedTrailer { algorithm }),
        (
            S3ErrorCode::InvalidRequest,
            "Value for x-amz-checksum-sha256 is invalid.".to_owned()
        )
    );
    assert_eq!(
        s3(ChecksumError::Mismatch {
            algorithm: ChecksumAlgorithm::Crc32
        }),
        (
            S3ErrorCode::BadDigest,
            "The CRC32 you specified did not match the calculated checksum.".to_owned()
        )
    );
    assert_eq!(
        s3(ChecksumError::UnknownAlgorithm).0,
        S3ErrorCode::InvalidRequest
    );
}
