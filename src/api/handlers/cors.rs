//! CORS: a bucket's rules (Get/Put/DeleteBucketCors), the preflight
//! (`OPTIONS`, never authenticated) answered from them, and the
//! `Access-Control-*` headers put on every answer to a request from an
//! allowed origin, errors and presigned requests included.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::body::small_body;
use crate::api::context::address;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::cors::{cors_to_xml, parse_cors, CorsParseError};
use crate::storage::meta::cors::{matching_rule, CorsRule};

/// Largest `CORSConfiguration` body.
const MAX_CORS_BODY: u64 = 64 << 10;

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The bucket a request names, if any.
fn bucket_of(req: &HttpRequest, gw: &Gateway) -> Option<String> {
    let host = header(req, "host").unwrap_or_default();
    address(req.uri().path(), host, gw.domain.as_deref())
        .ok()?
        .0
}

fn set(resp: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// The headers every answer to an allowed origin carries.
fn allow(resp: &mut HttpResponse, rule: &CorsRule, origin: &str) {
    let allowed = if rule.any_origin() { "*" } else { origin };
    set(resp, "access-control-allow-origin", allowed);
    if !rule.any_origin() {
        set(resp, "access-control-allow-credentials", "true");
    }
    set(
        resp,
        "access-control-allow-methods",
        &rule.allowed_methods.join(", "),
    );
    if !rule.expose_headers.is_empty() {
        set(
            resp,
            "access-control-expose-headers",
            &rule.expose_headers.join(", "),
        );
    }
    if let Some(age) = rule.max_age_seconds {
        set(resp, "access-control-max-age", &age.to_string());
    }
    set(
        resp,
        "vary",
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    );
}

/// Answers an `OPTIONS` preflight from the bucket's rules: `200` with the
/// `Access-Control-*` headers when a rule allows the origin, method and
/// headers asked for, else `403` (as AWS).
pub(crate) async fn preflight(req: &HttpRequest, gw: &Gateway) -> S3Result {
    let Some(origin) = header(req, "origin") else {
        return Err(S3Error::new(S3ErrorCode::BadRequest)
            .with_message("Insufficient information. Origin request header needed."));
    };
    let Some(method) = header(req, "access-control-request-method") else {
        return Err(S3Error::new(S3ErrorCode::BadRequest)
            .with_message("Invalid Access-Control-Request-Method: null"));
    };
    let forbidden = |m: &str| {
        S3Error::new(S3ErrorCode::AccessForbidden).with_message(format!("CORSResponse: {m}"))
    };
    let Some(bucket) = bucket_of(req, gw) else {
        return Err(forbidden("CORS is not enabled for this bucket."));
    };
    let record = gw.objects.bucket_precheck(&bucket).await?;
    if record.cors.is_empty() {
        return Err(forbidden("CORS is not enabled for this bucket."));
    }
    let asked: Vec<&str> = header(req, "access-control-request-headers")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let Some(rule) = matching_rule(&record.cors, origin, method, &asked) else {
        return Err(forbidden(
            "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        ));
    };
    let mut resp = HttpResponse::Ok().finish();
    allow(&mut resp, rule, origin);
    if !asked.is_empty() {
        set(&mut resp, "access-control-allow-headers", &asked.join(", "));
    }
    Ok(resp)
}

/// Puts the `Access-Control-*` headers on the answer to a request from
/// an origin the bucket's rules allow (whatever the answer is).
pub(crate) async fn decorate(resp: &mut HttpResponse, req: &HttpRequest, gw: &Gateway) {
    let Some(origin) = header(req, "origin") else {
        return;
    };
    let Some(bucket) = bucket_of(req, gw) else {
        return;
    };
    let Ok(record) = gw.objects.bucket_precheck(&bucket).await else {
        return;
    };
    if let Some(rule) = matching_rule(&record.cors, origin, req.method().as_str(), &[]) {
        allow(resp, rule, origin);
    }
}

/// GetBucketCors: `NoSuchCORSConfiguration` when the bucket has none.
pub(crate) async fn get_bucket(r: &S3Request, gw: &Gateway) -> S3Result {
    let b = gw.objects.bucket(r.bucket()).await?;
    if b.cors.is_empty() {
        return Err(S3Error::new(S3ErrorCode::NoSuchCORSConfiguration)
            .with_resource(format!("/{}", b.name)));
    }
    Ok(xml(StatusCode::OK, cors_to_xml(&b.cors)))
}

/// PutBucketCors: replaces the bucket's CORS rules with the body's.
pub(crate) async fn put_bucket(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    let body = small_body(r, payload, MAX_CORS_BODY).await?;
    let rules = parse_cors(&body).map_err(|e| match e {
        CorsParseError::Xml(e) => S3Error::from(e),
        CorsParseError::Invalid(m) => S3Error::new(S3ErrorCode::InvalidRequest).with_message(m),
    })?;
    gw.objects.put_bucket_cors(r.bucket(), rules).await?;
    Ok(HttpResponse::Ok().finish())
}

/// DeleteBucketCors (204, as AWS).
pub(crate) async fn delete_bucket(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.put_bucket_cors(r.bucket(), Vec::new()).await?;
    Ok(HttpResponse::NoContent().finish())
}
