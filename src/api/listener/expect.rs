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

use crate::api::access::{self, Checked};
use crate::api::context::{authenticate_head, Authenticated};
use crate::api::context::{error_answer, Gateway, Transport};
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
    /// What the access check read (the bucket's record and policy).
    pub checked: Option<Checked>,
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
    let (Some(bucket), Some(key)) = (&head.bucket, &head.key) else {
        return Ok(None);
    };
    if !matches!(*req.method(), Method::PUT | Method::POST) {
        return Ok(None);
    }
    let target = Target {
        method: req.method(),
        bucket: Some(bucket),
        key: Some(key),
        query: &head.query,
        headers: &head.headers,
    };
    let endpoint = Endpoint::route(&target).map_err(|e| e.error)?;
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
    let asker = access::Asker {
        caller: head.caller.as_ref(),
        headers: &head.headers,
        query: &head.query,
        peer: req.peer_addr().map(|a| a.ip()),
        secure: req.conn_data::<Transport>().is_some_and(|t| t.secure),
    };
    let read = head.bucket_record.take();
    let checked = access::check(&endpoint, bucket, Some(key), &asker, read, gw).await?;
    Ok(Some(Vetted {
        head,
        endpoint,
        checked,
    }))
}
