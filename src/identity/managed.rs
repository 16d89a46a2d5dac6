//! The AWS managed policies this store knows (`arn:aws:iam::aws:policy/…`):
//! the ones S3 users attach. Their documents are AWS's, narrowed to the
//! services this store serves.

/// (name, document) of each AWS managed policy known here.
const POLICIES: &[(&str, &str)] = &[
    (
        "AdministratorAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "AmazonS3FullAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    ),
    (
        "AmazonS3ReadOnlyAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*"],"Resource":"*"}]}"#,
    ),
    (
        "IAMFullAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
    ),
    (
        "IAMReadOnlyAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}"#,
    ),
    (
        "IAMUserChangePassword",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::*:user/${aws:username}"},{"Effect":"Allow","Action":"iam:GetAccountPasswordPolicy","Resource":"*"}]}"#,
    ),
];

/// The ARN prefix of AWS managed policies.
pub(crate) const ARN_PREFIX: &str = "arn:aws:iam::aws:policy/";

/// The document of the AWS managed policy named by `arn`, if known.
pub(crate) fn document(arn: &str) -> Option<&'static str> {
    let name = arn.strip_prefix(ARN_PREFIX)?.rsplit('/').next()?;
    POLICIES.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

/// The ARN of the AWS managed policy `arn` names, as written canonically
/// (`arn:aws:iam::aws:policy/<name>`), if known.
pub(crate) fn canonical(arn: &str) -> Option<String> {
    document(arn)?;
    let name = arn.rsplit('/').next()?;
    Some(format!("{ARN_PREFIX}{name}"))
}

/// Every AWS managed policy known: (name, document).
pub(crate) fn all() -> &'static [(&'static str, &'static str)] {
    POLICIES
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, Scope};

    #[test]
    fn every_known_policy_parses_and_is_found_by_its_arn() {
        for (name, doc) in all() {
            assert!(Policy::parse_in(doc, Scope::Identity).is_ok(), "{name}");
            assert_eq!(document(&format!("{ARN_PREFIX}{name}")), Some(*doc));
        }
        assert_eq!(document("arn:aws:iam::aws:policy/NoSuchPolicy"), None);
        assert_eq!(document("arn:aws:iam::123:policy/AmazonS3FullAccess"), None);
    }
}
