//! AWS Signature Version 4 verification for the S3 API.
//!
//! This module checks requests signed with `AWS4-HMAC-SHA256`, either through
//! the `Authorization` header or through presigned-URL query parameters, the
//! way Amazon S3 does it:
//!
//! * the canonical URI is the request path as received, with every segment
//!   percent-decoded once and re-encoded with the AWS unreserved set (no
//!   double encoding, no `.`/`..`/`//` normalisation);
//! * query parameters are decoded, re-encoded with the same set and sorted by
//!   encoded name, then value (`X-Amz-Signature` left out for presigned URLs);
//! * only the signed headers are canonicalised, their values trimmed and
//!   inner runs of spaces collapsed, duplicate headers joined with `,`;
//! * the payload hash is the `x-amz-content-sha256` header value for header
//!   authentication and `UNSIGNED-PAYLOAD` for presigned URLs.
//!
//! It is independent of any HTTP framework: the caller describes the request
//! with [`RequestParts`] and gets an [`AuthContext`] (with the signing key and
//! seed signature needed by the `chunked` module) or an [`AuthError`] saying
//! what is wrong (`api::error` turns it into the S3 error).
//!
//! Files: `scheme` (fixed strings and limits), `parts` (the request as
//! strings), `date`, `header` (the `Authorization` header), `presigned`
//! (the `X-Amz-*` query), `canonical` (canonical request, string to sign),
//! `signing` (key derivation), `payload` (`x-amz-content-sha256`), `error`,
//! `verify` (the checks, in order), and `presign` (the other direction:
//! signing a URL for the console). Each imports its siblings directly; this
//! file only declares and re-exports.

mod canonical;
mod date;
mod error;
mod header;
mod parts;
mod payload;
mod presign;
mod presigned;
mod scheme;
mod sign;
mod signing;
#[cfg(test)]
mod tests;
mod verify;

pub(crate) use date::{format_amz_date, parse_http_date};
pub(crate) use error::{AuthError, MalformedHeader, MalformedQuery};
pub(crate) use header::{AuthorizationHeader, Credential};
pub(crate) use parts::RequestParts;
pub(crate) use payload::{PayloadHasher, PayloadMode};
pub(crate) use presign::{presign, PresignRequest};
pub(crate) use presigned::PresignedParams;
pub(crate) use scheme::{ALGORITHM, EMPTY_SHA256, SERVICE};
pub(crate) use sign::{sign_headers, HeaderSignRequest};
pub(crate) use signing::SigningKey;
pub(crate) use verify::{detect_auth_kind, verify, verify_query_api, AuthContext, AuthKind};

// Named only by the fuzzing entry points (compiled in tests too).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use canonical::{canonical_request, string_to_sign};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use date::parse_amz_date;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use scheme::{MAX_PRESIGNED_EXPIRES, UNSIGNED_PAYLOAD};
