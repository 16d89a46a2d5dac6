//! Who may do what. Every request is authorized here before its handler
//! runs (the listener's `Expect: 100-continue` check asks the same
//! question before the body comes), as AWS decides and as the permission
//! table (`policy::table`) says of its operation: an explicit deny in the
//! bucket's policy wins (a policy that cannot be read denies), then an
//! allow from the policy or what the table says an ACL grant gives (or
//! the bucket's owner, for what no grant gives), else `AccessDenied`;
//! the bucket policy's own calls are its owner's (`MethodNotAllowed` to
//! others the policy allows). Object reads and object ACLs are then checked
//! against the object's own ACL (and the policy, with the object's tags)
//! by their handlers ([`require_object`]). Object Ownership
//! (`BucketOwnerEnforced` turns ACLs off) and Block Public Access
//! (`IgnorePublicAcls`, `RestrictPublicBuckets`) change what the ACL and
//! the policy grant. The ACL request headers are read in [`headers`], the
//! policy's action names and condition keys in [`policy`]; the ACL
//! operations themselves are handlers (`handlers::acl`).

mod basics;
mod headers;
pub(crate) mod policy;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::context::Transport;
use super::context::{Authenticated, Authorized, BucketPolicy, Caller, Gateway, S3Request};
use super::error::{S3Error, S3ErrorCode};
use super::router::Endpoint;
use super::xml::Owner;
use crate::policy::table::{self, AclGrant, Decided, Rule, Who};
use crate::policy::Decision;
use crate::storage::meta::acl::{Acl, Permission};
use crate::storage::meta::{AccessKey, BucketRecord, MetaRead, MetaReadResult, ObjectRecord};
use actix_web::http::header::HeaderMap;

pub(crate) use basics::{bucket_of, check_expected_owner, denied};
pub(crate) use headers::{
    acl_for_new, acl_in_headers_by_email, acls_not_supported, check_acl_allowed, new_object_access,
};
pub(crate) use policy::Asker;

/// What a request reads for access decisions ([`Asker`]).
pub(crate) fn asker_of(r: &S3Request) -> Asker<'_> {
    Asker {
        caller: r.caller.as_ref(),
        headers: &r.headers,
        query: &r.query,
        peer: r.http.peer_addr().map(|a| a.ip()),
        secure: r.http.conn_data::<Transport>().is_some_and(|t| t.secure),
    }
}

/// Authorizes the request whose head is `head` for `endpoint`
/// ([`check`]), from the client at `peer` (`secure`: over TLS), with the
/// bucket's record the authentication read (taken from `head`).
pub(crate) async fn authorize(
    endpoint: &Endpoint,
    head: &mut Authenticated,
    peer: Option<IpAddr>,
    secure: bool,
    gw: &Gateway,
) -> Result<Authorized, S3Error> {
    let read = head.bucket_record.take();
    let asker = Asker {
        caller: head.caller.as_ref(),
        headers: &head.headers,
        query: &head.query,
        peer,
        secure,
    };
    let bucket = head.bucket.as_deref().unwrap_or_default();
    check(endpoint, bucket, head.key.as_deref(), &asker, read, gw).await
}

/// The PutObject a POST form stands for: `form`'s request acting for
/// `caller` on `key` with the form's object `headers`, authorized as a
/// PutObject of them.
pub(crate) async fn authorize_put_form(
    form: S3Request,
    caller: Option<Caller>,
    key: String,
    headers: HeaderMap,
    gw: &Gateway,
) -> Result<S3Request, S3Error> {
    let put = S3Request {
        caller,
        key: Some(key),
        headers,
        ..form
    };
    let authorized = check(
        &Endpoint::PutObject,
        put.bucket(),
        put.key.as_deref(),
        &asker_of(&put),
        None,
        gw,
    )
    .await?;
    Ok(S3Request {
        bucket_record: authorized.bucket,
        policy: authorized.policy,
        rule: authorized.rule,
        ..put
    })
}

/// Whether `asker` may run `endpoint` on `bucket` (on its object `key`),
/// as the permission table's row for it says: a missing bucket is
/// `NoSuchBucket` for everyone, a bucket not owned by the
/// `x-amz-expected-bucket-owner` named, a request the policy denies or
/// neither the policy nor the ACL allows `AccessDenied`, a policy call by
/// anyone but the owner `MethodNotAllowed` (or `AccessDenied`).
/// Operations decided on the object itself are left to their handler
/// ([`require_object`]). `read` is the bucket's record if the request's
/// authentication read it already (else it is read here). Answers the
/// operation's row, and the bucket's record and policy when they were
/// read.
pub(crate) async fn check(
    endpoint: &Endpoint,
    bucket: &str,
    key: Option<&str>,
    asker: &Asker<'_>,
    read: Option<BucketRecord>,
    gw: &Gateway,
) -> Result<Authorized, S3Error> {
    let rule = table::rule(endpoint.name());
    let no_bucket = Authorized {
        rule,
        bucket: None,
        policy: None,
    };
    match rule.who {
        Who::Nobody => return Err(denied()),
        Who::Unsupported | Who::Form => return Ok(no_bucket),
        Who::Signed => {
            return match asker.caller {
                Some(_) => {
                    judge_account_wide(rule, bucket, asker)?;
                    Ok(no_bucket)
                }
                None => Err(denied()),
            }
        }
        Who::Anyone | Who::OwnerOnly => {}
    }
    let bucket = match read {
        Some(record) if record.name == bucket => record,
        _ => gw.objects.bucket_precheck(bucket).await?,
    };
    check_expected_owner(asker.headers, "x-amz-expected-bucket-owner", &bucket)?;
    let policy = gw.policies.of(&bucket);
    if rule.decided == Decided::Gateway {
        let on = Target {
            bucket: &bucket,
            policy: policy.as_deref(),
            key,
            object: None,
        };
        decide(rule, asker.names_version(), &on, asker)?;
        for action in lock_actions_asked(rule, asker) {
            judge(&on, asker, &[action], on.is_owner(asker))?;
        }
    }
    Ok(Authorized {
        rule,
        bucket: Some(bucket),
        policy,
    })
}

/// The lock actions a write asks for besides `s3:PutObject` (AWS checks
/// `s3:PutObjectRetention` for `x-amz-object-lock-mode` and
/// `-retain-until-date`, `s3:PutObjectLegalHold` for
/// `x-amz-object-lock-legal-hold`): no ACL grant gives them.
fn lock_actions_asked<'a>(
    rule: &Rule,
    asker: &'a Asker<'_>,
) -> impl Iterator<Item = &'static str> + 'a {
    let writes = rule.actions.contains(&"s3:PutObject");
    let has = move |h: &str| writes && asker.headers.contains_key(h);
    let retention = has("x-amz-object-lock-mode") || has("x-amz-object-lock-retain-until-date");
    let hold = has("x-amz-object-lock-legal-hold");
    [
        (retention, table::RETENTION_ON_WRITE),
        (hold, table::LEGAL_HOLD_ON_WRITE),
    ]
    .into_iter()
    .filter_map(|(asked, action)| asked.then_some(action))
}

/// What a decision is about: the bucket, its parsed policy, and the
/// object (its key, and its record once read).
struct Target<'a> {
    bucket: &'a BucketRecord,
    policy: Option<&'a BucketPolicy>,
    key: Option<&'a str>,
    object: Option<&'a ObjectRecord>,
}

impl Target<'_> {
    /// Whether the caller is the bucket owner's account root (its IAM
    /// users and roles are of the account, but their own policies decide
    /// what they may do in it).
    fn is_owner(&self, asker: &Asker<'_>) -> bool {
        self.same_account(asker) && asker.caller.is_some_and(|c| c.identity.is_none())
    }

    /// Whether the caller acts for the bucket owner's account (its root,
    /// an IAM user or a role's session).
    fn same_account(&self, asker: &Asker<'_>) -> bool {
        asker.caller_id() == Some(self.bucket.owner.as_str())
    }
}

/// For an IAM identity, the verdict of its own policies on a row that
/// addresses no bucket's policy or ACL (ListBuckets, CreateBucket): each
/// action must be allowed on the bucket named (`arn:aws:s3:::*` for none),
/// and a new bucket's ACL asks `s3:PutBucketAcl` too. An account root
/// may do these in its own account.
fn judge_account_wide(rule: &Rule, bucket: &str, asker: &Asker<'_>) -> Result<(), S3Error> {
    let Some(identity) = asker.caller.and_then(|c| c.identity.as_deref()) else {
        return Ok(());
    };
    let resource = policy::resource_arn(if bucket.is_empty() { "*" } else { bucket }, None);
    let context = policy::context(asker, None);
    let principal = asker
        .caller
        .and_then(|c| policy::principal(asker, &c.user_id));
    let acl_asked = headers::asks_acl(asker.headers);
    let extra =
        (rule.actions.contains(&"s3:CreateBucket") && acl_asked).then_some("s3:PutBucketAcl");
    for action in rule.actions.iter().copied().chain(extra) {
        if policy::decide_identity(identity, principal, action, &resource, &context)
            != Decision::Allow
        {
            return Err(denied());
        }
    }
    Ok(())
}

/// The verdict of `rule` (the form naming a version when `versioned`)
/// on `on` for `asker`: the owner-only rule, then every action of the
/// row weighed with what the ACL gives ([`judge`]).
fn decide(rule: &Rule, versioned: bool, on: &Target<'_>, asker: &Asker<'_>) -> Result<(), S3Error> {
    let is_owner = on.is_owner(asker);
    let actions = rule.actions(versioned);
    if rule.who == Who::OwnerOnly {
        if is_owner {
            return Ok(());
        }
        // Someone the policy lets in is told the call is the owner's,
        // unless it is one of the owner account's own identities.
        judge(on, asker, actions, false)?;
        if on.same_account(asker) {
            return Ok(());
        }
        return Err(S3Error::new(S3ErrorCode::MethodNotAllowed));
    }
    let caller = asker.caller_id();
    let acl_ok = match rule.acl_grant(versioned) {
        None => is_owner,
        Some(AclGrant::Bucket(g)) => bucket_acl_allows(on.bucket, caller, permission(g)),
        Some(AclGrant::BucketOwnersOwn(g)) => {
            is_owner && bucket_acl_allows(on.bucket, caller, permission(g))
        }
        Some(AclGrant::Object(g)) => on.object.is_some_and(|o| {
            let (owner, acl) = object_access_in(on.bucket, o);
            acl_allows(on.bucket, &owner, &acl, caller, permission(g))
        }),
    };
    judge(on, asker, actions, acl_ok)
}

/// The ACL permission a table grant names.
fn permission(g: table::Grant) -> Permission {
    match g {
        table::Grant::Read => Permission::Read,
        table::Grant::Write => Permission::Write,
        table::Grant::ReadAcp => Permission::ReadAcp,
        table::Grant::WriteAcp => Permission::WriteAcp,
    }
}

/// The verdict on `actions` (every one of them) on `on`, as AWS
/// evaluates: an explicit deny in the bucket's policy or the caller's
/// own (IAM) policies wins (a policy that cannot be read denies them
/// all); then each action must be allowed: for an account root or an
/// anonymous caller by the bucket's policy (unless
/// `RestrictPublicBuckets` holds a public policy to the owner's account)
/// or the ACL (`acl_allows`); for an IAM identity of the owner's account
/// by its own policies or the bucket's policy; for one of another
/// account by its own policies *and* the bucket's policy or ACL. Else
/// `AccessDenied`.
fn judge(
    on: &Target<'_>,
    asker: &Asker<'_>,
    actions: &[&str],
    acl_allows: bool,
) -> Result<(), S3Error> {
    if actions.is_empty() {
        // A row that names nothing grants nothing.
        return Err(denied());
    }
    let identity = asker.caller.and_then(|c| c.identity.as_deref());
    if on.policy.is_none() && identity.is_none() {
        return if acl_allows { Ok(()) } else { Err(denied()) };
    }
    let resource = policy::resource_arn(&on.bucket.name, on.key);
    let context = policy::context(asker, on.object);
    let principal = policy::principal(asker, &on.bucket.owner);
    let same_account = on.same_account(asker);
    let foreign_object = on
        .object
        .is_some_and(|o| !o.owner.is_empty() && o.owner != on.bucket.owner);
    let restricted = on.bucket.access.block_in_force().restrict_public_buckets
        && on.policy.is_some_and(|p| p.public)
        && !same_account;
    let mut allowed = true;
    for action in actions {
        let bucket_says = match on.policy {
            Some(p) => policy::decide(p, principal, action, &resource, &context),
            None => Decision::Unmatched,
        };
        let own_says =
            identity.map(|i| policy::decide_identity(i, principal, action, &resource, &context));
        if bucket_says == Decision::Deny || own_says == Some(Decision::Deny) {
            return Err(denied());
        }
        let by_policy = bucket_says == Decision::Allow && !restricted;
        allowed &= match (own_says, identity) {
            (Some(own), Some(i)) if same_account => {
                // A session policy narrows the bucket policy's grant too;
                // an object another account owns also needs its ACL.
                let granted = own == Decision::Allow
                    || (by_policy
                        && policy::session_allows(i, principal, action, &resource, &context));
                granted && (!foreign_object || acl_allows)
            }
            (Some(own), _) => own == Decision::Allow && (by_policy || acl_allows),
            (None, _) => by_policy || acl_allows,
        };
    }
    if allowed {
        Ok(())
    } else {
        Err(denied())
    }
}

/// Whether `acl` of a resource owned by `owner` in `bucket` grants
/// `permission` to `caller`: with ACLs off (`BucketOwnerEnforced`) only
/// the bucket's owner holds anything; under `IgnorePublicAcls` public
/// grants count for nothing.
fn acl_allows(
    bucket: &BucketRecord,
    owner: &str,
    acl: &Acl,
    caller: Option<&str>,
    permission: Permission,
) -> bool {
    if bucket.access.acls_disabled() {
        return caller == Some(bucket.owner.as_str());
    }
    if bucket.access.block_in_force().ignore_public_acls && acl.is_public() {
        return acl.without_public().allows(owner, caller, permission);
    }
    acl.allows(owner, caller, permission)
}

/// [`acl_allows`] for the bucket's own ACL.
fn bucket_acl_allows(bucket: &BucketRecord, caller: Option<&str>, permission: Permission) -> bool {
    acl_allows(bucket, &bucket.owner, &bucket.acl, caller, permission)
}

/// The owner and ACL an object of bucket `bucket` is judged by: its own,
/// or, for one written before owners were kept, its bucket owner's alone.
fn object_access_in(bucket: &BucketRecord, o: &ObjectRecord) -> (String, Acl) {
    if o.owner.is_empty() {
        return (bucket.owner.clone(), Acl::private(&bucket.owner));
    }
    (o.owner.clone(), o.acl.clone())
}

/// [`object_access_in`] the addressed bucket.
pub(crate) fn object_access(r: &S3Request, o: &ObjectRecord) -> Result<(String, Acl), S3Error> {
    Ok(object_access_in(bucket_of(r)?, o))
}

/// Fails with `AccessDenied` unless the request may act on `o` (of the
/// addressed bucket) as its row of the permission table says: the policy
/// (with the object's tags) and the object's ACL (or the bucket's, for
/// changes in place), as [`judge`] weighs them. A row decided at the
/// gateway was decided there.
pub(crate) fn require_object(r: &S3Request, o: &ObjectRecord) -> Result<(), S3Error> {
    let rule = r.rule;
    if rule.decided == Decided::Gateway {
        return Ok(());
    }
    let on = Target {
        bucket: bucket_of(r)?,
        policy: r.policy.as_deref(),
        key: Some(o.key.as_str()),
        object: Some(o),
    };
    let asker = asker_of(r);
    decide(rule, asker.names_version(), &on, &asker)
}

/// [`require_object`] for a read of `o` of `bucket` (whose parsed
/// policy is `policy`; `versioned`: the version was named): a copy's
/// source, which another bucket may hold.
pub(crate) fn require_source(
    r: &S3Request,
    bucket: &BucketRecord,
    policy: Option<&BucketPolicy>,
    o: &ObjectRecord,
    versioned: bool,
) -> Result<(), S3Error> {
    let on = Target {
        bucket,
        policy,
        key: Some(o.key.as_str()),
        object: Some(o),
    };
    decide(table::rule("GetObject"), versioned, &on, &asker_of(r))
}

/// Reads the parsed policy of `bucket` (another bucket than the
/// addressed one: a copy's source).
pub(crate) fn policy_of(gw: &Gateway, bucket: &BucketRecord) -> Option<Arc<BucketPolicy>> {
    gw.policies.of(bucket)
}

/// Fails with `AccessDenied` unless the caller may delete `key` of the
/// addressed bucket (one entry of DeleteObjects; `versioned`: it names a
/// version), as the table's `DeleteObject` row says.
pub(crate) fn require_delete(r: &S3Request, key: &str, versioned: bool) -> Result<(), S3Error> {
    let on = Target {
        bucket: bucket_of(r)?,
        policy: r.policy.as_deref(),
        key: Some(key),
        object: None,
    };
    decide(table::rule("DeleteObject"), versioned, &on, &asker_of(r))
}

/// Whether the caller holds `s3:BypassGovernanceRetention` on the
/// addressed object after the policy: the bucket's owner unless the
/// policy denies it, anyone else only by the policy's allow. The
/// `x-amz-bypass-governance-retention` header counts for nobody else.
pub(crate) fn may_bypass_governance(r: &S3Request, key: &str) -> bool {
    let Ok(bucket) = bucket_of(r) else {
        return false;
    };
    let on = Target {
        bucket,
        policy: r.policy.as_deref(),
        key: Some(key),
        object: None,
    };
    let asker = asker_of(r);
    judge(
        &on,
        &asker,
        &[table::BYPASS_GOVERNANCE],
        on.is_owner(&asker),
    )
    .is_ok()
}

/// A missing key is `NoSuchKey` only to a caller who may list the bucket
/// (by its policy or ACL) with the key as prefix; to others it is
/// `AccessDenied`, as AWS answers (nothing is learned of what the bucket
/// holds).
pub(crate) fn hide_missing(r: &S3Request, e: S3Error) -> S3Error {
    if e.code != S3ErrorCode::NoSuchKey {
        return e;
    }
    let Some(b) = &r.bucket_record else {
        return denied();
    };
    let on = Target {
        bucket: b,
        policy: r.policy.as_deref(),
        key: None,
        object: None,
    };
    // Listing the missing key's name itself (`s3:prefix` = the key), as
    // RGW asks: a policy allowing only a prefix's listing tells of keys
    // under it.
    let mut query = r.query.clone();
    if let Some(key) = &r.key {
        query.retain(|(n, _)| n != "prefix");
        query.push(("prefix".into(), key.clone()));
    }
    let asker = Asker {
        query: &query,
        ..asker_of(r)
    };
    match decide(table::rule("ListObjects"), false, &on, &asker) {
        Ok(()) => e,
        Err(denied) => denied,
    }
}

/// The `Owner` element for user `id`: the caller's display name when it is
/// the caller, else the id.
pub(crate) fn owner_element(r: &S3Request, id: &str) -> Owner {
    let display_name = match &r.caller {
        Some(c) if c.user_id == id => c.display_name.clone(),
        _ => id.to_string(),
    };
    Owner {
        id: id.to_string(),
        display_name: Some(display_name),
    }
}

/// The `Owner` element of something owned by user `id`; an empty id (a
/// record from before owners were kept) stands for the bucket's owner.
pub(crate) fn owner_of(r: &S3Request, id: &str) -> Owner {
    match (id, &r.bucket_record) {
        ("", Some(b)) => owner_element(r, &b.owner),
        _ => owner_element(r, id),
    }
}

/// Every access key kept in metadata (each names its user).
pub(crate) async fn access_keys(gw: &Gateway) -> Result<Vec<AccessKey>, S3Error> {
    Ok(match gw.objects.read(MetaRead::AccessKeys).await? {
        MetaReadResult::AccessKeys(keys) => keys,
        _ => Vec::new(),
    })
}

/// Every user's display name by id (from the keys kept in metadata).
pub(crate) async fn user_names(gw: &Gateway) -> Result<HashMap<String, String>, S3Error> {
    Ok(access_keys(gw)
        .await?
        .into_iter()
        .map(|k| (k.user_id, k.display_name))
        .collect())
}

/// The `Owner` element of user `id`, named from `names` (see
/// [`user_names`]); like [`owner_of`] otherwise.
pub(crate) fn named_owner(r: &S3Request, names: &HashMap<String, String>, id: &str) -> Owner {
    let mut owner = owner_of(r, id);
    if let Some(name) = names.get(&owner.id) {
        owner.display_name = Some(name.clone());
    }
    owner
}
