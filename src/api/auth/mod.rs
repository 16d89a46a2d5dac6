//! Request authentication: AWS Signature Version 4 ([`sigv4`], header and
//! presigned URL), SigV2 ([`sigv2`], header and presigned URL), the
//! aws-chunked bodies whose chunks SigV4 signs ([`chunked`]). A request
//! head is authenticated as a whole one floor up, in `context::identity`
//! (it reads the gateway's keys).
//!
//! Every check returns an error of its own module ([`sigv4::AuthError`],
//! [`chunked::ChunkedError`]); `api::error` maps each onto the S3 code and
//! message in an exhaustive match. Nothing here speaks in S3 errors.

pub(crate) mod chunked;
pub(crate) mod sigv2;
pub(crate) mod sigv4;
