//! Bucket policies as a user meets them: a public-read policy serves
//! anonymous GETs and nothing else; an explicit deny beats an ACL grant; a
//! user confined to `home/${aws:username}/` by policy; the policy's own API
//! and its refusals; GetBucketPolicyStatus; presigned URLs judged like any
//! request. Object Ownership and Block Public Access: `ownership`.

mod ownership;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ObjectCannedAcl;
use aws_sdk_s3::Client;
use std::time::Duration;

use super::acl::{anonymous, new_user, TOKEN};
use super::{completed, create_bucket, create_upload, upload_part};
use crate::common::access::put_policy;
use crate::common::s3::*;

/// A store whose admin API makes users.
fn store() -> StoreProcess {
    StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)])
}

/// AWS's public-read example: anyone may GET any object of `bucket`.
fn public_read(bucket: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}]}}"#
    )
}

/// A policy of `statements` (JSON objects, comma separated).
fn policy_of(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// `arn:aws:iam::<id>:root`, the principal form AWS users write.
fn principal(user_id: &str) -> String {
    format!("arn:aws:iam::{user_id}:root")
}

async fn put_object(
    s3: &Client,
    bucket: &str,
    key: &str,
    data: &'static [u8],
) -> Result<(), String> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from_static(data))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| DisplayErrorContext(&e).to_string())
}

async fn get_policy(s3: &Client, bucket: &str) -> String {
    s3.get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get policy of {bucket}: {}", DisplayErrorContext(&e)))
        .policy()
        .unwrap_or_default()
        .to_string()
}

async fn is_public(s3: &Client, bucket: &str) -> bool {
    s3.get_bucket_policy_status()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("policy status of {bucket}: {}", DisplayErrorContext(&e)))
        .policy_status()
        .and_then(|s| s.is_public())
        .expect("PolicyStatus/IsPublic")
}

/// `(status, code or body)` of an anonymous GET.
fn anonymous_get(store: &StoreProcess, target: &str) -> (u16, String) {
    anonymous(store, "GET", target, b"")
}

fn denied() -> (u16, String) {
    (403, "AccessDenied".to_string())
}

#[tokio::test]
async fn a_public_read_policy_serves_anonymous_gets_and_nothing_else() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "site").await;
    put(&alice.s3, "site", "index.html", b"<h1>hello</h1>").await;
    put(&alice.s3, "site", "css/site.css", b"body{}").await;

    assert_eq!(anonymous_get(&store, "/site/index.html"), denied());
    put_policy(&alice.s3, "site", &public_read("site")).await;

    // Anonymous GET and HEAD of any object: served, bytes and all.
    assert_eq!(
        anonymous_get(&store, "/site/index.html"),
        (200, "<h1>hello</h1>".to_string())
    );
    assert_eq!(
        anonymous_get(&store, "/site/css/site.css"),
        (200, "body{}".to_string())
    );
    let head = http_request(store.addr(), "HEAD", "/site/index.html", &[], b"").expect("HEAD");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("14"));
    // Another user, signed, gets the same.
    assert_eq!(
        get_bytes(&bob.s3, "site", "index.html").await,
        b"<h1>hello</h1>"
    );
    // A missing key: without s3:ListBucket, AWS says 403, not 404.
    assert_eq!(anonymous_get(&store, "/site/missing.html"), denied());

    // Nothing else: writes, deletes, listings, ACLs, the policy itself.
    let refused = http_request(store.addr(), "PUT", "/site/new.html", &[], b"defaced")
        .expect("anonymous PUT");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error_code().as_deref(), Some("AccessDenied"));
    let body = String::from_utf8_lossy(&refused.body);
    assert!(body.contains("<Error>"), "not S3 XML: {body}");
    assert!(
        refused
            .header("x-amz-request-id")
            .is_some_and(|v| !v.is_empty()),
        "{:?}",
        refused.headers
    );
    assert_s3_error(
        alice
            .s3
            .get_object()
            .bucket("site")
            .key("new.html")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    assert_eq!(
        anonymous(&store, "DELETE", "/site/index.html", b""),
        denied()
    );
    assert_eq!(anonymous_get(&store, "/site?list-type=2"), denied());
    assert_eq!(anonymous_get(&store, "/site"), denied());
    assert_eq!(anonymous_get(&store, "/site?acl"), denied());
    assert_eq!(anonymous_get(&store, "/site/index.html?acl"), denied());
    assert_eq!(anonymous_get(&store, "/site?policy"), denied());
    assert_eq!(anonymous(&store, "DELETE", "/site?policy", b""), denied());
    assert_s3_error(
        bob.s3
            .put_object()
            .bucket("site")
            .key("new.html")
            .body(ByteStream::from_static(b"defaced"))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3
            .delete_object()
            .bucket("site")
            .key("index.html")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3.list_objects_v2().bucket("site").send().await,
        "AccessDenied",
        403,
    );
    assert_eq!(
        get_bytes(&alice.s3, "site", "index.html").await,
        b"<h1>hello</h1>"
    );
    assert!(is_public(&alice.s3, "site").await);

    // Without the policy, anonymous GETs are refused again.
    alice
        .s3
        .delete_bucket_policy()
        .bucket("site")
        .send()
        .await
        .expect("delete policy");
    assert_eq!(anonymous_get(&store, "/site/index.html"), denied());
}

#[tokio::test]
async fn an_explicit_deny_beats_an_acl_grant() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "shared").await;
    alice
        .s3
        .put_object()
        .bucket("shared")
        .key("open.txt")
        .acl(ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"for everyone"))
        .send()
        .await
        .expect("put public-read");
    assert_eq!(
        anonymous_get(&store, "/shared/open.txt"),
        (200, "for everyone".to_string())
    );
    assert_eq!(
        get_bytes(&bob.s3, "shared", "open.txt").await,
        b"for everyone"
    );

    let deny = policy_of(
        r#"{"Sid":"NoReads","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}"#,
    );
    put_policy(&alice.s3, "shared", &deny).await;
    assert_eq!(anonymous_get(&store, "/shared/open.txt"), denied());
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("shared")
            .key("open.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    // `*` includes the owner: a deny in the bucket policy binds it too.
    assert_s3_error(
        alice
            .s3
            .get_object()
            .bucket("shared")
            .key("open.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    // The deny is about reads: the ACL still says what it says, and the
    // owner still writes.
    let acl = alice
        .s3
        .get_object_acl()
        .bucket("shared")
        .key("open.txt")
        .send()
        .await
        .expect("object acl");
    assert_eq!(acl.grants().len(), 2, "{:?}", acl.grants());
    put(&alice.s3, "shared", "other.txt", b"x").await;
    assert!(
        !is_public(&alice.s3, "shared").await,
        "a deny-only policy is not public"
    );

    alice
        .s3
        .delete_bucket_policy()
        .bucket("shared")
        .send()
        .await
        .expect("delete policy");
    assert_eq!(
        anonymous_get(&store, "/shared/open.txt"),
        (200, "for everyone".to_string())
    );
}

#[tokio::test]
async fn a_user_confined_to_their_home_prefix_cannot_read_another() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    let carol = new_user(&store, "carol");
    create_bucket(&alice.s3, "homes").await;
    put(&alice.s3, "homes", "home/bob/welcome.txt", b"hi bob").await;
    put(&alice.s3, "homes", "home/carol/diary.txt", b"dear diary").await;
    put(&alice.s3, "homes", "shared/readme.txt", b"readme").await;

    // AWS's per-user home directory example.
    let users = format!(r#"["{}","{}"]"#, principal(&bob.id), principal(&carol.id));
    let policy = policy_of(&format!(
        r#"{{"Sid":"ListOwnHome","Effect":"Allow","Principal":{{"AWS":{users}}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::homes","Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/","home/${{aws:username}}/*"]}}}}}},
           {{"Sid":"OwnHome","Effect":"Allow","Principal":{{"AWS":{users}}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::homes/home/${{aws:username}}/*"}}"#
    ));
    put_policy(&alice.s3, "homes", &policy).await;

    // Bob writes, reads and lists his own prefix.
    put(&bob.s3, "homes", "home/bob/notes.txt", b"bob's notes").await;
    assert_eq!(
        get_bytes(&bob.s3, "homes", "home/bob/notes.txt").await,
        b"bob's notes"
    );
    assert_eq!(
        get_bytes(&bob.s3, "homes", "home/bob/welcome.txt").await,
        b"hi bob"
    );
    let listed = bob
        .s3
        .list_objects_v2()
        .bucket("homes")
        .prefix("home/bob/")
        .send()
        .await
        .expect("bob lists his home");
    let keys: Vec<_> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["home/bob/notes.txt", "home/bob/welcome.txt"]);

    // A multipart upload (what `aws s3 cp` sends for big files) needs
    // only s3:PutObject.
    let upload = create_upload(&bob.s3, "homes", "home/bob/big.bin").await;
    let part = vec![7u8; 5 << 20];
    let etag = upload_part(&bob.s3, "homes", "home/bob/big.bin", &upload, 1, &part).await;
    bob.s3
        .complete_multipart_upload()
        .bucket("homes")
        .key("home/bob/big.bin")
        .upload_id(&upload)
        .multipart_upload(completed(&[(1, &etag)]))
        .send()
        .await
        .expect("complete bob's multipart upload");
    assert_eq!(
        get_bytes(&bob.s3, "homes", "home/bob/big.bin").await.len(),
        5 << 20
    );
    assert_s3_error(
        bob.s3
            .create_multipart_upload()
            .bucket("homes")
            .key("home/carol/big.bin")
            .send()
            .await,
        "AccessDenied",
        403,
    );

    // Nothing of carol's, nor outside his home.
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("homes")
            .key("home/carol/diary.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("homes")
            .key("shared/readme.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    let err = put_object(&bob.s3, "homes", "home/carol/diary.txt", b"overwritten")
        .await
        .expect_err("bob writes into carol's home");
    assert!(err.contains("AccessDenied"), "{err}");
    for prefix in [Some("home/carol/"), Some("home/"), None] {
        assert_s3_error(
            bob.s3
                .list_objects_v2()
                .bucket("homes")
                .set_prefix(prefix.map(str::to_string))
                .send()
                .await,
            "AccessDenied",
            403,
        );
    }
    // Only what the policy names: no deletes, even at home.
    assert_s3_error(
        bob.s3
            .delete_object()
            .bucket("homes")
            .key("home/bob/notes.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );

    // ${aws:username} is each caller's own name.
    assert_eq!(
        get_bytes(&carol.s3, "homes", "home/carol/diary.txt").await,
        b"dear diary"
    );
    assert_s3_error(
        carol
            .s3
            .get_object()
            .bucket("homes")
            .key("home/bob/notes.txt")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_eq!(
        get_bytes(&alice.s3, "homes", "home/carol/diary.txt").await,
        b"dear diary",
        "carol's diary is unchanged"
    );
    // Nothing for anonymous requests.
    assert_eq!(anonymous_get(&store, "/homes/home/bob/notes.txt"), denied());
    assert!(!is_public(&alice.s3, "homes").await);
}

#[tokio::test]
async fn denies_hold_for_batch_deletes_copies_and_plain_http() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "vault").await;
    for key in ["archive/2024.tar", "tmp/scratch", "secret/key.pem"] {
        put(&alice.s3, "vault", key, key.as_bytes()).await;
    }
    // The ACL lets bob read everything (alice keeps full control: a
    // replaced ACL is all the owner holds).
    alice
        .s3
        .put_bucket_acl()
        .bucket("vault")
        .grant_read(format!("id=\"{}\"", bob.id))
        .grant_full_control(format!("id=\"{}\"", alice.id))
        .send()
        .await
        .expect("grant bob read on the bucket");
    alice
        .s3
        .put_object_acl()
        .bucket("vault")
        .key("tmp/scratch")
        .grant_read(format!("id=\"{}\"", bob.id))
        .send()
        .await
        .expect("grant bob read");
    assert_eq!(
        get_bytes(&bob.s3, "vault", "tmp/scratch").await,
        b"tmp/scratch"
    );

    let policy = policy_of(&format!(
        r#"{{"Sid":"KeepArchive","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::vault/archive/*"}},
           {{"Sid":"NoSecrets","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::vault/secret/*"}},
           {{"Sid":"TlsUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::vault/uploads/*","Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},
           {{"Sid":"OnlyAlice","Effect":"Deny","NotPrincipal":{{"AWS":"{}"}},"Action":"s3:*","Resource":["arn:aws:s3:::vault","arn:aws:s3:::vault/*"]}}"#,
        principal(&alice.id)
    ));
    put_policy(&alice.s3, "vault", &policy).await;

    // DeleteObjects: judged key by key.
    let ids = ["archive/2024.tar", "tmp/scratch"].map(|k| {
        aws_sdk_s3::types::ObjectIdentifier::builder()
            .key(k)
            .build()
            .expect("id")
    });
    let out = alice
        .s3
        .delete_objects()
        .bucket("vault")
        .delete(
            aws_sdk_s3::types::Delete::builder()
                .set_objects(Some(ids.to_vec()))
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects");
    let deleted: Vec<_> = out.deleted().iter().filter_map(|d| d.key()).collect();
    assert_eq!(deleted, ["tmp/scratch"], "{out:?}");
    let errors: Vec<_> = out
        .errors()
        .iter()
        .map(|e| (e.key().unwrap_or_default(), e.code().unwrap_or_default()))
        .collect();
    assert_eq!(errors, [("archive/2024.tar", "AccessDenied")]);
    assert_eq!(
        get_bytes(&alice.s3, "vault", "archive/2024.tar").await,
        b"archive/2024.tar"
    );
    assert_s3_error(
        alice
            .s3
            .delete_object()
            .bucket("vault")
            .key("archive/2024.tar")
            .send()
            .await,
        "AccessDenied",
        403,
    );

    // CopyObject reads its source as a GET would.
    assert_s3_error(
        alice
            .s3
            .copy_object()
            .bucket("vault")
            .key("tmp/copy.pem")
            .copy_source("vault/secret/key.pem")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_status(
        alice
            .s3
            .head_object()
            .bucket("vault")
            .key("tmp/copy.pem")
            .send()
            .await,
        404,
    );

    // AWS's "deny unless TLS" example: this store's plain HTTP is refused.
    let err = put_object(&alice.s3, "vault", "uploads/file", b"x")
        .await
        .expect_err("an upload over plain HTTP");
    assert!(err.contains("AccessDenied"), "{err}");
    put(&alice.s3, "vault", "elsewhere/file", b"x").await;

    // NotPrincipal: everyone but alice is denied, whatever the ACL grants.
    assert_s3_error(
        bob.s3.list_objects_v2().bucket("vault").send().await,
        "AccessDenied",
        403,
    );
    put(&alice.s3, "vault", "tmp/again", b"again").await;
    alice
        .s3
        .put_object_acl()
        .bucket("vault")
        .key("tmp/again")
        .grant_read(format!("id=\"{}\"", bob.id))
        .send()
        .await
        .expect("grant bob read");
    assert_s3_error(
        bob.s3
            .get_object()
            .bucket("vault")
            .key("tmp/again")
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_eq!(anonymous_get(&store, "/vault/tmp/again"), denied());
}

#[tokio::test]
async fn the_policy_api_round_trips_and_refuses_bad_policies() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "pol").await;

    assert_s3_error(
        alice.s3.get_bucket_policy().bucket("pol").send().await,
        "NoSuchBucketPolicy",
        404,
    );
    let policy = public_read("pol");
    put_policy(&alice.s3, "pol", &policy).await;
    assert_eq!(get_policy(&alice.s3, "pol").await, policy);

    // Refused documents leave the policy in place.
    let bad = [
        ("not JSON", "this is not a policy".to_string()),
        ("no Statement", r#"{"Version":"2012-10-17"}"#.to_string()),
        (
            "an Effect that is neither Allow nor Deny",
            policy_of(
                r#"{"Effect":"Perhaps","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}"#,
            ),
        ),
        (
            "an action S3 does not have",
            policy_of(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:FlyToTheMoon","Resource":"arn:aws:s3:::pol/*"}"#,
            ),
        ),
        (
            "another bucket's resource",
            policy_of(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::someone-else/*"}"#,
            ),
        ),
        (
            "no Principal",
            policy_of(
                r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}"#,
            ),
        ),
        (
            "an unknown condition operator",
            policy_of(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*","Condition":{"StringSortOfEquals":{"aws:username":"x"}}}"#,
            ),
        ),
    ];
    for (what, doc) in bad {
        let result = alice
            .s3
            .put_bucket_policy()
            .bucket("pol")
            .policy(&doc)
            .send()
            .await;
        if result.is_ok() {
            panic!("a policy with {what} was accepted:\n{doc}");
        }
        assert_s3_error(result, "MalformedPolicy", 400);
    }
    assert_eq!(get_policy(&alice.s3, "pol").await, policy);

    // Over 20 KiB: refused (AWS's limit, AWS's answer), however valid;
    // far over it too.
    let statement = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/a-rather-long-prefix-to-fill-the-policy-up/*"}"#;
    let big = policy_of(&vec![statement; 20 * 1024 / statement.len() + 1].join(","));
    assert!(big.len() > 20 * 1024);
    assert_s3_error(
        alice
            .s3
            .put_bucket_policy()
            .bucket("pol")
            .policy(&big)
            .send()
            .await,
        "MalformedPolicy",
        400,
    );
    let huge = policy_of(&vec![statement; 100 * 1024 / statement.len()].join(","));
    let err = alice
        .s3
        .put_bucket_policy()
        .bucket("pol")
        .policy(&huge)
        .send()
        .await
        .expect_err("a 100 KiB policy was accepted");
    assert_eq!(
        error_status(&err),
        Some(400),
        "{}",
        DisplayErrorContext(&err)
    );
    assert_eq!(get_policy(&alice.s3, "pol").await, policy);
    // Just under the limit is fine.
    let fits = vec![statement; (20 * 1024 - 64) / (statement.len() + 1)].join(",");
    let fits = policy_of(&fits);
    assert!(fits.len() <= 20 * 1024, "{}", fits.len());
    put_policy(&alice.s3, "pol", &fits).await;
    put_policy(&alice.s3, "pol", &policy).await;

    // Only the owner reads, replaces or deletes the policy.
    assert_s3_error(
        bob.s3.get_bucket_policy().bucket("pol").send().await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3
            .put_bucket_policy()
            .bucket("pol")
            .policy(public_read("pol"))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3.delete_bucket_policy().bucket("pol").send().await,
        "AccessDenied",
        403,
    );
    assert_s3_error(
        bob.s3.get_bucket_policy_status().bucket("pol").send().await,
        "AccessDenied",
        403,
    );
    assert_eq!(get_policy(&alice.s3, "pol").await, policy);
    assert_s3_error(
        alice
            .s3
            .get_bucket_policy()
            .bucket("no-such-bucket")
            .send()
            .await,
        "NoSuchBucket",
        404,
    );

    // Delete (twice: deleting none is fine, as AWS), then none.
    for _ in 0..2 {
        alice
            .s3
            .delete_bucket_policy()
            .bucket("pol")
            .send()
            .await
            .expect("delete policy");
    }
    assert_s3_error(
        alice.s3.get_bucket_policy().bucket("pol").send().await,
        "NoSuchBucketPolicy",
        404,
    );
}

#[tokio::test]
async fn policy_status_says_whether_a_policy_makes_the_bucket_public() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "status").await;

    put_policy(&alice.s3, "status", &public_read("status")).await;
    assert!(
        is_public(&alice.s3, "status").await,
        "Principal * without conditions"
    );

    let one_user = policy_of(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::status/*"}}"#,
        principal(&bob.id)
    ));
    put_policy(&alice.s3, "status", &one_user).await;
    assert!(!is_public(&alice.s3, "status").await, "one named user");

    let from_a_network = policy_of(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::status/*","Condition":{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}}"#,
    );
    put_policy(&alice.s3, "status", &from_a_network).await;
    assert!(
        !is_public(&alice.s3, "status").await,
        "Principal * limited to a fixed network is not public (AWS)"
    );

    let public_write = policy_of(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::status/uploads/*"}"#,
    );
    put_policy(&alice.s3, "status", &public_write).await;
    assert!(
        is_public(&alice.s3, "status").await,
        "{{\"AWS\": \"*\"}} writes"
    );
}

#[tokio::test]
async fn presigned_urls_obey_the_policy() {
    let store = store();
    let alice = new_user(&store, "alice");
    let bob = new_user(&store, "bob");
    create_bucket(&alice.s3, "links").await;
    put(&alice.s3, "links", "public/a.txt", b"shareable").await;
    put(&alice.s3, "links", "private/b.txt", b"not for links").await;

    let url = presign_get(&bob.s3, "links", "public/a.txt").await;
    let r = send_presigned(store.addr(), &url, &[], b"").expect("presigned GET");
    assert_eq!(r.status, 403, "before the policy");

    let policy = policy_of(&format!(
        r#"{{"Sid":"BobReads","Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::links/*"}},
           {{"Sid":"NoPrivate","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::links/private/*"}}"#,
        principal(&bob.id)
    ));
    put_policy(&alice.s3, "links", &policy).await;

    let addr = store.addr();
    let get = |client: Client, key: &'static str| async move {
        let url = presign_get(&client, "links", key).await;
        let r = send_presigned(addr, &url, &[], b"").expect("presigned GET");
        let body = if r.status == 200 {
            String::from_utf8_lossy(&r.body).into_owned()
        } else {
            r.error_code().unwrap_or_default()
        };
        (r.status, body)
    };
    assert_eq!(
        get(bob.s3.clone(), "public/a.txt").await,
        (200, "shareable".to_string())
    );
    assert_eq!(get(bob.s3.clone(), "private/b.txt").await, denied());
    // The deny binds the owner's links too.
    assert_eq!(get(alice.s3.clone(), "private/b.txt").await, denied());
    assert_eq!(
        get(alice.s3.clone(), "public/a.txt").await,
        (200, "shareable".to_string())
    );
    // A presigned PUT by bob: the policy grants no writes.
    let put_url = bob
        .s3
        .put_object()
        .bucket("links")
        .key("public/upload.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(300)).expect("config"))
        .await
        .expect("presign PUT");
    let r = send_presigned(store.addr(), &put_url, &[], b"upload").expect("presigned PUT");
    assert_eq!(
        (r.status, r.error_code()),
        (403, Some("AccessDenied".into()))
    );
}
