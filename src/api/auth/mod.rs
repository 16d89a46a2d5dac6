//! Request authentication: AWS Signature Version 4 ([`sigv4`], header and
//! presigned URL), SigV2 ([`sigv2`], header and presigned URL), the
//! aws-chunked bodies whose chunks SigV4 signs ([`chunked`]), and a request
//! head authenticated as a whole ([`request`]).

pub(crate) mod chunked;
pub(crate) mod request;
pub(crate) mod sigv2;
pub(crate) mod sigv4;

/// What a client sees of an auth error: its S3 code, status and message.
#[cfg(test)]
pub(crate) mod testing {
    use crate::api::error::S3Error;

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
}
