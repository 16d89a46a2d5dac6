//! `Expect: 100-continue`: the client waits for a go-ahead before it sends
//! the body. A write into an object whose head already decides its refusal
//! (authentication, its route's arguments, a header the operation
//! refuses, a missing bucket, a bucket the caller may not write into) gets
//! its S3 error instead, so the client does not send gigabytes to be told
//! no. It asks the same router and the same access check as the S3
//! dispatcher, so the two cannot disagree on what the request is; and what
//! it found ([`Vetted`]) goes with the request to the dispatcher, which
//! then neither checks the signature nor reads the key and the bucket a
//! second time.

use actix_http::body::BoxBody;
use actix_http::{HttpMessage, Request, Response};
use actix_web::http::Method;
use actix_web::web;

use crate::api::access;
use crate::api::context::{authenticate_head, Authenticated};
use crate::api::context::{error_answer, Authorized, Gateway, Transport};
use crate::api::error::S3Error;
use crate::api::request::parse_tagging_header;
use crate::api::router::{Endpoint, Target};

/// A request head the 100-continue check let through: authenticated,
/// routed, its headers and access checked. Kept in the request's
/// extensions for the dispatcher.
pub(crate) struct Vetted {
    /// The authenticated head.
    pub head: Authenticated,
    /// The operation it names.
    pub endpoint: Endpoint,
    /// What the access check decided on and read (the operation's row,
    /// the bucket's record and policy).
    pub authorized: Authorized,
}

/// Lets `req` continue (with what was found in its extensions), or
/// answers it with the error it would end in.
pub(crate) async fn check_expect(
    req: Request,
    gateway: Option<web::Data<Gateway>>,
) -> Result<Request, Response<BoxBody>> {
    let Some(gw) = gateway else {
        return Ok(req);
    };
    match vet(&req, &gw).await {
        Ok(None) => Ok(req),
        Ok(Some(vetted)) => {
            req.extensions_mut().insert(vetted);
            Ok(req)
        }
        Err(e) => Err(error_answer(req.method(), req.path(), e).into()),
    }
}

/// What the head alone says: the error the request would be refused
/// with, else, for a write into an object, what was checked.
async fn vet(req: &Request, gw: &Gateway) -> Result<Option<Vetted>, S3Error> {
    let mut head = authenticate_head(req.method(), req.uri(), &req.head().headers, gw).await?;
    if head.bucket.is_none() || head.key.is_none() {
        return Ok(None);
    }
    if !matches!(*req.method(), Method::PUT | Method::POST) {
        return Ok(None);
    }
    let endpoint = Endpoint::route(&Target::of(req.method(), &head)).map_err(|e| e.error)?;
    endpoint.check_headers(&head.headers)?;
    if matches!(endpoint, Endpoint::PutObject | Endpoint::CopyObject) {
        if let Some(Err(e)) = head
            .headers
            .get("x-amz-tagging")
            .and_then(|v| v.to_str().ok())
            .map(parse_tagging_header)
        {
            return Err(e.into());
        }
    }
    let peer = req.peer_addr().map(|a| a.ip());
    let secure = req.conn_data::<Transport>().is_some_and(|t| t.secure);
    let authorized = access::authorize(&endpoint, &mut head, peer, secure, gw).await?;
    Ok(Some(Vetted {
        head,
        endpoint,
        authorized,
    }))
}
