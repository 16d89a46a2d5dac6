//! The authorization matrix: every operation of the router, sent as a
//! real signed (or anonymous) HTTP request by each kind of caller, each
//! time against a bucket set up for that caller alone; the answer must be
//! what AWS's documentation says, restated here independently of the
//! store's own permission table:
//!
//! - ACL grants give exactly AWS's "Mapping of ACL permissions and access
//!   policy permissions": bucket READ lists (`s3:ListBucket`,
//!   `s3:ListBucketVersions`, `s3:ListBucketMultipartUploads`), bucket
//!   WRITE writes and deletes objects (`s3:PutObject`, `s3:DeleteObject`;
//!   `s3:DeleteObjectVersion` only "when the grantee is the bucket
//!   owner"), READ_ACP/WRITE_ACP read and write the ACL, object READ reads
//!   the object; FULL_CONTROL all of them. Nothing else: no object lock,
//!   no bucket policy, no bucket settings.
//! - Get/Put/DeleteBucketPolicy: "The root principal in the bucket
//!   owner's account can always use this operation"; anyone else with the
//!   permission gets "405 Method Not Allowed", without it 403.
//! - An explicit deny in the policy beats any grant.
//!
//! A request counts as allowed when it is not refused with 403 or 405 (an
//! allowed request may still fail for its own reasons: 404, 409, 400);
//! DeleteObjects refuses per key, in its body.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{
    AccessControlPolicy, Grant as SdkGrant, Grantee, ObjectCannedAcl, Owner, Permission, Type,
};
use base64::Engine;

use super::*;

/// Who sends the request, and what their bucket gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    /// The bucket's owner.
    Owner,
    /// A user granted this permission on the bucket and on its object.
    Grantee(Grant),
    /// A user the bucket policy allows `s3:*`.
    PolicyAllowed,
    /// A user granted FULL_CONTROL whom the policy denies `s3:*`.
    PolicyDenied,
    /// A signed user with nothing.
    Stranger,
    /// Anonymous, on a bucket and object whose ACL is public-read-write.
    AnonymousPublicAcl,
    /// Anonymous, on a bucket whose policy allows `s3:*` to `*`.
    AnonymousPublicPolicy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Grant {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

const CALLERS: &[Caller] = &[
    Caller::Owner,
    Caller::Grantee(Grant::Read),
    Caller::Grantee(Grant::Write),
    Caller::Grantee(Grant::ReadAcp),
    Caller::Grantee(Grant::WriteAcp),
    Caller::Grantee(Grant::FullControl),
    Caller::PolicyAllowed,
    Caller::PolicyDenied,
    Caller::Stranger,
    Caller::AnonymousPublicAcl,
    Caller::AnonymousPublicPolicy,
];

/// Who AWS lets run an operation.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Any signed request; no bucket (ListBuckets, CreateBucket).
    Signed,
    /// This grant, on the bucket's ACL.
    BucketAcl(Grant),
    /// This grant, on the object's ACL.
    ObjectAcl(Grant),
    /// Bucket WRITE held by the bucket's owner only (the form naming a
    /// version of DeleteObject).
    OwnersWrite,
    /// No grant: the owner, or whom the policy allows.
    OwnerOrPolicy,
    /// The owner; others the policy allows: 405.
    OwnerOnly,
}

/// What the caller is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Allowed,
    Denied,
    NotAllowedMethod,
}

/// AWS's answer to `caller` for an operation under `rule`.
fn expected(rule: Rule, caller: Caller) -> Answer {
    use Answer::*;
    let anonymous = matches!(
        caller,
        Caller::AnonymousPublicAcl | Caller::AnonymousPublicPolicy
    );
    let holds = |g: Grant| match caller {
        Caller::Grantee(h) => h == g || h == Grant::FullControl,
        // public-read-write: AllUsers hold READ and WRITE.
        Caller::AnonymousPublicAcl => matches!(g, Grant::Read | Grant::Write),
        _ => false,
    };
    match (rule, caller) {
        (Rule::Signed, _) if anonymous => Denied,
        (Rule::Signed, _) => Allowed,
        (_, Caller::Owner) => Allowed,
        (_, Caller::PolicyDenied | Caller::Stranger) => Denied,
        (Rule::OwnerOnly, Caller::PolicyAllowed | Caller::AnonymousPublicPolicy) => {
            NotAllowedMethod
        }
        (_, Caller::PolicyAllowed | Caller::AnonymousPublicPolicy) => Allowed,
        (Rule::BucketAcl(g) | Rule::ObjectAcl(g), _) if holds(g) => Allowed,
        _ => Denied,
    }
}

/// One request of the matrix.
struct Op {
    name: &'static str,
    rule: Rule,
    method: &'static str,
    /// Path and query; `{b}` the bucket, `{v}` the object's version,
    /// `{u}` an upload of the bucket, `{n}` a fresh name.
    target: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

const fn op(name: &'static str, rule: Rule, method: &'static str, target: &'static str) -> Op {
    Op {
        name,
        rule,
        method,
        target,
        headers: &[],
        body: "",
    }
}

const fn with_body(mut o: Op, body: &'static str) -> Op {
    o.body = body;
    o
}

const fn with_headers(mut o: Op, headers: &'static [(&'static str, &'static str)]) -> Op {
    o.headers = headers;
    o
}

const COPY_SOURCE: &[(&str, &str)] = &[("x-amz-copy-source", "/public-source/pub")];
const TAGS: &str = "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>";

/// Every operation of the router (PostObject, which a form's own policy
/// decides, is tested with its form in `s3::post_object`).
fn ops() -> Vec<Op> {
    use Grant::*;
    use Rule::*;
    vec![
        op("ListBuckets", Signed, "GET", "/"),
        op("CreateBucket", Signed, "PUT", "/{n}"),
        op("HeadBucket", BucketAcl(Read), "HEAD", "/{b}"),
        op("DeleteBucket", OwnerOrPolicy, "DELETE", "/{b}"),
        op("GetBucketLocation", OwnerOrPolicy, "GET", "/{b}?location"),
        op("GetBucketVersioning", OwnerOrPolicy, "GET", "/{b}?versioning"),
        with_body(
            op("PutBucketVersioning", OwnerOrPolicy, "PUT", "/{b}?versioning"),
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
        ),
        op("GetObjectLockConfiguration", OwnerOrPolicy, "GET", "/{b}?object-lock"),
        with_body(
            op("PutObjectLockConfiguration", OwnerOrPolicy, "PUT", "/{b}?object-lock"),
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>",
        ),
        op("GetObjectRetention", OwnerOrPolicy, "GET", "/{b}/obj?retention"),
        with_body(
            op("PutObjectRetention", OwnerOrPolicy, "PUT", "/{b}/obj?retention"),
            "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>",
        ),
        op("GetObjectLegalHold", OwnerOrPolicy, "GET", "/{b}/obj?legal-hold"),
        with_body(
            op("PutObjectLegalHold", OwnerOrPolicy, "PUT", "/{b}/obj?legal-hold"),
            "<LegalHold><Status>OFF</Status></LegalHold>",
        ),
        with_body(
            op("DeleteObjects", BucketAcl(Write), "POST", "/{b}?delete"),
            "<Delete><Object><Key>obj</Key></Object></Delete>",
        ),
        with_body(
            op("DeleteObjects(version)", OwnersWrite, "POST", "/{b}?delete"),
            "<Delete><Object><Key>obj</Key><VersionId>{v}</VersionId></Object></Delete>",
        ),
        op("ListObjects", BucketAcl(Read), "GET", "/{b}"),
        op("ListObjectsV2", BucketAcl(Read), "GET", "/{b}?list-type=2"),
        op("ListObjectVersions", BucketAcl(Read), "GET", "/{b}?versions"),
        op("ListMultipartUploads", BucketAcl(Read), "GET", "/{b}?uploads"),
        with_body(op("PutObject", BucketAcl(Write), "PUT", "/{b}/new"), "new"),
        with_headers(
            op("CopyObject", BucketAcl(Write), "PUT", "/{b}/copied"),
            COPY_SOURCE,
        ),
        op("GetObject", ObjectAcl(Read), "GET", "/{b}/obj"),
        op("GetObject(version)", ObjectAcl(Read), "GET", "/{b}/obj?versionId={v}"),
        op("HeadObject", ObjectAcl(Read), "HEAD", "/{b}/obj"),
        op("DeleteObject", BucketAcl(Write), "DELETE", "/{b}/obj"),
        op("DeleteObject(version)", OwnersWrite, "DELETE", "/{b}/obj?versionId={v}"),
        op("CreateMultipartUpload", BucketAcl(Write), "POST", "/{b}/mp?uploads"),
        with_body(
            op("UploadPart", BucketAcl(Write), "PUT", "/{b}/up?partNumber=1&uploadId={u}"),
            "part",
        ),
        with_headers(
            op("UploadPartCopy", BucketAcl(Write), "PUT", "/{b}/up?partNumber=2&uploadId={u}"),
            COPY_SOURCE,
        ),
        with_body(
            op("CompleteMultipartUpload", BucketAcl(Write), "POST", "/{b}/up?uploadId={u}"),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"0\"</ETag></Part></CompleteMultipartUpload>",
        ),
        op("AbortMultipartUpload", BucketAcl(Write), "DELETE", "/{b}/up?uploadId={u}"),
        op("ListParts", BucketAcl(Read), "GET", "/{b}/up?uploadId={u}"),
        with_headers(
            op("GetObjectAttributes", ObjectAcl(Read), "GET", "/{b}/obj?attributes"),
            &[("x-amz-object-attributes", "ETag")],
        ),
        with_body(
            op("SelectObjectContent", ObjectAcl(Read), "POST", "/{b}/obj?select&select-type=2"),
            "<SelectObjectContentRequest><Expression>select * from s3object</Expression><ExpressionType>SQL</ExpressionType><InputSerialization><CSV/></InputSerialization><OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>",
        ),
        op("GetObjectTagging", ObjectAcl(Read), "GET", "/{b}/obj?tagging"),
        with_body(op("PutObjectTagging", BucketAcl(Write), "PUT", "/{b}/obj?tagging"), TAGS),
        op("DeleteObjectTagging", BucketAcl(Write), "DELETE", "/{b}/obj?tagging"),
        op("GetBucketTagging", OwnerOrPolicy, "GET", "/{b}?tagging"),
        with_body(op("PutBucketTagging", OwnerOrPolicy, "PUT", "/{b}?tagging"), TAGS),
        op("DeleteBucketTagging", OwnerOrPolicy, "DELETE", "/{b}?tagging"),
        op("GetBucketCors", OwnerOrPolicy, "GET", "/{b}?cors"),
        with_body(
            op("PutBucketCors", OwnerOrPolicy, "PUT", "/{b}?cors"),
            "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
        ),
        op("DeleteBucketCors", OwnerOrPolicy, "DELETE", "/{b}?cors"),
        op("GetBucketLifecycleConfiguration", OwnerOrPolicy, "GET", "/{b}?lifecycle"),
        with_body(
            op("PutBucketLifecycleConfiguration", OwnerOrPolicy, "PUT", "/{b}?lifecycle"),
            "<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>x/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>",
        ),
        op("DeleteBucketLifecycle", OwnerOrPolicy, "DELETE", "/{b}?lifecycle"),
        op("GetBucketAcl", BucketAcl(ReadAcp), "GET", "/{b}?acl"),
        with_headers(
            op("PutBucketAcl", BucketAcl(WriteAcp), "PUT", "/{b}?acl"),
            &[("x-amz-acl", "private")],
        ),
        op("GetObjectAcl", ObjectAcl(ReadAcp), "GET", "/{b}/obj?acl"),
        with_headers(
            op("PutObjectAcl", ObjectAcl(WriteAcp), "PUT", "/{b}/obj?acl"),
            &[("x-amz-acl", "private")],
        ),
        op("GetBucketPolicy", OwnerOnly, "GET", "/{b}?policy"),
        with_body(
            op("PutBucketPolicy", OwnerOnly, "PUT", "/{b}?policy"),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/nothing-here"}]}"#,
        ),
        op("DeleteBucketPolicy", OwnerOnly, "DELETE", "/{b}?policy"),
        op("GetBucketPolicyStatus", OwnerOrPolicy, "GET", "/{b}?policyStatus"),
        op("GetBucketNotification", OwnerOrPolicy, "GET", "/{b}?notification"),
        with_body(
            op("PutBucketNotification", OwnerOrPolicy, "PUT", "/{b}?notification"),
            "<NotificationConfiguration/>",
        ),
        op("GetBucketOwnershipControls", OwnerOrPolicy, "GET", "/{b}?ownershipControls"),
        with_body(
            op("PutBucketOwnershipControls", OwnerOrPolicy, "PUT", "/{b}?ownershipControls"),
            "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
        ),
        op("DeleteBucketOwnershipControls", OwnerOrPolicy, "DELETE", "/{b}?ownershipControls"),
        op("GetPublicAccessBlock", OwnerOrPolicy, "GET", "/{b}?publicAccessBlock"),
        with_body(
            op("PutPublicAccessBlock", OwnerOrPolicy, "PUT", "/{b}?publicAccessBlock"),
            "<PublicAccessBlockConfiguration><BlockPublicAcls>false</BlockPublicAcls></PublicAccessBlockConfiguration>",
        ),
        op("DeletePublicAccessBlock", OwnerOrPolicy, "DELETE", "/{b}?publicAccessBlock"),
        with_body(
            op("PutBucketEncryption", OwnerOrPolicy, "PUT", "/{b}?encryption"),
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
        ),
        op("GetBucketEncryption", OwnerOrPolicy, "GET", "/{b}?encryption"),
        op("DeleteBucketEncryption", OwnerOrPolicy, "DELETE", "/{b}?encryption"),
    ]
}

/// The users of the matrix, by caller.
struct Users {
    owner: User,
    by_caller: BTreeMap<Caller, User>,
}

/// The ACL grant of `g` to `user`.
fn sdk_grant(user: &str, g: Grant) -> SdkGrant {
    let permission = match g {
        Grant::Read => Permission::Read,
        Grant::Write => Permission::Write,
        Grant::ReadAcp => Permission::ReadAcp,
        Grant::WriteAcp => Permission::WriteAcp,
        Grant::FullControl => Permission::FullControl,
    };
    let grantee = Grantee::builder()
        .r#type(Type::CanonicalUser)
        .id(user)
        .build()
        .expect("grantee");
    SdkGrant::builder()
        .grantee(grantee)
        .permission(permission)
        .build()
}

/// An ACL of the owner's FULL_CONTROL and `extra`.
fn acl(owner: &str, extra: Option<SdkGrant>) -> AccessControlPolicy {
    let mut grants = vec![sdk_grant(owner, Grant::FullControl)];
    grants.extend(extra);
    AccessControlPolicy::builder()
        .owner(Owner::builder().id(owner).build())
        .set_grants(Some(grants))
        .build()
}

/// The bucket `b` of `caller`, set up as [`Caller`] says, with a version
/// of `obj` and an upload of `up`: (version id, upload id).
async fn set_up(users: &Users, caller: Caller, b: &str) -> (String, String) {
    let s3 = &users.owner.s3;
    let owner = &users.owner.id;
    lock_bucket(s3, b).await;
    let version = put_version(s3, b, "obj", b"object").await;
    let upload = s3
        .create_multipart_upload()
        .bucket(b)
        .key("up")
        .send()
        .await
        .expect("CreateMultipartUpload")
        .upload_id()
        .expect("upload id")
        .to_string();
    let grant = |g: Grant| {
        let user = &users.by_caller[&caller].id;
        Some(sdk_grant(user, g))
    };
    let extra = match caller {
        Caller::Grantee(g) => grant(g),
        Caller::PolicyDenied => grant(Grant::FullControl),
        _ => None,
    };
    if caller == Caller::AnonymousPublicAcl {
        s3.put_bucket_acl()
            .bucket(b)
            .acl(aws_sdk_s3::types::BucketCannedAcl::PublicReadWrite)
            .send()
            .await
            .expect("public bucket ACL");
        s3.put_object_acl()
            .bucket(b)
            .key("obj")
            .acl(ObjectCannedAcl::PublicReadWrite)
            .send()
            .await
            .expect("public object ACL");
    } else if extra.is_some() {
        s3.put_bucket_acl()
            .bucket(b)
            .access_control_policy(acl(owner, extra.clone()))
            .send()
            .await
            .expect("bucket grant");
        s3.put_object_acl()
            .bucket(b)
            .key("obj")
            .access_control_policy(acl(owner, extra))
            .send()
            .await
            .expect("object grant");
    }
    let everything = |effect: &str, principal: String| {
        format!(
            r#"{{"Effect":"{effect}","Principal":{principal},"Action":"s3:*","Resource":["arn:aws:s3:::{b}","arn:aws:s3:::{b}/*"]}}"#
        )
    };
    let user_principal = |c: Caller| format!(r#"{{"AWS":["{}"]}}"#, users.by_caller[&c].id);
    let policy = match caller {
        Caller::PolicyAllowed => Some(everything("Allow", user_principal(caller))),
        Caller::PolicyDenied => Some(everything("Deny", user_principal(caller))),
        Caller::AnonymousPublicPolicy => Some(everything("Allow", "\"*\"".into())),
        _ => None,
    };
    if let Some(statement) = policy {
        put_policy(s3, b, &policy_of(&statement)).await;
    }
    (version, upload)
}

/// What `caller` is answered for `op` on bucket `b`.
fn send(
    store: &StoreProcess,
    users: &Users,
    caller: Caller,
    op: &Op,
    (b, version, upload): (&str, &str, &str),
) -> (Answer, String) {
    let fresh = format!("{b}-new");
    let fill = |s: &str| {
        s.replace("{b}", b)
            .replace("{v}", version)
            .replace("{u}", upload)
            .replace("{n}", &fresh)
    };
    let target = fill(op.target);
    let body = fill(op.body);
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body.as_bytes()));
    let mut headers: Vec<(&str, &str)> = op.headers.to_vec();
    if !body.is_empty() {
        headers.push(("content-md5", &md5));
    }
    let r = match users.by_caller.get(&caller) {
        None if caller == Caller::Owner => signed_request(
            store.addr(),
            users.owner.keys(),
            op.method,
            &target,
            &headers,
            body.as_bytes(),
        ),
        Some(user) => signed_request(
            store.addr(),
            user.keys(),
            op.method,
            &target,
            &headers,
            body.as_bytes(),
        ),
        None => http_request(store.addr(), op.method, &target, &headers, body.as_bytes()),
    }
    .expect("request answered");
    let text = String::from_utf8_lossy(&r.body).into_owned();
    let code = r.error_code().unwrap_or_default();
    let answer = match r.status {
        403 => Answer::Denied,
        405 => Answer::NotAllowedMethod,
        // DeleteObjects refuses key by key.
        200 if op.name.starts_with("DeleteObjects")
            && text.contains("<Code>AccessDenied</Code>") =>
        {
            Answer::Denied
        }
        _ => Answer::Allowed,
    };
    (answer, format!("{} {code}", r.status))
}

use md5::Digest as _;

#[tokio::test]
async fn every_operation_answers_each_caller_as_aws_does() {
    let store = store(&[]);
    let owner = first_user(&store).await;
    let mut by_caller = BTreeMap::new();
    for (i, c) in CALLERS.iter().enumerate() {
        if matches!(
            c,
            Caller::Owner | Caller::AnonymousPublicAcl | Caller::AnonymousPublicPolicy
        ) {
            continue;
        }
        by_caller.insert(*c, new_user(&store, &format!("user{i}")));
    }
    let users = Users { owner, by_caller };

    // The copy source every caller can read.
    let s3 = &users.owner.s3;
    s3.create_bucket()
        .bucket("public-source")
        .send()
        .await
        .expect("source bucket");
    s3.put_object()
        .bucket("public-source")
        .key("pub")
        .acl(ObjectCannedAcl::PublicRead)
        .body(b"source".to_vec().into())
        .send()
        .await
        .expect("source object");

    let mut wrong = Vec::new();
    let mut checked = 0;
    for (i, op) in ops().iter().enumerate() {
        let setups = CALLERS.iter().enumerate().map(|(j, caller)| {
            let users = &users;
            async move {
                let b = format!("m{i}-c{j}");
                let (version, upload) = set_up(users, *caller, &b).await;
                (*caller, b, version, upload)
            }
        });
        for (caller, b, version, upload) in futures::future::join_all(setups).await {
            let want = expected(op.rule, caller);
            let (got, seen) = send(&store, &users, caller, op, (&b, &version, &upload));
            checked += 1;
            if got != want {
                wrong.push(format!(
                    "{} as {caller:?}: want {want:?}, got {got:?} ({seen})",
                    op.name
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} answers differ from AWS's:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
