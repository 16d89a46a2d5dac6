//! Request authentication: AWS Signature Version 4 ([`sigv4`], header and
//! presigned URL), SigV2 ([`sigv2`], header and presigned URL), the
//! aws-chunked bodies whose chunks SigV4 signs ([`chunked`]), and a request
//! head authenticated as a whole ([`request`]).
//!
//! Every check returns an error of its own module ([`sigv4::AuthError`],
//! [`chunked::ChunkedError`]); `api::error` maps each onto the S3 code and
//! message in an exhaustive match and imports nothing else from here. Only
//! [`request`], which answers the gateway, speaks in S3 errors.

pub(crate) mod chunked;
pub(crate) mod request;
pub(crate) mod sigv2;
pub(crate) mod sigv4;
