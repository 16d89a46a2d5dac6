//! The console's identity pages in a real browser: the account's root
//! makes a user, gives it a key, attaches a policy to it and to a group,
//! deactivates the key, and sees IAM's message for a bad policy; each
//! change checked with aws-sdk-s3 or the IAM API. The user itself, signed
//! in, is refused the pages its policies do not allow. Screenshots:
//! `target/screenshots/console-iam-*.png`.

use std::net::{IpAddr, Ipv4Addr};

use super::console::{click, console_addr, path, sign_in};
use super::Browser;
use crate::common::iam::{Iam, Keys};
use crate::common::sdk::error_code;
use crate::common::store::{StoreProcess, ACCESS_KEY, SECRET_KEY};

/// Types `text` into the element `css`.
pub(super) async fn type_into(b: &Browser, css: &str, text: &str) {
    b.wait_for(css, super::DEFAULT_WAIT)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Chooses the option `value` of the select `css`.
pub(super) async fn choose(b: &Browser, css: &str, value: &str) {
    b.wait_for(css, super::DEFAULT_WAIT)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_manages_an_accounts_iam() {
    let console_at = console_addr(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let store = StoreProcess::start(&[("PREDASTORE_CONSOLE_LISTEN", &console_at.to_string())]);
    let console = format!("http://{console_at}");
    let root = store.client();
    root.create_bucket().bucket("books").send().await.unwrap();
    root.put_object()
        .bucket("books")
        .key("a")
        .body(b"text".to_vec().into())
        .send()
        .await
        .unwrap();
    let iam = Iam::new(store.addr(), Keys::new(ACCESS_KEY, SECRET_KEY));

    let b = Browser::start().await;
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;
    click(&b, "#nav-iam").await;
    type_into(&b, "#user-name", "alice").await;
    click(&b, "#create-user-button").await;
    b.wait_for("#create-user-key-button", super::DEFAULT_WAIT)
        .await;
    assert_eq!(path(&b).await, "/iam/users/alice");
    click(&b, "#create-user-key-button").await;
    let key_id = b.text("#new-key-id").await;
    let secret = b.text("#new-key-secret").await;
    let alice = store.client_with_keys(&key_id, &secret);
    let read = |c: aws_sdk_s3::Client| async move {
        match c.get_object().bucket("books").key("a").send().await {
            Ok(_) => None,
            Err(e) => error_code(&e),
        }
    };
    assert_eq!(read(alice.clone()).await.as_deref(), Some("AccessDenied"));

    // Attach AWS's read-only policy from the page: alice reads.
    choose(
        &b,
        "#attach-user-policy-arn",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    )
    .await;
    click(&b, "#attach-user-policy-button").await;
    b.wait_for(
        "#user-policies tr[data-policy='AmazonS3ReadOnlyAccess']",
        super::DEFAULT_WAIT,
    )
    .await;
    b.screenshot("console-iam-user").await;
    assert_eq!(read(alice.clone()).await, None);

    // Deactivate the key: refused at once.
    click(&b, &format!("tr[data-key='{key_id}'] .deactivate-key")).await;
    b.wait_for(
        &format!("tr[data-key='{key_id}'] .activate-key"),
        super::DEFAULT_WAIT,
    )
    .await;
    assert_eq!(
        b.text(&format!("tr[data-key='{key_id}'] .key-status"))
            .await,
        "Inactive"
    );
    assert_eq!(
        read(alice.clone()).await.as_deref(),
        Some("InvalidAccessKeyId")
    );
    click(&b, &format!("tr[data-key='{key_id}'] .activate-key")).await;
    b.wait_for(
        &format!("tr[data-key='{key_id}'] .deactivate-key"),
        super::DEFAULT_WAIT,
    )
    .await;
    // Her reads above were the key's uses: the page says when and where.
    let used = b
        .text(&format!("tr[data-key='{key_id}'] .key-last-used"))
        .await;
    assert!(used.ends_with("(s3, us-east-1)"), "{used}");
    assert_eq!(read(alice.clone()).await, None);

    // A malformed policy shows IAM's message; a good one is listed.
    b.goto(&format!("{console}/iam")).await;
    type_into(&b, "#policy-name", "broken").await;
    type_into(
        &b,
        "#policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#,
    )
    .await;
    click(&b, "#create-policy-button").await;
    let error = b.text("#iam-error").await;
    assert!(error.starts_with("MalformedPolicyDocument"), "{error}");
    b.screenshot("console-iam-bad-policy").await;
    type_into(&b, "#policy-name", "put-books").await;
    type_into(
        &b,
        "#policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::books/*"}]}"#,
    )
    .await;
    click(&b, "#create-policy-button").await;
    b.wait_for(
        "#iam-policies tr[data-policy='put-books']",
        super::DEFAULT_WAIT,
    )
    .await;

    // A group with that policy, alice in it: she writes.
    type_into(&b, "#group-name", "writers").await;
    click(&b, "#create-group-button").await;
    b.wait_for("#attach-group-policy-button", super::DEFAULT_WAIT)
        .await;
    let arn = iam
        .iam("ListPolicies", &[("Scope", "Local")])
        .ok()
        .text("Arn")
        .unwrap();
    choose(&b, "#attach-group-policy-arn", &arn).await;
    click(&b, "#attach-group-policy-button").await;
    b.wait_for(
        "#group-policies tr[data-policy='put-books']",
        super::DEFAULT_WAIT,
    )
    .await;
    b.goto(&format!("{console}/iam/users/alice")).await;
    choose(&b, "#join-group-name", "writers").await;
    click(&b, "#join-group-button").await;
    b.wait_for("#user-groups a", super::DEFAULT_WAIT).await;
    let put = alice
        .put_object()
        .bucket("books")
        .key("by-alice")
        .body(b"x".to_vec().into())
        .send()
        .await;
    assert!(put.is_ok(), "{put:?}");
    b.goto(&format!("{console}/iam")).await;
    b.wait_for("#iam-users tr[data-user='alice']", super::DEFAULT_WAIT)
        .await;
    b.wait_for("#iam-groups tr[data-group='writers']", super::DEFAULT_WAIT)
        .await;
    b.screenshot("console-iam-overview").await;

    // alice herself has no iam: rights: the page says so.
    click(&b, "#sign-out").await;
    b.wait_for("#sign-in-form", super::DEFAULT_WAIT).await;
    sign_in(&b, &console, &key_id, &secret).await;
    b.goto(&format!("{console}/iam")).await;
    let refused = b.text("#users-error").await;
    assert!(refused.starts_with("AccessDenied"), "{refused}");
    assert!(b
        .client()
        .find_all(fantoccini::Locator::Css("#iam-users tr[data-user]"))
        .await
        .unwrap()
        .is_empty());
}
