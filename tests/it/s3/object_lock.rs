//! Object lock (WORM) through the AWS SDK: a lock bucket's default
//! retention, governance retention and its bypass, compliance retention
//! that can only be extended, legal holds, a locked version's delete
//! refused through S3 and the bucket's delete refused with the admin API
//! saying why, and lock settings refused where they do not apply.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    BucketVersioningStatus, DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled,
    ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention,
    ObjectLockRetentionMode, ObjectLockRule, VersioningConfiguration,
};

use super::versioning::*;
use super::{create_bucket, now_secs};
use crate::common::access::lock_bucket;
use crate::common::admin::admin;
use crate::common::s3::*;

/// The admin API's bearer token of the stores that need it.
const ADMIN_TOKEN: &str = "versioning-admin-token";

#[tokio::test]
async fn governance_retention_by_default_yields_only_to_a_bypass() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    lock_bucket(&s3, "gov").await;

    assert_eq!(
        versioning_status(&s3, "gov").await,
        Some(BucketVersioningStatus::Enabled),
        "object lock turns versioning on"
    );
    let config = s3
        .get_object_lock_configuration()
        .bucket("gov")
        .send()
        .await
        .expect("GetObjectLockConfiguration");
    let config = config.object_lock_configuration().expect("configuration");
    assert_eq!(
        config.object_lock_enabled(),
        Some(&ObjectLockEnabled::Enabled)
    );

    s3.put_object_lock_configuration()
        .bucket("gov")
        .object_lock_configuration(
            ObjectLockConfiguration::builder()
                .object_lock_enabled(ObjectLockEnabled::Enabled)
                .rule(
                    ObjectLockRule::builder()
                        .default_retention(
                            DefaultRetention::builder()
                                .mode(ObjectLockRetentionMode::Governance)
                                .days(1)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObjectLockConfiguration: {}", DisplayErrorContext(&e)));
    let config = s3
        .get_object_lock_configuration()
        .bucket("gov")
        .send()
        .await
        .expect("GetObjectLockConfiguration");
    let retention = config
        .object_lock_configuration()
        .and_then(|c| c.rule())
        .and_then(|r| r.default_retention())
        .expect("default retention");
    assert_eq!(retention.mode(), Some(&ObjectLockRetentionMode::Governance));
    assert_eq!(retention.days(), Some(1));

    // A plain PUT takes the default retention.
    let id = put_version(&s3, "gov", "doc", b"governed").await;
    let head = s3
        .head_object()
        .bucket("gov")
        .key("doc")
        .send()
        .await
        .expect("HEAD");
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Governance));
    let until = head
        .object_lock_retain_until_date()
        .expect("retain-until date")
        .secs();
    let ahead = until - now_secs();
    assert!(
        (DAY - 300..=DAY + 60).contains(&ahead),
        "retained for {ahead} s, not about a day"
    );
    let got = s3
        .get_object_retention()
        .bucket("gov")
        .key("doc")
        .version_id(&id)
        .send()
        .await
        .expect("GetObjectRetention");
    let got = got.retention().expect("Retention");
    assert_eq!(got.mode(), Some(&ObjectLockRetentionMode::Governance));
    assert_eq!(got.retain_until_date().map(DateTime::secs), Some(until));

    assert_s3_error(
        s3.delete_object()
            .bucket("gov")
            .key("doc")
            .version_id(&id)
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_eq!(get_v(&s3, "gov", "doc", Some(&id)).await.0, b"governed");

    // A delete without id only hides it behind a marker.
    let del = s3
        .delete_object()
        .bucket("gov")
        .key("doc")
        .send()
        .await
        .expect("DeleteObject without id on a lock bucket");
    assert_eq!(del.delete_marker(), Some(true));
    assert_s3_error(
        s3.get_object().bucket("gov").key("doc").send().await,
        "NoSuchKey",
        404,
    );
    assert_eq!(get_v(&s3, "gov", "doc", Some(&id)).await.0, b"governed");

    // The owner may bypass governance.
    s3.delete_object()
        .bucket("gov")
        .key("doc")
        .version_id(&id)
        .bypass_governance_retention(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("delete with bypass: {}", DisplayErrorContext(&e)));
    assert_s3_error(
        s3.get_object()
            .bucket("gov")
            .key("doc")
            .version_id(&id)
            .send()
            .await,
        "NoSuchVersion",
        404,
    );
}

#[tokio::test]
async fn compliance_retention_and_legal_holds_keep_versions() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)]);
    let s3 = store.client();
    lock_bucket(&s3, "worm").await;

    // COMPLIANCE for a day, given on the PUT.
    let until = DateTime::from_secs(now_secs() + DAY);
    let id = s3
        .put_object()
        .bucket("worm")
        .key("c")
        .object_lock_mode(ObjectLockMode::Compliance)
        .object_lock_retain_until_date(until)
        .body(ByteStream::from_static(b"compliant"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PUT with COMPLIANCE: {}", DisplayErrorContext(&e)))
        .version_id()
        .expect("version id")
        .to_string();
    let head = s3
        .head_object()
        .bucket("worm")
        .key("c")
        .version_id(&id)
        .send()
        .await
        .expect("HEAD");
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Compliance));
    assert_eq!(
        head.object_lock_retain_until_date().map(DateTime::secs),
        Some(until.secs())
    );

    for bypass in [false, true] {
        assert_s3_error(
            s3.delete_object()
                .bucket("worm")
                .key("c")
                .version_id(&id)
                .bypass_governance_retention(bypass)
                .send()
                .await,
            "AccessDenied",
            403,
        );
    }
    let retention = |mode: ObjectLockRetentionMode, secs: i64| {
        ObjectLockRetention::builder()
            .mode(mode)
            .retain_until_date(DateTime::from_secs(secs))
            .build()
    };
    // The bucket cannot go either: S3 refuses it, and the admin API says
    // why (it offers no way around the lock).
    assert_s3_error(
        s3.delete_bucket().bucket("worm").send().await,
        "BucketNotEmpty",
        409,
    );
    let (status, info) = admin(store.addr(), "GET", "/buckets/worm", Some(ADMIN_TOKEN), "");
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["locked_versions"], 1, "{info}");
    assert_eq!(info["versioning"], "Enabled", "{info}");
    assert!(
        info["delete_blocked_by"]
            .as_str()
            .is_some_and(|why| why.contains("object lock")),
        "{info}"
    );

    // Neither shortened nor weakened to GOVERNANCE, even with a bypass.
    assert_s3_error(
        s3.put_object_retention()
            .bucket("worm")
            .key("c")
            .version_id(&id)
            .bypass_governance_retention(true)
            .retention(retention(
                ObjectLockRetentionMode::Compliance,
                until.secs() - 3600,
            ))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        s3.put_object_retention()
            .bucket("worm")
            .key("c")
            .version_id(&id)
            .bypass_governance_retention(true)
            .retention(retention(
                ObjectLockRetentionMode::Governance,
                until.secs() + DAY,
            ))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    // Extended, it is.
    let later = until.secs() + DAY;
    s3.put_object_retention()
        .bucket("worm")
        .key("c")
        .version_id(&id)
        .retention(retention(ObjectLockRetentionMode::Compliance, later))
        .send()
        .await
        .unwrap_or_else(|e| panic!("extend retention: {}", DisplayErrorContext(&e)));
    let got = s3
        .get_object_retention()
        .bucket("worm")
        .key("c")
        .version_id(&id)
        .send()
        .await
        .expect("GetObjectRetention");
    let got = got.retention().expect("Retention");
    assert_eq!(got.mode(), Some(&ObjectLockRetentionMode::Compliance));
    assert_eq!(got.retain_until_date().map(DateTime::secs), Some(later));

    // A delete without id adds a marker; the version stays readable.
    let del = s3
        .delete_object()
        .bucket("worm")
        .key("c")
        .send()
        .await
        .expect("DeleteObject without id");
    assert_eq!(del.delete_marker(), Some(true));
    assert_s3_error(
        s3.get_object().bucket("worm").key("c").send().await,
        "NoSuchKey",
        404,
    );
    assert_eq!(get_v(&s3, "worm", "c", Some(&id)).await.0, b"compliant");

    // A legal hold (no retention on this one) stops deletes, bypass or not.
    let held = put_version(&s3, "worm", "h", b"held").await;
    let hold = |status: ObjectLockLegalHoldStatus| {
        s3.put_object_legal_hold()
            .bucket("worm")
            .key("h")
            .version_id(&held)
            .legal_hold(ObjectLockLegalHold::builder().status(status).build())
            .send()
    };
    hold(ObjectLockLegalHoldStatus::On)
        .await
        .unwrap_or_else(|e| panic!("legal hold ON: {}", DisplayErrorContext(&e)));
    let status = s3
        .get_object_legal_hold()
        .bucket("worm")
        .key("h")
        .version_id(&held)
        .send()
        .await
        .expect("GetObjectLegalHold");
    assert_eq!(
        status.legal_hold().and_then(|h| h.status()),
        Some(&ObjectLockLegalHoldStatus::On)
    );
    for bypass in [false, true] {
        assert_s3_error(
            s3.delete_object()
                .bucket("worm")
                .key("h")
                .version_id(&held)
                .bypass_governance_retention(bypass)
                .send()
                .await,
            "AccessDenied",
            403,
        );
    }
    assert_eq!(get_v(&s3, "worm", "h", Some(&held)).await.0, b"held");
    hold(ObjectLockLegalHoldStatus::Off)
        .await
        .unwrap_or_else(|e| panic!("legal hold OFF: {}", DisplayErrorContext(&e)));
    delete_version(&s3, "worm", "h", &held).await;
    assert_s3_error(
        s3.get_object()
            .bucket("worm")
            .key("h")
            .version_id(&held)
            .send()
            .await,
        "NoSuchVersion",
        404,
    );
}

#[tokio::test]
async fn object_lock_is_refused_where_it_does_not_apply() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "plain").await;
    lock_bucket(&s3, "locked").await;

    // Lock headers on a bucket without object lock.
    assert_s3_error(
        s3.put_object()
            .bucket("plain")
            .key("k")
            .object_lock_mode(ObjectLockMode::Governance)
            .object_lock_retain_until_date(DateTime::from_secs(now_secs() + DAY))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "InvalidRequest",
        400,
    );
    assert_s3_error(
        s3.put_object()
            .bucket("plain")
            .key("k")
            .object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "InvalidRequest",
        400,
    );
    assert_status(s3.head_object().bucket("plain").key("k").send().await, 404);
    assert_s3_error(
        s3.get_object_lock_configuration()
            .bucket("plain")
            .send()
            .await,
        "ObjectLockConfigurationNotFoundError",
        404,
    );

    // A lock bucket cannot stop versioning.
    assert_s3_error(
        s3.put_bucket_versioning()
            .bucket("locked")
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Suspended)
                    .build(),
            )
            .send()
            .await,
        "InvalidBucketState",
        409,
    );
    assert_eq!(
        versioning_status(&s3, "locked").await,
        Some(BucketVersioningStatus::Enabled)
    );
    // A retain-until date in the past is refused.
    assert_s3_error(
        s3.put_object()
            .bucket("locked")
            .key("k")
            .object_lock_mode(ObjectLockMode::Compliance)
            .object_lock_retain_until_date(DateTime::from_secs(now_secs() - 60))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "InvalidArgument",
        400,
    );
}
