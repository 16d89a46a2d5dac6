//! One authenticated S3 request as the handlers see it: the addressing,
//! the decoded query, the caller and how the body is protected, and the
//! bucket record authorization read.

use actix_web::http::header::HeaderMap;
use actix_web::HttpRequest;

use super::bucket_policy::BucketPolicy;
use super::identity::Caller;
use crate::api::auth::sigv4::AuthContext;
use crate::storage::meta::BucketRecord;

/// How a request's connection came: each request's connection data
/// (`conn_data`) holds it, for the `aws:SecureTransport` policy key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transport {
    /// The connection is TLS.
    pub secure: bool,
}

/// One authenticated S3 request.
pub(crate) struct S3Request {
    /// The actix request: method, URI, connection info.
    pub http: HttpRequest,
    /// The addressed bucket (path or virtual-host style); `None` for a
    /// request to the service (`/`).
    pub bucket: Option<String>,
    /// The addressed object key, decoded; `None` for a bucket or service
    /// request.
    pub key: Option<String>,
    /// Decoded query parameters, in request order, without the
    /// authentication parameters and hoisted headers.
    pub query: Vec<(String, String)>,
    /// Who signed it, and how the body is protected.
    pub auth: AuthContext,
    /// The user it acts for; `None`: anonymous.
    pub caller: Option<Caller>,
    /// The addressed bucket's record: read with the signing key, and
    /// then checked by authorization (which reads it if it was not).
    pub bucket_record: Option<BucketRecord>,
    /// The addressed bucket's policy, parsed, once authorization has read
    /// it (`None`: it has none).
    pub policy: Option<std::sync::Arc<BucketPolicy>>,
    /// The operation's row of the permission table, once authorization
    /// has looked it up.
    pub rule: Option<&'static crate::policy::table::Rule>,
    /// The request's headers, and the `x-amz-*` headers a presigned URL
    /// carries in its query (SDKs hoist them there: checksums, checksum
    /// mode); a real header wins over a hoisted one.
    pub headers: HeaderMap,
    /// How long the client may pause in the middle of the body.
    pub body_idle: std::time::Duration,
}

impl S3Request {
    /// A header's value, if it is valid text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every header, hoisted ones included (see [`S3Request::headers`]).
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The addressed bucket (the dispatcher only calls bucket handlers
    /// with one).
    pub(crate) fn bucket(&self) -> &str {
        self.bucket.as_deref().unwrap_or_default()
    }

    /// The addressed key (the dispatcher only calls object handlers with
    /// one).
    pub(crate) fn key(&self) -> &str {
        self.key.as_deref().unwrap_or_default()
    }
}
