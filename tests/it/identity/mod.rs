//! Identity for teams: an account's IAM users, groups, policies and
//! roles made through the IAM query API on the S3 endpoint (`api`), what
//! their policies let them do in S3, alone and with bucket policies,
//! ACLs and other accounts (`s3`), and STS's temporary credentials
//! (`sts`; from an OpenID provider's tokens: `web`). Each test starts its own single-node store; the cluster's
//! own test (every gateway sees a change at once) is `cluster::identity`.

mod admin;
mod api;
mod minio;
mod s3;
mod sts;
mod web;

use aws_sdk_s3::Client;

use crate::common::access::User;
use crate::common::iam::{s3_client, Iam, Keys};
use crate::common::store::{StoreProcess, ACCESS_KEY, SECRET_KEY};

/// The admin token of these tests' stores.
const TOKEN: &str = "identity-test-admin-token";

/// A store with the admin API on.
fn store() -> StoreProcess {
    StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)])
}

/// The configured key's account root, as an IAM client.
fn root(store: &StoreProcess) -> Iam {
    Iam::new(store.addr(), Keys::new(ACCESS_KEY, SECRET_KEY))
}

/// Another account: a user the admin API makes (an account root).
fn other_account(store: &StoreProcess, name: &str) -> (User, Iam) {
    other_account_with(store, name, TOKEN)
}

/// [`other_account`] of a store whose admin token is `token`.
fn other_account_with(store: &StoreProcess, name: &str, token: &str) -> (User, Iam) {
    let user = crate::common::access::new_user(store, name, token);
    let iam = Iam::new(store.addr(), Keys::new(&user.key.0, &user.key.1));
    (user, iam)
}

/// An S3 client of `store` signing with `keys`.
fn s3(store: &StoreProcess, keys: &Keys) -> Client {
    s3_client(&store.endpoint(), keys)
}

/// The S3 error code of a failed call (`None`: it succeeded).
fn code<T, E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>>,
) -> Option<String> {
    match r {
        Ok(_) => None,
        Err(e) => {
            Some(crate::common::sdk::error_code(&e).unwrap_or_else(|| format!("no code: {e:?}")))
        }
    }
}

/// GetObject's outcome: `None` on success, else the error code.
async fn get(s3: &Client, bucket: &str, key: &str) -> Option<String> {
    code(s3.get_object().bucket(bucket).key(key).send().await)
}

/// PutObject's outcome.
async fn put(s3: &Client, bucket: &str, key: &str) -> Option<String> {
    code(
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(b"data".to_vec().into())
            .send()
            .await,
    )
}
