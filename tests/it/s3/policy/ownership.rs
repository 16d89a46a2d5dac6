//! Object Ownership and Block Public Access: what new buckets have (none
//! of either here; AWS's with `PREDASTORE_NEW_BUCKET_DEFAULTS=aws`),
//! `BucketOwnerEnforced` turning ACLs off and owning what others write,
//! `BucketOwnerPreferred`, and the four Block Public Access switches.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketCannedAcl, ObjectCannedAcl, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration,
};
use aws_sdk_s3::Client;

use super::super::acl::{new_user, TOKEN};
use super::super::create_bucket;
use super::{
    anonymous_get, denied, get_policy, policy_of, principal, public_read, put_policy, store,
};
use crate::common::s3::*;

fn ownership(o: ObjectOwnership) -> OwnershipControls {
    OwnershipControls::builder()
        .rules(
            OwnershipControlsRule::builder()
                .object_ownership(o)
                .build()
                .expect("rule"),
        )
        .build()
        .expect("ownership controls")
}

async fn get_ownership(s3: &Client, bucket: &str) -> Option<ObjectOwnership> {
    let out = s3
        .get_bucket_ownership_controls()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ownership of {bucket}: {}", DisplayErrorContext(&e)));
    out.ownership_controls()
        .and_then(|c| c.rules().first())
        .map(|r| r.object_ownership().clone())
}

/// Block Public Access switches: (BlockPublicAcls, IgnorePublicAcls,
/// BlockPublicPolicy, RestrictPublicBuckets).
type Switches = (bool, bool, bool, bool);

fn switches(s: Switches) -> PublicAccessBlockConfiguration {
    PublicAccessBlockConfiguration::builder()
        .block_public_acls(s.0)
        .ignore_public_acls(s.1)
        .block_public_policy(s.2)
        .restrict_public_buckets(s.3)
        .build()
}

async fn put_switches(s3: &Client, bucket: &str, s: Switches) {
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(switches(s))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put public access block {s:?}: {}", DisplayErrorContext(&e)));
}

async fn get_switches(s3: &Client, bucket: &str) -> Switches {
    let out = s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get public access block: {}", DisplayErrorContext(&e)));
    let c = out
        .public_access_block_configuration()
        .expect("PublicAccessBlockConfiguration");
    let on = |v: Option<bool>| v.unwrap_or(false);
    (
        on(c.block_public_acls()),
        on(c.ignore_public_acls()),
        on(c.block_public_policy()),
        on(c.restrict_public_buckets()),
    )
}

async fn object_owner(s3: &Client, bucket: &str, key: &str) -> String {
    s3.get_object_acl()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("acl of {bucket}/{key}: {}", DisplayErrorContext(&e)))
        .owner()
        .and_then(|o| o.id())
        .expect("Owner/ID")
        .to_string()
}

#[tokio::test]
async fn new_buckets_have_no_ownership_controls_nor_public_access_block() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "plain").await;
    assert_s3_error(
        alice
            .s3
            .get_bucket_ownership_controls()
            .bucket("plain")
            .send()
            .await,
        "OwnershipControlsNotFoundError",
        404,
    );
    assert_s3_error(
        alice
            .s3
            .get_public_access_block()
            .bucket("plain")
            .send()
            .await,
        "NoSuchPublicAccessBlockConfiguration",
        404,
    );
    // ACLs work as they always did, and objects belong to their writer.
    alice
        .s3
        .put_bucket_acl()
        .bucket("plain")
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .expect("public-read-write bucket ACL");
    put(&bob.s3, "plain", "bobs.txt", b"bob wrote this").await;
    assert_eq!(object_owner(&bob.s3, "plain", "bobs.txt").await, bob.id);
    assert_s3_error(
        alice
            .s3
            .get_object()
            .bucket("plain")
            .key("bobs.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );

    // CreateBucket with x-amz-object-ownership sets it.
    for (bucket, o) in [
        ("enforced", ObjectOwnership::BucketOwnerEnforced),
        ("preferred", ObjectOwnership::BucketOwnerPreferred),
        ("writer", ObjectOwnership::ObjectWriter),
    ] {
        alice
            .s3
            .create_bucket()
            .bucket(bucket)
            .object_ownership(o.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("create {bucket}: {}", DisplayErrorContext(&e)));
        assert_eq!(get_ownership(&alice.s3, bucket).await, Some(o));
    }
    // Only the owner sees or changes it.
    assert_s3_error(
        bob.s3
            .get_bucket_ownership_controls()
            .bucket("enforced")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3
            .put_bucket_ownership_controls()
            .bucket("enforced")
            .ownership_controls(ownership(ObjectOwnership::ObjectWriter))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3
            .get_public_access_block()
            .bucket("enforced")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    // Deleted: none again.
    alice
        .s3
        .delete_bucket_ownership_controls()
        .bucket("writer")
        .send()
        .await
        .expect("delete ownership controls");
    assert_s3_error(
        alice
            .s3
            .get_bucket_ownership_controls()
            .bucket("writer")
            .send()
            .await,
        "OwnershipControlsNotFoundError",
        404,
    );
}

#[tokio::test]
async fn bucket_owner_enforced_turns_acls_off() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    alice
        .s3
        .create_bucket()
        .bucket("enforced")
        .object_ownership(ObjectOwnership::BucketOwnerEnforced)
        .send()
        .await
        .expect("create with BucketOwnerEnforced");

    // ACL headers are refused, and nothing is stored.
    assert_s3_error(
        put_with_acl(
            &alice.s3,
            ("enforced", "public.txt"),
            ObjectCannedAcl::PublicRead,
            b"x",
        )
        .await,
        "AccessControlListNotSupported",
        400,
    );
    assert_s3_error(
        alice
            .s3
            .get_object()
            .bucket("enforced")
            .key("public.txt")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    assert_s3_error(
        alice
            .s3
            .put_bucket_acl()
            .bucket("enforced")
            .acl(BucketCannedAcl::PublicRead)
            .send()
            .await,
        "AccessControlListNotSupported",
        400,
    );
    put(&alice.s3, "enforced", "plain.txt", b"plain").await;
    assert_s3_error(
        alice
            .s3
            .put_object_acl()
            .bucket("enforced")
            .key("plain.txt")
            .acl(ObjectCannedAcl::PublicRead)
            .send()
            .await,
        "AccessControlListNotSupported",
        400,
    );
    assert_s3_error(
        alice
            .s3
            .put_object_acl()
            .bucket("enforced")
            .key("plain.txt")
            .grant_read(format!("id=\"{}\"", bob.id))
            .send()
            .await,
        "AccessControlListNotSupported",
        400,
    );
    assert_eq!(anonymous_get(&store, "/enforced/plain.txt"), denied());
    // bucket-owner-full-control is what every object gets anyway: accepted.
    put_with_acl(
        &alice.s3,
        ("enforced", "full-control.txt"),
        ObjectCannedAcl::BucketOwnerFullControl,
        b"mine",
    )
    .await
    .expect("bucket-owner-full-control is accepted");
    // Reading ACLs still works: the owner, full control.
    let acl = alice
        .s3
        .get_bucket_acl()
        .bucket("enforced")
        .send()
        .await
        .expect("get bucket acl");
    assert_eq!(acl.owner().and_then(|o| o.id()), Some(alice.id.as_str()));

    // An object bob writes (as the policy lets him) belongs to alice.
    let bob_writes = policy_of(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":["{}"]}},"Action":["s3:PutObject","s3:PutObjectAcl","s3:GetObject"],"Resource":"arn:aws:s3:::enforced/*"}}"#,
        bob.id
    ));
    put_policy(&alice.s3, "enforced", &bob_writes).await;
    put(&bob.s3, "enforced", "from-bob.txt", b"written by bob").await;
    assert_eq!(
        object_owner(&alice.s3, "enforced", "from-bob.txt").await,
        alice.id
    );
    assert_eq!(
        get_bytes(&alice.s3, "enforced", "from-bob.txt").await,
        b"written by bob"
    );
    let listed = alice
        .s3
        .list_objects_v2()
        .bucket("enforced")
        .prefix("from-bob")
        .fetch_owner(true)
        .send()
        .await
        .expect("list");
    assert_eq!(
        listed.contents()[0].owner().and_then(|o| o.id()),
        Some(alice.id.as_str())
    );
    let err = put_with_acl(
        &bob.s3,
        ("enforced", "bob-public.txt"),
        ObjectCannedAcl::PublicRead,
        b"x",
    )
    .await
    .expect_err("bob sets a public ACL");
    assert_eq!(
        error_code(&err).as_deref(),
        Some("AccessControlListNotSupported"),
        "{}",
        DisplayErrorContext(&err)
    );

    // BucketOwnerPreferred: bucket-owner-full-control hands the object over.
    alice
        .s3
        .put_bucket_ownership_controls()
        .bucket("enforced")
        .ownership_controls(ownership(ObjectOwnership::BucketOwnerPreferred))
        .send()
        .await
        .expect("BucketOwnerPreferred");
    put_with_acl(
        &bob.s3,
        ("enforced", "handed-over.txt"),
        ObjectCannedAcl::BucketOwnerFullControl,
        b"yours",
    )
    .await
    .expect("bob puts with bucket-owner-full-control");
    put(&bob.s3, "enforced", "kept.txt", b"mine").await;
    assert_eq!(
        object_owner(&alice.s3, "enforced", "handed-over.txt").await,
        alice.id
    );
    assert_eq!(object_owner(&bob.s3, "enforced", "kept.txt").await, bob.id);
}

#[tokio::test]
async fn acls_cannot_be_turned_off_while_the_bucket_acl_grants_others() {
    let store = store();
    let alice = new_user(&store, "alice");
    alice
        .s3
        .create_bucket()
        .bucket("legacy")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("create public-read");
    put_with_acl(
        &alice.s3,
        ("legacy", "open.txt"),
        ObjectCannedAcl::PublicRead,
        b"open",
    )
    .await
    .expect("put public-read object");
    assert_eq!(
        anonymous_get(&store, "/legacy/open.txt"),
        (200, "open".to_string())
    );

    let enforce = || {
        alice
            .s3
            .put_bucket_ownership_controls()
            .bucket("legacy")
            .ownership_controls(ownership(ObjectOwnership::BucketOwnerEnforced))
            .send()
    };
    assert_s3_error(enforce().await, "InvalidBucketAclWithObjectOwnership", 400);
    assert_s3_error(
        alice
            .s3
            .get_bucket_ownership_controls()
            .bucket("legacy")
            .send()
            .await,
        "OwnershipControlsNotFoundError",
        404,
    );
    alice
        .s3
        .put_bucket_acl()
        .bucket("legacy")
        .acl(BucketCannedAcl::Private)
        .send()
        .await
        .expect("private bucket ACL");
    enforce()
        .await
        .expect("BucketOwnerEnforced on a private bucket");
    assert_eq!(
        get_ownership(&alice.s3, "legacy").await,
        Some(ObjectOwnership::BucketOwnerEnforced)
    );
    // The object's public-read ACL no longer grants anything.
    assert_eq!(anonymous_get(&store, "/legacy/open.txt"), denied());
    assert_eq!(get_bytes(&alice.s3, "legacy", "open.txt").await, b"open");
}

#[tokio::test]
async fn block_public_access_switches() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "bpa").await;
    put_with_acl(
        &alice.s3,
        ("bpa", "open.txt"),
        ObjectCannedAcl::PublicRead,
        b"open",
    )
    .await
    .expect("public-read object before any switch");
    assert_eq!(
        anonymous_get(&store, "/bpa/open.txt"),
        (200, "open".to_string())
    );
    put(&alice.s3, "bpa", "plain.txt", b"plain").await;

    // BlockPublicAcls: setting a public ACL is refused; private is fine.
    put_switches(&alice.s3, "bpa", (true, false, false, false)).await;
    assert_eq!(
        get_switches(&alice.s3, "bpa").await,
        (true, false, false, false)
    );
    assert_s3_error(
        put_with_acl(
            &alice.s3,
            ("bpa", "new-public.txt"),
            ObjectCannedAcl::PublicRead,
            b"x",
        )
        .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        alice
            .s3
            .put_object_acl()
            .bucket("bpa")
            .key("open.txt")
            .acl(ObjectCannedAcl::PublicReadWrite)
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        alice
            .s3
            .put_bucket_acl()
            .bucket("bpa")
            .acl(BucketCannedAcl::PublicRead)
            .send()
            .await,
        "AccessDenied",
        403,
    );
    put_with_acl(
        &alice.s3,
        ("bpa", "private.txt"),
        ObjectCannedAcl::Private,
        b"private",
    )
    .await
    .expect("a private ACL is not blocked");
    // An ACL set before the switch still counts (IgnorePublicAcls is off).
    assert_eq!(
        anonymous_get(&store, "/bpa/open.txt"),
        (200, "open".to_string())
    );

    // IgnorePublicAcls: the public grant counts for nothing; a grant to
    // one user still does.
    alice
        .s3
        .put_object_acl()
        .bucket("bpa")
        .key("private.txt")
        .grant_read(format!("id=\"{}\"", bob.id))
        .send()
        .await
        .expect("grant bob read");
    put_switches(&alice.s3, "bpa", (false, true, false, false)).await;
    assert_eq!(anonymous_get(&store, "/bpa/open.txt"), denied());
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("bpa")
            .key("open.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_eq!(get_bytes(&bob.s3, "bpa", "private.txt").await, b"private");
    assert_eq!(get_bytes(&alice.s3, "bpa", "open.txt").await, b"open");

    // BlockPublicPolicy: a public policy is refused, a private one is not.
    put_switches(&alice.s3, "bpa", (false, false, true, false)).await;
    assert_eq!(
        anonymous_get(&store, "/bpa/open.txt"),
        (200, "open".to_string())
    );
    assert_s3_error(
        alice
            .s3
            .put_bucket_policy()
            .bucket("bpa")
            .policy(public_read("bpa"))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        alice.s3.get_bucket_policy().bucket("bpa").send().await,
        "NoSuchBucketPolicy",
        404,
    );
    let for_bob = policy_of(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bpa/*"}}"#,
        principal(&bob.id)
    ));
    put_policy(&alice.s3, "bpa", &for_bob).await;

    // RestrictPublicBuckets: a public policy serves only the owner.
    alice
        .s3
        .delete_public_access_block()
        .bucket("bpa")
        .send()
        .await
        .expect("delete public access block");
    assert_s3_error(
        alice
            .s3
            .get_public_access_block()
            .bucket("bpa")
            .send()
            .await,
        "NoSuchPublicAccessBlockConfiguration",
        404,
    );
    put_policy(&alice.s3, "bpa", &public_read("bpa")).await;
    assert_eq!(
        anonymous_get(&store, "/bpa/plain.txt"),
        (200, "plain".to_string())
    );
    assert_eq!(get_bytes(&bob.s3, "bpa", "plain.txt").await, b"plain");
    put_switches(&alice.s3, "bpa", (false, false, false, true)).await;
    assert_eq!(anonymous_get(&store, "/bpa/plain.txt"), denied());
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("bpa")
            .key("plain.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_eq!(get_bytes(&alice.s3, "bpa", "plain.txt").await, b"plain");
    // The policy is kept, and serves again once the switch is off.
    assert_eq!(get_policy(&alice.s3, "bpa").await, public_read("bpa"));
    put_switches(&alice.s3, "bpa", (false, false, false, false)).await;
    assert_eq!(
        anonymous_get(&store, "/bpa/plain.txt"),
        (200, "plain".to_string())
    );
}

#[tokio::test]
async fn aws_defaults_turn_acls_off_and_block_public_access_on_new_buckets() {
    let store = StoreProcess::start(&[
        ("PREDASTORE_ADMIN_TOKEN", TOKEN),
        ("PREDASTORE_NEW_BUCKET_DEFAULTS", "aws"),
    ]);
    let alice = new_user(&store, "alice");
    create_bucket(&alice.s3, "modern").await;
    assert_eq!(
        get_ownership(&alice.s3, "modern").await,
        Some(ObjectOwnership::BucketOwnerEnforced)
    );
    assert_eq!(
        get_switches(&alice.s3, "modern").await,
        (true, true, true, true)
    );
    assert_s3_error(
        put_with_acl(
            &alice.s3,
            ("modern", "public.txt"),
            ObjectCannedAcl::PublicRead,
            b"x",
        )
        .await,
        "AccessControlListNotSupported",
        400,
    );
    assert_s3_error(
        alice
            .s3
            .put_bucket_policy()
            .bucket("modern")
            .policy(public_read("modern"))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    put(&alice.s3, "modern", "k", b"v").await;
    assert_eq!(anonymous_get(&store, "/modern/k"), denied());

    // Asked for: ACLs on, yet public access blocked, as AWS.
    alice
        .s3
        .create_bucket()
        .bucket("classic")
        .object_ownership(ObjectOwnership::ObjectWriter)
        .send()
        .await
        .expect("create with ObjectWriter");
    assert_eq!(
        get_ownership(&alice.s3, "classic").await,
        Some(ObjectOwnership::ObjectWriter)
    );
    assert_eq!(
        get_switches(&alice.s3, "classic").await,
        (true, true, true, true)
    );
    // Turned off, a public policy is accepted and serves.
    alice
        .s3
        .delete_public_access_block()
        .bucket("modern")
        .send()
        .await
        .expect("delete public access block");
    put_policy(&alice.s3, "modern", &public_read("modern")).await;
    assert_eq!(anonymous_get(&store, "/modern/k"), (200, "v".to_string()));
}

/// PutObject of `body` at `(bucket, key)` with a canned ACL.
async fn put_with_acl(
    s3: &Client,
    (bucket, key): (&str, &str),
    acl: ObjectCannedAcl,
    body: &'static [u8],
) -> Result<
    aws_sdk_s3::operation::put_object::PutObjectOutput,
    aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::put_object::PutObjectError>,
> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .acl(acl)
        .body(ByteStream::from_static(body))
        .send()
        .await
}
