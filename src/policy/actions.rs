//! S3's action names as bucket policies write them, and action sets
//! compiled to bitsets over that list.
//!
//! A statement's `Action`/`NotAction` (wildcards and all, any case) is
//! expanded once at parse time into the set of known actions it names;
//! a request's action is looked up once per evaluation, and each statement
//! then costs one bit test.

use std::sync::OnceLock;

/// What an action acts on: which resource ARNs it can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `arn:aws:s3:::bucket`.
    Bucket,
    /// `arn:aws:s3:::bucket/key`.
    Object,
    /// No bucket resource (account-level): never applies in a bucket policy.
    Account,
}

use Kind::{Account as A, Bucket as B, Object as O};

/// Every S3 action a bucket policy may name (IAM's "Actions defined by
/// Amazon S3"), with the resource it applies to. Order is the bit index.
const ACTIONS: &[(&str, Kind)] = &[
    ("s3:AbortMultipartUpload", O),
    ("s3:BypassGovernanceRetention", O),
    ("s3:CreateBucket", B),
    ("s3:CreateBucketMetadataTableConfiguration", B),
    ("s3:CreateJob", A),
    ("s3:DeleteAccessPoint", A),
    ("s3:DeleteBucket", B),
    ("s3:DeleteBucketMetadataTableConfiguration", B),
    ("s3:DeleteBucketOwnershipControls", B),
    ("s3:DeleteBucketPolicy", B),
    ("s3:DeleteBucketWebsite", B),
    ("s3:DeleteJobTagging", A),
    ("s3:DeleteObject", O),
    ("s3:DeleteObjectTagging", O),
    ("s3:DeleteObjectVersion", O),
    ("s3:DeleteObjectVersionTagging", O),
    ("s3:DescribeJob", A),
    ("s3:GetAccelerateConfiguration", B),
    ("s3:GetAccessPoint", A),
    ("s3:GetAccountPublicAccessBlock", A),
    ("s3:GetAnalyticsConfiguration", B),
    ("s3:GetBucketAcl", B),
    ("s3:GetBucketCORS", B),
    ("s3:GetBucketLocation", B),
    ("s3:GetBucketLogging", B),
    ("s3:GetBucketMetadataTableConfiguration", B),
    ("s3:GetBucketNotification", B),
    ("s3:GetBucketObjectLockConfiguration", B),
    ("s3:GetBucketOwnershipControls", B),
    ("s3:GetBucketPolicy", B),
    ("s3:GetBucketPolicyStatus", B),
    ("s3:GetBucketPublicAccessBlock", B),
    ("s3:GetBucketRequestPayment", B),
    ("s3:GetBucketTagging", B),
    ("s3:GetBucketVersioning", B),
    ("s3:GetBucketWebsite", B),
    ("s3:GetEncryptionConfiguration", B),
    ("s3:GetIntelligentTieringConfiguration", B),
    ("s3:GetInventoryConfiguration", B),
    ("s3:GetJobTagging", A),
    ("s3:GetLifecycleConfiguration", B),
    ("s3:GetMetricsConfiguration", B),
    ("s3:GetObject", O),
    ("s3:GetObjectAcl", O),
    ("s3:GetObjectAttributes", O),
    ("s3:GetObjectLegalHold", O),
    ("s3:GetObjectRetention", O),
    ("s3:GetObjectTagging", O),
    ("s3:GetObjectTorrent", O),
    ("s3:GetObjectVersion", O),
    ("s3:GetObjectVersionAcl", O),
    ("s3:GetObjectVersionAttributes", O),
    ("s3:GetObjectVersionForReplication", O),
    ("s3:GetObjectVersionTagging", O),
    ("s3:GetObjectVersionTorrent", O),
    ("s3:GetReplicationConfiguration", B),
    ("s3:GetStorageLensConfiguration", A),
    ("s3:InitiateReplication", O),
    ("s3:ListAccessPoints", A),
    ("s3:ListAllMyBuckets", A),
    ("s3:ListBucket", B),
    ("s3:ListBucketMultipartUploads", B),
    ("s3:ListBucketVersions", B),
    ("s3:ListJobs", A),
    ("s3:ListMultipartUploadParts", O),
    ("s3:ListTagsForResource", B),
    ("s3:ObjectOwnerOverrideToBucketOwner", O),
    ("s3:PutAccelerateConfiguration", B),
    ("s3:PutAccountPublicAccessBlock", A),
    ("s3:PutAnalyticsConfiguration", B),
    ("s3:PutBucketAcl", B),
    ("s3:PutBucketCORS", B),
    ("s3:PutBucketLogging", B),
    ("s3:PutBucketNotification", B),
    ("s3:PutBucketObjectLockConfiguration", B),
    ("s3:PutBucketOwnershipControls", B),
    ("s3:PutBucketPolicy", B),
    ("s3:PutBucketPublicAccessBlock", B),
    ("s3:PutBucketRequestPayment", B),
    ("s3:PutBucketTagging", B),
    ("s3:PutBucketVersioning", B),
    ("s3:PutBucketWebsite", B),
    ("s3:PutEncryptionConfiguration", B),
    ("s3:PutIntelligentTieringConfiguration", B),
    ("s3:PutInventoryConfiguration", B),
    ("s3:PutJobTagging", A),
    ("s3:PutLifecycleConfiguration", B),
    ("s3:PutMetricsConfiguration", B),
    ("s3:PutObject", O),
    ("s3:PutObjectAcl", O),
    ("s3:PutObjectLegalHold", O),
    ("s3:PutObjectRetention", O),
    ("s3:PutObjectTagging", O),
    ("s3:PutObjectVersionAcl", O),
    ("s3:PutObjectVersionTagging", O),
    ("s3:PutReplicationConfiguration", B),
    ("s3:PutStorageLensConfiguration", A),
    ("s3:ReplicateDelete", O),
    ("s3:ReplicateObject", O),
    ("s3:ReplicateTags", O),
    ("s3:RestoreObject", O),
    ("s3:TagResource", B),
    ("s3:UntagResource", B),
    ("s3:UpdateJobPriority", A),
    ("s3:UpdateJobStatus", A),
];

/// Words of the bitset.
const WORDS: usize = 2;
const _: () = assert!(ACTIONS.len() <= WORDS * 64);

/// An action of [`ACTIONS`], by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ActionId(u8);

impl ActionId {
    /// The action's canonical name.
    pub(crate) fn name(self) -> &'static str {
        ACTIONS[self.0 as usize].0
    }

    /// What the action acts on.
    pub(crate) fn kind(self) -> Kind {
        ACTIONS[self.0 as usize].1
    }
}

/// The ids of all actions, in order.
fn all_ids() -> impl Iterator<Item = ActionId> {
    (0..ACTIONS.len()).map(|i| ActionId(i as u8))
}

/// Lower-cased names, sorted, for lookups.
fn sorted() -> &'static [(String, ActionId)] {
    static SORTED: OnceLock<Vec<(String, ActionId)>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut v: Vec<(String, ActionId)> = all_ids()
            .map(|id| (id.name().to_ascii_lowercase(), id))
            .collect();
        v.sort();
        v
    })
}

/// The action named `name` (any case); None for a name S3 does not have.
pub(crate) fn lookup(name: &str) -> Option<ActionId> {
    let table = sorted();
    table
        .binary_search_by(|(n, _)| n.bytes().cmp(name.bytes().map(|b| b.to_ascii_lowercase())))
        .ok()
        .map(|i| table[i].1)
}

/// A set of actions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ActionSet([u64; WORDS]);

impl ActionSet {
    /// Adds `id`.
    pub(crate) fn insert(&mut self, id: ActionId) {
        self.0[id.0 as usize / 64] |= 1 << (id.0 % 64);
    }

    /// Whether `id` is in the set.
    pub(crate) fn contains(&self, id: ActionId) -> bool {
        self.0[id.0 as usize / 64] & (1 << (id.0 % 64)) != 0
    }

    /// The actions of the set.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ActionId> + '_ {
        all_ids().filter(|&id| self.contains(id))
    }

    /// Adds every action `pattern` (lower-cased, `*`/`?` wildcards) names;
    /// false when it names none.
    pub(crate) fn insert_matching(&mut self, pattern: &str) -> bool {
        let mut any = false;
        for (name, id) in sorted() {
            if wildcard(pattern.as_bytes(), name.as_bytes()) {
                self.insert(*id);
                any = true;
            }
        }
        any
    }
}

/// Plain wildcard match (`*`, `?`), for the parse-time expansion of
/// action patterns (ASCII names, so `?` is one byte).
pub(crate) fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                pi += 1;
                back = Some((pi, si));
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match back {
                Some((bp, bs)) => {
                    pi = bp;
                    si = bs + 1;
                    back = Some((bp, bs + 1));
                }
                None => return false,
            },
        }
    }
    while p.get(pi) == Some(&b'*') {
        pi += 1;
    }
    pi == p.len()
}
