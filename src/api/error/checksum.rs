//! The S3 answer to a rejected client digest: [`ChecksumError`] says what
//! went wrong, this picks the code and message S3 clients expect, so the
//! checksum module needs no knowledge of S3 error codes.

use super::code::S3ErrorCode;
use super::s3_error::S3Error;
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
mod tests;
