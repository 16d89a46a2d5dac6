//! Reading a request's body in a handler: an upload's body streamed with
//! its length found (spooled when a plain chunked body declares none), or
//! a small XML document read whole. Both run the same checks
//! ([`crate::api::body`]): aws-chunked signatures, length, Content-MD5,
//! `x-amz-checksum-*`.

use actix_web::http::header::HeaderMap;
use actix_web::web;
use futures::StreamExt;

use crate::api::body::{
    checked_body, declared_length, header, requested_checksum, CheckedBody, Checks, SummarySlot,
};
use crate::api::checksum::ChecksumAlgorithm;
use crate::api::context::S3Request;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::spool::spool;

/// An upload's body, checked, and its length: declared by the request,
/// or, for a plain chunked body that declares none, found by reading it to
/// its end first ([`crate::api::spool`]; at most `limit` bytes). With
/// `required`, the body is hashed with that checksum algorithm whether or
/// not the request names one, and naming another is refused (a part of
/// an upload created with a checksum algorithm).
pub(crate) async fn upload_body(
    r: &S3Request,
    payload: web::Payload,
    limit: u64,
    required: Option<ChecksumAlgorithm>,
) -> Result<(u64, CheckedBody, SummarySlot), S3Error> {
    let headers = r.headers();
    let mut requested = requested_checksum(headers)?;
    if let Some(want) = required {
        match &requested {
            Some((alg, _)) if *alg != want => {
                return Err(S3Error::new(S3ErrorCode::InvalidRequest).with_message(format!(
                        "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                        want.as_str().to_ascii_lowercase(),
                        alg.as_str().to_ascii_lowercase()
                    ),
                ))
            }
            Some(_) => {}
            None => requested = Some((want, None)),
        }
    }
    let check = |declared| Checks {
        auth: &r.auth,
        declared,
        idle: r.body_idle,
        requested: requested.clone(),
    };
    match declared_length(headers, &r.auth) {
        Ok(size) => {
            let (body, slot) = checked_body(payload, headers, check(Some(size)))?;
            Ok((size, body, slot))
        }
        Err(e) if e.code == S3ErrorCode::MissingContentLength && is_plain_chunked(headers) => {
            let (mut body, slot) = checked_body(payload, headers, check(None))?;
            let spooled = spool(&mut body, limit).await?;
            Ok((spooled.len, spooled.into_stream(), slot))
        }
        Err(e) => Err(e),
    }
}

/// Whether the body comes with HTTP chunked framing alone (no
/// `aws-chunked` encoding, which declares its decoded length).
fn is_plain_chunked(headers: &HeaderMap) -> bool {
    header(headers, "transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"))
}

/// Reads a small request body (an XML document) whole, up to `max`
/// bytes, with the same checks as object bodies.
pub(crate) async fn small_body(
    r: &S3Request,
    payload: web::Payload,
    max: u64,
) -> Result<bytes::Bytes, S3Error> {
    read_small_body(r, payload, max, true).await
}

/// Like [`small_body`], for a CompleteMultipartUpload, whose
/// `x-amz-checksum-*` headers are the object's checksum, not its body's.
pub(crate) async fn complete_body(
    r: &S3Request,
    payload: web::Payload,
    max: u64,
) -> Result<bytes::Bytes, S3Error> {
    read_small_body(r, payload, max, false).await
}

async fn read_small_body(
    r: &S3Request,
    payload: web::Payload,
    max: u64,
    body_checksum: bool,
) -> Result<bytes::Bytes, S3Error> {
    let declared = declared_length(r.headers(), &r.auth).ok();
    if declared.is_some_and(|d| d > max) {
        return Err(S3Error::new(S3ErrorCode::MaxMessageLengthExceeded));
    }
    let requested = if body_checksum {
        requested_checksum(r.headers())?
    } else {
        None
    };
    let checks = Checks {
        auth: &r.auth,
        declared,
        idle: r.body_idle,
        requested,
    };
    let (mut body, _) = checked_body(payload, r.headers(), checks)?;
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out.freeze())
}
