//! Who may do what, tried as the people who would try it: the bucket's
//! owner, users holding each ACL grant, a user a bucket policy allows
//! everything, one it denies, a stranger, and anonymous requests against
//! a public ACL and a public policy. Every operation of the router
//! (`matrix`), the holes object lock had (`lock`: a held or retained
//! version survives every path but its owner's), and a policy that cannot
//! be read (`fail_closed`); the console's sign-in (`sign_in`).
//!
//! Each test starts its own single-node store.

mod fail_closed;
mod lock;
mod matrix;
mod sign_in;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::Client;

pub(crate) use crate::common::access::{lock_bucket, put_policy, User};
use crate::common::admin::admin;
use crate::common::s3::*;

/// The admin token of these tests' stores.
const TOKEN: &str = "access-test-admin-token";

/// A store with the admin API on (and `extra` settings).
fn store(extra: &[(&str, &str)]) -> StoreProcess {
    let mut env = vec![
        ("PREDASTORE_ADMIN_TOKEN", TOKEN),
        ("PREDASTORE_KMS_KEYS", TEST_KMS_KEYS),
    ];
    env.extend_from_slice(extra);
    StoreProcess::start(&env)
}

/// A new user of `store` named `name`.
fn new_user(store: &StoreProcess, name: &str) -> User {
    crate::common::access::new_user(store, name, TOKEN)
}

/// The store's first user (the configured key), as a [`User`].
async fn first_user(store: &StoreProcess) -> User {
    let s3 = store.client();
    let owner = s3
        .list_buckets()
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListBuckets: {}", DisplayErrorContext(&e)));
    let id = owner
        .owner()
        .and_then(|o| o.id())
        .expect("ListBuckets names its owner")
        .to_string();
    User {
        id,
        key: (ACCESS_KEY.to_string(), SECRET_KEY.to_string()),
        s3,
    }
}

/// Puts `body` at `bucket`/`key` as `s3`: the new version's id.
async fn put_version(s3: &Client, bucket: &str, key: &str, body: &[u8]) -> String {
    let out = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(body.to_vec().into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {bucket}/{key}: {}", DisplayErrorContext(&e)));
    out.version_id().expect("a version id").to_string()
}

/// A bucket policy of `statements` (JSON objects, comma-separated).
fn policy_of(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// The status and S3 error code (empty for none) of a failed SDK call, or
/// (200, "") for a success.
fn outcome<T, E: aws_sdk_s3::error::ProvideErrorMetadata>(
    r: Result<T, aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>>,
) -> (u16, String) {
    match r {
        Ok(_) => (200, String::new()),
        Err(e) => (
            error_status(&e).unwrap_or(0),
            error_code(&e).unwrap_or_default(),
        ),
    }
}
