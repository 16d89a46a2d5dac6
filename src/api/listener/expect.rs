//! `Expect: 100-continue`: the client waits for a go-ahead before it sends
//! the body. A write into an object whose head already decides its refusal
//! (authentication, its route's arguments, a header the operation
//! refuses, a missing bucket, a bucket the caller may not write into) gets
//! its S3 error instead, so the client does not send gigabytes to be told
//! no. It asks the same router and the same access check as the S3
//! dispatcher, so the two cannot disagree on what the request is.

use actix_http::body::BoxBody;
use actix_http::{Request, Response};
use actix_web::http::Method;
use actix_web::web;

use crate::api::access;
use crate::api::auth::request::authenticate_head;
use crate::api::context::{error_answer, Gateway, Transport};
use crate::api::error::S3Error;
use crate::api::request::parse_tagging_header;
use crate::api::router::{Endpoint, Target};

/// Lets `req` continue, or answers it with the error it would end in.
pub(crate) async fn check_expect(
    req: Request,
    gateway: Option<web::Data<Gateway>>,
) -> Result<Request, Response<BoxBody>> {
    let Some(gw) = gateway else {
        return Ok(req);
    };
    match refusal(&req, &gw).await {
        None => Ok(req),
        Some(e) => Err(error_answer(req.method(), req.path(), e).into()),
    }
}

/// What the head alone says the request would be refused with.
async fn refusal(req: &Request, gw: &Gateway) -> Option<S3Error> {
    let head = match authenticate_head(req.method(), req.uri(), &req.head().headers, gw).await {
        Ok(head) => head,
        Err(e) => return Some(e),
    };
    let (Some(bucket), Some(key)) = (&head.bucket, &head.key) else {
        return None;
    };
    if !matches!(*req.method(), Method::PUT | Method::POST) {
        return None;
    }
    let target = Target {
        method: req.method(),
        bucket: Some(bucket),
        key: Some(key),
        query: &head.query,
        headers: &head.headers,
    };
    let endpoint = match Endpoint::route(&target) {
        Ok(endpoint) => endpoint,
        Err(e) => return Some(e.error),
    };
    if let Err(e) = endpoint.check_headers(&head.headers) {
        return Some(e);
    }
    if matches!(endpoint, Endpoint::PutObject | Endpoint::CopyObject) {
        if let Some(Err(e)) = head
            .headers
            .get("x-amz-tagging")
            .and_then(|v| v.to_str().ok())
            .map(parse_tagging_header)
        {
            return Some(e.into());
        }
    }
    let asker = access::Asker {
        caller: head.caller.as_ref(),
        headers: &head.headers,
        query: &head.query,
        peer: req.peer_addr().map(|a| a.ip()),
        secure: req.conn_data::<Transport>().is_some_and(|t| t.secure),
    };
    access::check(&endpoint, bucket, Some(key), &asker, gw)
        .await
        .err()
}
