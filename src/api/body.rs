//! A request body as the object path consumes it: aws-chunked framing
//! removed (every chunk signature checked), the length, payload SHA-256,
//! Content-MD5 and any `x-amz-checksum-*` (header or trailer) verified as
//! the bytes stream through. The stream ends (`None`) only after every
//! check passed; a failed check is its last item, so the object path never
//! commits a body that did not pass.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header::HeaderMap;
use actix_web::web;
use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

use super::auth::chunked::ChunkedDecoder;
use super::auth::sigv4::{AuthContext, PayloadHasher};
use super::checksum::{self, ChecksumAlgorithm, ChecksumError, Checksummer, Digests};
use super::error::{S3Error, S3ErrorCode};

/// What a body turned out to be, once it ended cleanly.
#[derive(Clone, Debug)]
pub(crate) struct BodySummary {
    /// MD5 (the ETag) and the requested checksum.
    pub digests: Digests,
}

/// Where the summary appears when the body has ended.
pub(crate) type SummarySlot = Arc<Mutex<Option<BodySummary>>>;

/// A body as handlers read it: the bytes, with every check applied as
/// they pass; a failed check is the last item.
pub(crate) type CheckedBody = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, S3Error>>>>;

pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn err(code: S3ErrorCode, message: impl Into<String>) -> S3Error {
    S3Error::new(code).with_message(message)
}

/// The checksum a request asks for: the algorithm, and the value when it
/// came as a header (a trailer's value arrives at the end).
pub(crate) fn requested_checksum(
    headers: &HeaderMap,
) -> Result<Option<(ChecksumAlgorithm, Option<String>)>, S3Error> {
    for alg in ChecksumAlgorithm::ALL {
        if let Some(v) = header(headers, alg.header_name()) {
            return Ok(Some((alg, Some(v.to_string()))));
        }
    }
    let named = header(headers, "x-amz-trailer")
        .and_then(ChecksumAlgorithm::from_header_name)
        .or_else(|| {
            header(headers, "x-amz-sdk-checksum-algorithm")
                .or_else(|| header(headers, "x-amz-checksum-algorithm"))
                .and_then(|a| a.parse().ok())
        });
    Ok(named.map(|alg| (alg, None)))
}

/// The declared object length: the decoded length for aws-chunked bodies,
/// else Content-Length. S3 needs it up front.
pub(crate) fn declared_length(headers: &HeaderMap, auth: &AuthContext) -> Result<u64, S3Error> {
    let name = if auth.payload.is_chunked() {
        "x-amz-decoded-content-length"
    } else {
        "content-length"
    };
    match header(headers, name) {
        Some(v) => v.trim().parse().map_err(|_| {
            err(
                S3ErrorCode::InvalidArgument,
                format!("{name} is not a number"),
            )
        }),
        None => Err(S3Error::new(S3ErrorCode::MissingContentLength)),
    }
}

/// What a body is checked against besides `Content-MD5`.
pub(crate) struct Checks<'a> {
    /// How the request was signed (aws-chunked framing, payload hash).
    pub auth: &'a AuthContext,
    /// The exact length it must have, when known.
    pub declared: Option<u64>,
    /// Longest pause between two pieces.
    pub idle: Duration,
    /// The checksum to compute (and its value, when sent as a header):
    /// usually [`requested_checksum`]; none for a body whose
    /// `x-amz-checksum-*` headers are not its own (CompleteMultipartUpload
    /// names the object's).
    pub requested: Option<(ChecksumAlgorithm, Option<String>)>,
}

/// Wraps `payload` in every check the request's headers and `checks` ask
/// for.
pub(crate) fn checked_body(
    payload: web::Payload,
    headers: &HeaderMap,
    checks: Checks<'_>,
) -> Result<(CheckedBody, SummarySlot), S3Error> {
    let raw = payload
        .map(|piece| piece.map_err(|e| err(S3ErrorCode::IncompleteBody, format!("body: {e}"))));
    checked_stream(Box::pin(raw), headers, checks)
}

/// [`checked_body`] for a body that is not the request's own payload (the
/// file of a form upload), its failures already S3 errors.
pub(crate) fn checked_stream(
    payload: CheckedBody,
    headers: &HeaderMap,
    checks: Checks<'_>,
) -> Result<(CheckedBody, SummarySlot), S3Error> {
    let Checks {
        auth,
        declared,
        idle,
        requested,
    } = checks;
    let decoder = ChunkedDecoder::for_auth(auth)?;
    let sha = PayloadHasher::for_mode(&auth.payload)?;
    let content_md5 = header(headers, "content-md5").map(str::to_string);
    if let Some(v) = &content_md5 {
        checksum::parse_content_md5(v)?;
    }
    if let Some((alg, Some(v))) = &requested {
        checksum::parse_checksum(*alg, v)?;
    }
    let slot: SummarySlot = Arc::new(Mutex::new(None));
    let state = BodyState {
        idle,
        payload,
        decoder,
        sha,
        hasher: Checksummer::new(requested.as_ref().map(|(a, _)| *a)),
        requested,
        content_md5,
        declared,
        seen: 0,
        buf: BytesMut::new(),
        out: Vec::new().into_iter(),
        done: false,
        slot: slot.clone(),
    };
    let stream = futures::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        match s.next().await {
            Ok(Some(chunk)) => Some((Ok(chunk), s)),
            Ok(None) => None,
            Err(e) => {
                s.done = true;
                Some((Err(e), s))
            }
        }
    });
    Ok((Box::pin(stream), slot))
}

struct BodyState {
    payload: CheckedBody,
    decoder: Option<ChunkedDecoder>,
    sha: Option<PayloadHasher>,
    hasher: Checksummer,
    requested: Option<(ChecksumAlgorithm, Option<String>)>,
    content_md5: Option<String>,
    declared: Option<u64>,
    seen: u64,
    /// How long the client may pause between chunks.
    idle: Duration,
    buf: BytesMut,
    out: std::vec::IntoIter<Bytes>,
    done: bool,
    slot: SummarySlot,
}

impl BodyState {
    async fn next(&mut self) -> Result<Option<Bytes>, S3Error> {
        loop {
            if let Some(chunk) = self.out.next() {
                self.seen += chunk.len() as u64;
                if self.declared.is_some_and(|d| self.seen > d) {
                    return Err(err(
                        S3ErrorCode::IncompleteBody,
                        "The body is longer than declared.",
                    ));
                }
                if let Some(sha) = &mut self.sha {
                    sha.update(&chunk);
                }
                self.hasher.update(&chunk);
                return Ok(Some(chunk));
            }
            let raw = match tokio::time::timeout(self.idle, self.payload.next()).await {
                Err(_) => return Err(S3Error::new(S3ErrorCode::RequestTimeout)),
                Ok(Some(Err(e))) => return Err(e),
                Ok(Some(Ok(raw))) => raw,
                Ok(None) => return self.finish().map(|()| None),
            };
            match &mut self.decoder {
                None => self.out = vec![raw].into_iter(),
                Some(decoder) => {
                    self.buf.extend_from_slice(&raw);
                    let decoded = decoder.push(&mut self.buf)?;
                    self.out = decoded.into_iter();
                }
            }
        }
    }

    /// The body ended: every check, then the summary.
    fn finish(&mut self) -> Result<(), S3Error> {
        self.done = true;
        let trailers = match self.decoder.take() {
            Some(d) => Some(d.finish()?),
            None => None,
        };
        if self.declared.is_some_and(|d| self.seen != d) {
            return Err(err(
                S3ErrorCode::IncompleteBody,
                "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            ));
        }
        if let Some(sha) = self.sha.take() {
            sha.finish()?;
        }
        let hasher = std::mem::replace(&mut self.hasher, Checksummer::new(None));
        let digests = hasher.finish();
        if let Some(v) = &self.content_md5 {
            // Its format was checked before the body was read, so only a
            // mismatch is left.
            checksum::verify_content_md5(v, &digests.md5)?;
        }
        if let (Some((alg, given)), Some((_, computed))) = (&self.requested, &digests.checksum) {
            let trailer = trailers.as_ref().and_then(|t| t.get(alg.header_name()));
            if let Some(expected) = given.as_deref().or(trailer) {
                let verified = checksum::verify_checksum(*alg, expected, computed);
                if given.is_some() {
                    verified?;
                } else {
                    verified.map_err(ChecksumError::in_trailer)?;
                }
            }
        }
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(BodySummary { digests });
        }
        Ok(())
    }
}
