//! The operator's side: `predastore admin user|group|policy|role` runs
//! IAM actions as an account's root, and what it makes works in S3.

use std::process::Command;

use super::*;
use crate::common::lifecycle::{admin_cli, ADMIN_TOKEN};
use crate::common::store::binary;

#[tokio::test]
async fn the_admin_cli_manages_an_accounts_iam() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)]);
    let root_s3 = store.client();
    root_s3
        .create_bucket()
        .bucket("books")
        .send()
        .await
        .unwrap();
    assert_eq!(put(&root_s3, "books", "a").await, None);
    let cli = |args: &[&str]| admin_cli(store.addr(), args);

    let made = cli(&["user", "create", "alice", "--path", "/team/"]);
    assert_eq!(made["action"], "CreateUser");
    assert_eq!(made["result"]["User"]["UserName"], "alice");
    let key = cli(&["user", "create-key", "alice"]);
    let keys = Keys::new(
        key["result"]["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        key["result"]["AccessKey"]["SecretAccessKey"]
            .as_str()
            .unwrap(),
    );
    let alice = s3(&store, &keys);
    assert_eq!(
        get(&alice, "books", "a").await.as_deref(),
        Some("AccessDenied")
    );

    cli(&["group", "create", "readers"]);
    cli(&["group", "add", "readers", "alice"]);
    cli(&[
        "policy",
        "attach",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "--group",
        "readers",
    ]);
    assert_eq!(get(&alice, "books", "a").await, None);
    let attached = cli(&["policy", "of", "--group", "readers"]);
    assert_eq!(
        attached["result"]["AttachedPolicies"]["member"]["PolicyName"],
        "AmazonS3ReadOnlyAccess"
    );
    let users = cli(&["user", "list"]);
    assert_eq!(users["result"]["Users"]["member"]["Path"], "/team/");

    cli(&["user", "deactivate-key", "alice", &keys.access]);
    assert_eq!(
        get(&alice, "books", "a").await.as_deref(),
        Some("InvalidAccessKeyId")
    );

    // Another account's IAM, by its id.
    let (other, other_iam) = other_account_with(&store, "partner", ADMIN_TOKEN);
    cli(&["user", "create", "worker", "--account", &other.id]);
    assert_eq!(
        other_iam.iam("ListUsers", &[]).ok().all("UserName"),
        vec!["worker"]
    );

    // Refusals print IAM's message and exit 1; tables for people.
    let out = Command::new(binary())
        .args(["admin", "user", "create", "alice"])
        .env("PREDASTORE_ADMIN_URL", format!("http://{}", store.addr()))
        .env("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = Command::new(binary())
        .args(["admin", "user", "list"])
        .env("PREDASTORE_ADMIN_URL", format!("http://{}", store.addr()))
        .env("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NAME") && text.contains("alice"), "{text}");
}
