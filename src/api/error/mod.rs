//! S3 error responses: the code, HTTP status and message AWS uses
//! ([`S3ErrorCode`]), the error a request is answered with
//! ([`S3Error`]), and how the errors of the layers below (authentication,
//! request headers, checksums, metadata, the object service) map onto them,
//! each in an exhaustive match. The `<Error>` document is rendered by
//! `api::xml`, which imports this module; this module imports no markup.
//!
//! SDKs decide retries and raise typed exceptions from the `Code` element and
//! the status alone, so both must be exactly AWS's; the message is for humans
//! and may be replaced with something more specific.
//!
//! Some conditions have no code of their own in AWS, and clients expect the
//! code AWS uses instead:
//! - an expired presigned URL is `AccessDenied` with the message
//!   `Request has expired` (AWS's answer to an `X-Amz-Expires` in the past);
//!   [`S3ErrorCode::ExpiredToken`] is for expired session tokens only;
//! - more than 10,000 parts, or a part number outside 1..=10,000, is
//!   `InvalidArgument` (there is no `TooManyParts`);
//! - a body that does not match an `x-amz-checksum-*` value is `BadDigest`
//!   (as for `Content-MD5`); a malformed or unknown checksum header is
//!   `InvalidRequest`.

mod auth;
mod checksum;
mod code;
mod meta;
mod object;
mod request;
mod s3_error;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub(crate) use auth::in_region;
pub use code::S3ErrorCode;
pub(crate) use s3_error::S3Error;
