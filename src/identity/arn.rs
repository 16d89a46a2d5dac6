//! The ARNs of an account's identities, as IAM writes them.

/// `arn:aws:iam::<account>:root`: the account itself.
pub(crate) fn root(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

/// `arn:aws:iam::<account>:<kind><path><name>` (`kind`: user, group,
/// role, policy).
pub(crate) fn entity(account: &str, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:{kind}{path}{name}")
}

/// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
pub(crate) fn session(account: &str, role: &str, session: &str) -> String {
    format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")
}

/// The account and name (path dropped) of an IAM ARN of `kind`
/// (`arn:aws:iam::<account>:<kind>/[path/]<name>`); the account may be
/// empty (RGW's tenant-less ARNs: the caller's own).
pub(crate) fn split<'a>(arn: &'a str, kind: &str) -> Option<(&'a str, &'a str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "iam" || !region.is_empty() {
        return None;
    }
    let tail = resource.strip_prefix(kind)?.strip_prefix('/')?;
    let name = tail.rsplit('/').next()?;
    (!name.is_empty()).then_some((account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_split_back_into_account_and_name() {
        let a = entity("acct", "role", "/ops/", "deploy");
        assert_eq!(a, "arn:aws:iam::acct:role/ops/deploy");
        assert_eq!(split(&a, "role"), Some(("acct", "deploy")));
        assert_eq!(split(&a, "user"), None);
        assert_eq!(split("arn:aws:iam:::role/r", "role"), Some(("", "r")));
        assert_eq!(split("arn:aws:iam::a:role/", "role"), None);
        assert_eq!(split("arn:aws:s3:::b", "role"), None);
        assert_eq!(root("a"), "arn:aws:iam::a:root");
        assert_eq!(session("a", "r", "s"), "arn:aws:sts::a:assumed-role/r/s");
    }
}
