//! The gateway's shared state: the object service behind every S3
//! operation and the settings requests are judged by. Built once at
//! start-up and handed to every worker through `web::Data`.

use crate::object::ObjectService;

/// Everything the S3 handlers share.
pub(crate) struct Gateway {
    /// Objects, buckets and uploads: data and metadata.
    pub objects: std::sync::Arc<ObjectService>,
    /// The configured access key id (also stored in metadata); its user
    /// is the first admin, named by this id.
    pub access_key: String,
    /// The configured access key's secret, which signs with it.
    pub secret_key: String,
    /// `PREDASTORE_DOMAIN`: requests to `<bucket>.<domain>` are
    /// virtual-host style.
    pub domain: Option<String>,
    /// The region answered by GetBucketLocation.
    pub region: String,
    /// How long a client may pause in the middle of a request body
    /// (`PREDASTORE_BODY_IDLE_TIMEOUT_MS`) before `RequestTimeout`.
    pub body_idle: std::time::Duration,
    /// IAM identities: accounts' documents cached by generation, and IAM
    /// changes.
    pub identities: crate::identity::Identities,
    /// OpenID providers' signing keys (web identity).
    pub provider_keys: crate::identity::oidc::ProviderKeys,
    /// Each bucket's policy, parsed once per change.
    pub policies: super::bucket_policy::PolicyCache,
    /// How new buckets start (`PREDASTORE_NEW_BUCKET_DEFAULTS`).
    pub new_bucket_defaults: crate::config::NewBucketDefaults,
    /// `PREDASTORE_TEST_UNCHECKED_POLICIES` (a test-only fault hook):
    /// PutBucketPolicy stores its body unparsed.
    pub unchecked_policies: bool,
    /// `PREDASTORE_TEST_CLOCK_OFFSET_MS` (tests only): added to the clock
    /// temporary credentials' expiry is checked by.
    pub test_clock_offset_ms: i64,
    /// `PREDASTORE_SSE_C_ALLOW_HTTP` (for tests): SSE-C keys are taken
    /// over plain HTTP too.
    pub sse_c_over_http: bool,
}

impl Gateway {
    /// Now, by the clock temporary credentials expire by.
    pub(crate) fn session_clock_ms(&self) -> u64 {
        crate::clock::now_ms().saturating_add_signed(self.test_clock_offset_ms)
    }
}
