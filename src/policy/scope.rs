//! What a policy is attached to: a bucket, an identity, or a role's
//! trust.

/// What a policy is attached to, which decides what it may say.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// A bucket's policy (`Principal` required, resources of that bucket,
    /// S3 actions only).
    Bucket(&'a str),
    /// An IAM user's, group's or role's policy, or a session policy (no
    /// `Principal`; any ARN; S3, IAM and STS actions).
    Identity,
    /// A role's trust policy (`Principal` required; STS actions).
    Trust,
}
