//! What a client sees of an error, for the unit tests of the layers whose
//! errors map onto S3 errors (authentication, aws-chunked bodies): its S3
//! code, HTTP status and message.

use super::s3_error::S3Error;

/// The S3 error code the error answers with.
pub(crate) fn s3_code(e: impl Into<S3Error>) -> &'static str {
    e.into().code.as_str()
}

/// The HTTP status the error answers with.
pub(crate) fn http_status(e: impl Into<S3Error>) -> u16 {
    e.into().http_status()
}

/// The `Message` element of the error.
pub(crate) fn s3_message(e: impl Into<S3Error>) -> String {
    e.into().message
}
