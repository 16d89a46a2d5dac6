//! A bucket's settings page in a real browser: versioning, tags, the
//! bucket policy (a malformed one shows S3's message and keeps the draft,
//! a public one gets its badge), Block Public Access, CORS and lifecycle
//! rules (as XML and rule by rule: added with the form, deleted by their
//! button; a bad rule shows S3's message), the quota and a lock bucket's
//! default retention, each changed through the page and checked with
//! aws-sdk-s3; an object's tags, legal hold and retention (shortened only
//! with the governance bypass). Another user gets S3's refusal, not the
//! settings.
//! Screenshots: `target/screenshots/console-settings-*.png`.

use std::net::{IpAddr, Ipv4Addr};

use aws_sdk_s3::types::{BucketVersioningStatus, ObjectLockRetentionMode};

use super::console::{click, console_addr, path, sign_in};
use super::iam::{choose, type_into};
use super::Browser;
use crate::common::access::new_user;
use crate::common::lifecycle::ADMIN_TOKEN;
use crate::common::sdk::error_code;
use crate::common::store::{StoreProcess, ACCESS_KEY, SECRET_KEY};

/// Replaces the text of the field `css` with `text`.
async fn replace_text(b: &Browser, css: &str, text: &str) {
    b.wait_for(css, super::DEFAULT_WAIT)
        .await
        .clear()
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    type_into(b, css, text).await;
}

/// Saves a section with its button and waits for the page that answers
/// (the page shown before is marked, so its twin is not taken for it).
async fn save(b: &Browser, section: &str) {
    submit(b, &format!("#{section}-save")).await;
}

/// The lifecycle rules of bucket `docs`, as the SDK reads them.
async fn lifecycle_rules(s3: &aws_sdk_s3::Client) -> Vec<aws_sdk_s3::types::LifecycleRule> {
    let got = s3
        .get_bucket_lifecycle_configuration()
        .bucket("docs")
        .send()
        .await
        .expect("GetBucketLifecycleConfiguration of docs");
    got.rules().to_vec()
}

/// Clicks the button `css` and waits for the page that answers (see [`save`]).
async fn submit(b: &Browser, css: &str) {
    b.eval(
        "document.body.setAttribute('data-before-save', '1')",
        vec![],
    )
    .await;
    click(b, css).await;
    b.wait_for("body:not([data-before-save])", super::DEFAULT_WAIT)
        .await;
}

const PUBLIC_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::docs/*"}]}"#;

const CORS: &str = "<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";

const LIFECYCLE: &str = "<LifecycleConfiguration><Rule><ID>old-logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>";

/// A rule with no action: S3 refuses it.
const NO_ACTION: &str = "<LifecycleConfiguration><Rule><ID>nothing</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status></Rule></LifecycleConfiguration>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_changes_a_buckets_settings() {
    let console_at = console_addr(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let store = StoreProcess::start(&[
        ("PREDASTORE_CONSOLE_LISTEN", &console_at.to_string()),
        ("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN),
    ]);
    let console = format!("http://{console_at}");
    let s3 = store.client();
    s3.create_bucket().bucket("docs").send().await.unwrap();
    s3.create_bucket()
        .bucket("vault")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();

    let b = Browser::start().await;
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;
    b.goto(&format!("{console}/buckets/docs")).await;
    click(&b, "#bucket-settings").await;
    b.wait_for("#versioning-status", super::DEFAULT_WAIT).await;
    assert_eq!(path(&b).await, "/buckets/docs/settings");
    assert_eq!(b.text("#versioning-status").await, "never enabled");
    b.screenshot("console-settings-empty").await;

    // Versioning.
    choose(&b, "#versioning-select", "Enabled").await;
    save(&b, "versioning").await;
    assert_eq!(b.text("#versioning-status").await, "Enabled");
    let versioning = s3
        .get_bucket_versioning()
        .bucket("docs")
        .send()
        .await
        .unwrap();
    assert_eq!(versioning.status(), Some(&BucketVersioningStatus::Enabled));

    // Tags.
    type_into(&b, "#tags-document", "team=data\ncost-centre=42").await;
    save(&b, "tags").await;
    let tags = s3.get_bucket_tagging().bucket("docs").send().await.unwrap();
    let mut tags: Vec<_> = tags
        .tag_set()
        .iter()
        .map(|t| format!("{}={}", t.key(), t.value()))
        .collect();
    tags.sort();
    assert_eq!(tags, ["cost-centre=42", "team=data"]);

    // A malformed policy: S3's message on the page, the draft kept,
    // nothing stored.
    type_into(&b, "#policy-document", "{\"Version\": \"2012-10-17\", oops").await;
    save(&b, "policy").await;
    let refusal = b.text("#policy .change-error").await;
    assert!(refusal.starts_with("MalformedPolicy"), "{refusal}");
    b.screenshot("console-settings-bad-policy").await;
    let draft = b
        .wait_for("#policy-document", super::DEFAULT_WAIT)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(draft.contains("oops"), "{draft}");
    let none = s3
        .get_bucket_policy()
        .bucket("docs")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&none).as_deref(), Some("NoSuchBucketPolicy"));
    assert!(b
        .client()
        .find(fantoccini::Locator::Css("#policy-public"))
        .await
        .is_err());

    // A public-read policy: stored, and the badge says so.
    replace_text(&b, "#policy-document", PUBLIC_READ).await;
    save(&b, "policy").await;
    assert_eq!(b.text("#policy-public").await, "public");
    let policy = s3.get_bucket_policy().bucket("docs").send().await.unwrap();
    assert!(policy.policy().unwrap_or_default().contains("s3:GetObject"));

    // Block Public Access: blocking public policies.
    click(&b, "#block-public-policy").await;
    save(&b, "public-access-block").await;
    let block = s3
        .get_public_access_block()
        .bucket("docs")
        .send()
        .await
        .unwrap();
    let block = block.public_access_block_configuration().unwrap();
    assert_eq!(block.block_public_policy(), Some(true));
    assert_eq!(block.block_public_acls(), Some(false));

    // CORS rules.
    type_into(&b, "#cors-document", CORS).await;
    save(&b, "cors").await;
    let cors = s3.get_bucket_cors().bucket("docs").send().await.unwrap();
    assert_eq!(
        cors.cors_rules()[0].allowed_origins(),
        ["https://app.example"]
    );

    // A lifecycle rule without an action: S3's message; then a good one.
    type_into(&b, "#lifecycle-document", NO_ACTION).await;
    save(&b, "lifecycle").await;
    let refusal = b.text("#lifecycle .change-error").await;
    assert!(
        refusal.starts_with("MalformedXML") || refusal.starts_with("InvalidRequest"),
        "{refusal}"
    );
    b.screenshot("console-settings-bad-lifecycle").await;
    replace_text(&b, "#lifecycle-document", LIFECYCLE).await;
    save(&b, "lifecycle").await;
    let rules = lifecycle_rules(&s3).await;
    assert_eq!(rules[0].id(), Some("old-logs"));
    assert_eq!(rules[0].expiration().and_then(|e| e.days()), Some(30));
    let listed = b.text("#lifecycle-rules tr[data-rule='old-logs']").await;
    assert!(
        listed.contains("keys starting with logs/")
            && listed.contains("current versions expire after 30 days"),
        "{listed}"
    );

    // Rule by rule: one added through the form, a bad one refused with
    // S3's message, the first deleted by its button.
    type_into(&b, "#rule-id", "scratch").await;
    type_into(&b, "#rule-prefix", "tmp/").await;
    type_into(&b, "#rule-tag", "kind=scratch").await;
    type_into(&b, "#rule-larger-than", "1024").await;
    type_into(&b, "#rule-expire-days", "1").await;
    type_into(&b, "#rule-noncurrent-days", "2").await;
    type_into(&b, "#rule-keep-newer", "1").await;
    submit(&b, "#rule-add").await;
    let rules = lifecycle_rules(&s3).await;
    let ids: Vec<_> = rules.iter().filter_map(|r| r.id()).collect();
    assert_eq!(ids, ["old-logs", "scratch"]);
    let scratch = &rules[1];
    assert_eq!(scratch.expiration().and_then(|e| e.days()), Some(1));
    let noncurrent = scratch
        .noncurrent_version_expiration()
        .expect("noncurrent expiry");
    assert_eq!(
        (
            noncurrent.noncurrent_days(),
            noncurrent.newer_noncurrent_versions()
        ),
        (Some(2), Some(1))
    );
    let and = scratch
        .filter()
        .and_then(|f| f.and())
        .expect("an And filter");
    assert_eq!(and.prefix(), Some("tmp/"));
    assert_eq!(and.tags()[0].key(), "kind");
    assert_eq!(and.object_size_greater_than(), Some(1024));
    // Expired delete markers cannot go by tag: S3 says so on the page.
    type_into(&b, "#rule-id", "markers").await;
    type_into(&b, "#rule-tag", "kind=old").await;
    click(&b, "#rule-expired-markers").await;
    submit(&b, "#rule-add").await;
    let refusal = b.text("#lifecycle .change-error").await;
    assert!(
        refusal.starts_with("InvalidArgument") || refusal.starts_with("MalformedXML"),
        "{refusal}"
    );
    b.screenshot("console-settings-lifecycle-rules").await;
    submit(&b, "#lifecycle-rules tr[data-rule='old-logs'] .delete-rule").await;
    let rules = lifecycle_rules(&s3).await;
    let ids: Vec<_> = rules.iter().filter_map(|r| r.id()).collect();
    assert_eq!(ids, ["scratch"]);

    // The quota (the admin user's): 2 objects at most.
    type_into(&b, "#quota-max-objects", "2").await;
    save(&b, "quota").await;
    for key in ["a", "b"] {
        s3.put_object()
            .bucket("docs")
            .key(key)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let over = s3
        .put_object()
        .bucket("docs")
        .key("c")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&over).as_deref(), Some("QuotaExceeded"));

    // A lock bucket's default retention.
    b.goto(&format!("{console}/buckets/vault/settings")).await;
    choose(&b, "#object-lock-mode", "GOVERNANCE").await;
    replace_text(&b, "#object-lock-period", "3").await;
    save(&b, "object-lock").await;
    assert_eq!(b.text("#object-lock-default").await, "GOVERNANCE, 3 days");
    let lock = s3
        .get_object_lock_configuration()
        .bucket("vault")
        .send()
        .await
        .unwrap();
    let retention = lock
        .object_lock_configuration()
        .and_then(|c| c.rule())
        .and_then(|r| r.default_retention())
        .unwrap();
    assert_eq!(retention.mode(), Some(&ObjectLockRetentionMode::Governance));
    assert_eq!(retention.days(), Some(3));
    b.screenshot("console-settings-vault").await;

    // An object of the lock bucket: tags, legal hold, and its default
    // retention, shortened only with the governance bypass.
    s3.put_object()
        .bucket("vault")
        .key("contract.pdf")
        .body(b"signed".to_vec().into())
        .send()
        .await
        .unwrap();
    b.goto(&format!(
        "{console}/buckets/vault/versions?key=contract.pdf"
    ))
    .await;
    click(&b, ".version-settings").await;
    b.wait_for("#retention-now", super::DEFAULT_WAIT).await;
    assert!(b
        .text("#retention-now")
        .await
        .starts_with("GOVERNANCE until"));
    type_into(&b, "#tags-document", "class=legal").await;
    save(&b, "tags").await;
    let tags = s3
        .get_object_tagging()
        .bucket("vault")
        .key("contract.pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set()[0].key(), "class");
    choose(&b, "#legal-hold-status", "ON").await;
    save(&b, "legal-hold").await;
    assert_eq!(b.text("#legal-hold-now").await, "ON");
    let hold = s3
        .get_object_legal_hold()
        .bucket("vault")
        .key("contract.pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(
        hold.legal_hold()
            .and_then(|h| h.status())
            .map(|s| s.as_str()),
        Some("ON")
    );
    let sooner = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    choose(&b, "#retention-mode", "GOVERNANCE").await;
    type_into(&b, "#retention-until", &sooner).await;
    save(&b, "retention").await;
    let refusal = b.text("#retention .change-error").await;
    assert!(refusal.starts_with("AccessDenied"), "{refusal}");
    choose(&b, "#retention-mode", "GOVERNANCE").await;
    type_into(&b, "#retention-until", &sooner).await;
    click(&b, "#retention-bypass").await;
    save(&b, "retention").await;
    let retention = s3
        .get_object_retention()
        .bucket("vault")
        .key("contract.pdf")
        .send()
        .await
        .unwrap();
    let until = retention
        .retention()
        .and_then(|r| r.retain_until_date())
        .map(|d| d.secs())
        .unwrap();
    assert_eq!(
        until,
        time::OffsetDateTime::parse(&sooner, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    );
    b.screenshot("console-settings-object").await;

    // Another user sees S3's refusal, not docs' settings.
    let other = new_user(&store, "mallory", ADMIN_TOKEN);
    let (key, secret) = other.keys();
    click(&b, "#sign-out").await;
    sign_in(&b, &console, key, secret).await;
    b.goto(&format!("{console}/buckets/docs/settings")).await;
    let body = b.text("body").await;
    assert!(body.contains("AccessDenied"), "{body}");
    assert!(!body.contains("cost-centre"), "{body}");
    b.goto(&format!("{console}/buckets/vault/object?key=contract.pdf"))
        .await;
    let body = b.text("body").await;
    assert!(body.contains("AccessDenied"), "{body}");
    assert!(!body.contains("class=legal"), "{body}");
}
