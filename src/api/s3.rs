//! The S3 endpoint: addressing, authentication, dispatch to the operation
//! handlers, and the error and response conventions every answer shares
//! (S3 XML errors, `x-amz-request-id`).

use std::time::{SystemTime, UNIX_EPOCH};

use actix::Addr;
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use time::OffsetDateTime;

use super::auth::sigv4::{self, AuthContext, AuthError, RequestParts};
use super::error::{S3Error, S3ErrorCode};
use super::headers::HeaderError;
use super::{bucket, list, multipart, object};
use crate::actors::consensus::{Consensus, ConsensusError, Read, Submit};
use crate::actors::frontend::{FrontendError, ObjectCoordinator};
use crate::metrics;
use crate::storage::meta::{
    BucketRecord, MetaOp, MetaOpError, MetaOutcome, MetaRead, MetaReadResult, ObjectRecord,
};

/// Everything the S3 handlers share.
pub struct Gateway {
    /// Metadata ops and reads.
    pub consensus: Addr<Consensus>,
    /// Object data.
    pub objects: ObjectCoordinator,
    /// The configured access key id (also stored in metadata).
    pub access_key: String,
    /// Its secret.
    pub secret_key: String,
    /// `PREDASTORE_DOMAIN`: requests to `<bucket>.<domain>` are
    /// virtual-host style.
    pub domain: Option<String>,
    /// The region answered by GetBucketLocation.
    pub region: String,
    /// Largest single PUT.
    pub max_object_bytes: u64,
    /// Largest object kept inline in its metadata record.
    pub inline_bytes: u64,
    /// Buckets recently seen to exist, for the early check of uploads.
    pub recent_buckets: RecentBuckets,
}

/// Buckets seen to exist in the last [`RecentBuckets::TTL`]. An upload
/// checks its bucket before taking the body, so a missing bucket fails
/// fast; that check may be slightly stale, because the commit checks the
/// bucket again. Only existence is remembered, never absence, so a new
/// bucket is usable at once.
#[derive(Default)]
pub struct RecentBuckets {
    seen: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl RecentBuckets {
    /// How long a sighting counts.
    const TTL: std::time::Duration = std::time::Duration::from_secs(1);
    /// Sightings kept before the map is cleared.
    const MAX: usize = 4096;

    fn contains(&self, bucket: &str) -> bool {
        self.seen
            .lock()
            .ok()
            .and_then(|seen| seen.get(bucket).map(|at| at.elapsed() < Self::TTL))
            .unwrap_or(false)
    }

    /// Drops a sighting (the bucket was just deleted here).
    pub fn forget(&self, bucket: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.remove(bucket);
        }
    }

    fn insert(&self, bucket: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= Self::MAX {
                seen.clear();
            }
            seen.insert(bucket.to_string(), std::time::Instant::now());
        }
    }
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
        self.http.headers().get(name).and_then(|v| v.to_str().ok())
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

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A fresh id for an object version or a part.
pub fn new_object_id() -> u128 {
    rand::random()
}

impl From<HeaderError> for S3Error {
    fn from(e: HeaderError) -> Self {
        let code = S3ErrorCode::from_aws_str(e.s3_code()).unwrap_or(S3ErrorCode::InvalidArgument);
        S3Error::new(code).with_message(e.to_string())
    }
}

impl From<MetaOpError> for S3Error {
    fn from(e: MetaOpError) -> Self {
        S3Error::new(S3ErrorCode::from_aws_str(e.code()).unwrap_or(S3ErrorCode::InternalError))
    }
}

impl From<ConsensusError> for S3Error {
    fn from(e: ConsensusError) -> Self {
        let code = match e {
            ConsensusError::Busy => S3ErrorCode::SlowDown,
            ConsensusError::NotLeader(_) | ConsensusError::Unavailable(_) => {
                S3ErrorCode::ServiceUnavailable
            }
            ConsensusError::Indeterminate(_) | ConsensusError::Failed(_) => {
                S3ErrorCode::InternalError
            }
        };
        tracing::warn!(error = %e, "metadata request failed");
        S3Error::new(code)
    }
}

impl From<FrontendError> for S3Error {
    fn from(e: FrontendError) -> Self {
        tracing::error!(error = %e, "object data request failed");
        S3Error::new(S3ErrorCode::InternalError)
    }
}

impl Gateway {
    /// Commits one metadata op; a refused op is its S3 error.
    pub async fn submit(&self, op: MetaOp) -> Result<MetaOutcome, S3Error> {
        let result = self
            .consensus
            .send(Submit(op))
            .await
            .map_err(|_| S3Error::new(S3ErrorCode::ServiceUnavailable))??;
        Ok(result?)
    }

    /// A linearizable metadata read.
    pub async fn read(&self, read: MetaRead) -> Result<MetaReadResult, S3Error> {
        Ok(self
            .consensus
            .send(Read(read))
            .await
            .map_err(|_| S3Error::new(S3ErrorCode::ServiceUnavailable))??)
    }

    /// The bucket, or `NoSuchBucket`.
    pub async fn bucket(&self, name: &str) -> Result<BucketRecord, S3Error> {
        match self.read(MetaRead::Bucket(name.into())).await? {
            MetaReadResult::Bucket(Some(b)) => Ok(b),
            _ => Err(S3Error::new(S3ErrorCode::NoSuchBucket).with_resource(format!("/{name}"))),
        }
    }

    /// Fails with `NoSuchBucket` unless the bucket exists or did within
    /// the last second: the early check of an upload, which its commit
    /// repeats authoritatively.
    pub async fn bucket_precheck(&self, name: &str) -> Result<(), S3Error> {
        if self.recent_buckets.contains(name) {
            return Ok(());
        }
        self.bucket(name).await?;
        self.recent_buckets.insert(name);
        Ok(())
    }

    /// The object's current version, or `NoSuchKey` (`NoSuchBucket` when
    /// the bucket is missing).
    pub async fn object(&self, bucket: &str, key: &str) -> Result<ObjectRecord, S3Error> {
        let read = MetaRead::Object {
            bucket: bucket.into(),
            key: key.into(),
        };
        match self.read(read).await? {
            MetaReadResult::Object(Some(o)) => Ok(o),
            _ => {
                self.bucket(bucket).await?;
                Err(S3Error::new(S3ErrorCode::NoSuchKey).with_resource(format!("/{bucket}/{key}")))
            }
        }
    }

    async fn secret_for(&self, access_key: &str) -> Option<String> {
        if access_key == self.access_key {
            return Some(self.secret_key.clone());
        }
        match self.read(MetaRead::AccessKey(access_key.into())).await {
            Ok(MetaReadResult::AccessKey(Some(k))) => Some(k.secret),
            _ => None,
        }
    }
}

/// The access key id a request claims, before verification.
fn claimed_access_key(parts: &RequestParts<'_>) -> Option<String> {
    let credential = match sigv4::detect_auth_kind(parts).ok()? {
        sigv4::AuthKind::Header => {
            let h = parts.header_values("authorization").next()?;
            sigv4::AuthorizationHeader::parse(h).ok()?.credential
        }
        sigv4::AuthKind::Presigned => sigv4::PresignedParams::parse(parts.query).ok()?.credential,
        sigv4::AuthKind::Anonymous => return None,
    };
    Some(credential.access_key)
}

/// Splits the request into bucket and key (virtual-host or path style).
fn address(
    req: &HttpRequest,
    domain: Option<&str>,
) -> Result<(Option<String>, Option<String>), S3Error> {
    let path = percent_encoding::percent_decode_str(req.path())
        .decode_utf8()
        .map_err(|_| {
            S3Error::new(S3ErrorCode::InvalidArgument).with_message("path is not UTF-8")
        })?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let host = req.connection_info().host().to_string();
    let host = host
        .rsplit_once(':')
        .map_or(host.as_str(), |(h, _)| h)
        .to_string();
    let vhost = domain.and_then(|d| host.strip_suffix(d)?.strip_suffix('.').map(str::to_string));
    let (bucket, key) = match vhost {
        Some(b) if !b.is_empty() => (Some(b), (!path.is_empty()).then(|| path.to_string())),
        _ => match path.split_once('/') {
            Some((b, k)) => (Some(b.to_string()), (!k.is_empty()).then(|| k.to_string())),
            None => ((!path.is_empty()).then(|| path.to_string()), None),
        },
    };
    Ok((bucket, key))
}

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
    let (op, result) = match authenticate(&req, &gw).await {
        Ok(s3) => {
            let op = operation(&s3);
            (op, dispatch(op, s3, payload, &gw).await)
        }
        Err(e) => ("Unauthenticated", Err(e)),
    };
    let mut response = match result {
        Ok(r) => r,
        Err(e) => error_response(&req, e, &id),
    };
    let status = response.status();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&id) {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-amz-request-id"),
            v,
        );
    }
    metrics::S3_REQUESTS
        .with_label_values(&[op, status.as_str()])
        .inc();
    metrics::S3_REQUEST_SECONDS
        .with_label_values(&[op])
        .observe(started.elapsed().as_secs_f64());
    response
}

fn error_response(req: &HttpRequest, mut e: S3Error, id: &str) -> HttpResponse {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut b = HttpResponse::build(status);
    for (name, value) in &e.headers {
        b.insert_header((*name, value.as_str()));
    }
    if e.code == S3ErrorCode::NotModified || req.method() == Method::HEAD {
        return b.finish();
    }
    if e.resource.is_none() {
        e.resource = Some(req.path().to_string());
    }
    b.content_type("application/xml").body(e.to_xml(id))
}

async fn authenticate(req: &HttpRequest, gw: &Gateway) -> Result<S3Request, S3Error> {
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(n, v)| {
            Some((
                n.as_str().to_ascii_lowercase(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let query = super::query::parse(req.query_string());
    let parts = RequestParts {
        method: req.method().as_str(),
        path: req.uri().path(),
        query: &query,
        headers: &headers,
    };
    let now = OffsetDateTime::now_utc();
    let auth = match super::auth::sigv2::PresignedV2::parse(&query) {
        Some(v2) => {
            let v2 = v2?;
            let secret = gw
                .secret_for(&v2.access_key)
                .await
                .ok_or(AuthError::UnknownAccessKey)?;
            v2.verify(
                parts.method,
                parts.path,
                &query,
                &secret,
                now.unix_timestamp(),
            )?;
            presigned_v2_context(v2.access_key, &gw.region)
        }
        None => {
            let secret = match claimed_access_key(&parts) {
                Some(key) => gw.secret_for(&key).await,
                None => None,
            };
            sigv4::verify(&parts, |_| secret.clone(), now)?
        }
    };
    let (bucket, key) = address(req, gw.domain.as_deref())?;
    // Authentication parameters, and the SDKs' `x-id` operation hint, do
    // not change the operation.
    let query = query
        .into_iter()
        .filter(|(k, _)| {
            !(k.starts_with("X-Amz-")
                || matches!(
                    k.as_str(),
                    "AWSAccessKeyId" | "Signature" | "Expires" | "x-id"
                ))
        })
        .collect();
    Ok(S3Request {
        http: req.clone(),
        bucket,
        key,
        query,
        auth,
    })
}

/// The context of a request a SigV2 presigned URL authenticated: its body,
/// if any, is not signed.
fn presigned_v2_context(access_key: String, region: &str) -> AuthContext {
    AuthContext {
        access_key,
        region: region.to_string(),
        service: sigv4::SERVICE.to_string(),
        signing_key: sigv4::SigningKey::derive("", "", region, sigv4::SERVICE),
        seed_signature: String::new(),
        amz_date: String::new(),
        scope: String::new(),
        payload: sigv4::PayloadMode::Unsigned,
        kind: sigv4::AuthKind::Presigned,
        signed_headers: vec![],
    }
}

/// The S3 operation a request names.
fn operation(r: &S3Request) -> &'static str {
    let m = r.http.method();
    match (&r.bucket, &r.key) {
        (None, _) if m == Method::GET => "ListBuckets",
        (None, _) => "Unknown",
        (Some(_), None) => match *m {
            Method::PUT => "CreateBucket",
            Method::HEAD => "HeadBucket",
            Method::DELETE => "DeleteBucket",
            Method::POST if r.has("delete") => "DeleteObjects",
            Method::GET if r.has("location") => "GetBucketLocation",
            Method::GET if r.has("versioning") => "GetBucketVersioning",
            Method::GET if r.has("uploads") => "ListMultipartUploads",
            Method::GET if r.has("versions") => "ListObjectVersions",
            Method::GET if r.q("list-type") == Some("2") => "ListObjectsV2",
            Method::GET
                if r.query
                    .iter()
                    .all(|(k, _)| LIST_PARAMS.contains(&k.as_str())) =>
            {
                "ListObjects"
            }
            _ => "Unknown",
        },
        (Some(_), Some(_)) => match *m {
            Method::PUT if r.has("uploadId") && r.header("x-amz-copy-source").is_some() => {
                "UploadPartCopy"
            }
            Method::PUT if r.has("uploadId") => "UploadPart",
            Method::PUT if r.header("x-amz-copy-source").is_some() => "CopyObject",
            Method::PUT if r.query.is_empty() => "PutObject",
            Method::GET if r.has("uploadId") => "ListParts",
            Method::GET
                if r.query
                    .iter()
                    .all(|(k, _)| k.starts_with("response-") || k == "partNumber") =>
            {
                "GetObject"
            }
            Method::HEAD => "HeadObject",
            Method::DELETE if r.has("uploadId") => "AbortMultipartUpload",
            Method::DELETE if r.query.is_empty() => "DeleteObject",
            Method::POST if r.has("uploads") => "CreateMultipartUpload",
            Method::POST if r.has("uploadId") => "CompleteMultipartUpload",
            _ => "Unknown",
        },
    }
}

/// Query parameters a ListObjects (V1) request may carry.
const LIST_PARAMS: &[&str] = &["prefix", "delimiter", "marker", "max-keys", "encoding-type"];

async fn dispatch(op: &'static str, r: S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    match op {
        "ListBuckets" => bucket::list_buckets(&r, gw).await,
        "CreateBucket" => bucket::create(&r, payload, gw).await,
        "HeadBucket" => bucket::head(&r, gw).await,
        "DeleteBucket" => bucket::delete(&r, gw).await,
        "GetBucketLocation" => bucket::location(&r, gw).await,
        "GetBucketVersioning" => bucket::versioning(&r, gw).await,
        "DeleteObjects" => object::delete_many(&r, payload, gw).await,
        "ListObjects" => list::objects_v1(&r, gw).await,
        "ListObjectsV2" => list::objects_v2(&r, gw).await,
        "ListObjectVersions" => list::versions(&r, gw).await,
        "ListMultipartUploads" => multipart::list_uploads(&r, gw).await,
        "PutObject" => object::put(&r, payload, gw).await,
        "CopyObject" => object::copy(&r, gw).await,
        "GetObject" => object::get(&r, gw).await,
        "HeadObject" => object::get(&r, gw).await,
        "DeleteObject" => object::delete(&r, gw).await,
        "CreateMultipartUpload" => multipart::create(&r, gw).await,
        "UploadPart" => multipart::upload_part(&r, payload, gw).await,
        "UploadPartCopy" => multipart::upload_part_copy(&r, gw).await,
        "CompleteMultipartUpload" => multipart::complete(&r, payload, gw).await,
        "AbortMultipartUpload" => multipart::abort(&r, gw).await,
        "ListParts" => multipart::list_parts(&r, gw).await,
        _ if r.bucket.is_none() => Err(S3Error::new(S3ErrorCode::MethodNotAllowed)),
        _ => Err(S3Error::new(S3ErrorCode::NotImplemented)
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
    use futures::StreamExt;
    let declared = super::body::declared_length(r.http.headers(), &r.auth).unwrap_or(0);
    if declared > max {
        return Err(S3Error::new(S3ErrorCode::MaxMessageLengthExceeded));
    }
    let (mut body, _) = super::body::checked_body(payload, r.http.headers(), &r.auth, declared)?;
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out.freeze())
}
