//! Server-side encryption at the HTTP edge: the encryption a write asks
//! for and the customer key a request gives (SSE-C only over HTTPS, unless
//! `PREDASTORE_SSE_C_ALLOW_HTTP` is set for tests), the headers an answer
//! reports, and a bucket's default encryption
//! (Put/Get/DeleteBucketEncryption).

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, HttpResponseBuilder};
use base64::Engine as _;

use super::body::small_body;
use crate::api::access::bucket_of;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::sse::{
    customer_key, refuse_write_encryption, write_encryption, COPY_SOURCE_CUSTOMER, CUSTOMER,
    KMS_KEY_ID_HEADER, SSE_HEADER,
};
use crate::api::request::HeaderError;
use crate::api::xml::encryption::{encryption_to_xml, parse_encryption};
use crate::object::sse::{CustomerKey, DataKey, SseRequest};
use crate::storage::meta::encryption::{Encryption, SseMode};
use crate::storage::meta::{MultipartUpload, ObjectRecord};

/// Largest ServerSideEncryptionConfiguration body.
const MAX_CONFIG_BODY: u64 = 64 << 10;

/// SSE-C keys travel in request headers: only over TLS, unless the
/// operator allowed plain HTTP for tests. Checked before the key itself,
/// so a client that sent one in clear is told so first.
fn require_secure(r: &S3Request, gw: &Gateway, prefix: &str) -> Result<(), S3Error> {
    let sent = r.headers().keys().any(|h| h.as_str().starts_with(prefix));
    if !sent || r.secure() || gw.sse_c_over_http {
        Ok(())
    } else {
        Err(HeaderError::CustomerKeyOverHttp.into())
    }
}

/// The encryption a write (PutObject, CopyObject's target,
/// CreateMultipartUpload) asks for with its headers.
pub(crate) fn write_sse(r: &S3Request, gw: &Gateway) -> Result<SseRequest, S3Error> {
    require_secure(r, gw, CUSTOMER)?;
    Ok(write_encryption(|n| r.header(n))?)
}

/// The customer key the SSE-C headers under `prefix` give.
fn request_customer_key(
    r: &S3Request,
    gw: &Gateway,
    prefix: &str,
) -> Result<Option<CustomerKey>, S3Error> {
    require_secure(r, gw, prefix)?;
    Ok(customer_key(|n| r.header(n), prefix)?)
}

/// The data key to read `o` with (GET, HEAD, GetObjectAttributes) and the
/// customer key the request gave: a read names no encryption of its own,
/// and an SSE-C object needs its key.
pub(crate) fn read_key(
    r: &S3Request,
    gw: &Gateway,
    o: &ObjectRecord,
) -> Result<(Option<DataKey>, Option<CustomerKey>), S3Error> {
    refuse_write_encryption(|n| r.header(n))?;
    let customer = request_customer_key(r, gw, CUSTOMER)?;
    let key = gw
        .objects
        .open_key(o.encryption.as_ref(), customer.as_ref())?;
    Ok((key, customer))
}

/// The data key of a copy's source (its key given by the
/// `x-amz-copy-source-server-side-encryption-customer-*` headers when it
/// is an SSE-C object).
pub(crate) fn source_key(
    r: &S3Request,
    gw: &Gateway,
    src: &ObjectRecord,
) -> Result<Option<DataKey>, S3Error> {
    let customer = request_customer_key(r, gw, COPY_SOURCE_CUSTOMER)?;
    Ok(gw
        .objects
        .open_key(src.encryption.as_ref(), customer.as_ref())?)
}

/// The data key a part of `upload` is written with (UploadPart,
/// UploadPartCopy; checked on Complete), and the customer key given: an
/// SSE-C upload needs the same key on every request. Other encryption
/// headers on a part are ignored, as S3 ignores them.
pub(crate) fn upload_key(
    r: &S3Request,
    gw: &Gateway,
    upload: &MultipartUpload,
) -> Result<(Option<DataKey>, Option<CustomerKey>), S3Error> {
    let customer = request_customer_key(r, gw, CUSTOMER)?;
    let key = gw
        .objects
        .open_key(upload.encryption.as_ref(), customer.as_ref())?;
    Ok((key, customer))
}

/// The customer key a CompleteMultipartUpload of `upload` gives: an
/// SSE-C upload is completed only by the holder of its key (checked, as
/// the conformance suite expects of AWS); another needs no key opened, so
/// it completes even after its master key was retired.
pub(crate) fn completing_customer(
    r: &S3Request,
    gw: &Gateway,
    upload: &MultipartUpload,
) -> Result<Option<CustomerKey>, S3Error> {
    let customer = request_customer_key(r, gw, CUSTOMER)?;
    let sse_c = upload
        .encryption
        .as_ref()
        .is_some_and(|e| matches!(e.mode, SseMode::Customer { .. }));
    if sse_c || customer.is_some() {
        gw.objects
            .open_key(upload.encryption.as_ref(), customer.as_ref())?;
    }
    Ok(customer)
}

/// The headers that tell how data is encrypted (none when it is not).
pub(crate) fn sse_header_values(
    encryption: Option<&Encryption>,
    customer: Option<&CustomerKey>,
) -> Vec<(&'static str, String)> {
    let Some(e) = encryption else {
        return vec![];
    };
    match &e.mode {
        SseMode::S3 => vec![(SSE_HEADER, "AES256".to_string())],
        SseMode::Kms { .. } => vec![
            (SSE_HEADER, "aws:kms".to_string()),
            (KMS_KEY_ID_HEADER, e.key_id.clone()),
        ],
        SseMode::Customer { .. } => {
            let mut v = vec![(
                "x-amz-server-side-encryption-customer-algorithm",
                "AES256".to_string(),
            )];
            if let Some(c) = customer {
                let md5 = base64::engine::general_purpose::STANDARD.encode(c.md5());
                v.push(("x-amz-server-side-encryption-customer-key-md5", md5));
            }
            v
        }
    }
}

/// Adds [`sse_header_values`] to an answer being built.
pub(crate) fn sse_headers(
    resp: &mut HttpResponseBuilder,
    encryption: Option<&Encryption>,
    customer: Option<&CustomerKey>,
) {
    for (name, value) in sse_header_values(encryption, customer) {
        resp.insert_header((name, value));
    }
}

/// Adds [`sse_header_values`] to a built answer.
pub(crate) fn add_sse_headers(
    resp: &mut HttpResponse,
    encryption: Option<&Encryption>,
    customer: Option<&CustomerKey>,
) {
    for (name, value) in sse_header_values(encryption, customer) {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(HeaderName::from_static(name), v);
        }
    }
}

/// GetBucketEncryption, or `ServerSideEncryptionConfigurationNotFoundError`
/// when none is set.
pub(crate) async fn get_bucket_encryption(r: &S3Request) -> S3Result {
    match &bucket_of(r)?.encryption {
        Some(config) => Ok(xml(StatusCode::OK, encryption_to_xml(config))),
        None => Err(
            S3Error::new(S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError)
                .with_resource(format!("/{}", r.bucket())),
        ),
    }
}

/// PutBucketEncryption: the default must name a master key this store
/// holds, or every later write into the bucket would fail.
pub(crate) async fn put_bucket_encryption(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
    let body = small_body(r, payload, MAX_CONFIG_BODY).await?;
    let config = parse_encryption(&body)?;
    gw.objects
        .put_bucket_encryption(r.bucket(), Some(config))
        .await?;
    Ok(HttpResponse::Ok().finish())
}

/// DeleteBucketEncryption (204, also when none was set).
pub(crate) async fn delete_bucket_encryption(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.put_bucket_encryption(r.bucket(), None).await?;
    Ok(HttpResponse::NoContent().finish())
}
