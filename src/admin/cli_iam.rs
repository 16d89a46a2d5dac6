//! `predastore admin user|group|policy|role …`: an account's IAM from a
//! shell. Each subcommand is one IAM action run as the account's root
//! (`--account`, default: the configured key's account) through
//! `POST /admin/v1/iam`; the answer is IAM's, as JSON.

use clap::Subcommand;
use serde_json::{json, Value};

use super::table::{cell, table};
use crate::api::iam::list_members;

/// `admin user …`.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Lists the account's IAM users.
    List,
    /// Creates an IAM user.
    Create {
        /// Its name.
        name: String,
        /// Its path (`/division/`).
        #[arg(long)]
        path: Option<String>,
    },
    /// Shows one user.
    Show {
        /// Its name.
        name: String,
    },
    /// Deletes a user (its keys and policies first).
    Delete {
        /// Its name.
        name: String,
    },
    /// Gives a user a new access key (its secret is shown this once).
    CreateKey {
        /// The user's name.
        name: String,
    },
    /// Lists a user's keys.
    Keys {
        /// The user's name.
        name: String,
    },
    /// Deactivates a user's key: refused at its next request.
    DeactivateKey {
        /// The user's name.
        name: String,
        /// The key's id.
        key: String,
    },
    /// Activates a user's key again.
    ActivateKey {
        /// The user's name.
        name: String,
        /// The key's id.
        key: String,
    },
    /// Deletes a user's key.
    DeleteKey {
        /// The user's name.
        name: String,
        /// The key's id.
        key: String,
    },
}

/// `admin group …`.
#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// Lists the account's groups.
    List,
    /// Creates a group.
    Create {
        /// Its name.
        name: String,
    },
    /// Shows a group and its members.
    Show {
        /// Its name.
        name: String,
    },
    /// Deletes a group (no members, no policies).
    Delete {
        /// Its name.
        name: String,
    },
    /// Puts a user in a group.
    Add {
        /// The group.
        group: String,
        /// The user.
        user: String,
    },
    /// Takes a user out of a group.
    Remove {
        /// The group.
        group: String,
        /// The user.
        user: String,
    },
}

/// Whose policy an attachment or inline policy is.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Holder {
    /// A user.
    #[arg(long)]
    user: Option<String>,
    /// A group.
    #[arg(long)]
    group: Option<String>,
    /// A role.
    #[arg(long)]
    role: Option<String>,
}

impl Holder {
    /// (`User`/`Group`/`Role`, its name parameter, the name).
    fn parts(&self) -> (&'static str, &'static str, &str) {
        match (&self.user, &self.group, &self.role) {
            (Some(u), _, _) => ("User", "UserName", u),
            (_, Some(g), _) => ("Group", "GroupName", g),
            (_, _, Some(r)) => ("Role", "RoleName", r),
            // clap requires one of them.
            _ => ("User", "UserName", ""),
        }
    }
}

/// `admin policy …`.
#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Lists managed policies (the account's and AWS's known ones).
    List,
    /// Creates a managed policy from a JSON document file.
    Create {
        /// Its name.
        name: String,
        /// The policy document (JSON file).
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Deletes a managed policy (attached to nothing).
    Delete {
        /// Its ARN.
        arn: String,
    },
    /// Attaches a managed policy to a user, group or role.
    Attach {
        /// Its ARN (`arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess`…).
        arn: String,
        /// To whom.
        #[command(flatten)]
        to: Holder,
    },
    /// Detaches a managed policy.
    Detach {
        /// Its ARN.
        arn: String,
        /// From whom.
        #[command(flatten)]
        from: Holder,
    },
    /// Lists what is attached to, and inline in, a user, group or role.
    Of {
        /// Whose.
        #[command(flatten)]
        of: Holder,
    },
    /// Puts an inline policy (a JSON document file) on a user, group or role.
    Put {
        /// The inline policy's name.
        name: String,
        /// The policy document (JSON file).
        #[arg(long)]
        file: std::path::PathBuf,
        /// On whom.
        #[command(flatten)]
        on: Holder,
    },
    /// Removes an inline policy.
    Remove {
        /// The inline policy's name.
        name: String,
        /// From whom.
        #[command(flatten)]
        from: Holder,
    },
}

/// `admin role …`.
#[derive(Subcommand, Debug)]
pub enum RoleCommand {
    /// Lists the account's roles.
    List,
    /// Creates a role with a trust policy (a JSON document file).
    Create {
        /// Its name.
        name: String,
        /// Who may assume it (trust policy, JSON file).
        #[arg(long)]
        trust: std::path::PathBuf,
        /// The longest session, in seconds (3600 to 43200).
        #[arg(long)]
        max_session: Option<u32>,
    },
    /// Shows one role.
    Show {
        /// Its name.
        name: String,
    },
    /// Deletes a role (no policies left): its sessions stop at once.
    Delete {
        /// Its name.
        name: String,
    },
}

/// `admin iam …`: an account's IAM as a whole.
#[derive(Subcommand, Debug)]
pub enum IamCommand {
    /// Imports MinIO's IAM export (`mc admin cluster iam export`): users
    /// with their keys, policies, groups, mappings, service accounts.
    /// Run it again after a failure: what exists is kept.
    Import {
        /// The export's zip.
        file: std::path::PathBuf,
        /// MinIO's root user: its service accounts become keys of the
        /// account's root.
        #[arg(long)]
        root_user: Option<String>,
    },
}

/// One IAM call: the action and its parameters.
pub(super) struct IamCall {
    /// IAM's action name.
    pub action: &'static str,
    /// Its form parameters.
    pub params: Vec<(String, String)>,
}

pub(super) fn call(action: &'static str, params: &[(&str, &str)]) -> IamCall {
    IamCall {
        action,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The IAM call of a user subcommand.
pub(super) fn user_call(c: &UserCommand) -> IamCall {
    match c {
        UserCommand::List => call("ListUsers", &[("MaxItems", "1000")]),
        UserCommand::Create { name, path } => {
            let mut p = vec![("UserName", name.as_str())];
            if let Some(path) = path {
                p.push(("Path", path));
            }
            call("CreateUser", &p)
        }
        UserCommand::Show { name } => call("GetUser", &[("UserName", name)]),
        UserCommand::Delete { name } => call("DeleteUser", &[("UserName", name)]),
        UserCommand::CreateKey { name } => call("CreateAccessKey", &[("UserName", name)]),
        UserCommand::Keys { name } => call("ListAccessKeys", &[("UserName", name)]),
        UserCommand::DeactivateKey { name, key } => call(
            "UpdateAccessKey",
            &[
                ("UserName", name),
                ("AccessKeyId", key),
                ("Status", "Inactive"),
            ],
        ),
        UserCommand::ActivateKey { name, key } => call(
            "UpdateAccessKey",
            &[
                ("UserName", name),
                ("AccessKeyId", key),
                ("Status", "Active"),
            ],
        ),
        UserCommand::DeleteKey { name, key } => call(
            "DeleteAccessKey",
            &[("UserName", name), ("AccessKeyId", key)],
        ),
    }
}

/// The IAM call of a group subcommand.
pub(super) fn group_call(c: &GroupCommand) -> IamCall {
    match c {
        GroupCommand::List => call("ListGroups", &[("MaxItems", "1000")]),
        GroupCommand::Create { name } => call("CreateGroup", &[("GroupName", name)]),
        GroupCommand::Show { name } => call("GetGroup", &[("GroupName", name)]),
        GroupCommand::Delete { name } => call("DeleteGroup", &[("GroupName", name)]),
        GroupCommand::Add { group, user } => call(
            "AddUserToGroup",
            &[("GroupName", group), ("UserName", user)],
        ),
        GroupCommand::Remove { group, user } => call(
            "RemoveUserFromGroup",
            &[("GroupName", group), ("UserName", user)],
        ),
    }
}

/// The IAM call of a policy subcommand (documents read from their files).
pub(super) fn policy_call(c: &PolicyCommand) -> Result<IamCall, String> {
    let holder_action = |verb: &str, h: &Holder| -> &'static str {
        match (verb, h.parts().0) {
            ("Attach", "User") => "AttachUserPolicy",
            ("Attach", "Group") => "AttachGroupPolicy",
            ("Attach", _) => "AttachRolePolicy",
            ("Detach", "User") => "DetachUserPolicy",
            ("Detach", "Group") => "DetachGroupPolicy",
            ("Detach", _) => "DetachRolePolicy",
            ("Of", "User") => "ListAttachedUserPolicies",
            ("Of", "Group") => "ListAttachedGroupPolicies",
            ("Of", _) => "ListAttachedRolePolicies",
            ("Put", "User") => "PutUserPolicy",
            ("Put", "Group") => "PutGroupPolicy",
            ("Put", _) => "PutRolePolicy",
            ("Remove", "User") => "DeleteUserPolicy",
            ("Remove", "Group") => "DeleteGroupPolicy",
            _ => "DeleteRolePolicy",
        }
    };
    Ok(match c {
        PolicyCommand::List => call("ListPolicies", &[("MaxItems", "1000")]),
        PolicyCommand::Create { name, file } => call(
            "CreatePolicy",
            &[("PolicyName", name), ("PolicyDocument", &read(file)?)],
        ),
        PolicyCommand::Delete { arn } => call("DeletePolicy", &[("PolicyArn", arn)]),
        PolicyCommand::Attach { arn, to: h } | PolicyCommand::Detach { arn, from: h } => {
            let verb = if matches!(c, PolicyCommand::Attach { .. }) {
                "Attach"
            } else {
                "Detach"
            };
            let (_, param, name) = h.parts();
            call(holder_action(verb, h), &[(param, name), ("PolicyArn", arn)])
        }
        PolicyCommand::Of { of } => {
            let (_, param, name) = of.parts();
            call(holder_action("Of", of), &[(param, name)])
        }
        PolicyCommand::Put { name, file, on } => {
            let (_, param, holder) = on.parts();
            call(
                holder_action("Put", on),
                &[
                    (param, holder),
                    ("PolicyName", name),
                    ("PolicyDocument", &read(file)?),
                ],
            )
        }
        PolicyCommand::Remove { name, from } => {
            let (_, param, holder) = from.parts();
            call(
                holder_action("Remove", from),
                &[(param, holder), ("PolicyName", name)],
            )
        }
    })
}

/// The IAM call of a role subcommand.
pub(super) fn role_call(c: &RoleCommand) -> Result<IamCall, String> {
    Ok(match c {
        RoleCommand::List => call("ListRoles", &[("MaxItems", "1000")]),
        RoleCommand::Create {
            name,
            trust,
            max_session,
        } => {
            let max = max_session.map(|m| m.to_string());
            let mut p = vec![
                ("RoleName", name.as_str()),
                ("AssumeRolePolicyDocument", ""),
            ];
            if let Some(m) = &max {
                p.push(("MaxSessionDuration", m));
            }
            let mut c = call("CreateRole", &p);
            c.params[1].1 = read(trust)?;
            c
        }
        RoleCommand::Show { name } => call("GetRole", &[("RoleName", name)]),
        RoleCommand::Delete { name } => call("DeleteRole", &[("RoleName", name)]),
    })
}

/// The JSON body of `POST /admin/v1/iam` for `call` on `account`.
pub(super) fn body(call: &IamCall, account: Option<&str>) -> Value {
    json!({
        "account": account,
        "action": call.action,
        "params": call.params,
    })
}

/// The answer (`{"action", "result"}`) as text.
pub(super) fn render(answer: &Value) -> String {
    let action = answer["action"].as_str().unwrap_or_default();
    let a = &answer["result"];
    let rows = |list: &str, cols: &[&str]| -> Vec<Vec<String>> {
        list_members(a, list)
            .into_iter()
            .map(|m| cols.iter().map(|c| cell(&m[*c])).collect())
            .collect()
    };
    match action {
        "ListUsers" => table(
            &["NAME", "ID", "PATH", "CREATED"],
            &rows("Users", &["UserName", "UserId", "Path", "CreateDate"]),
        ),
        "ListGroups" => table(
            &["NAME", "ID", "PATH", "CREATED"],
            &rows("Groups", &["GroupName", "GroupId", "Path", "CreateDate"]),
        ),
        "ListRoles" => table(
            &["NAME", "ID", "ARN", "MAX SESSION"],
            &rows(
                "Roles",
                &["RoleName", "RoleId", "Arn", "MaxSessionDuration"],
            ),
        ),
        "ListPolicies" => table(
            &["NAME", "ARN", "ATTACHED"],
            &rows("Policies", &["PolicyName", "Arn", "AttachmentCount"]),
        ),
        "ListAccessKeys" => table(
            &["KEY ID", "STATUS", "CREATED"],
            &rows(
                "AccessKeyMetadata",
                &["AccessKeyId", "Status", "CreateDate"],
            ),
        ),
        "ListAttachedUserPolicies" | "ListAttachedGroupPolicies" | "ListAttachedRolePolicies" => {
            table(
                &["NAME", "ARN"],
                &rows("AttachedPolicies", &["PolicyName", "PolicyArn"]),
            )
        }
        "GetGroup" => {
            let g = &a["Group"];
            let mut out = format!(
                "group {} ({}), {}\n",
                cell(&g["GroupName"]),
                cell(&g["GroupId"]),
                cell(&g["Arn"])
            );
            out.push_str(&table(
                &["MEMBER", "ID"],
                &rows("Users", &["UserName", "UserId"]),
            ));
            out
        }
        "GetUser" | "CreateUser" => {
            let u = &a["User"];
            format!(
                "user {} ({}), {}, created {}\n",
                cell(&u["UserName"]),
                cell(&u["UserId"]),
                cell(&u["Arn"]),
                cell(&u["CreateDate"])
            )
        }
        "GetRole" | "CreateRole" => {
            let r = &a["Role"];
            format!(
                "role {} ({}), {}, sessions up to {} s\n",
                cell(&r["RoleName"]),
                cell(&r["RoleId"]),
                cell(&r["Arn"]),
                cell(&r["MaxSessionDuration"])
            )
        }
        "CreatePolicy" => format!("policy {}\n", cell(&a["Policy"]["Arn"])),
        "CreateAccessKey" => {
            let k = &a["AccessKey"];
            format!(
                "access key {}\nsecret     {}\n(the secret is not shown again)\n",
                cell(&k["AccessKeyId"]),
                cell(&k["SecretAccessKey"])
            )
        }
        _ => "done\n".into(),
    }
}
