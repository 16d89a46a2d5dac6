//! The app's side of [`super::framing`]: a request that arrived as HEAD is
//! given its method back before routing, and its answer loses its body
//! (keeping the length it would have had); the stand-in for a refused head
//! is answered with the S3 error.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ResponseHead, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, CONTENT_LENGTH};
use actix_web::http::Method;
use actix_web::middleware::Next;

use super::framing::{
    HEADER_SECTION_TOO_LARGE, HEAD_MARKER, HEAD_TIMEOUT, KEY_TOO_LONG,
    LENGTH_AND_TRANSFER_ENCODING, REFUSED_MARKER, RESERVED_HEADER, URI_TOO_LONG,
};
use crate::api::context::error_answer;
use crate::api::error::{S3Error, S3ErrorCode};

/// Middleware (`actix_web::middleware::from_fn(restore_head)`) for every
/// app behind [`super::serve`].
pub(crate) async fn restore_head(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(reason) = req.headers().get(REFUSED_MARKER) {
        let error = refusal(reason.to_str().unwrap_or_default());
        let answer = error_answer(req.method(), req.path(), error);
        return Ok(req.into_response(answer));
    }
    let was_head = req.headers_mut().remove(HEAD_MARKER).next().is_some();
    if was_head {
        req.head_mut().method = Method::HEAD;
    }
    let res = next.call(req).await?;
    Ok(if was_head {
        res.map_body(without_body)
    } else {
        res.map_into_boxed_body()
    })
}

/// The S3 error for a head the listener refused, by its reason.
fn refusal(reason: &str) -> S3Error {
    match reason {
        RESERVED_HEADER => S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message("Headers named x-predastore-* are reserved."),
        // The request line did not fit; a key is at most 1024 bytes.
        KEY_TOO_LONG => S3Error::new(S3ErrorCode::KeyTooLongError),
        URI_TOO_LONG => S3Error::new(S3ErrorCode::InvalidURI),
        LENGTH_AND_TRANSFER_ENCODING => S3Error::new(S3ErrorCode::InvalidRequest)
            .with_message("A request must not carry both Content-Length and Transfer-Encoding."),
        HEADER_SECTION_TOO_LARGE => S3Error::new(S3ErrorCode::RequestHeaderSectionTooLarge),
        HEAD_TIMEOUT => S3Error::new(S3ErrorCode::RequestTimeout),
        // Only the listener sets the marker, with one of the reasons above.
        _ => S3Error::new(S3ErrorCode::InvalidRequest),
    }
}

/// A HEAD answer: the GET answer's head with no body. The HTTP layer took
/// the request for a GET, so the length is sent as a header with an empty
/// body it will not count.
fn without_body(head: &mut ResponseHead, body: impl MessageBody + 'static) -> BoxBody {
    match body.size() {
        BodySize::Sized(0) | BodySize::None => BoxBody::new(()),
        size => {
            if let BodySize::Sized(n) = size {
                head.headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(n));
            }
            head.no_chunking(true);
            BoxBody::new(actix_web::body::BodyStream::new(futures::stream::empty::<
                Result<bytes::Bytes, std::convert::Infallible>,
            >()))
        }
    }
}
