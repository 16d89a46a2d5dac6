//! Users, lock buckets and bucket policies, as the access tests set them
//! up through the admin API and the SDK.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::Client;

use super::admin::admin;
use super::store::StoreProcess;

/// A user made through the admin API: its id, its key, and an SDK client.
pub struct User {
    pub id: String,
    pub key: (String, String),
    pub s3: Client,
}

impl User {
    /// Its access key and secret, for signing raw requests.
    pub fn keys(&self) -> (&str, &str) {
        (&self.key.0, &self.key.1)
    }
}

/// A new user of `store` named `name`, made with admin token `token`.
pub fn new_user(store: &StoreProcess, name: &str, token: &str) -> User {
    let (status, key) = admin(
        store.addr(),
        "POST",
        &format!("/keys?name={name}&email={name}@example.com"),
        Some(token),
        "",
    );
    assert_eq!(status, 200, "create a key for {name}: {key}");
    let field = |f: &str| {
        key[f]
            .as_str()
            .unwrap_or_else(|| panic!("{f} in {key}"))
            .to_string()
    };
    assert_eq!(field("display_name"), name);
    let (access, secret) = (field("access_key_id"), field("secret_access_key"));
    User {
        id: field("user_id"),
        s3: store.client_with_keys(&access, &secret),
        key: (access, secret),
    }
}

/// Creates `bucket` with object lock (so versioning) on, as `s3`.
pub async fn lock_bucket(s3: &Client, bucket: &str) {
    s3.create_bucket()
        .bucket(bucket)
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create lock bucket {bucket}: {}", DisplayErrorContext(&e)));
}

/// Puts `policy` on `bucket` as `s3`; panics unless it is taken.
pub async fn put_policy(s3: &Client, bucket: &str, policy: &str) {
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "put policy on {bucket}: {}\n{policy}",
                DisplayErrorContext(&e)
            )
        });
}
