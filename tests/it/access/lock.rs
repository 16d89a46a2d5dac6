//! Object lock against everyone but whom it is for: a held or retained
//! version survives a WRITE or FULL_CONTROL grantee, anonymous requests on
//! a public-read-write bucket, a user the policy allows `s3:*` but lock
//! changes, batch deletes, copies, multipart uploads and form uploads over
//! it, and lifecycle expiration; a bypass header counts only with
//! `s3:BypassGovernanceRetention`; bucket policies are their owner's
//! (405 to others). Every control still works for whom it is: the owner
//! lifts a hold and deletes, a user the policy allows to may, a WRITE
//! grantee writes and deletes plain objects.

use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{
    BucketCannedAcl, Delete, ObjectIdentifier, ObjectLockLegalHold, ObjectLockLegalHoldStatus,
    ObjectLockRetention, ObjectLockRetentionMode,
};

use super::*;
use crate::common::lifecycle::{built, prefix, put_rules, rule};

const HOLD_OFF: &str = "<LegalHold><Status>OFF</Status></LegalHold>";

/// Turns the legal hold of `bucket`/`key` version `v` on or off as `s3`.
async fn hold(s3: &Client, bucket: &str, key: &str, v: &str, on: bool) -> (u16, String) {
    let status = if on {
        ObjectLockLegalHoldStatus::On
    } else {
        ObjectLockLegalHoldStatus::Off
    };
    outcome(
        s3.put_object_legal_hold()
            .bucket(bucket)
            .key(key)
            .version_id(v)
            .legal_hold(ObjectLockLegalHold::builder().status(status).build())
            .send()
            .await,
    )
}

/// Deletes version `v` of `bucket`/`key` as `s3`.
async fn delete_version(s3: &Client, bucket: &str, key: &str, v: &str) -> (u16, String) {
    outcome(
        s3.delete_object()
            .bucket(bucket)
            .key(key)
            .version_id(v)
            .send()
            .await,
    )
}

/// Asserts version `v` of `bucket`/`key` still holds `body` (read by the
/// owner `s3`).
async fn assert_survives(s3: &Client, bucket: &str, key: &str, v: &str, body: &[u8]) {
    let got = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .version_id(v)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the held version is gone: {}", DisplayErrorContext(&e)));
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(&bytes[..], body, "the held version's bytes");
}

#[tokio::test]
async fn a_grantee_can_neither_lift_a_hold_nor_lock_the_owner_out() {
    let store = store(&[]);
    let owner = first_user(&store).await;
    let writer = new_user(&store, "writer");
    let full = new_user(&store, "full");
    lock_bucket(&owner.s3, "vault").await;
    // WRITE to one user, FULL_CONTROL (every ACL permission) to another:
    // neither reaches object lock.
    owner
        .s3
        .put_bucket_acl()
        .bucket("vault")
        .grant_full_control(format!("id=\"{}\", id=\"{}\"", owner.id, full.id))
        .grant_write(format!("id=\"{}\"", writer.id))
        .send()
        .await
        .expect("the grants");

    let held = put_version(&owner.s3, "vault", "backup.tar", b"the backup").await;
    assert_eq!(
        hold(&owner.s3, "vault", "backup.tar", &held, true).await.0,
        200
    );
    for user in [&writer, &full] {
        assert_eq!(
            hold(&user.s3, "vault", "backup.tar", &held, false).await,
            (403, "AccessDenied".into()),
            "a grantee lifts the hold"
        );
        assert_eq!(
            delete_version(&user.s3, "vault", "backup.tar", &held).await,
            (403, "AccessDenied".into()),
            "a grantee deletes the held version"
        );
    }
    assert_survives(&owner.s3, "vault", "backup.tar", &held, b"the backup").await;

    // COMPLIANCE until 2099 on the owner's unlocked version: refused.
    let free = put_version(&owner.s3, "vault", "report.pdf", b"report").await;
    let until = DateTime::from_secs(4_070_908_800);
    for user in [&writer, &full] {
        let r = user
            .s3
            .put_object_retention()
            .bucket("vault")
            .key("report.pdf")
            .version_id(&free)
            .retention(
                ObjectLockRetention::builder()
                    .mode(ObjectLockRetentionMode::Compliance)
                    .retain_until_date(until)
                    .build(),
            )
            .send()
            .await;
        assert_eq!(
            outcome(r),
            (403, "AccessDenied".into()),
            "a grantee locks the owner out"
        );
        // Nor by writing a new version with the lock in its headers.
        let r = user
            .s3
            .put_object()
            .bucket("vault")
            .key("report.pdf")
            .object_lock_mode(aws_sdk_s3::types::ObjectLockMode::Compliance)
            .object_lock_retain_until_date(until)
            .body(b"locked forever".to_vec().into())
            .send()
            .await;
        assert_eq!(
            outcome(r),
            (403, "AccessDenied".into()),
            "a write with a lock"
        );
    }
    // The owner deletes its version: nothing locked it.
    assert_eq!(
        delete_version(&owner.s3, "vault", "report.pdf", &free)
            .await
            .0,
        200
    );

    // WRITE grantees still write and delete plain objects.
    put_version(&writer.s3, "vault", "mine.txt", b"mine").await;
    let r = writer
        .s3
        .delete_object()
        .bucket("vault")
        .key("mine.txt")
        .send()
        .await;
    assert_eq!(outcome(r).0, 200, "a WRITE grantee deletes (a marker)");

    // The owner lifts its hold and deletes.
    assert_eq!(
        hold(&owner.s3, "vault", "backup.tar", &held, false).await.0,
        200
    );
    assert_eq!(
        delete_version(&owner.s3, "vault", "backup.tar", &held)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn anonymous_on_a_public_read_write_lock_bucket_cannot_lift_or_delete() {
    let store = store(&[]);
    let owner = first_user(&store).await;
    lock_bucket(&owner.s3, "open-vault").await;
    owner
        .s3
        .put_bucket_acl()
        .bucket("open-vault")
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .expect("public-read-write");
    let held = put_version(&owner.s3, "open-vault", "k", b"kept").await;
    assert_eq!(hold(&owner.s3, "open-vault", "k", &held, true).await.0, 200);

    let r = http_request(
        store.addr(),
        "PUT",
        &format!("/open-vault/k?legal-hold&versionId={held}"),
        &[],
        HOLD_OFF.as_bytes(),
    )
    .expect("anonymous hold off");
    assert_eq!(
        (r.status, r.error_code()),
        (403, Some("AccessDenied".into()))
    );
    let r = http_request(
        store.addr(),
        "DELETE",
        &format!("/open-vault/k?versionId={held}"),
        &[],
        b"",
    )
    .expect("anonymous delete");
    assert_eq!(
        (r.status, r.error_code()),
        (403, Some("AccessDenied".into()))
    );
    // Writing over it anonymously (the ACL allows) adds a version.
    let r = http_request(store.addr(), "PUT", "/open-vault/k", &[], b"over").expect("put");
    assert_eq!(r.status, 200, "public-read-write still takes writes");
    assert_survives(&owner.s3, "open-vault", "k", &held, b"kept").await;
}

#[tokio::test]
async fn a_held_version_survives_batch_deletes_copies_uploads_and_lifecycle() {
    let store = store(&[("PREDASTORE_LIFECYCLE_DAY_SECS", "1")]);
    let owner = first_user(&store).await;
    let everything_but_lock = new_user(&store, "almost");
    lock_bucket(&owner.s3, "keep").await;
    // `s3:*` but the lock's own actions.
    let statement = format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":["{}"]}},"NotAction":["s3:PutObjectLegalHold","s3:PutObjectRetention","s3:BypassGovernanceRetention","s3:PutBucketPolicy"],"Resource":["arn:aws:s3:::keep","arn:aws:s3:::keep/*"]}}"#,
        everything_but_lock.id
    );
    put_policy(&owner.s3, "keep", &policy_of(&statement)).await;
    let held = put_version(&owner.s3, "keep", "k", b"held").await;
    assert_eq!(hold(&owner.s3, "keep", "k", &held, true).await.0, 200);
    let other = &everything_but_lock.s3;
    assert_eq!(
        hold(other, "keep", "k", &held, false).await,
        (403, "AccessDenied".into())
    );
    assert_eq!(
        delete_version(other, "keep", "k", &held).await,
        (403, "AccessDenied".into()),
        "s3:DeleteObjectVersion is allowed, the hold is not lifted"
    );
    // DeleteObjects naming the version.
    let batch = other
        .delete_objects()
        .bucket("keep")
        .delete(
            Delete::builder()
                .objects(
                    ObjectIdentifier::builder()
                        .key("k")
                        .version_id(&held)
                        .build()
                        .expect("id"),
                )
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects answers");
    assert_eq!(batch.errors().len(), 1, "the held version is refused");
    assert_eq!(batch.errors()[0].code(), Some("AccessDenied"));
    // Writes over the key: a copy, a multipart upload, a form upload.
    let source = put_version(&owner.s3, "keep", "src", b"source").await;
    other
        .copy_object()
        .bucket("keep")
        .key("k")
        .copy_source(format!("keep/src?versionId={source}"))
        .send()
        .await
        .expect("copy over the key");
    let up = other
        .create_multipart_upload()
        .bucket("keep")
        .key("k")
        .send()
        .await
        .expect("upload");
    let part = other
        .upload_part()
        .bucket("keep")
        .key("k")
        .upload_id(up.upload_id().unwrap_or_default())
        .part_number(1)
        .body(b"part".to_vec().into())
        .send()
        .await
        .expect("part");
    other
        .complete_multipart_upload()
        .bucket("keep")
        .key("k")
        .upload_id(up.upload_id().unwrap_or_default())
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .parts(
                    aws_sdk_s3::types::CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap_or_default())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("complete over the key");
    // Lifecycle: noncurrent versions expire after a (one-second) day; the
    // held one, noncurrent now, stays; one beside it that is not held goes.
    let loose = put_version(&owner.s3, "keep", "loose", b"loose").await;
    put_version(&owner.s3, "keep", "loose", b"newer").await;
    let expire_noncurrent = aws_sdk_s3::types::NoncurrentVersionExpiration::builder()
        .noncurrent_days(1)
        .build();
    let old = rule("old", prefix("")).noncurrent_version_expiration(expire_noncurrent);
    put_rules(&owner.s3, "keep", built([old])).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let gone = owner
            .s3
            .head_object()
            .bucket("keep")
            .key("loose")
            .version_id(&loose)
            .send()
            .await
            .is_err();
        if gone {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "lifecycle never expired the loose version"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_survives(&owner.s3, "keep", "k", &held, b"held").await;

    // Whom the policy allows `s3:PutObjectLegalHold` may lift it.
    let keeper = new_user(&store, "keeper");
    let lift = format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":["{}"]}},"Action":["s3:PutObjectLegalHold","s3:DeleteObjectVersion"],"Resource":"arn:aws:s3:::keep/*"}}"#,
        keeper.id
    );
    put_policy(&owner.s3, "keep", &policy_of(&lift)).await;
    assert_eq!(hold(&keeper.s3, "keep", "k", &held, false).await.0, 200);
    assert_eq!(delete_version(&keeper.s3, "keep", "k", &held).await.0, 200);
}

#[tokio::test]
async fn the_bypass_counts_only_with_its_permission_and_policies_are_the_owners() {
    let store = store(&[]);
    let owner = first_user(&store).await;
    let admin_ish = new_user(&store, "everything");
    lock_bucket(&owner.s3, "gov").await;
    let v = put_version(&owner.s3, "gov", "k", b"governed").await;
    let until = DateTime::from_secs(4_070_908_800);
    owner
        .s3
        .put_object_retention()
        .bucket("gov")
        .key("k")
        .version_id(&v)
        .retention(
            ObjectLockRetention::builder()
                .mode(ObjectLockRetentionMode::Governance)
                .retain_until_date(until)
                .build(),
        )
        .send()
        .await
        .expect("governance retention");
    let deny_bypass = format!(
        r#"{{"Effect":"Deny","Principal":{{"AWS":["{}"]}},"Action":"s3:BypassGovernanceRetention","Resource":"arn:aws:s3:::gov/*"}},{{"Effect":"Allow","Principal":{{"AWS":["{}"]}},"Action":"s3:*","Resource":["arn:aws:s3:::gov","arn:aws:s3:::gov/*"]}}"#,
        owner.id, admin_ish.id
    );
    put_policy(&owner.s3, "gov", &policy_of(&deny_bypass)).await;
    let bypass_delete = |s3: &Client| {
        s3.delete_object()
            .bucket("gov")
            .key("k")
            .version_id(&v)
            .bypass_governance_retention(true)
            .send()
    };
    assert_eq!(
        outcome(bypass_delete(&owner.s3).await),
        (403, "AccessDenied".into()),
        "the owner's bypass under a deny of s3:BypassGovernanceRetention"
    );
    // A user the policy allows `s3:*` may bypass (s3:* holds it).
    // First: policy calls are the owner's alone, whatever the policy says.
    let r = admin_ish
        .s3
        .put_bucket_policy()
        .bucket("gov")
        .policy(policy_of(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::gov/*"}"#,
        ))
        .send()
        .await;
    assert_eq!(
        outcome(r),
        (405, "MethodNotAllowed".into()),
        "PutBucketPolicy by a non-owner"
    );
    let r = admin_ish.s3.get_bucket_policy().bucket("gov").send().await;
    assert_eq!(outcome(r), (405, "MethodNotAllowed".into()));
    let r = admin_ish
        .s3
        .delete_bucket_policy()
        .bucket("gov")
        .send()
        .await;
    assert_eq!(outcome(r), (405, "MethodNotAllowed".into()));
    // Anonymous still cannot read: the policy did not change.
    let r = http_request(store.addr(), "GET", "/gov/k", &[], b"").expect("anonymous get");
    assert_eq!(r.status, 403);
    // The owner keeps its policy calls under a deny of them.
    let deny_policy_calls = format!(
        r#"{{"Effect":"Deny","Principal":"*","Action":["s3:PutBucketPolicy","s3:GetBucketPolicy","s3:DeleteBucketPolicy"],"Resource":"arn:aws:s3:::gov"}},{{"Effect":"Allow","Principal":{{"AWS":["{}"]}},"Action":"s3:*","Resource":["arn:aws:s3:::gov","arn:aws:s3:::gov/*"]}}"#,
        admin_ish.id
    );
    put_policy(&owner.s3, "gov", &policy_of(&deny_policy_calls)).await;
    let r = owner.s3.get_bucket_policy().bucket("gov").send().await;
    assert_eq!(outcome(r).0, 200, "the owner reads its policy under a deny");
    // The policy's `s3:*` user bypasses governance.
    assert_eq!(outcome(bypass_delete(&admin_ish.s3).await).0, 200);
}

#[tokio::test]
async fn attributes_need_get_object_too() {
    let store = store(&[]);
    let owner = first_user(&store).await;
    let reader = new_user(&store, "reader");
    owner
        .s3
        .create_bucket()
        .bucket("attrs")
        .send()
        .await
        .expect("bucket");
    owner
        .s3
        .put_object()
        .bucket("attrs")
        .key("secret")
        .body(b"secret".to_vec().into())
        .send()
        .await
        .expect("put");
    let statements = format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":["{0}"]}},"Action":["s3:GetObjectAttributes","s3:GetObject"],"Resource":"arn:aws:s3:::attrs/*"}},{{"Effect":"Deny","Principal":{{"AWS":["{0}"]}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::attrs/secret"}}"#,
        reader.id
    );
    put_policy(&owner.s3, "attrs", &policy_of(&statements)).await;
    let attributes = |s3: &Client| {
        s3.get_object_attributes()
            .bucket("attrs")
            .key("secret")
            .object_attributes(aws_sdk_s3::types::ObjectAttributes::ObjectSize)
            .send()
    };
    assert_eq!(
        outcome(attributes(&reader.s3).await),
        (403, "AccessDenied".into()),
        "size, ETag and parts leak"
    );
    let r = attributes(&owner.s3)
        .await
        .expect("the owner reads attributes");
    assert_eq!(r.object_size(), Some(6));
}
