//! A stored bucket policy that cannot be read denies (fail closed): its
//! Deny statements must not vanish with it. Stored through the test-only
//! fault hook `PREDASTORE_TEST_UNCHECKED_POLICIES`, which skips the check
//! PutBucketPolicy makes.

use aws_sdk_s3::types::BucketCannedAcl;

use super::*;
use crate::common::heal::metric;

#[tokio::test]
async fn an_unreadable_policy_denies_everything_but_its_owners_policy_calls() {
    let store = store(&[("PREDASTORE_TEST_UNCHECKED_POLICIES", "true")]);
    let owner = first_user(&store).await;
    let other = new_user(&store, "other");
    owner
        .s3
        .create_bucket()
        .bucket("shut")
        .send()
        .await
        .expect("bucket");
    owner
        .s3
        .put_bucket_acl()
        .bucket("shut")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("public-read bucket");
    owner
        .s3
        .put_object()
        .bucket("shut")
        .key("k")
        .acl(aws_sdk_s3::types::ObjectCannedAcl::PublicRead)
        .body(b"public".to_vec().into())
        .send()
        .await
        .expect("public object");
    let anonymous_get = || http_request(store.addr(), "GET", "/shut/k", &[], b"").expect("get");
    assert_eq!(anonymous_get().status, 200, "the ACL lets anonymous read");

    // A policy whose Deny would have closed the bucket, damaged.
    let damaged = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::shut/*"}"#;
    put_policy(&owner.s3, "shut", damaged).await;
    let r = anonymous_get();
    assert_eq!(
        (r.status, r.error_code()),
        (403, Some("AccessDenied".into()))
    );
    let r = other.s3.get_object().bucket("shut").key("k").send().await;
    assert_eq!(outcome(r), (403, "AccessDenied".into()), "a grantee");
    let r = owner.s3.get_object().bucket("shut").key("k").send().await;
    assert_eq!(
        outcome(r),
        (403, "AccessDenied".into()),
        "even the owner's reads"
    );
    let r = owner.s3.list_objects_v2().bucket("shut").send().await;
    assert_eq!(outcome(r), (403, "AccessDenied".into()));
    assert_eq!(
        metric(store.addr(), "predastore_bucket_policies_unreadable"),
        Some(1.0)
    );
    let (status, info) = admin(store.addr(), "GET", "/buckets/shut", Some(TOKEN), "");
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["policy"], "unreadable", "admin bucket info: {info}");

    // The owner's policy calls still work: it reads what is stored and
    // replaces it; the bucket opens again.
    let text = owner
        .s3
        .get_bucket_policy()
        .bucket("shut")
        .send()
        .await
        .expect("the owner reads the damaged policy");
    assert_eq!(text.policy(), Some(damaged));
    let readable = policy_of(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::shut/*"}"#,
    );
    put_policy(&owner.s3, "shut", &readable).await;
    assert_eq!(
        anonymous_get().status,
        200,
        "a readable policy opens the bucket again"
    );
    assert_eq!(
        metric(store.addr(), "predastore_bucket_policies_unreadable"),
        Some(0.0)
    );
    let (_, info) = admin(store.addr(), "GET", "/buckets/shut", Some(TOKEN), "");
    assert_eq!(info["policy"], "readable");
}
