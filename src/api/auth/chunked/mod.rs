//! Incremental decoder for `Content-Encoding: aws-chunked` request bodies.
//!
//! S3 clients stream uploads in the aws-chunked framing when
//! `x-amz-content-sha256` is one of the `STREAMING-*` values:
//!
//! ```text
//! signed:    <hex-size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n\r\n
//! + trailer: ... 0;chunk-signature=<sig>\r\n<name>:<value>\r\n x-amz-trailer-signature:<sig>\r\n\r\n
//! unsigned:  <hex-size>\r\n<data>\r\n ... 0\r\n<name>:<value>\r\n\r\n
//! ```
//!
//! Each chunk signature is the HMAC, under the request's signing key, of
//! `AWS4-HMAC-SHA256-PAYLOAD\n<amz-date>\n<scope>\n<previous-signature>\n
//! <sha256("")>\n<sha256(chunk-data)>`, chained from the request (seed)
//! signature; the trailer signature uses `AWS4-HMAC-SHA256-TRAILER` and the
//! hash of the canonical trailers (`name:value\n` each).
//!
//! [`ChunkedDecoder`] is push-style and works with input split at any byte.
//! It never copies payload: data comes out as `Bytes` slices of the caller's
//! buffer. Only an incomplete header or trailer line is left in that buffer
//! (bounded by [`MAX_LINE_LEN`]). Because data is handed out before the end
//! of its chunk is reached, a chunk is only known to be authentic once a
//! later `push` (or [`ChunkedDecoder::finish`]) has returned `Ok`: callers
//! must not commit an object before `finish` succeeds.
//!
//! Files: `format` (the variants, framing constants and limits), `error`
//! (why a body is refused), `signer` (the chunk-signature chain) and
//! `decoder` (the state machine). This file only declares and re-exports.

mod decoder;
mod error;
mod format;
mod signer;
#[cfg(test)]
mod tests;

pub(crate) use decoder::ChunkedDecoder;
pub(crate) use error::{ChunkedError, FramingError, TrailerError};

// Named only by the fuzzing entry points (compiled in tests too).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use format::MAX_LINE_LEN;
