//! The permission table: for every S3 operation the router knows, the IAM
//! actions AWS checks for it, what an ACL grant gives of it, and what the
//! bucket's owner may do whatever the policy says. Kept as data in one
//! place (README's "Permission table" is this list); the access decision
//! code in `api::access` reads it and decides nothing per operation by
//! itself.
//!
//! The ACL column is AWS's "Mapping of ACL permissions and access policy
//! permissions": bucket READ lists, bucket WRITE creates and deletes
//! objects, READ_ACP/WRITE_ACP read and replace the ACL, object READ reads
//! the object; FULL_CONTROL is all of them. No grant ever gives object
//! lock, the bucket policy, Object Ownership, Block Public Access,
//! lifecycle, versioning, CORS, tagging of the bucket or encryption
//! settings: those are the owner's, or whom the policy allows.

use std::collections::HashMap;
use std::sync::OnceLock;

/// An ACL permission, as a grant names it (`FULL_CONTROL` holds them all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// `READ`.
    Read,
    /// `WRITE`.
    Write,
    /// `READ_ACP`.
    ReadAcp,
    /// `WRITE_ACP`.
    WriteAcp,
}

/// What an ACL grant gives of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AclGives {
    /// No grant gives it: the bucket's owner holds it (unless the policy
    /// denies it), anyone else needs the policy's allow.
    Never,
    /// This permission in the bucket's ACL.
    Bucket(Grant),
    /// This permission in the bucket's ACL for the plain form; the form
    /// naming a version only to the bucket's owner. AWS: "when the grantee
    /// is the bucket owner, granting WRITE permission in a bucket ACL
    /// allows the `s3:DeleteObjectVersion` action to be performed on any
    /// version in that bucket".
    BucketPlainForm(Grant),
    /// This permission in the object's own ACL.
    Object(Grant),
}

/// Where the decision is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decided {
    /// Before the handler runs (and in the `Expect: 100-continue` check):
    /// on the bucket, and the key for object operations.
    Gateway,
    /// By the handler, once the object's record (its ACL, owner and tags)
    /// is read; the gateway only checks the bucket exists.
    Object,
    /// By the handler, each key as `DeleteObject` (DeleteObjects).
    EachKey,
}

/// Who an operation is for, beyond the policy and the ACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    /// Any signed user; no bucket is addressed (ListBuckets, CreateBucket).
    Signed,
    /// Whom the policy allows, or the ACL grants; an explicit deny wins.
    Anyone,
    /// The bucket's owner, even under a policy's deny; anyone else is
    /// refused `405 MethodNotAllowed` when the policy allows them and
    /// `403 AccessDenied` otherwise. AWS: "The root principal in the
    /// bucket owner's account can always use this operation" and "if you
    /// have the correct permissions, but you're not using an identity that
    /// belongs to the bucket owner's account, Amazon S3 returns a 405
    /// Method Not Allowed error".
    OwnerOnly,
    /// Decided by the POST form's own policy, then as `PutObject`.
    Form,
    /// Answered by its handler's own refusal (a request the router does
    /// not know or the store does not support): nobody's.
    Unsupported,
    /// Nobody: refused `AccessDenied` (an operation the table does not
    /// list: deny by default).
    Nobody,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule {
    /// The operation's name, as AWS spells it (the router's name).
    pub operation: &'static str,
    /// The IAM actions checked, every one of them, for the plain form.
    pub actions: &'static [&'static str],
    /// The actions for the form naming a version (`versionId`).
    pub version_actions: &'static [&'static str],
    /// What an ACL grant gives of it.
    pub acl: AclGives,
    /// Where it is decided.
    pub decided: Decided,
    /// Who it is for.
    pub who: Who,
}

impl Rule {
    /// The actions checked; `versioned`: the request names a version.
    pub(crate) fn actions(&self, versioned: bool) -> &'static [&'static str] {
        if versioned {
            self.version_actions
        } else {
            self.actions
        }
    }

    /// What an ACL grant gives of the form asked (`versioned`: it names a
    /// version), or `None` when no grant does.
    pub(crate) fn acl_grant(&self, versioned: bool) -> Option<AclGrant> {
        match self.acl {
            AclGives::Never => None,
            AclGives::Bucket(g) => Some(AclGrant::Bucket(g)),
            AclGives::BucketPlainForm(g) if !versioned => Some(AclGrant::Bucket(g)),
            AclGives::BucketPlainForm(g) => Some(AclGrant::BucketOwnersOwn(g)),
            AclGives::Object(g) => Some(AclGrant::Object(g)),
        }
    }
}

/// The ACL permission one request's form needs ([`Rule::acl_grant`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AclGrant {
    /// This permission in the bucket's ACL.
    Bucket(Grant),
    /// This permission in the bucket's ACL, held by the bucket's owner.
    BucketOwnersOwn(Grant),
    /// This permission in the object's ACL.
    Object(Grant),
}

/// Whether a request may bypass governance retention
/// (`x-amz-bypass-governance-retention: true`): this action, after the
/// policy, the bucket's owner holding it unless denied.
pub(crate) const BYPASS_GOVERNANCE: &str = "s3:BypassGovernanceRetention";

/// What a write asking for a retention (`x-amz-object-lock-mode` and
/// `-retain-until-date`) needs besides `s3:PutObject`, as AWS checks it.
pub(crate) const RETENTION_ON_WRITE: &str = "s3:PutObjectRetention";

/// What a write asking for a legal hold (`x-amz-object-lock-legal-hold`)
/// needs besides `s3:PutObject`.
pub(crate) const LEGAL_HOLD_ON_WRITE: &str = "s3:PutObjectLegalHold";

use AclGives::{Bucket, BucketPlainForm, Never, Object};
use Decided::{EachKey, Gateway, Object as OnObject};
use Grant::{Read, ReadAcp, Write, WriteAcp};
use Who::{Anyone, Form, Nobody, OwnerOnly, Signed, Unsupported};

/// A row whose versioned form checks the same actions.
const fn row(
    operation: &'static str,
    actions: &'static [&'static str],
    acl: AclGives,
    decided: Decided,
    who: Who,
) -> Rule {
    Rule {
        operation,
        actions,
        version_actions: actions,
        acl,
        decided,
        who,
    }
}

/// A row whose versioned form checks other actions.
const fn versioned(
    operation: &'static str,
    actions: &'static [&'static str],
    version_actions: &'static [&'static str],
    acl: AclGives,
    decided: Decided,
) -> Rule {
    Rule {
        operation,
        actions,
        version_actions,
        acl,
        decided,
        who: Anyone,
    }
}

/// A bucket setting: no ACL grant gives it, decided at the gateway.
const fn setting(operation: &'static str, action: &'static [&'static str]) -> Rule {
    row(operation, action, Never, Gateway, Anyone)
}

/// Every operation of the router, in the router's order.
pub(crate) const TABLE: &[Rule] = &[
    row(
        "ListBuckets",
        &["s3:ListAllMyBuckets"],
        Never,
        Gateway,
        Signed,
    ),
    row("CreateBucket", &["s3:CreateBucket"], Never, Gateway, Signed),
    row(
        "HeadBucket",
        &["s3:ListBucket"],
        Bucket(Read),
        Gateway,
        Anyone,
    ),
    setting("DeleteBucket", &["s3:DeleteBucket"]),
    setting("GetBucketLocation", &["s3:GetBucketLocation"]),
    setting("GetBucketVersioning", &["s3:GetBucketVersioning"]),
    setting("PutBucketVersioning", &["s3:PutBucketVersioning"]),
    setting(
        "GetObjectLockConfiguration",
        &["s3:GetBucketObjectLockConfiguration"],
    ),
    setting(
        "PutObjectLockConfiguration",
        &["s3:PutBucketObjectLockConfiguration"],
    ),
    setting("GetObjectRetention", &["s3:GetObjectRetention"]),
    setting("PutObjectRetention", &["s3:PutObjectRetention"]),
    setting("GetObjectLegalHold", &["s3:GetObjectLegalHold"]),
    setting("PutObjectLegalHold", &["s3:PutObjectLegalHold"]),
    versioned(
        "DeleteObjects",
        &["s3:DeleteObject"],
        &["s3:DeleteObjectVersion"],
        BucketPlainForm(Write),
        EachKey,
    ),
    row(
        "ListObjects",
        &["s3:ListBucket"],
        Bucket(Read),
        Gateway,
        Anyone,
    ),
    row(
        "ListObjectsV2",
        &["s3:ListBucket"],
        Bucket(Read),
        Gateway,
        Anyone,
    ),
    row(
        "ListObjectVersions",
        &["s3:ListBucketVersions"],
        Bucket(Read),
        Gateway,
        Anyone,
    ),
    row(
        "ListMultipartUploads",
        &["s3:ListBucketMultipartUploads"],
        Bucket(Read),
        Gateway,
        Anyone,
    ),
    row(
        "PutObject",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    row(
        "CopyObject",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    versioned(
        "GetObject",
        &["s3:GetObject"],
        &["s3:GetObjectVersion"],
        Object(Read),
        OnObject,
    ),
    versioned(
        "HeadObject",
        &["s3:GetObject"],
        &["s3:GetObjectVersion"],
        Object(Read),
        OnObject,
    ),
    versioned(
        "DeleteObject",
        &["s3:DeleteObject"],
        &["s3:DeleteObjectVersion"],
        BucketPlainForm(Write),
        Gateway,
    ),
    row(
        "CreateMultipartUpload",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    row(
        "UploadPart",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    row(
        "UploadPartCopy",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    row(
        "CompleteMultipartUpload",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    row(
        "AbortMultipartUpload",
        &["s3:AbortMultipartUpload"],
        Bucket(Write),
        Gateway,
        Anyone,
    ),
    row(
        "ListParts",
        &["s3:ListMultipartUploadParts"],
        Bucket(Read),
        Gateway,
        Anyone,
    ),
    // AWS: "If the bucket is not versioned, you need the s3:GetObject and
    // s3:GetObjectAttributes permissions"; naming a version, both of
    // their version forms.
    versioned(
        "GetObjectAttributes",
        &["s3:GetObject", "s3:GetObjectAttributes"],
        &["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"],
        Object(Read),
        OnObject,
    ),
    // AWS checks SelectObjectContent as a GetObject of the object.
    row(
        "SelectObjectContent",
        &["s3:GetObject"],
        Object(Read),
        OnObject,
        Anyone,
    ),
    versioned(
        "GetObjectTagging",
        &["s3:GetObjectTagging"],
        &["s3:GetObjectVersionTagging"],
        Object(Read),
        OnObject,
    ),
    versioned(
        "PutObjectTagging",
        &["s3:PutObjectTagging"],
        &["s3:PutObjectVersionTagging"],
        Bucket(Write),
        OnObject,
    ),
    versioned(
        "DeleteObjectTagging",
        &["s3:DeleteObjectTagging"],
        &["s3:DeleteObjectVersionTagging"],
        Bucket(Write),
        OnObject,
    ),
    setting("GetBucketTagging", &["s3:GetBucketTagging"]),
    setting("PutBucketTagging", &["s3:PutBucketTagging"]),
    setting("DeleteBucketTagging", &["s3:PutBucketTagging"]),
    setting("GetBucketCors", &["s3:GetBucketCORS"]),
    setting("PutBucketCors", &["s3:PutBucketCORS"]),
    setting("DeleteBucketCors", &["s3:PutBucketCORS"]),
    setting(
        "GetBucketLifecycleConfiguration",
        &["s3:GetLifecycleConfiguration"],
    ),
    setting(
        "PutBucketLifecycleConfiguration",
        &["s3:PutLifecycleConfiguration"],
    ),
    setting("DeleteBucketLifecycle", &["s3:PutLifecycleConfiguration"]),
    row(
        "GetBucketAcl",
        &["s3:GetBucketAcl"],
        Bucket(ReadAcp),
        Gateway,
        Anyone,
    ),
    row(
        "PutBucketAcl",
        &["s3:PutBucketAcl"],
        Bucket(WriteAcp),
        Gateway,
        Anyone,
    ),
    versioned(
        "GetObjectAcl",
        &["s3:GetObjectAcl"],
        &["s3:GetObjectVersionAcl"],
        Object(ReadAcp),
        OnObject,
    ),
    versioned(
        "PutObjectAcl",
        &["s3:PutObjectAcl"],
        &["s3:PutObjectVersionAcl"],
        Object(WriteAcp),
        OnObject,
    ),
    row(
        "GetBucketPolicy",
        &["s3:GetBucketPolicy"],
        Never,
        Gateway,
        OwnerOnly,
    ),
    row(
        "PutBucketPolicy",
        &["s3:PutBucketPolicy"],
        Never,
        Gateway,
        OwnerOnly,
    ),
    row(
        "DeleteBucketPolicy",
        &["s3:DeleteBucketPolicy"],
        Never,
        Gateway,
        OwnerOnly,
    ),
    setting("GetBucketPolicyStatus", &["s3:GetBucketPolicyStatus"]),
    setting("GetBucketNotification", &["s3:GetBucketNotification"]),
    setting("PutBucketNotification", &["s3:PutBucketNotification"]),
    setting(
        "GetBucketOwnershipControls",
        &["s3:GetBucketOwnershipControls"],
    ),
    setting(
        "PutBucketOwnershipControls",
        &["s3:PutBucketOwnershipControls"],
    ),
    setting(
        "DeleteBucketOwnershipControls",
        &["s3:PutBucketOwnershipControls"],
    ),
    setting("GetPublicAccessBlock", &["s3:GetBucketPublicAccessBlock"]),
    setting("PutPublicAccessBlock", &["s3:PutBucketPublicAccessBlock"]),
    setting(
        "DeletePublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
    ),
    setting("GetBucketEncryption", &["s3:GetEncryptionConfiguration"]),
    setting("PutBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    setting("DeleteBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    row(
        "PostObject",
        &["s3:PutObject"],
        Bucket(Write),
        Gateway,
        Form,
    ),
    row("Unknown", &[], Never, Gateway, Unsupported),
];

/// The rule of an operation the table does not list: nobody's.
const UNLISTED: Rule = row("", &[], Never, Gateway, Nobody);

/// The rule of `operation` (the router's name); an operation the table
/// does not list is refused (deny by default).
pub(crate) fn rule(operation: &str) -> &'static Rule {
    // Looked up on every request: a map built once, not a scan.
    static BY_NAME: OnceLock<HashMap<&'static str, &'static Rule>> = OnceLock::new();
    BY_NAME
        .get_or_init(|| TABLE.iter().map(|r| (r.operation, r)).collect())
        .get(operation)
        .copied()
        .unwrap_or(&UNLISTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_named_is_one_s3_has_and_every_row_is_named_once() {
        let mut seen = std::collections::HashSet::new();
        for r in TABLE {
            assert!(seen.insert(r.operation), "{} twice", r.operation);
            for a in r.actions.iter().chain(r.version_actions) {
                assert!(super::super::actions::lookup(a).is_some(), "{a}");
            }
            if r.who != Unsupported {
                assert!(!r.actions.is_empty(), "{} checks nothing", r.operation);
            }
        }
        for a in [BYPASS_GOVERNANCE, RETENTION_ON_WRITE, LEGAL_HOLD_ON_WRITE] {
            assert!(super::super::actions::lookup(a).is_some(), "{a}");
        }
        assert_eq!(rule("NoSuchOperation").who, Nobody, "deny by default");
    }

    #[test]
    fn no_grant_reaches_lock_policy_or_bucket_settings() {
        let guarded = [
            "s3:PutObjectLegalHold",
            "s3:PutObjectRetention",
            "s3:GetObjectLegalHold",
            "s3:GetObjectRetention",
            "s3:PutBucketPolicy",
            "s3:GetBucketPolicy",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketVersioning",
            "s3:PutBucketCORS",
        ];
        for r in TABLE {
            if r.actions.iter().any(|a| guarded.contains(a)) {
                assert_eq!(r.acl, Never, "{} is given by an ACL grant", r.operation);
            }
        }
        let policy_calls = TABLE.iter().filter(|r| r.who == OwnerOnly).count();
        assert_eq!(policy_calls, 3, "Get/Put/DeleteBucketPolicy only");
    }

    #[test]
    fn readme_documents_every_row() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("### Permission table")
            .nth(1)
            .expect("README has a permission table");
        for r in TABLE.iter().filter(|r| r.who != Unsupported) {
            assert!(
                section.contains(&format!("| {} |", r.operation)),
                "README's permission table lacks {}",
                r.operation
            );
        }
    }
}
