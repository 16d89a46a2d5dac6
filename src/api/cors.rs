//! CORS preflight requests (`OPTIONS`), which browsers send unsigned
//! before a cross-origin request. No bucket has CORS rules yet, so a
//! well-formed preflight is refused as AWS refuses it for a bucket without
//! a CORS configuration; one without `Origin` is a bad request.

use actix_web::HttpRequest;

use super::error::{S3Error, S3ErrorCode};
use super::s3::S3Result;

/// Answers an `OPTIONS` request (never authenticated, as AWS).
pub(crate) fn preflight(req: &HttpRequest) -> S3Result {
    let headers = req.headers();
    if !headers.contains_key("origin") {
        return Err(S3Error::new(S3ErrorCode::BadRequest)
            .with_message("Insufficient information. Origin request header needed."));
    }
    if !headers.contains_key("access-control-request-method") {
        return Err(S3Error::new(S3ErrorCode::BadRequest)
            .with_message("Invalid Access-Control-Request-Method: null"));
    }
    Err(S3Error::new(S3ErrorCode::AccessForbidden)
        .with_message("CORSResponse: CORS is not enabled for this bucket."))
}
