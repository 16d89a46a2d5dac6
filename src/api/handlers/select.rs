//! SelectObjectContent (`POST /<bucket>/<key>?select&select-type=2`): an
//! SQL expression over the object's CSV or JSON records, answered as an
//! event stream. Everything that can be refused is refused before the
//! first byte (the request, the expression, the object, its key); a bad
//! record met later ends the stream with an error event, as AWS does.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use bytes::Bytes;
use futures::StreamExt;

use super::body::small_body;
use super::encryption::read_key;
use super::object::{current_object, readable_data};
use crate::api::access::require_object;
use crate::api::context::{Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::select::{parse_select_request, SelectRequestError};
use crate::metrics;
use crate::select::{Select, SelectError, SelectErrorKind};

/// Largest request body read (the expression's limit and the rest).
const MAX_SELECT_BODY: u64 = 512 << 10;

/// S3's code for each way a query fails.
fn code_of(kind: SelectErrorKind) -> S3ErrorCode {
    match kind {
        SelectErrorKind::ParseUnexpectedToken => S3ErrorCode::ParseUnexpectedToken,
        SelectErrorKind::UnsupportedSyntax => S3ErrorCode::UnsupportedSyntax,
        SelectErrorKind::UnsupportedFunction => S3ErrorCode::UnsupportedFunction,
        SelectErrorKind::InvalidArguments => S3ErrorCode::EvaluatorInvalidArguments,
        SelectErrorKind::CastFailed => S3ErrorCode::CastFailed,
        SelectErrorKind::CsvParsing => S3ErrorCode::CSVParsingError,
        SelectErrorKind::JsonParsing => S3ErrorCode::JSONParsingError,
        SelectErrorKind::InvalidCompression => S3ErrorCode::InvalidCompressionFormat,
        SelectErrorKind::RecordTooLarge => S3ErrorCode::OverMaxRecordSize,
        SelectErrorKind::ExpressionTooLong => S3ErrorCode::ExpressionTooLong,
        SelectErrorKind::Read | SelectErrorKind::Framing => S3ErrorCode::InternalError,
    }
}

fn select_error(e: SelectError) -> S3Error {
    S3Error::new(code_of(e.kind)).with_message(e.message)
}

fn request_error(e: SelectRequestError) -> S3Error {
    match e {
        SelectRequestError::Xml(_) => S3Error::new(S3ErrorCode::MalformedXML),
        SelectRequestError::ExpressionType(t) => S3Error::new(S3ErrorCode::InvalidExpressionType)
            .with_message(format!(
                "The ExpressionType '{t}' is invalid. Only SQL expressions are supported."
            )),
        SelectRequestError::NotImplemented(what) => S3Error::new(S3ErrorCode::NotImplemented)
            .with_message(format!("{what} is not supported by this store's S3 Select")),
        SelectRequestError::InvalidValue(name, value) => {
            S3Error::new(S3ErrorCode::InvalidRequestParameter)
                .with_message(format!("The value '{value}' of {name} is invalid."))
        }
    }
}

/// SelectObjectContent on the object's current version.
pub(crate) async fn select(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let body = small_body(r, payload, MAX_SELECT_BODY).await?;
    let spec = parse_select_request(&body).map_err(request_error)?;
    let select = Select::prepare(spec).map_err(select_error)?;
    let o = current_object(r, gw).await?;
    require_object(r, &o)?;
    let (data_key, _) = read_key(r, gw, &o)?;
    let data = readable_data(gw, &o, 0..o.size, data_key.as_ref()).await?;
    let frames = select
        .run(data, |kind| code_of(kind).as_str())
        .map(|frame| {
            metrics::S3_BYTES_OUT.inc_by(frame.len() as u64);
            Ok::<Bytes, actix_web::Error>(frame)
        });
    Ok(HttpResponse::build(StatusCode::OK)
        .content_type("application/octet-stream")
        .streaming(frames))
}
