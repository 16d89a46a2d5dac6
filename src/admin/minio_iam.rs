//! `predastore admin iam import`: MinIO's IAM export (`mc admin cluster
//! iam export`, a zip of `iam-assets/*.json`) carried into an account.
//! MinIO's users become IAM users keeping their access key and secret
//! (their clients keep working), its policies customer managed policies
//! of their S3 statements, its groups groups, its policy mappings
//! attachments, and its service accounts more keys of their parent.
//! Each is one IAM call through the admin API, so a second run finds
//! what the first made (`EntityAlreadyExists`: checked to be its own) and
//! goes on; a user or policy of the same name that is not its own is a
//! conflict, left alone. What has no place here is listed with the
//! reason, never dropped silently.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};

use super::cli_iam::{body, call, IamCall};
use crate::api::iam::list_members;

/// The export's folder inside the zip.
const ASSETS: &str = "iam-assets";

/// A MinIO user (`users.json`): its access key is its name.
#[derive(Deserialize, Debug)]
struct MinioUser {
    #[serde(rename = "secretKey")]
    secret_key: String,
    #[serde(default)]
    status: String,
}

/// A MinIO group (`groups.json`).
#[derive(Deserialize, Debug)]
struct MinioGroup {
    #[serde(default)]
    status: String,
    #[serde(default)]
    members: Vec<String>,
}

/// A MinIO service account (`svcaccts.json`): a key of its parent user,
/// narrowed by its session policy if it has one.
#[derive(Deserialize, Debug)]
struct MinioServiceAccount {
    #[serde(default)]
    parent: String,
    #[serde(rename = "secretKey")]
    secret_key: String,
    #[serde(rename = "sessionPolicy", default)]
    session_policy: Option<Value>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    expiration: Option<String>,
}

/// The policies mapped to a user or group (`*_mappings.json`): names,
/// comma-separated.
#[derive(Deserialize, Debug)]
struct MinioMapping {
    #[serde(default)]
    policy: String,
}

/// A MinIO IAM export, read.
#[derive(Debug, Default)]
pub(super) struct MinioExport {
    policies: BTreeMap<String, Value>,
    users: BTreeMap<String, MinioUser>,
    groups: BTreeMap<String, MinioGroup>,
    service_accounts: BTreeMap<String, MinioServiceAccount>,
    user_policies: BTreeMap<String, MinioMapping>,
    group_policies: BTreeMap<String, MinioMapping>,
    /// Policy mappings of LDAP/OpenID identities (`sts*_mappings.json`).
    external_mappings: BTreeMap<String, MinioMapping>,
}

impl MinioExport {
    /// Reads the export zip at `path` (a file it lacks is empty).
    pub(super) fn read(path: &Path) -> Result<MinioExport, String> {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| format!("{} is not a zip: {e}", path.display()))?;
        Self::from_files(|name| {
            let Ok(mut entry) = zip.by_name(&format!("{ASSETS}/{name}")) else {
                return Ok(None);
            };
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| format!("{ASSETS}/{name}: {e}"))?;
            Ok(Some(text))
        })
    }

    /// The export of the files `get` reads by name.
    fn from_files(
        mut get: impl FnMut(&str) -> Result<Option<String>, String>,
    ) -> Result<MinioExport, String> {
        fn parse<T: serde::de::DeserializeOwned + Default>(
            name: &str,
            text: Option<String>,
        ) -> Result<T, String> {
            match text {
                None => Ok(T::default()),
                Some(t) if t.trim().is_empty() || t.trim() == "null" => Ok(T::default()),
                Some(t) => serde_json::from_str(&t).map_err(|e| format!("{ASSETS}/{name}: {e}")),
            }
        }
        let mut external: BTreeMap<String, MinioMapping> =
            parse("stsuser_mappings.json", get("stsuser_mappings.json")?)?;
        let groups: BTreeMap<String, MinioMapping> =
            parse("stsgroup_mappings.json", get("stsgroup_mappings.json")?)?;
        external.extend(groups.into_iter().map(|(k, v)| (format!("group {k}"), v)));
        Ok(MinioExport {
            policies: parse("policies.json", get("policies.json")?)?,
            users: parse("users.json", get("users.json")?)?,
            groups: parse("groups.json", get("groups.json")?)?,
            service_accounts: parse("svcaccts.json", get("svcaccts.json")?)?,
            user_policies: parse("user_mappings.json", get("user_mappings.json")?)?,
            group_policies: parse("group_mappings.json", get("group_mappings.json")?)?,
            external_mappings: external,
        })
    }
}

/// The tag of the IAM users an import makes: a user of that name
/// without it is someone else's, and is left alone.
const IMPORTED_TAG: (&str, &str) = ("imported-from", "minio");

/// How a call whose entity exists already tells this import's own (it
/// counts as already there) from another's (a conflict: left alone, with
/// whatever depends on it).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Existing {
    /// Anything of that name will do (a group; an attachment).
    Any,
    /// A user this import made (tagged [`IMPORTED_TAG`]).
    ImportedUser(String),
    /// A managed policy with this document.
    SamePolicy(String, Value),
    /// A key of this user (`""`: the root).
    OwnKey(String, String),
}

/// One IAM call of an import, and what it carries (`user alice`).
pub(super) struct Step {
    /// What it carries, for the report.
    pub item: String,
    /// The call.
    pub call: IamCall,
    /// How an entity already there is told apart.
    pub existing: Existing,
    /// The items it acts on (a key's user): skipped if one is a conflict.
    pub needs: Vec<String>,
}

impl Step {
    fn new(item: String, call: IamCall) -> Step {
        Step {
            item,
            call,
            existing: Existing::Any,
            needs: Vec::new(),
        }
    }

    fn existing(mut self, existing: Existing) -> Step {
        self.existing = existing;
        self
    }

    fn needs(mut self, items: &[String]) -> Step {
        self.needs = items.to_vec();
        self
    }
}

/// What an import does, in order, and what it cannot carry (item, why).
#[derive(Default)]
pub(super) struct ImportPlan {
    /// The calls.
    pub steps: Vec<Step>,
    /// What has no place here, and why.
    pub not_carried: Vec<(String, String)>,
}

/// Whether `name` may be an IAM user or group name.
fn iam_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Whether a MinIO status is off.
fn disabled(status: &str) -> bool {
    matches!(status, "disabled" | "off")
}

/// The S3 statements of a MinIO policy (MinIO's `admin:`/`kms:` actions
/// mean nothing here): the document to create, if any statement is left,
/// and what was dropped (actions, and Allow statements with a `NotAction`
/// that would reach IAM here).
fn s3_policy(doc: &Value) -> (Option<String>, Vec<String>) {
    let mut dropped = Vec::new();
    let statements = match &doc["Statement"] {
        Value::Array(s) => s.clone(),
        Value::Object(_) => vec![doc["Statement"].clone()],
        _ => Vec::new(),
    };
    let is_s3 = |a: &str| a == "*" || a.to_ascii_lowercase().starts_with("s3:");
    let mut kept = Vec::new();
    for mut st in statements {
        // "Allow all but these": without MinIO's own actions in the list,
        // it would allow IAM's and STS's here too.
        let not_actions = match &st["NotAction"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if st["Effect"] == "Allow"
            && not_actions.iter().any(|a| !is_s3(a))
            && not_actions.iter().any(|a| is_s3(a))
        {
            dropped.push(format!(
                "an Allow statement with NotAction {}",
                not_actions.join(", ")
            ));
            continue;
        }
        for field in ["Action", "NotAction"] {
            let actions: Vec<String> = match &st[field] {
                Value::String(a) => vec![a.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => continue,
            };
            let (s3, other): (Vec<String>, Vec<String>) =
                actions.into_iter().partition(|a| is_s3(a));
            dropped.extend(other);
            if let Some(obj) = st.as_object_mut() {
                obj.insert(field.into(), json!(s3));
            }
        }
        let empty = |v: &Value| v.as_array().is_some_and(Vec::is_empty);
        if empty(&st["NotAction"]) {
            // "Everything but MinIO's admin actions" is all of S3 here.
            if let Some(obj) = st.as_object_mut() {
                obj.remove("NotAction");
                obj.insert("Action".into(), json!(["s3:*"]));
            }
        }
        if !empty(&st["Action"]) {
            kept.push(st);
        }
    }
    dropped.sort();
    dropped.dedup();
    if kept.is_empty() {
        return (None, dropped);
    }
    let version = doc["Version"].as_str().unwrap_or("2012-10-17");
    let out = json!({"Version": version, "Statement": kept});
    (Some(out.to_string()), dropped)
}

/// The calls that carry `export` into `account`. Service accounts of
/// `root_user` (MinIO's root) become keys of the account's root.
pub(super) fn plan(export: &MinioExport, account: &str, root_user: Option<&str>) -> ImportPlan {
    let mut p = ImportPlan::default();
    let mut policies = Vec::new();
    let policy_arn = |name: &str| format!("arn:aws:iam::{account}:policy/{name}");
    for (name, doc) in &export.policies {
        let item = format!("policy {name}");
        match s3_policy(doc) {
            (Some(document), dropped) => {
                if !dropped.is_empty() {
                    p.not_carried.push((
                        item.clone(),
                        format!("dropped (no S3 meaning): {}", dropped.join(", ")),
                    ));
                }
                policies.push(name.as_str());
                let parsed = serde_json::from_str(&document).unwrap_or(Value::Null);
                let create = call(
                    "CreatePolicy",
                    &[("PolicyName", name), ("PolicyDocument", &document)],
                );
                p.steps.push(
                    Step::new(item, create)
                        .existing(Existing::SamePolicy(policy_arn(name), parsed)),
                );
            }
            (None, dropped) => p.not_carried.push((
                item,
                format!("no S3 statement (only {})", dropped.join(", ")),
            )),
        }
    }
    let mut users = Vec::new();
    for (name, u) in &export.users {
        let item = format!("user {name}");
        if !iam_name(name) {
            p.not_carried
                .push((item, "not a valid IAM user name".into()));
            continue;
        }
        users.push(name.as_str());
        let status = if disabled(&u.status) {
            "Inactive"
        } else {
            "Active"
        };
        let (tag, value) = IMPORTED_TAG;
        let create = call(
            "CreateUser",
            &[
                ("UserName", name),
                ("Tags.member.1.Key", tag),
                ("Tags.member.1.Value", value),
            ],
        );
        p.steps
            .push(Step::new(item.clone(), create).existing(Existing::ImportedUser(name.clone())));
        let key = call(
            "ImportAccessKey",
            &[
                ("UserName", name),
                ("AccessKeyId", name),
                ("SecretAccessKey", &u.secret_key),
                ("Status", status),
            ],
        );
        p.steps.push(
            Step::new(format!("key {name} of user {name}"), key)
                .existing(Existing::OwnKey(name.clone(), name.clone()))
                .needs(&[item]),
        );
    }
    // Attachments of mapped policies that were carried.
    let attach = |p: &mut ImportPlan, kind: &str, who: &str, mapped: &MinioMapping| {
        let (action, param) = match kind {
            "user" => ("AttachUserPolicy", "UserName"),
            _ => ("AttachGroupPolicy", "GroupName"),
        };
        for name in mapped
            .policy
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let item = format!("policy {name} of {kind} {who}");
            if !policies.contains(&name) {
                p.not_carried
                    .push((item, "the policy was not carried".into()));
                continue;
            }
            let attach = call(action, &[(param, who), ("PolicyArn", &policy_arn(name))]);
            let needs = [format!("{kind} {who}"), format!("policy {name}")];
            p.steps.push(Step::new(item, attach).needs(&needs));
        }
    };
    for (name, g) in &export.groups {
        let item = format!("group {name}");
        if !iam_name(name) {
            p.not_carried
                .push((item, "not a valid IAM group name".into()));
            continue;
        }
        p.steps
            .push(Step::new(item, call("CreateGroup", &[("GroupName", name)])));
        for member in &g.members {
            let item = format!("member {member} of group {name}");
            if users.contains(&member.as_str()) {
                let add = call(
                    "AddUserToGroup",
                    &[("GroupName", name), ("UserName", member)],
                );
                p.steps
                    .push(Step::new(item, add).needs(&[format!("user {member}")]));
            } else {
                p.not_carried
                    .push((item, "not one of the export's users".into()));
            }
        }
        if let Some(mapped) = export.group_policies.get(name) {
            if disabled(&g.status) {
                p.not_carried.push((
                    format!("policies of group {name}"),
                    "the group is disabled in MinIO (its policies do not apply)".into(),
                ));
            } else {
                attach(&mut p, "group", name, mapped);
            }
        }
    }
    for (name, mapped) in &export.user_policies {
        if users.contains(&name.as_str()) {
            attach(&mut p, "user", name, mapped);
        } else {
            p.not_carried.push((
                format!("policies of user {name}"),
                "not one of the export's users".into(),
            ));
        }
    }
    for (key, sa) in &export.service_accounts {
        let item = format!("service account {key} of {}", sa.parent);
        let narrowed = sa
            .session_policy
            .as_ref()
            .is_some_and(|v| !v.is_null() && v != &json!({}) && v != &json!(""));
        let expires = sa.expiration.as_deref().is_some_and(|e| {
            !e.is_empty() && !e.starts_with("0001-") && !e.starts_with("1970-01-01")
        });
        let user = if root_user == Some(sa.parent.as_str()) {
            Some("")
        } else if users.contains(&sa.parent.as_str()) {
            Some(sa.parent.as_str())
        } else {
            None
        };
        let why = if narrowed {
            Some("it has a session policy (its parent's rights narrowed): make it an IAM user with its own policy")
        } else if expires {
            Some("it expires: make a key with GetSessionToken or a role instead")
        } else if user.is_none() {
            Some("its parent is not one of the export's users (an LDAP/OpenID identity, or MinIO's root without --root-user)")
        } else {
            None
        };
        match (why, user) {
            (None, Some(user)) => {
                // MinIO refuses a disabled user's service accounts too.
                let parent_off = export
                    .users
                    .get(&sa.parent)
                    .is_some_and(|u| disabled(&u.status));
                let status = if disabled(&sa.status) || parent_off {
                    "Inactive"
                } else {
                    "Active"
                };
                let import = call(
                    "ImportAccessKey",
                    &[
                        ("UserName", user),
                        ("AccessKeyId", key),
                        ("SecretAccessKey", &sa.secret_key),
                        ("Status", status),
                    ],
                );
                let needs: Vec<String> = if user.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("user {user}")]
                };
                p.steps.push(
                    Step::new(item, import)
                        .existing(Existing::OwnKey(user.to_string(), key.clone()))
                        .needs(&needs),
                );
            }
            (why, _) => p
                .not_carried
                .push((item, why.unwrap_or_default().to_string())),
        }
    }
    for who in export.external_mappings.keys() {
        p.not_carried.push((
            format!("policy mapping of {who}"),
            "an LDAP/OpenID identity: trust its provider with a role instead".into(),
        ));
    }
    p
}

/// Whether the entity a step found already there is this import's own,
/// asked with `send`.
fn is_ours(
    existing: &Existing,
    account: Option<&str>,
    send: &mut impl FnMut(Value) -> Result<(u16, Value), String>,
) -> Result<bool, String> {
    let mut ask = |action: &'static str, params: &[(&str, &str)]| -> Result<Value, String> {
        let (status, answer) = send(body(&call(action, params), account))?;
        Ok(if status == 200 {
            answer["result"].clone()
        } else {
            Value::Null
        })
    };
    Ok(match existing {
        Existing::Any => true,
        Existing::ImportedUser(name) => {
            let tags = ask("ListUserTags", &[("UserName", name)])?;
            let (tag, value) = IMPORTED_TAG;
            list_members(&tags, "Tags")
                .iter()
                .any(|t| t["Key"] == tag && t["Value"] == value)
        }
        Existing::SamePolicy(arn, document) => {
            let policy = ask("GetPolicy", &[("PolicyArn", arn)])?;
            let version = policy["Policy"]["DefaultVersionId"]
                .as_str()
                .unwrap_or_default();
            let got = ask(
                "GetPolicyVersion",
                &[("PolicyArn", arn), ("VersionId", version)],
            )?;
            let text = got["PolicyVersion"]["Document"]
                .as_str()
                .unwrap_or_default();
            let text = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
            serde_json::from_str::<Value>(&text).is_ok_and(|v| &v == document)
        }
        Existing::OwnKey(user, id) => {
            let params: &[(&str, &str)] = if user.is_empty() {
                &[]
            } else {
                &[("UserName", user)]
            };
            let keys = ask("ListAccessKeys", params)?;
            list_members(&keys, "AccessKeyMetadata")
                .iter()
                .any(|k| k["AccessKeyId"] == id.as_str())
        }
    })
}

/// Runs `plan` on `account` with `send` (one admin API call: its HTTP
/// status and JSON, or why it could not be made); the report as JSON.
/// An entity already there that is not this import's own (a user of the
/// same name it did not make, a policy with another document, a key of
/// someone else) is a conflict: left as it is, and what depends on it is
/// skipped.
pub(super) fn run(
    plan: ImportPlan,
    account: Option<&str>,
    mut send: impl FnMut(Value) -> Result<(u16, Value), String>,
) -> Result<Value, String> {
    let mut done: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut existing = 0u64;
    let mut failed = Vec::new();
    let mut conflicts: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    for step in &plan.steps {
        if let Some(c) = step.needs.iter().find(|n| conflicts.contains(n)) {
            skipped.push(json!({"item": step.item, "because": c}));
            continue;
        }
        let (status, answer) = send(body(&step.call, account))?;
        match (status, answer["error"].as_str()) {
            (200, _) => *done.entry(step.call.action).or_default() += 1,
            (_, Some("EntityAlreadyExists")) => {
                if is_ours(&step.existing, account, &mut send)? {
                    existing += 1;
                } else {
                    conflicts.push(step.item.clone());
                }
            }
            _ => failed.push(json!({
                "item": step.item,
                "error": answer["error"],
                "message": answer["message"],
            })),
        }
    }
    let count = |a: &str| done.get(a).copied().unwrap_or(0);
    let not_carried: Vec<Value> = plan
        .not_carried
        .iter()
        .map(|(item, why)| json!({"item": item, "why": why}))
        .collect();
    Ok(json!({
        "account": account,
        "created": {
            "policies": count("CreatePolicy"),
            "users": count("CreateUser"),
            "keys": count("ImportAccessKey"),
            "groups": count("CreateGroup"),
            "memberships": count("AddUserToGroup"),
            "attachments": count("AttachUserPolicy") + count("AttachGroupPolicy"),
        },
        "already_there": existing,
        "conflicts": conflicts,
        "skipped": skipped,
        "not_carried": not_carried,
        "failed": failed,
    }))
}

/// The report for people.
pub(super) fn render(report: &Value) -> String {
    let c = &report["created"];
    let n = |k: &str| c[k].as_u64().unwrap_or(0);
    let mut out = format!(
        "imported: {} policies, {} users, {} keys, {} groups, {} memberships, {} attachments ({} already there)\n",
        n("policies"),
        n("users"),
        n("keys"),
        n("groups"),
        n("memberships"),
        n("attachments"),
        report["already_there"].as_u64().unwrap_or(0),
    );
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let not_carried = list(&report["not_carried"]);
    if !not_carried.is_empty() {
        out.push_str("not carried:\n");
        for x in not_carried {
            out.push_str(&format!(
                "  {}: {}\n",
                x["item"].as_str().unwrap_or(""),
                x["why"].as_str().unwrap_or("")
            ));
        }
    }
    let conflicts = list(&report["conflicts"]);
    if !conflicts.is_empty() {
        out.push_str("conflicts (there already, not this import's: left alone):\n");
        for x in &conflicts {
            out.push_str(&format!("  {}\n", x.as_str().unwrap_or("")));
        }
        for x in list(&report["skipped"]) {
            out.push_str(&format!(
                "  skipped {} (needs {})\n",
                x["item"].as_str().unwrap_or(""),
                x["because"].as_str().unwrap_or("")
            ));
        }
    }
    let failed = list(&report["failed"]);
    if !failed.is_empty() {
        out.push_str("failed:\n");
        for x in failed {
            out.push_str(&format!(
                "  {}: {} {}\n",
                x["item"].as_str().unwrap_or(""),
                x["error"].as_str().unwrap_or(""),
                x["message"].as_str().unwrap_or("")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
