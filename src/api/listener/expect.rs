//! `Expect: 100-continue`: the client waits for a go-ahead before it sends
//! the body. A request that would be refused for what its head already says
//! (authentication, a missing bucket, a bucket the caller may not write
//! into, a header the store refuses) gets its
//! S3 error instead, so the client does not send gigabytes to be told no.

use actix_http::body::BoxBody;
use actix_http::{Request, Response};
use actix_web::http::Method;
use actix_web::web;

use crate::api::auth::request::authenticate_head;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::{check_unsupported_headers, parse_tagging_header, HeaderScope};
use crate::api::s3::{error_answer, Gateway};
use crate::storage::meta::acl::Permission;

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
    let (Some(bucket), Some(_)) = (&head.bucket, &head.key) else {
        return None;
    };
    if !matches!(*req.method(), Method::PUT | Method::POST) {
        return None;
    }
    let creates = *req.method() == Method::PUT
        && !head
            .query
            .iter()
            .any(|(k, _)| k == "uploadId" || k == "tagging");
    if creates {
        let headers = head
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
        if let Err(e) = check_unsupported_headers(headers, HeaderScope::Create) {
            return Some(e.into());
        }
        if let Some(Err(e)) = head
            .headers
            .get("x-amz-tagging")
            .and_then(|v| v.to_str().ok())
            .map(parse_tagging_header)
        {
            return Some(e.into());
        }
    }
    let bucket = match gw.objects.bucket_precheck(bucket).await {
        Ok(b) => b,
        Err(e) => return Some(e.into()),
    };
    // A body that writes into the bucket (not an object's ACL).
    let writes = !head.query.iter().any(|(k, _)| k == "acl");
    let caller = head.caller.as_ref().map(|c| c.user_id.as_str());
    (writes && !bucket.acl.allows(&bucket.owner, caller, Permission::Write))
        .then(|| S3Error::new(S3ErrorCode::AccessDenied))
}
