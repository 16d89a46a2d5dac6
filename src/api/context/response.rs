//! How every S3 answer is shaped: XML bodies, the S3 error document for a
//! refused request (no body for HEAD and 304), and the `x-amz-request-id`
//! header each answer carries, counted in the request metrics.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::api::error::{S3Error, S3ErrorCode};
use crate::metrics;

/// What handlers return: an answer, or the S3 error the dispatcher turns
/// into an error document.
pub(crate) type S3Result = Result<HttpResponse, S3Error>;

/// An XML answer.
pub(crate) fn xml(status: StatusCode, body: String) -> HttpResponse {
    HttpResponseBuilder::new(status)
        .content_type("application/xml")
        .body(body)
}

/// A fresh request id: 16 upper-case hex digits, as AWS's look.
pub(crate) fn request_id() -> String {
    format!("{:016X}", rand::random::<u64>())
}

/// Puts `id` on the answer as `x-amz-request-id`.
pub(crate) fn set_request_id(response: &mut HttpResponse, id: &str) {
    if let Ok(v) = HeaderValue::from_str(id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-amz-request-id"), v);
    }
}

/// The answer to a request refused before it reached the S3 handler (by
/// the listener), with its own request id, counted as S3's are.
pub(crate) fn error_answer(method: &Method, path: &str, e: S3Error) -> HttpResponse {
    let id = request_id();
    let mut response = error_response(method, path, e, &id);
    set_request_id(&mut response, &id);
    metrics::S3_REQUESTS
        .with_label_values(&["Unauthenticated", response.status().as_str()])
        .inc();
    response
}

/// The S3 XML error document for `e` (no body for HEAD and 304), with its
/// status and headers.
pub(crate) fn error_response(
    method: &Method,
    path: &str,
    mut e: S3Error,
    id: &str,
) -> HttpResponse {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut b = HttpResponse::build(status);
    for (name, value) in &e.headers {
        b.insert_header((*name, value.as_str()));
    }
    if e.code == S3ErrorCode::NotModified || method == Method::HEAD {
        return b.finish();
    }
    if e.resource.is_none() {
        e.resource = Some(path.to_string());
    }
    b.content_type("application/xml").body(e.to_xml(id))
}
