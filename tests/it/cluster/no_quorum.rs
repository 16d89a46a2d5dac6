//! A cluster whose metadata lost its majority cannot read its access keys:
//! a request signed with a key kept in metadata is told the store is
//! unavailable (503, which SDKs retry), never that its key does not exist
//! (403 InvalidAccessKeyId, which a client takes as final and may act on).
//! At default settings: the read waits the default metadata op timeout.

use aws_sdk_s3::config::retry::RetryConfig;
use serde_json::Value;

use crate::common::admin::admin;
use crate::common::cluster::Cluster;
use crate::common::heal::create_bucket_when_ready;
use crate::common::sdk::{client_config_at, error_code};

const TOKEN: &str = "admin-token-for-tests";

#[tokio::test]
async fn a_key_that_cannot_be_read_is_unavailable_not_invalid() {
    let mut cluster = Cluster::start(242, &[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let gateway = cluster.gateway_http();
    create_bucket_when_ready(&cluster.gateway(3), "quorum").await;
    let (status, key): (u16, Value) = admin(gateway, "POST", "/keys", Some(TOKEN), "{}");
    assert_eq!(status, 200, "key create: {key}");
    let (id, secret) = (
        key["access_key_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        key["secret_access_key"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    let endpoint = format!("http://{gateway}");
    let once = RetryConfig::standard().with_max_attempts(1);
    let user =
        aws_sdk_s3::Client::from_conf(client_config_at(&endpoint, &id, &secret, once).build());
    let listed = user.list_buckets().send().await;
    assert!(
        listed.is_ok(),
        "the key works while the metadata has its majority: {listed:?}"
    );

    // Two of the three meta members go: no majority is left.
    cluster.nodes[0].kill();
    cluster.nodes[1].kill();
    let err = user
        .get_object()
        .bucket("quorum")
        .key("anything")
        .send()
        .await
        .expect_err("no metadata majority: the request cannot be served");
    let status = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(
        (status, error_code(&err).as_deref()),
        (Some(503), Some("ServiceUnavailable")),
        "{err:?}"
    );
}
