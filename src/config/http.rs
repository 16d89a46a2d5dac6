//! The S3 HTTP listener's settings: where it listens, the first access
//! key, the names clients sign for, and the admin API's token.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// What a gateway's HTTP listener serves and how it greets clients.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// `PREDASTORE_LISTEN`: the TCP address the S3 API, `/metrics` and
    /// `/health/*` are served on. Default `127.0.0.1:9000`.
    pub listen: SocketAddr,
    /// `PREDASTORE_ACCESS_KEY`: the access key id of the first user (the
    /// first admin), recorded in metadata at start-up; must not be empty.
    /// Default `predastore`.
    pub access_key: String,
    /// `PREDASTORE_SECRET_KEY`: the secret that signs requests made with
    /// `PREDASTORE_ACCESS_KEY`; must not be empty. Default
    /// `predastore-secret`.
    pub secret_key: String,
    /// `PREDASTORE_DOMAIN`: with it, a request for host `<bucket>.<domain>`
    /// names its bucket in the host (virtual-host style). Default unset:
    /// path style only.
    pub domain: Option<String>,
    /// `PREDASTORE_REGION`: the region clients sign for and
    /// GetBucketLocation answers. Default `us-east-1`.
    pub region: String,
    /// `PREDASTORE_BODY_IDLE_TIMEOUT_MS`: milliseconds a request body may
    /// pause before it is cut off with `RequestTimeout` (a client that
    /// stopped short of its `Content-Length` holds its connection no
    /// longer); at least 100. Default 20000.
    pub body_idle_timeout_ms: u64,
    /// `PREDASTORE_ADMIN_TOKEN`: bearer token of the admin API
    /// (`/admin/v1/…`); unset or empty, every admin call is refused. Never
    /// logged. Default unset.
    pub admin_token: Option<String>,
    /// `PREDASTORE_NEW_BUCKET_DEFAULTS`: how a bucket created without an
    /// `x-amz-object-ownership` header starts. `open` (default): ACLs on,
    /// objects owned by their writer, no Block Public Access switches, as
    /// Ceph RGW and S3 before 2023 (and the ACL-using clients and the
    /// conformance suite expect). `aws`: as AWS since April 2023,
    /// `BucketOwnerEnforced` (ACLs off) and all four Block Public Access
    /// switches on.
    pub new_bucket_defaults: NewBucketDefaults,
    /// `PREDASTORE_TEST_UNCHECKED_POLICIES`: **tests only**, a fault hook:
    /// PutBucketPolicy stores its body without parsing it, so a test can
    /// store a policy that cannot be read and see it deny (fail closed).
    /// Default false; production never sets it.
    pub test_unchecked_policies: bool,
}

/// How new buckets start (`PREDASTORE_NEW_BUCKET_DEFAULTS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NewBucketDefaults {
    /// ACLs on, no ownership controls and no Block Public Access set.
    #[default]
    Open,
    /// `BucketOwnerEnforced` and every Block Public Access switch on.
    Aws,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9000)),
            access_key: "predastore".into(),
            secret_key: "predastore-secret".into(),
            domain: None,
            region: "us-east-1".into(),
            body_idle_timeout_ms: 20_000,
            admin_token: None,
            new_bucket_defaults: NewBucketDefaults::Open,
            test_unchecked_policies: false,
        }
    }
}

impl HttpSettings {
    /// The admin API's bearer token, if one is set (an empty value is none).
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref().filter(|t| !t.is_empty())
    }
}
