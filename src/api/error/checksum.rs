//! The S3 answer to a rejected client digest: [`ChecksumError`] says what
//! went wrong, this picks the code and message S3 clients expect, so the
//! checksum module needs no knowledge of S3 error codes.

use super::{S3Error, S3ErrorCode};
use crate::api::checksum::ChecksumError;

/// `Content-MD5` problems keep AWS's default messages; `x-amz-checksum-*`
/// problems name the header or algorithm, as AWS does. A body that does not
/// match is `BadDigest` either way; a malformed value is `InvalidDigest` for
/// `Content-MD5` and `InvalidRequest` for a checksum.
impl From<ChecksumError> for S3Error {
    fn from(e: ChecksumError) -> Self {
        match e {
            ChecksumError::MalformedContentMd5 => S3Error::new(S3ErrorCode::InvalidDigest),
            ChecksumError::ContentMd5Mismatch => S3Error::new(S3ErrorCode::BadDigest),
            ChecksumError::Malformed { algorithm } => S3Error::new(S3ErrorCode::InvalidRequest)
                .with_message(format!(
                    "Value for {} header is invalid.",
                    algorithm.header_name()
                )),
            ChecksumError::MalformedTrailer { algorithm } => {
                S3Error::new(S3ErrorCode::InvalidRequest)
                    .with_message(format!("Value for {} is invalid.", algorithm.header_name()))
            }
            ChecksumError::Mismatch { algorithm } => S3Error::new(S3ErrorCode::BadDigest)
                .with_message(format!(
                    "The {} you specified did not match the calculated checksum.",
                    algorithm.as_str()
                )),
            ChecksumError::UnknownAlgorithm => S3Error::new(S3ErrorCode::InvalidRequest),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
