//! Rejected request headers and query parameters ([`HeaderError`]) as S3
//! errors: the code AWS answers each with, and what that code carries
//! besides the message.

use super::code::S3ErrorCode;
use super::s3_error::S3Error;
use crate::api::request::HeaderError;

/// The message is the error's `Display` text, which is AWS's wording; the
/// code, and any extra element or header, are decided here.
impl From<HeaderError> for S3Error {
    fn from(e: HeaderError) -> Self {
        let err = S3Error::new(code(&e)).with_message(e.to_string());
        // AWS names the range it could not serve and the size it resolved it
        // against: in `Content-Range` (RFC 9110 §15.5.17) and in the error
        // document.
        if let HeaderError::RangeNotSatisfiable {
            requested,
            object_size,
        } = e
        {
            return err
                .with_header("Content-Range", format!("bytes */{object_size}"))
                .with_element("RangeRequested", requested)
                .with_element("ActualObjectSize", object_size.to_string());
        }
        err
    }
}

/// The S3 error code for each rejection (exhaustive, so a new variant has
/// to be given one).
fn code(e: &HeaderError) -> S3ErrorCode {
    match e {
        HeaderError::RangeNotSatisfiable { .. } => S3ErrorCode::InvalidRange,
        HeaderError::PreconditionFailed { .. } => S3ErrorCode::PreconditionFailed,
        HeaderError::NotModified => S3ErrorCode::NotModified,
        HeaderError::InvalidBucketName { .. } => S3ErrorCode::InvalidBucketName,
        HeaderError::ObjectKeyTooLong { .. } => S3ErrorCode::KeyTooLongError,
        HeaderError::MetadataTooLarge { .. } => S3ErrorCode::MetadataTooLarge,
        HeaderError::ResponseOverrideAnonymous => S3ErrorCode::InvalidRequest,
        HeaderError::EmptyObjectKey
        | HeaderError::CopySourceNotUtf8
        | HeaderError::CopySourceAccessPoint
        | HeaderError::CopySourceIncomplete
        | HeaderError::CopySourceUnknownParameter
        | HeaderError::CopySourceVersionId
        | HeaderError::CopySourceRangeMalformed
        | HeaderError::CopySourceRangeOutside { .. }
        | HeaderError::ResponseOverrideControlCharacters { .. }
        | HeaderError::EmptyMetadataName
        | HeaderError::InvalidMaxKeys
        | HeaderError::InvalidPartNumber
        | HeaderError::InvalidContinuationToken
        | HeaderError::InvalidTaggingDirective
        | HeaderError::InvalidEncryptionMethod
        | HeaderError::EncryptionConflict
        | HeaderError::KmsKeyWithoutKms
        | HeaderError::EncryptionOnRead
        | HeaderError::CustomerAlgorithmMissing
        | HeaderError::CustomerKeyMissing
        | HeaderError::CustomerKeyInvalid
        | HeaderError::CustomerKeyMd5Missing
        | HeaderError::CustomerKeyMd5Mismatch => S3ErrorCode::InvalidArgument,
        HeaderError::CustomerAlgorithmInvalid => S3ErrorCode::InvalidEncryptionAlgorithmError,
        HeaderError::CustomerKeyOverHttp => S3ErrorCode::InvalidRequest,
        HeaderError::InvalidTag(_) => S3ErrorCode::InvalidTag,
        HeaderError::UnsupportedHeader(_) => S3ErrorCode::NotImplemented,
        HeaderError::InvalidStorageClass => S3ErrorCode::InvalidStorageClass,
    }
}

#[cfg(test)]
mod tests;
