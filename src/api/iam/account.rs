//! The account as a whole: GetAccountSummary.

use super::xml::{Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::storage::meta::iam::change::{
    MAX_ATTACHED, MAX_GROUPS_PER_USER, MAX_KEYS_PER_USER, MAX_POLICY_VERSIONS,
};

/// GetAccountSummary: counts of the account's entities and its quotas.
pub(super) async fn summary(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    r.authorize("iam:GetAccountSummary", "*")?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let attached = doc.users.values().map(|u| u.attached.len()).sum::<usize>()
        + doc.groups.values().map(|g| g.attached.len()).sum::<usize>()
        + doc
            .roles
            .values()
            .map(|ro| ro.attached.len())
            .sum::<usize>();
    let entries: [(&str, usize); 16] = [
        ("Users", doc.users.len()),
        ("UsersQuota", 5000),
        ("Groups", doc.groups.len()),
        ("GroupsQuota", 300),
        ("Roles", doc.roles.len()),
        ("RolesQuota", 1000),
        ("Policies", doc.policies.len()),
        ("PoliciesQuota", 1500),
        ("AttachedPoliciesPerUserQuota", MAX_ATTACHED),
        ("AttachedPoliciesPerGroupQuota", MAX_ATTACHED),
        ("AttachedPoliciesPerRoleQuota", MAX_ATTACHED),
        ("AccessKeysPerUserQuota", MAX_KEYS_PER_USER),
        ("PolicyVersionsInUse", attached),
        ("PolicyVersionsInUseQuota", 10_000),
        ("VersionsPerPolicyQuota", MAX_POLICY_VERSIONS),
        ("GroupsPerUserQuota", MAX_GROUPS_PER_USER),
    ];
    let mut a = Answer::new("GetAccountSummary", IAM_NS);
    a.open("SummaryMap");
    for (k, v) in entries {
        a.open("entry")
            .text("key", k)
            .text("value", &v.to_string())
            .close("entry");
    }
    a.close("SummaryMap");
    Ok(a)
}
