//! The S3 endpoint: addressing, authentication, dispatch to the operation
//! handlers, and the error and response conventions every answer shares
//! (S3 XML errors, `x-amz-request-id`).

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use time::OffsetDateTime;

use super::auth::sigv4::{self, AuthContext, AuthError, RequestParts};
use super::error::{S3Error, S3ErrorCode};
use super::router::Endpoint;
use super::{bucket, list, multipart, object};
use crate::actors::frontend::ObjectService;
use crate::metrics;
use crate::storage::meta::{MetaRead, MetaReadResult};

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

impl Gateway {
    async fn secret_for(&self, access_key: &str) -> Option<String> {
        if access_key == self.access_key {
            return Some(self.secret_key.clone());
        }
        match self
            .objects
            .read(MetaRead::AccessKey(access_key.into()))
            .await
        {
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
        .map_err(|_| S3Error::new(S3ErrorCode::InvalidURI))?;
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
        Ok(s3) => match Endpoint::route(&s3) {
            Ok(endpoint) => (endpoint.name(), dispatch(endpoint, s3, payload, &gw).await),
            Err(e) => (e.name, Err(e.error)),
        },
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
            sigv4::verify(&parts, &gw.region, |_| secret.clone(), now)
                .map_err(|e| super::error::in_region(e, &gw.region))?
        }
    };
    let (bucket, key) = address(req, gw.domain.as_deref())?;
    let headers = with_hoisted_headers(req.headers(), &query);
    // Authentication parameters, headers hoisted into the query, and the
    // SDKs' `x-id` operation hint do not change the operation.
    let query = query
        .into_iter()
        .filter(|(k, _)| {
            !(k.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"))
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
        headers,
        body_idle: gw.body_idle,
    })
}

/// The SigV4 presigning parameters: authentication, not hoisted headers.
const AUTH_PARAMS: &[&str] = &[
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-signedheaders",
    "x-amz-signature",
    "x-amz-security-token",
];

/// `headers` plus the `x-amz-*` query parameters of a presigned URL as
/// headers (the JavaScript SDK v3 hoists `x-amz-checksum-*`,
/// `x-amz-sdk-checksum-algorithm` and `x-amz-checksum-mode` there; the
/// signature covers them as query parameters). A header the request
/// carries itself is kept.
fn with_hoisted_headers(headers: &HeaderMap, query: &[(String, String)]) -> HeaderMap {
    let mut out = headers.clone();
    for (k, v) in query {
        let name = k.to_ascii_lowercase();
        if !name.starts_with("x-amz-") || AUTH_PARAMS.contains(&name.as_str()) {
            continue;
        }
        let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(v)) else {
            continue;
        };
        if !out.contains_key(&name) {
            out.insert(name, value);
        }
    }
    out
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

async fn dispatch(
    endpoint: Endpoint,
    r: S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
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
    use futures::StreamExt;
    let declared = super::body::declared_length(r.headers(), &r.auth).unwrap_or(0);
    if declared > max {
        return Err(S3Error::new(S3ErrorCode::MaxMessageLengthExceeded));
    }
    let (mut body, _) =
        super::body::checked_body(payload, r.headers(), &r.auth, declared, r.body_idle)?;
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out.freeze())
}
