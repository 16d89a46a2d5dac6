//! The S3 endpoint: addressing, authentication, dispatch to the operation
//! handlers, and the error and response conventions every answer shares
//! (S3 XML errors, `x-amz-request-id`).

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};

use super::auth::request::{authenticate_head, Caller};
use super::auth::sigv4::AuthContext;
use super::client_errors::count_malformed;
use super::error::{S3Error, S3ErrorCode};
use super::request::check_unsupported_headers;
use super::router::Endpoint;
use super::{access, attributes, bucket, list, multipart, object, tagging};
use crate::metrics;
use crate::object::ObjectService;

/// Everything the S3 handlers share.
pub struct Gateway {
    /// Objects, buckets and uploads: data and metadata.
    pub objects: std::sync::Arc<ObjectService>,
    /// The configured access key id (also stored in metadata).
    pub access_key: String,
    /// Its secret.
    pub secret_key: String,
    /// `PREDASTORE_DOMAIN`: requests to `<bucket>.<domain>` are
    /// virtual-host style.
    pub domain: Option<String>,
    /// The region answered by GetBucketLocation.
    pub region: String,
    /// How long a client may pause in the middle of a request body
    /// (`PREDASTORE_BODY_IDLE_TIMEOUT_MS`) before `RequestTimeout`.
    pub body_idle: std::time::Duration,
}

/// One authenticated S3 request.
pub struct S3Request {
    /// The HTTP request.
    pub http: HttpRequest,
    /// Bucket, if addressed.
    pub bucket: Option<String>,
    /// Object key, if addressed.
    pub key: Option<String>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Who signed it, and how the body is protected.
    pub auth: AuthContext,
    /// The user it acts for; `None`: anonymous.
    pub caller: Option<Caller>,
    /// The addressed bucket's record, once authorization has read it.
    pub bucket_record: Option<crate::storage::meta::BucketRecord>,
    /// The request's headers, and the `x-amz-*` headers a presigned URL
    /// carries in its query (SDKs hoist them there: checksums, checksum
    /// mode); a real header wins over a hoisted one.
    pub headers: HeaderMap,
    /// How long the client may pause in the middle of the body.
    pub body_idle: std::time::Duration,
}

impl S3Request {
    /// A query parameter's value.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a query parameter is present (with or without value).
    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    /// A header's value, if it is valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every header, hoisted ones included (see [`S3Request::headers`]).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The addressed bucket (the dispatcher only calls bucket handlers
    /// with one).
    pub fn bucket(&self) -> &str {
        self.bucket.as_deref().unwrap_or_default()
    }

    /// The addressed key (the dispatcher only calls object handlers with
    /// one).
    pub fn key(&self) -> &str {
        self.key.as_deref().unwrap_or_default()
    }

    /// `/bucket/key` for error documents.
    pub fn resource(&self) -> String {
        match (&self.bucket, &self.key) {
            (Some(b), Some(k)) => format!("/{b}/{k}"),
            (Some(b), None) => format!("/{b}"),
            _ => "/".into(),
        }
    }
}

/// What handlers return.
pub type S3Result = Result<HttpResponse, S3Error>;

fn request_id() -> String {
    format!("{:016X}", rand::random::<u64>())
}

/// Every S3 request enters here.
pub async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    gw: web::Data<Gateway>,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let id = request_id();
    let known_method = matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::PUT | Method::POST | Method::DELETE | Method::OPTIONS
    );
    let (op, result) = if !known_method {
        count_malformed("bad_method");
        ("Unknown", Err(S3Error::new(S3ErrorCode::MethodNotAllowed)))
    } else if req.method() == Method::OPTIONS {
        ("Preflight", super::cors::preflight(&req, &gw).await)
    } else {
        match authenticate(&req, &gw).await {
            Ok(s3) => match Endpoint::route(&s3) {
                Ok(endpoint) => (endpoint.name(), dispatch(endpoint, s3, payload, &gw).await),
                Err(e) => (e.name, Err(e.error)),
            },
            Err(e) => ("Unauthenticated", Err(e)),
        }
    };
    let mut response = match result {
        Ok(r) => r,
        Err(e) => error_response(req.method(), req.path(), e, &id),
    };
    if req.method() != Method::OPTIONS {
        super::cors::decorate(&mut response, &req, &gw).await;
    }
    let status = response.status();
    set_request_id(&mut response, &id);
    metrics::S3_REQUESTS
        .with_label_values(&[op, status.as_str()])
        .inc();
    metrics::S3_REQUEST_SECONDS
        .with_label_values(&[op])
        .observe(started.elapsed().as_secs_f64());
    response
}

fn set_request_id(response: &mut HttpResponse, id: &str) {
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
fn error_response(method: &Method, path: &str, mut e: S3Error, id: &str) -> HttpResponse {
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

async fn authenticate(req: &HttpRequest, gw: &Gateway) -> Result<S3Request, S3Error> {
    let head = authenticate_head(req.method(), req.uri(), req.headers(), gw).await?;
    Ok(S3Request {
        http: req.clone(),
        bucket: head.bucket,
        key: head.key,
        query: head.query,
        auth: head.auth,
        caller: head.caller,
        bucket_record: None,
        headers: head.headers,
        body_idle: gw.body_idle,
    })
}

async fn dispatch(
    endpoint: Endpoint,
    mut r: S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
    if let Some(scope) = endpoint.header_scope() {
        let headers = r
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
        check_unsupported_headers(headers, scope)?;
    }
    access::authorize(&endpoint, &mut r, gw).await?;
    match endpoint {
        Endpoint::ListBuckets => bucket::list_buckets(&r, gw).await,
        Endpoint::CreateBucket => bucket::create(&r, payload, gw).await,
        Endpoint::HeadBucket => bucket::head(&r, gw).await,
        Endpoint::DeleteBucket => bucket::delete(&r, gw).await,
        Endpoint::GetBucketLocation => bucket::location(&r, gw).await,
        Endpoint::GetBucketVersioning => bucket::versioning(&r, gw).await,
        Endpoint::DeleteObjects => object::delete_many(&r, payload, gw).await,
        Endpoint::ListObjects => list::objects_v1(&r, gw).await,
        Endpoint::ListObjectsV2 => list::objects_v2(&r, gw).await,
        Endpoint::ListObjectVersions => list::versions(&r, gw).await,
        Endpoint::ListMultipartUploads => multipart::list_uploads(&r, gw).await,
        Endpoint::PutObject => object::put(&r, payload, gw).await,
        Endpoint::CopyObject => object::copy(&r, gw).await,
        Endpoint::GetObject | Endpoint::HeadObject => object::get(&r, gw).await,
        Endpoint::DeleteObject => object::delete(&r, gw).await,
        Endpoint::CreateMultipartUpload => multipart::create(&r, gw).await,
        Endpoint::UploadPart {
            upload_id,
            part_number,
        } => multipart::upload_part(&r, payload, gw, &upload_id, part_number).await,
        Endpoint::UploadPartCopy {
            upload_id,
            part_number,
        } => multipart::upload_part_copy(&r, gw, &upload_id, part_number).await,
        Endpoint::CompleteMultipartUpload { upload_id } => {
            multipart::complete(&r, payload, gw, &upload_id).await
        }
        Endpoint::AbortMultipartUpload { upload_id } => multipart::abort(&r, gw, &upload_id).await,
        Endpoint::ListParts { upload_id } => multipart::list_parts(&r, gw, &upload_id).await,
        Endpoint::GetObjectAttributes => attributes::get(&r, gw).await,
        Endpoint::GetObjectTagging => tagging::get_object(&r, gw).await,
        Endpoint::PutObjectTagging => tagging::put_object(&r, payload, gw).await,
        Endpoint::DeleteObjectTagging => tagging::delete_object(&r, gw).await,
        Endpoint::GetBucketCors => super::cors::get_bucket(&r, gw).await,
        Endpoint::PutBucketCors => super::cors::put_bucket(&r, payload, gw).await,
        Endpoint::DeleteBucketCors => super::cors::delete_bucket(&r, gw).await,
        Endpoint::GetBucketTagging => tagging::get_bucket(&r, gw).await,
        Endpoint::PutBucketTagging => tagging::put_bucket(&r, payload, gw).await,
        Endpoint::DeleteBucketTagging => tagging::delete_bucket(&r, gw).await,
        Endpoint::GetBucketAcl => access::get_bucket_acl(&r, gw).await,
        Endpoint::PutBucketAcl => access::put_bucket_acl(&r, payload, gw).await,
        Endpoint::GetObjectAcl => access::get_object_acl(&r, gw).await,
        Endpoint::PutObjectAcl => access::put_object_acl(&r, payload, gw).await,
        Endpoint::MethodNotAllowed => Err(S3Error::new(S3ErrorCode::MethodNotAllowed)),
        Endpoint::NotImplemented => Err(S3Error::new(S3ErrorCode::NotImplemented)
            .with_message("This operation or sub-resource is not supported by predastore.")),
    }
}

/// An XML answer.
pub fn xml(status: StatusCode, body: String) -> HttpResponse {
    HttpResponseBuilder::new(status)
        .content_type("application/xml")
        .body(body)
}

/// Reads a small request body (an XML document) whole, up to `max`
/// bytes, with the same checks as object bodies.
pub async fn small_body(
    r: &S3Request,
    payload: web::Payload,
    max: u64,
) -> Result<bytes::Bytes, S3Error> {
    read_small_body(r, payload, max, true).await
}

/// Like [`small_body`], for a CompleteMultipartUpload, whose
/// `x-amz-checksum-*` headers are the object's checksum, not its body's.
pub async fn complete_body(
    r: &S3Request,
    payload: web::Payload,
    max: u64,
) -> Result<bytes::Bytes, S3Error> {
    read_small_body(r, payload, max, false).await
}

async fn read_small_body(
    r: &S3Request,
    payload: web::Payload,
    max: u64,
    body_checksum: bool,
) -> Result<bytes::Bytes, S3Error> {
    use futures::StreamExt;
    let declared = super::body::declared_length(r.headers(), &r.auth).ok();
    if declared.is_some_and(|d| d > max) {
        return Err(S3Error::new(S3ErrorCode::MaxMessageLengthExceeded));
    }
    let requested = if body_checksum {
        super::body::requested_checksum(r.headers())?
    } else {
        None
    };
    let checks = super::body::Checks {
        auth: &r.auth,
        declared,
        idle: r.body_idle,
        requested,
    };
    let (mut body, _) = super::body::checked_body(payload, r.headers(), checks)?;
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out.freeze())
}
