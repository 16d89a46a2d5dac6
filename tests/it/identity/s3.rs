//! What IAM users may do in S3: exactly what their own policies, their
//! groups' and the bucket's policy allow, an explicit deny anywhere
//! winning; across accounts both sides must allow.

use super::*;
use crate::common::access::put_policy;
use crate::common::iam::policy;

/// A bucket of the root with objects `invoices/1`, `invoices/secret`
/// and `other/1`.
async fn books(root_s3: &Client) {
    root_s3
        .create_bucket()
        .bucket("books")
        .send()
        .await
        .unwrap();
    for k in ["invoices/1", "invoices/secret", "other/1"] {
        assert_eq!(put(root_s3, "books", k).await, None);
    }
}

#[tokio::test]
async fn an_identity_policy_allows_exactly_what_it_says_and_at_once() {
    let store = store();
    books(&store.client()).await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    let alice = s3(&store, &keys);
    let denied = Some("AccessDenied".to_string());

    // No policy: nothing, even in its own account's bucket.
    assert_eq!(get(&alice, "books", "invoices/1").await, denied);
    assert_eq!(code(alice.list_buckets().send().await), denied);

    let read_invoices = policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::books/invoices/*"},
           {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::books","Condition":{"StringLike":{"s3:prefix":"invoices/*"}}},
           {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::books/home/${aws:username}/*"}"#,
    );
    iam.put_user_policy("alice", "invoices", &read_invoices);
    assert_eq!(get(&alice, "books", "invoices/1").await, None);
    assert_eq!(get(&alice, "books", "other/1").await, denied);
    assert_eq!(put(&alice, "books", "invoices/new").await, denied);
    assert_eq!(put(&alice, "books", "home/alice/notes").await, None);
    assert_eq!(put(&alice, "books", "home/bob/notes").await, denied);
    let listed = alice
        .list_objects_v2()
        .bucket("books")
        .prefix("invoices/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.contents().len(), 2);
    assert_eq!(
        code(alice.list_objects_v2().bucket("books").send().await),
        denied
    );
    // What it writes is its account's.
    let acl = store
        .client()
        .get_object_acl()
        .bucket("books")
        .key("home/alice/notes")
        .send()
        .await
        .unwrap();
    let root_id = store.client().list_buckets().send().await.unwrap();
    assert_eq!(
        acl.owner().and_then(|o| o.id()),
        root_id.owner().and_then(|o| o.id())
    );

    // A deny in another policy of the user wins.
    iam.put_user_policy(
        "alice",
        "no-secrets",
        &policy(
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::books/invoices/secret"}"#,
        ),
    );
    assert_eq!(get(&alice, "books", "invoices/secret").await, denied);
    assert_eq!(get(&alice, "books", "invoices/1").await, None);

    // Removed: refused at the next request.
    iam.iam(
        "DeleteUserPolicy",
        &[("UserName", "alice"), ("PolicyName", "invoices")],
    )
    .ok();
    assert_eq!(get(&alice, "books", "invoices/1").await, denied);
}

#[tokio::test]
async fn a_deactivated_key_fails_at_once_and_comes_back() {
    let store = store();
    books(&store.client()).await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    iam.iam(
        "AttachUserPolicy",
        &[
            ("UserName", "alice"),
            (
                "PolicyArn",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            ),
        ],
    )
    .ok();
    let alice = s3(&store, &keys);
    assert_eq!(get(&alice, "books", "other/1").await, None);
    let status = |s: &str| {
        iam.iam(
            "UpdateAccessKey",
            &[
                ("UserName", "alice"),
                ("AccessKeyId", &keys.access),
                ("Status", s),
            ],
        )
        .ok();
    };
    status("Inactive");
    assert_eq!(
        get(&alice, "books", "other/1").await.as_deref(),
        Some("InvalidAccessKeyId")
    );
    let listed = iam.iam("ListAccessKeys", &[("UserName", "alice")]).ok();
    assert_eq!(listed.all("Status"), vec!["Inactive"]);
    status("Active");
    assert_eq!(get(&alice, "books", "other/1").await, None);
    iam.iam(
        "DeleteAccessKey",
        &[("UserName", "alice"), ("AccessKeyId", &keys.access)],
    )
    .ok();
    assert_eq!(
        get(&alice, "books", "other/1").await.as_deref(),
        Some("InvalidAccessKeyId")
    );
}

#[tokio::test]
async fn a_keys_last_use_says_when_for_which_service_and_where() {
    let store = store();
    books(&store.client()).await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    let last_used = |by: &Iam| by.iam("GetAccessKeyLastUsed", &[("AccessKeyId", &keys.access)]);
    let never = last_used(&iam).ok();
    assert_eq!(never.text("UserName").as_deref(), Some("alice"));
    assert_eq!(never.text("ServiceName").as_deref(), Some("N/A"));
    assert_eq!(never.text("LastUsedDate"), None);

    let before = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    // Refused by policy, but signed with the key: a use.
    assert_eq!(
        get(&s3(&store, &keys), "books", "other/1").await.as_deref(),
        Some("AccessDenied")
    );
    let after_s3 = last_used(&iam).ok();
    assert_eq!(after_s3.text("ServiceName").as_deref(), Some("s3"));
    assert_eq!(after_s3.text("Region").as_deref(), Some("us-east-1"));
    let date = after_s3.text("LastUsedDate").expect("a last-used date");
    let at =
        time::OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(
        at >= before && at <= time::OffsetDateTime::now_utc(),
        "{date}"
    );

    // The key's own IAM call is its latest use.
    let alice = Iam::new(store.addr(), keys.clone());
    alice.iam("ListAccessKeys", &[]).fails(403, "AccessDenied");
    assert_eq!(
        last_used(&iam).ok().text("ServiceName").as_deref(),
        Some("iam")
    );
    // A key of another account is not this account's to ask about.
    let (_, other) = other_account(&store, "someone-else");
    last_used(&other).fails(404, "NoSuchEntity");
    // Nor is it alice's, without a policy saying so.
    last_used(&alice).fails(403, "AccessDenied");
}

#[tokio::test]
async fn an_explicit_deny_in_a_group_beats_an_allow_in_the_bucket_policy() {
    let store = store();
    let root_s3 = store.client();
    books(&root_s3).await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    let alice = s3(&store, &keys);
    let alice_arn = iam
        .iam("GetUser", &[("UserName", "alice")])
        .ok()
        .text("Arn")
        .unwrap();
    // In its own account, the bucket's policy naming the user suffices.
    put_policy(
        &root_s3,
        "books",
        &policy(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{alice_arn}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}}"#
        )),
    )
    .await;
    assert_eq!(get(&alice, "books", "other/1").await, None);

    iam.iam("CreateGroup", &[("GroupName", "contractors")]).ok();
    iam.iam(
        "PutGroupPolicy",
        &[
            ("GroupName", "contractors"),
            ("PolicyName", "no-reading"),
            (
                "PolicyDocument",
                &policy(r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}"#),
            ),
        ],
    )
    .ok();
    iam.iam(
        "AddUserToGroup",
        &[("GroupName", "contractors"), ("UserName", "alice")],
    )
    .ok();
    assert_eq!(
        get(&alice, "books", "other/1").await.as_deref(),
        Some("AccessDenied")
    );
    iam.iam(
        "RemoveUserFromGroup",
        &[("GroupName", "contractors"), ("UserName", "alice")],
    )
    .ok();
    assert_eq!(get(&alice, "books", "other/1").await, None);
}

#[tokio::test]
async fn across_accounts_both_sides_must_allow() {
    let store = store();
    let root_s3 = store.client();
    books(&root_s3).await;
    // Account B, with its own IAM user.
    let (b_root, b_iam) = other_account(&store, "partner");
    let worker_keys = b_iam.user_with_key("worker");
    let worker = s3(&store, &worker_keys);
    let denied = Some("AccessDenied".to_string());
    assert_eq!(get(&worker, "books", "other/1").await, denied);

    // B's own policy alone is not enough.
    let read_books =
        policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}"#);
    b_iam.put_user_policy("worker", "read-books", &read_books);
    assert_eq!(get(&worker, "books", "other/1").await, denied);
    // The bucket's policy naming account B, with B's policy: allowed.
    put_policy(
        &root_s3,
        "books",
        &policy(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}}"#,
            b_root.id
        )),
    )
    .await;
    assert_eq!(get(&worker, "books", "other/1").await, None);
    assert_eq!(get(&b_root.s3, "books", "other/1").await, None);
    // The bucket's policy alone is not enough for B's user.
    b_iam
        .iam(
            "DeleteUserPolicy",
            &[("UserName", "worker"), ("PolicyName", "read-books")],
        )
        .ok();
    assert_eq!(get(&worker, "books", "other/1").await, denied);
    // Nor may A's root administer B's users.
    root(&store)
        .iam("GetUser", &[("UserName", "worker")])
        .fails(404, "NoSuchEntity");
}

#[tokio::test]
async fn buckets_an_iam_user_creates_are_its_accounts() {
    let store = store();
    let iam = root(&store);
    let keys = iam.user_with_key("builder");
    let builder = s3(&store, &keys);
    assert_eq!(
        code(builder.create_bucket().bucket("built").send().await).as_deref(),
        Some("AccessDenied")
    );
    iam.put_user_policy(
        "builder",
        "create",
        &policy(r#"{"Effect":"Allow","Action":["s3:CreateBucket","s3:ListAllMyBuckets","s3:PutObject"],"Resource":"*"}"#),
    );
    builder
        .create_bucket()
        .bucket("built")
        .send()
        .await
        .unwrap();
    assert_eq!(put(&builder, "built", "k").await, None);
    let mine = builder.list_buckets().send().await.unwrap();
    let root_view = store.client().list_buckets().send().await.unwrap();
    assert_eq!(
        mine.owner().and_then(|o| o.id()),
        root_view.owner().and_then(|o| o.id())
    );
    assert!(root_view
        .buckets()
        .iter()
        .any(|b| b.name() == Some("built")));
    // The root reads it: the account owns it.
    assert_eq!(get(&store.client(), "built", "k").await, None);
    // A canned ACL asks for PutBucketAcl too.
    assert_eq!(
        code(
            builder
                .create_bucket()
                .bucket("built-2")
                .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead)
                .send()
                .await
        )
        .as_deref(),
        Some("AccessDenied")
    );
}

/// `predastore_meta_reads_total{read="<kind>"}` of the store.
fn reads(store: &StoreProcess, kind: &str) -> f64 {
    crate::common::heal::metric(
        store.addr(),
        &format!("predastore_meta_reads_total{{read=\"{kind}\"}}"),
    )
    .unwrap_or(0.0)
}

#[tokio::test]
async fn identity_policies_add_no_metadata_read_to_a_request() {
    let store = store();
    let root_s3 = store.client();
    books(&root_s3).await;
    put_policy(
        &root_s3,
        "books",
        &policy(r#"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::books/invoices/*"}"#),
    )
    .await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    // Ten managed policies, one of them allowing the reads.
    for i in 0..10 {
        let resource = if i == 9 {
            "books".to_string()
        } else {
            format!("other-{i}")
        };
        let doc = policy(&format!(
            r#"{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::{resource}","arn:aws:s3:::{resource}/*"]}}"#
        ));
        let arn = iam
            .iam(
                "CreatePolicy",
                &[("PolicyName", &format!("p{i}")), ("PolicyDocument", &doc)],
            )
            .ok()
            .text("Arn")
            .unwrap();
        iam.iam(
            "AttachUserPolicy",
            &[("UserName", "alice"), ("PolicyArn", &arn)],
        )
        .ok();
    }
    let alice = s3(&store, &keys);
    // The first request reads the account's IAM once; then none do.
    assert_eq!(get(&alice, "books", "other/1").await, None);
    let (credential, account) = (reads(&store, "credential"), reads(&store, "account_iam"));
    for _ in 0..5 {
        assert_eq!(get(&alice, "books", "other/1").await, None);
    }
    assert_eq!(reads(&store, "credential") - credential, 5.0);
    assert_eq!(reads(&store, "account_iam") - account, 0.0);
    assert_eq!(reads(&store, "access_key"), 0.0);
    // A change is seen at the next request, with one read of the document.
    iam.iam(
        "DetachUserPolicy",
        &[
            ("UserName", "alice"),
            (
                "PolicyArn",
                &format!("arn:aws:iam::{}:policy/p9", account_of(&iam)),
            ),
        ],
    )
    .ok();
    let account_before = reads(&store, "account_iam");
    assert_eq!(
        get(&alice, "books", "other/1").await.as_deref(),
        Some("AccessDenied")
    );
    assert_eq!(reads(&store, "account_iam") - account_before, 1.0);
}

/// The account id of `iam`'s caller.
fn account_of(iam: &Iam) -> String {
    iam.sts("GetCallerIdentity", &[])
        .ok()
        .text("Account")
        .unwrap()
}
