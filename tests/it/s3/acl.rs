//! Several users and ACLs: keys created through the admin API belong to
//! users, buckets and objects to the user who made them; another user's
//! bucket is `AccessDenied`, a missing one `NoSuchBucket`; canned ACLs and
//! grants (headers or `AccessControlPolicy` XML) open a bucket or an
//! object to another user, to every signed request or to anonymous
//! requests, and nothing more.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    AccessControlPolicy, BucketCannedAcl, Grant, Grantee, ObjectCannedAcl, Owner, Permission, Type,
};

use super::create_bucket;
use crate::common::s3::*;

pub(super) const TOKEN: &str = "acl-test-admin-token";
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

pub(super) use crate::common::access::User;

/// A new user of `store` named `name` (the store runs with [`TOKEN`]).
pub(super) fn new_user(store: &StoreProcess, name: &str) -> User {
    crate::common::access::new_user(store, name, TOKEN)
}

/// One grant of an `AccessControlPolicy`.
fn grant(grantee: aws_sdk_s3::types::builders::GranteeBuilder, permission: Permission) -> Grant {
    Grant::builder()
        .grantee(grantee.build().unwrap())
        .permission(permission)
        .build()
}

/// An unsigned request: its status and the S3 error code of its body.
pub(super) fn anonymous(
    store: &StoreProcess,
    method: &str,
    target: &str,
    body: &[u8],
) -> (u16, String) {
    let r = http_request(store.addr(), method, target, &[], body).expect("anonymous request");
    let text = String::from_utf8_lossy(&r.body).into_owned();
    let code = text
        .split("<Code>")
        .nth(1)
        .and_then(|t| t.split("</Code>").next())
        .unwrap_or_default()
        .to_string();
    (r.status, if r.status < 300 { text } else { code })
}

#[tokio::test]
async fn users_own_their_buckets_and_cannot_touch_each_others() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    assert_ne!(alice.id, bob.id);

    create_bucket(&alice.s3, "alice-photos").await;
    put(&alice.s3, "alice-photos", "cat.jpg", b"meow").await;
    create_bucket(&bob.s3, "bob-notes").await;

    // ListBuckets shows each user its own, with itself as the owner.
    for (user, name, mine) in [
        (&alice, "alice", "alice-photos"),
        (&bob, "bob", "bob-notes"),
    ] {
        let out = user.s3.list_buckets().send().await.expect("list buckets");
        let names: Vec<_> = out.buckets().iter().filter_map(|b| b.name()).collect();
        assert_eq!(names, [mine], "{name}'s buckets");
        let owner = out.owner().expect("Owner");
        assert_eq!(owner.id(), Some(user.id.as_str()));
        assert_eq!(owner.display_name(), Some(name));
    }
    let admin_buckets = store.client().list_buckets().send().await.expect("list");
    assert!(
        admin_buckets.buckets().is_empty(),
        "the admin user owns none"
    );

    // Creating an existing bucket: by its owner (us-east-1: 200, as AWS),
    // and by someone else.
    alice
        .s3
        .create_bucket()
        .bucket("alice-photos")
        .send()
        .await
        .expect("re-creating one's own us-east-1 bucket");
    assert_s3_error(
        bob.s3.create_bucket().bucket("alice-photos").send().await,
        "BucketAlreadyExists",
        409,
    );
    assert_eq!(
        get_bytes(&alice.s3, "alice-photos", "cat.jpg").await,
        b"meow"
    );

    // Everything of alice's is closed to bob (and to the admin user).
    for s3 in [&bob.s3, &store.client()] {
        assert_s3_error(
            s3.get_object()
                .bucket("alice-photos")
                .key("cat.jpg")
                .send()
                .await,
            "AccessDenied",
            403,
        );
        assert_s3_error(
            s3.put_object()
                .bucket("alice-photos")
                .key("dog.jpg")
                .body(ByteStream::from_static(b"woof"))
                .send()
                .await,
            "AccessDenied",
            403,
        );
        assert_s3_error(
            s3.list_objects_v2().bucket("alice-photos").send().await,
            "AccessDenied",
            403,
        );
        assert_s3_error(
            s3.delete_object()
                .bucket("alice-photos")
                .key("cat.jpg")
                .send()
                .await,
            "AccessDenied",
            403,
        );
        assert_s3_error(
            s3.delete_bucket().bucket("alice-photos").send().await,
            "AccessDenied",
            403,
        );
        assert_s3_error(
            s3.get_bucket_acl().bucket("alice-photos").send().await,
            "AccessDenied",
            403,
        );
        // A missing key in a bucket the caller may not list says nothing.
        assert_s3_error(
            s3.get_object()
                .bucket("alice-photos")
                .key("nothing")
                .send()
                .await,
            "AccessDenied",
            403,
        );
    }
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("no-such-bucket")
            .key("k")
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
    assert_eq!(
        get_bytes(&alice.s3, "alice-photos", "cat.jpg").await,
        b"meow"
    );
    assert_s3_error(
        alice
            .s3
            .get_object()
            .bucket("alice-photos")
            .key("nothing")
            .send()
            .await,
        "NoSuchKey",
        404,
    );

    // The bucket's ACL: the owner alone, with full control.
    let acl = alice
        .s3
        .get_bucket_acl()
        .bucket("alice-photos")
        .send()
        .await
        .expect("acl");
    assert_eq!(acl.owner().and_then(|o| o.id()), Some(alice.id.as_str()));
    let grants = acl.grants();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].permission(), Some(&Permission::FullControl));
    assert_eq!(
        grants[0].grantee().and_then(|g| g.id()),
        Some(alice.id.as_str())
    );

    // Listing shows the real owner.
    let listed = alice
        .s3
        .list_objects_v2()
        .bucket("alice-photos")
        .fetch_owner(true)
        .send()
        .await
        .expect("list");
    let owner = listed.contents()[0].owner().and_then(|o| o.id());
    assert_eq!(owner, Some(alice.id.as_str()));
}

#[tokio::test]
async fn acls_open_buckets_and_objects_to_others_and_to_anonymous_requests() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");

    alice
        .s3
        .create_bucket()
        .bucket("public")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("create a public-read bucket");
    alice
        .s3
        .put_object()
        .bucket("public")
        .key("open.txt")
        .acl(ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"for everyone"))
        .send()
        .await
        .expect("put a public-read object");
    put(&alice.s3, "public", "closed.txt", b"for alice").await;
    create_bucket(&alice.s3, "private").await;
    put(&alice.s3, "private", "secret.txt", b"shh").await;

    // Anonymous requests: what the ACLs allow, and nothing else.
    let (status, body) = anonymous(&store, "GET", "/public/open.txt", b"");
    assert_eq!((status, body.as_str()), (200, "for everyone"));
    assert_eq!(
        anonymous(&store, "GET", "/public/closed.txt", b""),
        (403, "AccessDenied".into())
    );
    let (status, listing) = anonymous(&store, "GET", "/public?list-type=2", b"");
    assert_eq!(status, 200, "a public-read bucket lists: {listing}");
    assert!(listing.contains("<Key>closed.txt</Key>"), "{listing}");
    assert_eq!(
        anonymous(&store, "GET", "/public/missing", b""),
        (404, "NoSuchKey".into())
    );
    assert_eq!(
        anonymous(&store, "PUT", "/public/new", b"x"),
        (403, "AccessDenied".into())
    );
    assert_eq!(
        anonymous(&store, "GET", "/private/secret.txt", b""),
        (403, "AccessDenied".into())
    );
    assert_eq!(
        anonymous(&store, "GET", "/private/missing", b""),
        (403, "AccessDenied".into())
    );
    assert_eq!(
        anonymous(&store, "GET", "/nowhere/k", b""),
        (404, "NoSuchBucket".into())
    );
    assert_eq!(
        anonymous(&store, "GET", "/", b""),
        (403, "AccessDenied".into())
    );
    assert_eq!(
        anonymous(&store, "PUT", "/anon-bucket", b""),
        (403, "AccessDenied".into())
    );

    // A grant header gives bob one object.
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("private")
            .key("secret.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    alice
        .s3
        .put_object_acl()
        .bucket("private")
        .key("secret.txt")
        .grant_read(format!("id=\"{}\"", bob.id))
        .send()
        .await
        .expect("grant bob read");
    assert_eq!(get_bytes(&bob.s3, "private", "secret.txt").await, b"shh");
    assert_s3_error(
        bob.s3
            .get_object_acl()
            .bucket("private")
            .key("secret.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    // Grants replace the ACL: alice granted herself nothing, yet may
    // still read and mend it as the owner.
    let acl = alice
        .s3
        .get_object_acl()
        .bucket("private")
        .key("secret.txt")
        .send()
        .await
        .expect("the owner reads the ACL");
    assert_eq!(acl.grants().len(), 1);
    assert_eq!(
        acl.grants()[0].grantee().and_then(|g| g.id()),
        Some(bob.id.as_str())
    );

    // An AccessControlPolicy document: the bucket becomes writable by all.
    let policy = AccessControlPolicy::builder()
        .owner(Owner::builder().id(&alice.id).build())
        .grants(grant(
            Grantee::builder().r#type(Type::CanonicalUser).id(&alice.id),
            Permission::FullControl,
        ))
        .grants(grant(
            Grantee::builder().r#type(Type::Group).uri(ALL_USERS),
            Permission::Write,
        ))
        .build();
    alice
        .s3
        .put_bucket_acl()
        .bucket("private")
        .access_control_policy(policy)
        .send()
        .await
        .expect("put a bucket ACL document");
    let (status, _) = anonymous(&store, "PUT", "/private/dropbox.txt", b"from nobody");
    assert_eq!(status, 200, "anonymous write to a public-write bucket");
    assert_eq!(
        get_bytes(&alice.s3, "private", "dropbox.txt").await,
        b"from nobody"
    );
    assert_eq!(
        anonymous(&store, "GET", "/private/dropbox.txt", b""),
        (403, "AccessDenied".into())
    );
    let acl = alice
        .s3
        .get_bucket_acl()
        .bucket("private")
        .send()
        .await
        .expect("bucket acl");
    let all_users_write = acl.grants().iter().any(|g| {
        g.permission() == Some(&Permission::Write)
            && g.grantee().and_then(|g| g.uri()) == Some(ALL_USERS)
    });
    assert!(all_users_write, "{:?}", acl.grants());

    // Bad ACLs are refused and change nothing.
    // A canned ACL that does not exist is refused; nothing is stored.
    assert_s3_error(
        alice
            .s3
            .put_object()
            .bucket("public")
            .key("bad-acl")
            .acl(ObjectCannedAcl::from("everyone-may-look"))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    assert_s3_error(
        alice
            .s3
            .get_object()
            .bucket("public")
            .key("bad-acl")
            .send()
            .await,
        "NoSuchKey",
        404,
    );

    // A grant by e-mail address names the user; a grant to an address or
    // an id no key belongs to is refused.
    let read_by_email = |email: &str| {
        AccessControlPolicy::builder()
            .owner(Owner::builder().id(&alice.id).build())
            .grants(grant(
                Grantee::builder()
                    .r#type(Type::AmazonCustomerByEmail)
                    .email_address(email),
                Permission::Read,
            ))
            .build()
    };
    let put_acl = |policy: AccessControlPolicy| {
        alice
            .s3
            .put_bucket_acl()
            .bucket("private")
            .access_control_policy(policy)
            .send()
    };
    put_acl(read_by_email("bob@example.com"))
        .await
        .expect("grant by e-mail");
    let acl = alice
        .s3
        .get_bucket_acl()
        .bucket("private")
        .send()
        .await
        .expect("bucket acl");
    let grantees: Vec<_> = acl
        .grants()
        .iter()
        .filter_map(|g| g.grantee())
        .map(|g| (g.id(), g.display_name()))
        .collect();
    assert_eq!(grantees, [(Some(bob.id.as_str()), Some("bob"))]);
    assert_s3_error(
        put_acl(read_by_email("nobody@example.com")).await,
        "UnresolvableGrantByEmailAddress",
        400,
    );
    assert_s3_error(
        alice
            .s3
            .put_bucket_acl()
            .bucket("private")
            .grant_read("id=\"0123456789abcdef0123456789abcdef\"")
            .send()
            .await,
        "InvalidArgument",
        400,
    );

    // A CORS preflight is not authenticated: without Origin it is a bad
    // request; this bucket has no CORS rules, so any other is refused.
    assert_eq!(
        anonymous(&store, "OPTIONS", "/private/k", b""),
        (400, "BadRequest".into())
    );
    let preflight = http_request(
        store.addr(),
        "OPTIONS",
        "/private/k",
        &[
            ("Origin", "https://app.example.com"),
            ("Access-Control-Request-Method", "GET"),
        ],
        b"",
    )
    .expect("preflight");
    assert_eq!(preflight.status, 403);
    assert!(String::from_utf8_lossy(&preflight.body).contains("<Code>AccessForbidden</Code>"));
}

/// `ExpectedBucketOwner` (and `ExpectedSourceBucketOwner` on a copy): a
/// request naming an owner other than the bucket's is refused before it
/// reads or writes anything, even by the bucket's own owner; naming the
/// right owner changes nothing.
#[tokio::test]
async fn a_request_naming_another_owner_is_refused_by_the_bucket() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "alice-docs").await;
    put(&alice.s3, "alice-docs", "plan.txt", b"v1").await;

    let listed = alice
        .s3
        .list_objects_v2()
        .bucket("alice-docs")
        .expected_bucket_owner(&alice.id)
        .send()
        .await
        .expect("list naming the right owner");
    assert_eq!(listed.key_count(), Some(1));
    assert_s3_error(
        alice
            .s3
            .list_objects_v2()
            .bucket("alice-docs")
            .expected_bucket_owner(&bob.id)
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        alice
            .s3
            .put_object()
            .bucket("alice-docs")
            .key("plan.txt")
            .body(ByteStream::from_static(b"v2"))
            .expected_bucket_owner(&bob.id)
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_eq!(
        get_bytes(&alice.s3, "alice-docs", "plan.txt").await,
        b"v1",
        "a refused PUT wrote nothing"
    );
    let head = alice
        .s3
        .head_bucket()
        .bucket("alice-docs")
        .expected_bucket_owner(&bob.id)
        .send()
        .await;
    assert_eq!(
        head.err()
            .and_then(|e| e.raw_response().map(|r| r.status().as_u16())),
        Some(403),
        "HeadBucket naming another owner"
    );

    // A copy checks its source bucket's owner too.
    let copy = |source_owner: &str| {
        alice
            .s3
            .copy_object()
            .bucket("alice-docs")
            .key("copy.txt")
            .copy_source("alice-docs/plan.txt")
            .expected_bucket_owner(&alice.id)
            .expected_source_bucket_owner(source_owner)
            .send()
    };
    assert_s3_error(copy(&bob.id).await, "AccessDenied", 403);
    copy(&alice.id).await.expect("copy naming the right owners");
    assert_eq!(get_bytes(&alice.s3, "alice-docs", "copy.txt").await, b"v1");
}
