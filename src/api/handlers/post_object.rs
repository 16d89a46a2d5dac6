//! PostObject: a browser form upload (`POST /bucket`, `multipart/form-data`),
//! authenticated by the signed POST policy among its form fields.
//!
//! In order: the fields before the file are read ([`form`]); the policy's
//! signature names the caller ([`signature`]; no policy: anonymous); the
//! policy is checked against the fields ([`policy`]); the fields become
//! the headers of the PutObject the upload amounts to ([`headers`]), which
//! is then authorized and checked exactly as a PutObject; the file is
//! read to its end through the body checks (Content-MD5, checksums) into
//! a spool (its size is needed before the write, and checked against
//! `content-length-range`), then written as a PutObject writes. Every
//! refusal comes before the first byte of the answer.

use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::web;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use time::OffsetDateTime;

use super::object::{plan_put, write_put};
use crate::api::access;
use crate::api::body::{checked_body, checked_stream, declared_length, requested_checksum, Checks};
use crate::api::context::{Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::post_object::{form, headers, post_policy, signature};
use crate::api::router::Endpoint;
use crate::api::spool::spool;
use crate::object::service::MAX_PART_BYTES;

/// What a URL query value or path keeps as is: RFC 3986's unreserved
/// characters (and `/` in a path).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// PostObject: reads the form, authenticates and checks it, writes its
/// file as a PutObject would, and answers as the form asks (204 by
/// default, 200, 201 with a `PostResponse` document, or 303 to
/// `success_action_redirect`).
pub(crate) async fn handle(
    form_request: S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
    let r = &form_request;
    let boundary = form::boundary(r.header("content-type"))?;
    let checks = Checks {
        auth: &r.auth,
        declared: declared_length(r.headers(), &r.auth).ok(),
        idle: r.body_idle,
        requested: None,
    };
    let (body, _) = checked_body(payload, &HeaderMap::new(), checks)?;
    let form = form::read_form(body, &boundary).await?;
    let mut fields = form.fields;
    let key = match form::field(&fields, "key") {
        Some(k) if !k.is_empty() => {
            k.replace("${filename}", form.file.filename.as_deref().unwrap_or_default())
        }
        _ => {
            return Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
                .with_element("ArgumentName", "key")
                .with_element("ArgumentValue", ""))
        }
    };
    for (name, value) in &mut fields {
        if name == "key" {
            *value = key.clone();
        }
    }
    let signer = signature::signer(&fields, gw).await?;
    let policy = match form::field(&fields, "policy") {
        Some(p) => {
            let policy = post_policy::parse(p)?;
            policy.check(&fields, r.bucket(), OffsetDateTime::now_utc())?;
            Some(policy)
        }
        None => None,
    };
    // The form's file is a PutObject by the form's signer (anonymous
    // when it has none), authorized as one.
    let caller = signer.or_else(|| r.caller.clone());
    let headers = headers::object_headers(&r.headers, &fields)?;
    Endpoint::PutObject.check_headers(&headers)?;
    let r = access::authorize_put_form(form_request, caller, key, headers, gw).await?;
    let plan = plan_put(&r, gw).await?;

    let mut file_auth = r.auth.clone();
    file_auth.payload = crate::api::auth::sigv4::PayloadMode::Unsigned;
    let checks = Checks {
        auth: &file_auth,
        declared: None,
        idle: r.body_idle,
        requested: requested_checksum(r.headers())?,
    };
    let (mut file, slot) = checked_stream(form.file.data, r.headers(), checks)?;
    let (min, max) = policy
        .as_ref()
        .and_then(post_policy::PostPolicy::length_range)
        .unwrap_or((0, MAX_PART_BYTES));
    let spooled = spool(&mut file, max.min(MAX_PART_BYTES))
        .await
        .map_err(|e| match e.code {
            S3ErrorCode::EntityTooLarge => e
                .with_message("Your proposed upload exceeds the maximum allowed size")
                .with_element("MaxSizeAllowed", max.to_string()),
            _ => e,
        })?;
    if spooled.len < min {
        return Err(S3Error::new(S3ErrorCode::EntityTooSmall)
            .with_message("Your proposed upload is smaller than the minimum allowed size")
            .with_element("ProposedSize", spooled.len.to_string())
            .with_element("MinSizeAllowed", min.to_string()));
    }
    let size = spooled.len;
    let mut body = spooled.into_stream();
    let (mut resp, record) = write_put(&r, gw, plan, size, &mut body, &slot).await?;
    let etag = format!("\"{}\"", record.etag);
    let location = location(&r);
    resp.insert_header(("Location", location.clone()));
    let redirect = form::field(&fields, "success_action_redirect")
        .or_else(|| form::field(&fields, "redirect"))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    if let Some(url) = redirect {
        let sep = if url.contains('?') { '&' } else { '?' };
        let target = format!(
            "{url}{sep}bucket={}&key={}&etag={}",
            utf8_percent_encode(r.bucket(), UNRESERVED),
            utf8_percent_encode(r.key(), UNRESERVED),
            utf8_percent_encode(&etag, UNRESERVED)
        );
        resp.status(StatusCode::SEE_OTHER);
        resp.insert_header(("Location", target));
        return Ok(resp.finish());
    }
    match form::field(&fields, "success_action_status") {
        Some("200") => Ok(resp.finish()),
        Some("201") => {
            resp.status(StatusCode::CREATED);
            let doc = post_response(&location, r.bucket(), r.key(), &etag);
            Ok(resp.content_type("application/xml").body(doc))
        }
        _ => {
            resp.status(StatusCode::NO_CONTENT);
            Ok(resp.finish())
        }
    }
}

/// The object's URL, as the client addressed the bucket (path style or
/// virtual host).
fn location(r: &S3Request) -> String {
    let info = r.http.connection_info();
    let key = utf8_percent_encode(r.key(), PATH);
    let path = r.http.path().trim_end_matches('/');
    format!("{}://{}{path}/{key}", info.scheme(), info.host())
}

/// The `PostResponse` document of `success_action_status=201` (quotes
/// left as they are: the ETag reads `"…"`, as AWS writes it).
fn post_response(location: &str, bucket: &str, key: &str, etag: &str) -> String {
    use quick_xml::escape::partial_escape as escape;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
        escape(location),
        escape(bucket),
        escape(key),
        escape(etag)
    )
}
