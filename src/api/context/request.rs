//! One authenticated, authorized S3 request as the handlers see it: the
//! addressing, the decoded query, the caller and how the body is
//! protected, and what authorization read (the operation's row of the
//! permission table, the bucket's record and its parsed policy). It is
//! built whole once authorization has decided, so nothing in it is filled
//! in later.

use actix_web::http::header::HeaderMap;
use actix_web::HttpRequest;

use std::sync::Arc;

use super::bucket_policy::BucketPolicy;
use super::identity::{Authenticated, Caller};
use crate::api::auth::sigv4::AuthContext;
use crate::policy::table::Rule;
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
    /// The addressed bucket's record, as authorization read it; `None`
    /// for an operation its row does not decide on a bucket (ListBuckets,
    /// a POST form).
    pub bucket_record: Option<BucketRecord>,
    /// The addressed bucket's policy, parsed (`None`: it has none, or was
    /// not read).
    pub policy: Option<Arc<BucketPolicy>>,
    /// The operation's row of the permission table.
    pub rule: &'static Rule,
    /// The request's headers, and the `x-amz-*` headers a presigned URL
    /// carries in its query (SDKs hoist them there: checksums, checksum
    /// mode); a real header wins over a hoisted one.
    pub headers: HeaderMap,
    /// How long the client may pause in the middle of the body.
    pub body_idle: std::time::Duration,
}

/// What authorization decided on and read for a request: the handler
/// gets it inside the [`S3Request`].
pub(crate) struct Authorized {
    /// The operation's row of the permission table.
    pub rule: &'static Rule,
    /// The addressed bucket's record, when the row decides on the bucket.
    pub bucket: Option<BucketRecord>,
    /// Its policy, parsed; `None`: it has none (or was not read).
    pub policy: Option<Arc<BucketPolicy>>,
}

impl S3Request {
    /// The request the handlers see: its authenticated head and what
    /// authorization read for it.
    pub(crate) fn new(
        http: &HttpRequest,
        head: Authenticated,
        authorized: Authorized,
        body_idle: std::time::Duration,
    ) -> S3Request {
        S3Request {
            http: http.clone(),
            bucket: head.bucket,
            key: head.key,
            query: head.query,
            auth: head.auth,
            caller: head.caller,
            bucket_record: authorized.bucket,
            policy: authorized.policy,
            rule: authorized.rule,
            headers: head.headers,
            body_idle,
        }
    }

    /// Whether it came over TLS.
    pub(crate) fn secure(&self) -> bool {
        self.http.conn_data::<Transport>().is_some_and(|t| t.secure)
    }

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
