//! AWS's definition of a public bucket policy (S3 Block Public Access,
//! "The meaning of public"), used by GetBucketPolicyStatus and by
//! `BlockPublicPolicy`.
//!
//! AWS starts from "public" and looks for a reason it is not. Here a
//! policy is public when some `Allow` statement grants to everyone — a
//! `*` principal (`"*"`, `{"AWS": "*"}`) or a `NotPrincipal` — and none of
//! its conditions pins the request to a fixed value of:
//!
//! - `aws:SourceIp` with `IpAddress`, every block /8 or narrower (IPv4),
//!   /32 or narrower (IPv6): broader blocks are "the Internet";
//! - `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
//!   `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:userid`,
//!   `s3:x-amz-server-side-encryption-aws-kms-key-id`,
//!   `s3:DataAccessPointArn`, `s3:DataAccessPointAccount`, with a positive
//!   string or ARN operator (`StringEquals`, `StringEqualsIgnoreCase`,
//!   `StringLike`, `ArnEquals`, `ArnLike`) whose every value is fixed: no
//!   `*`/`?` wildcard (in Like operators) and no policy variable.
//!
//! A pinning condition must bind the request: `...IfExists` and
//! `ForAllValues:` are true when the key is missing, so they pin nothing.
//! Statements granting to named users or service principals are not
//! public, and neither is any `Deny`.

use super::condition::{Condition, Op, SetOp, Values};
use super::statement::{Effect, PrincipalEntry, Statement};

/// Whether `statement` makes its bucket public.
pub(crate) fn statement_is_public(statement: &Statement) -> bool {
    if statement.effect != Effect::Allow {
        return false;
    }
    let to_everyone = statement.principals.negated
        || statement
            .principals
            .entries
            .contains(&PrincipalEntry::Anyone);
    to_everyone && !statement.conditions.iter().any(pins)
}

/// Keys whose fixed value keeps a grant to `*` from being public.
const FIXED_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalorgid",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Whether `c` restricts the request to a fixed set of values of a key
/// that makes the grant non-public.
fn pins(c: &Condition) -> bool {
    if c.negated || c.if_exists || c.set == SetOp::ForAllValues {
        return false;
    }
    match (&c.values, c.op) {
        (Values::Cidrs(cidrs), Op::IpAddress) => {
            &*c.key == "aws:sourceip"
                && !cidrs.is_empty()
                && cidrs.iter().all(|b| b.prefix >= if b.v6 { 32 } else { 8 })
        }
        (Values::Patterns(ps), Op::StringEquals | Op::StringEqualsIgnoreCase | Op::StringLike) => {
            FIXED_KEYS.contains(&&*c.key) && !ps.is_empty() && ps.iter().all(|p| p.is_fixed())
        }
        (Values::Arns(arns), Op::Arn) => {
            FIXED_KEYS.contains(&&*c.key)
                && !arns.is_empty()
                && arns.iter().all(|parts| parts.iter().all(|p| p.is_fixed()))
        }
        _ => false,
    }
}
