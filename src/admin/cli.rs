//! `predastore admin …`: the admin API from a shell. Every subcommand is
//! one call to `/admin/v1/…` of the gateway at `--url`, with the bearer
//! token of `PREDASTORE_ADMIN_TOKEN` (never printed). Output is a table
//! for people, or with `--json` the API's JSON. A refusal prints the API's
//! message and exits 1; a usage or connection problem exits 2.

use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::cli_buckets::BucketCommand;
use super::cli_iam::{GroupCommand, IamCommand, PolicyCommand, RoleCommand, UserCommand};
use super::cli_kms::KmsCommand;
use super::table::{cell, encode, iso_time_ms, rows, size, span_ms, table, time_ms};

/// How long one admin call may take: a meta node added is waited for
/// until it caught up, up to 10 minutes (a large store's snapshot), and
/// the leader may be looked for before.
const CALL_TIMEOUT: Duration = Duration::from_secs(12 * 60);

/// The admin CLI's options and subcommand.
#[derive(Args, Debug)]
pub struct AdminArgs {
    /// The gateway's HTTP address.
    #[arg(
        long,
        global = true,
        env = "PREDASTORE_ADMIN_URL",
        default_value = "http://127.0.0.1:9000"
    )]
    pub url: String,
    /// The admin token (PREDASTORE_ADMIN_TOKEN of the gateway).
    #[arg(
        long,
        global = true,
        env = "PREDASTORE_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Print the API's JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The admin subcommands.
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Nodes up/down with shards and space, the metadata group, repair and
    /// rebalance progress.
    Status,
    /// Storage nodes in the layout.
    Node {
        /// What to do.
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// The storage layout.
    Layout {
        /// What to do.
        #[command(subcommand)]
        command: LayoutCommand,
    },
    /// Members of the metadata (Raft) group.
    Meta {
        /// What to do.
        #[command(subcommand)]
        command: MetaCommand,
    },
    /// S3 access keys.
    Key {
        /// What to do.
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Buckets, their usage and quotas.
    Bucket {
        /// What to do.
        #[command(subcommand)]
        command: BucketCommand,
    },
    /// Master keys of encryption at rest.
    Kms {
        /// What to do.
        #[command(subcommand)]
        command: KmsCommand,
    },
    /// An account's IAM users and their access keys.
    User {
        /// The account (its root's user id; default: the configured
        /// key's account).
        #[arg(long, global = true)]
        account: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// An account's groups of IAM users.
    Group {
        /// The account (default: the configured key's account).
        #[arg(long, global = true)]
        account: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// An account's identity policies: managed ones, attachments, inline ones.
    Policy {
        /// The account (default: the configured key's account).
        #[arg(long, global = true)]
        account: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// An account's roles (assumed with STS AssumeRole).
    Role {
        /// The account (default: the configured key's account).
        #[arg(long, global = true)]
        account: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// An account's IAM as a whole: importing MinIO's.
    Iam {
        /// The account (default: the configured key's account).
        #[arg(long, global = true)]
        account: Option<String>,
        /// What to do.
        #[command(subcommand)]
        command: IamCommand,
    },
}

/// `admin node …`.
#[derive(Subcommand, Debug)]
pub enum NodeCommand {
    /// Adds a running storage node to the layout (or changes its zone and
    /// weight); rebalance moves its share of the shards to it.
    Add {
        /// Its PREDASTORE_NODE_ID.
        id: u64,
        /// Its PREDASTORE_QUIC_LISTEN address (host:port).
        addr: String,
        /// Failure zone.
        #[arg(long)]
        zone: Option<String>,
        /// Relative capacity (default 1).
        #[arg(long)]
        weight: Option<u32>,
    },
    /// Moves every shard off a node; it takes no new ones.
    Drain {
        /// Node id.
        id: u64,
    },
    /// Takes a drained node (holding no shard) out of the cluster.
    Remove {
        /// Node id.
        id: u64,
        /// Remove it even if it still holds shards (they are rebuilt from
        /// parity).
        #[arg(long)]
        force: bool,
    },
    /// A node's disks.
    Disk {
        /// What to do.
        #[command(subcommand)]
        command: DiskCommand,
    },
}

/// `admin node disk …`.
#[derive(Subcommand, Debug)]
pub enum DiskCommand {
    /// Takes the new, empty disk mounted where a failed volume was into
    /// service (the volume's slot: its place in PREDASTORE_VOLUMES); repair
    /// rebuilds what was lost and new shards fill it.
    Replace {
        /// Node id.
        id: u64,
        /// The failed volume's slot (`admin status` lists them).
        volume: u16,
    },
}

/// `admin layout …`.
#[derive(Subcommand, Debug)]
pub enum LayoutCommand {
    /// Prints the layout.
    Show,
}

/// `admin meta …`.
#[derive(Subcommand, Debug)]
pub enum MetaCommand {
    /// Lists the members.
    List,
    /// Adds a running meta node (learner until caught up, then voter).
    Add {
        /// Its PREDASTORE_NODE_ID.
        id: u64,
        /// Its PREDASTORE_QUIC_LISTEN address (host:port).
        addr: String,
    },
    /// Takes a member out of the group.
    Remove {
        /// Node id.
        id: u64,
    },
}

/// `admin key …`.
#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Creates a key; its secret is shown this once.
    Create {
        /// The display name of the new key's user (default: the key id).
        #[arg(long)]
        name: Option<String>,
        /// Give the key to this existing user (its id) instead of a new one.
        #[arg(long)]
        user: Option<String>,
        /// The user's e-mail address (for ACL grants by e-mail).
        #[arg(long)]
        email: Option<String>,
    },
    /// Lists the keys (never their secrets).
    List,
    /// Deletes a key: requests signed with it are refused from now on.
    Delete {
        /// The access key id.
        id: String,
    },
}

/// Why a call did not give an answer to print.
#[derive(Debug, thiserror::Error)]
enum CliError {
    /// The API refused (its message).
    #[error("{0}")]
    Refused(String),
    /// Usage, or the gateway could not be reached.
    #[error("{0}")]
    Usage(String),
}

/// Runs the subcommand; the process's exit code.
pub fn run(args: AdminArgs) -> i32 {
    match call(&args) {
        Ok(answer) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&answer).unwrap_or_default()
                );
            } else {
                print!("{}", render(&args.command, &answer));
            }
            // An IAM import that could not carry everything it meant to.
            match answer["failed"].as_array() {
                Some(failed) if !failed.is_empty() => 1,
                _ => 0,
            }
        }
        Err(CliError::Refused(m)) => {
            eprintln!("predastore admin: {m}");
            1
        }
        Err(CliError::Usage(m)) => {
            eprintln!("predastore admin: {m}");
            2
        }
    }
}

/// The method, path (under `/admin/v1`) and JSON body of a subcommand
/// (a policy document it names is read here).
fn request(command: &AdminCommand) -> Result<(&'static str, String, Option<Value>), CliError> {
    use super::cli_iam::{body, group_call, policy_call, role_call, user_call};
    let iam = |account: &Option<String>, call: Result<super::cli_iam::IamCall, String>| {
        let call = call.map_err(CliError::Usage)?;
        Ok((
            "POST",
            "/iam".to_string(),
            Some(body(&call, account.as_deref())),
        ))
    };
    match command {
        AdminCommand::User { account, command } => iam(account, Ok(user_call(command))),
        AdminCommand::Group { account, command } => iam(account, Ok(group_call(command))),
        AdminCommand::Policy { account, command } => iam(account, policy_call(command)),
        AdminCommand::Role { account, command } => iam(account, role_call(command)),
        other => Ok(plain_request(other)),
    }
}

/// [`request`] of the subcommands that read nothing.
fn plain_request(command: &AdminCommand) -> (&'static str, String, Option<Value>) {
    use serde_json::json;
    match command {
        AdminCommand::Status => ("GET", "/status".into(), None),
        AdminCommand::Layout {
            command: LayoutCommand::Show,
        } => ("GET", "/layout".into(), None),
        AdminCommand::Node { command } => match command {
            NodeCommand::Add {
                id,
                addr,
                zone,
                weight,
            } => (
                "POST",
                "/nodes".into(),
                Some(json!({ "id": id, "addr": addr, "zone": zone, "weight": weight })),
            ),
            NodeCommand::Drain { id } => ("POST", format!("/nodes/{id}/drain"), None),
            NodeCommand::Remove { id, force } => {
                ("DELETE", format!("/nodes/{id}?force={force}"), None)
            }
            NodeCommand::Disk {
                command: DiskCommand::Replace { id, volume },
            } => (
                "POST",
                format!("/nodes/{id}/volumes/{volume}/replace"),
                None,
            ),
        },
        AdminCommand::Meta { command } => match command {
            MetaCommand::List => ("GET", "/meta".into(), None),
            MetaCommand::Add { id, addr } => (
                "POST",
                "/meta".into(),
                Some(json!({ "id": id, "addr": addr })),
            ),
            MetaCommand::Remove { id } => ("DELETE", format!("/meta/{id}"), None),
        },
        AdminCommand::Key { command } => match command {
            KeyCommand::Create { name, user, email } => {
                let query: Vec<String> = [("name", name), ("user", user), ("email", email)]
                    .into_iter()
                    .filter_map(|(k, v)| Some(format!("{k}={}", encode(v.as_deref()?))))
                    .collect();
                let path = match query.is_empty() {
                    true => "/keys".to_string(),
                    false => format!("/keys?{}", query.join("&")),
                };
                ("POST", path, Some(json!({})))
            }
            KeyCommand::List => ("GET", "/keys".into(), None),
            KeyCommand::Delete { id } => ("DELETE", format!("/keys/{}", encode(id)), None),
        },
        AdminCommand::Bucket { command } => super::cli_buckets::request(command),
        AdminCommand::Kms { command } => super::cli_kms::request(command),
        // Made by `request`.
        AdminCommand::User { .. }
        | AdminCommand::Group { .. }
        | AdminCommand::Policy { .. }
        | AdminCommand::Role { .. }
        | AdminCommand::Iam { .. } => ("GET", "/status".into(), None),
    }
}

/// Makes the call (an IAM import: its calls); the answer's JSON.
fn call(args: &AdminArgs) -> Result<Value, CliError> {
    if let AdminCommand::Iam {
        account,
        command: IamCommand::Import { file, root_user },
    } = &args.command
    {
        return import_iam(args, file, account.as_deref(), root_user.as_deref());
    }
    let (method, path, body) = request(&args.command)?;
    let (status, answer) = send(args, method, &path, body)?;
    if status != 200 {
        let url = format!("{}/admin/v1{path}", args.url.trim_end_matches('/'));
        let message = answer["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("HTTP {status} from {url}"));
        return Err(CliError::Refused(message));
    }
    Ok(answer)
}

/// `admin iam import`: MinIO's export carried in, call by call.
fn import_iam(
    args: &AdminArgs,
    file: &std::path::Path,
    account: Option<&str>,
    root_user: Option<&str>,
) -> Result<Value, CliError> {
    use super::cli_iam::{body, call as iam_call};
    use super::minio_iam::{plan, run, MinioExport};
    let export = MinioExport::read(file).map_err(CliError::Usage)?;
    let who = body(&iam_call("GetCallerIdentity", &[]), account);
    let (status, answer) = send(args, "POST", "/iam", Some(who))?;
    let account_id = match (status, answer["result"]["Account"].as_str()) {
        (200, Some(id)) => id.to_string(),
        _ => {
            return Err(CliError::Refused(
                answer["message"]
                    .as_str()
                    .unwrap_or("no such account")
                    .into(),
            ))
        }
    };
    let steps = plan(&export, &account_id, root_user);
    run(steps, account, |body| {
        send(args, "POST", "/iam", Some(body)).map_err(|e| e.to_string())
    })
    .map_err(CliError::Usage)
}

/// One call to the admin API: its status and JSON answer.
fn send(
    args: &AdminArgs,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value), CliError> {
    let token = args
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            CliError::Usage("no admin token: set PREDASTORE_ADMIN_TOKEN or pass --token".into())
        })?;
    let url = format!("{}/admin/v1{path}", args.url.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(CALL_TIMEOUT))
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let unreachable = |e: ureq::Error| CliError::Usage(format!("cannot reach {}: {e}", args.url));
    let response = match (method, body) {
        ("GET", _) => agent.get(&url).header("Authorization", &auth).call(),
        ("DELETE", _) => agent.delete(&url).header("Authorization", &auth).call(),
        ("PUT", Some(body)) => agent
            .put(&url)
            .header("Authorization", &auth)
            .content_type("application/json")
            .send(body.to_string()),
        (_, Some(body)) => agent
            .post(&url)
            .header("Authorization", &auth)
            .content_type("application/json")
            .send(body.to_string()),
        (_, None) => agent.post(&url).header("Authorization", &auth).send_empty(),
    };
    let mut response = response.map_err(unreachable)?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().map_err(unreachable)?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// The answer to `command` for people.
fn render(command: &AdminCommand, a: &Value) -> String {
    match command {
        AdminCommand::Status => render_status(a),
        AdminCommand::Node {
            command:
                NodeCommand::Disk {
                    command: DiskCommand::Replace { id, .. },
                },
        } => disk_table(std::iter::once(&serde_json::json!({ "id": id, "volumes": a }))),
        AdminCommand::Layout { .. } | AdminCommand::Node { .. } => render_layout(a),
        AdminCommand::Meta { .. } => render_meta(a),
        AdminCommand::Key { command } => match command {
            KeyCommand::Create { .. } => format!(
                "access key id:     {}\nsecret access key: {}\nuser:              {} ({})\n(the secret is shown only now: keep it)\n",
                cell(&a["access_key_id"]),
                cell(&a["secret_access_key"]),
                cell(&a["display_name"]),
                cell(&a["user_id"])
            ),
            KeyCommand::List => table(
                &["ACCESS KEY ID", "USER", "USER ID", "CREATED", "FROM CONFIG"],
                &rows(a)
                    .map(|k| {
                        vec![
                            cell(&k["access_key_id"]),
                            cell(&k["display_name"]),
                            cell(&k["user_id"]),
                            k["created_ms"].as_u64().map_or("-".into(), time_ms),
                            if k["configured"] == Value::Bool(true) { "yes" } else { "" }.into(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            ),
            KeyCommand::Delete { id } => format!("deleted access key {id}\n"),
        },
        AdminCommand::Bucket { command } => super::cli_buckets::render(command, a),
        AdminCommand::Kms { command } => super::cli_kms::render(command, a),
        AdminCommand::User { .. }
        | AdminCommand::Group { .. }
        | AdminCommand::Policy { .. }
        | AdminCommand::Role { .. } => super::cli_iam::render(a),
        AdminCommand::Iam { .. } => super::minio_iam::render(a),
    }
}

fn render_status(a: &Value) -> String {
    let mut out = format!(
        "cluster layout v{}, erasure coding {}\n\n",
        cell(&a["layout_version"]),
        cell(&a["erasure"])
    );
    let nodes: Vec<Vec<String>> = rows(&a["nodes"])
        .map(|n| {
            vec![
                cell(&n["id"]),
                cell(&n["addr"]),
                cell(&n["zone"]),
                cell(&n["state"]),
                if n["up"] == Value::Bool(true) {
                    "up"
                } else {
                    "DOWN"
                }
                .into(),
                cell(&n["shards"]),
                size(&n["bytes_stored"]),
                size(&n["free_bytes"]),
                size(&n["capacity_bytes"]),
            ]
        })
        .collect();
    if nodes.is_empty() {
        out.push_str("no cluster layout: one process on its own volumes\n");
    } else {
        out.push_str(&table(
            &[
                "NODE", "ADDRESS", "ZONE", "STATE", "UP", "SHARDS", "USED", "FREE", "CAPACITY",
            ],
            &nodes,
        ));
    }
    let disks = disk_table(rows(&a["nodes"]));
    if !disks.is_empty() {
        out.push('\n');
        out.push_str(&disks);
    }
    out.push('\n');
    out.push_str(&render_meta(&a["meta"]));
    let r = &a["repair"];
    if r.is_null() {
        out.push_str("\nrepair: no report yet\n");
    } else {
        out.push_str(&format!(
            "\nrepair: {} objects below full redundancy, {} misplaced, heal queue {}, {} rebuilt\n\
             rebalance: {} objects left to move, {} moved (layout v{})\n",
            cell(&r["objects_below_redundancy"]),
            cell(&r["objects_misplaced"]),
            cell(&r["heal_queue_length"]),
            size(&r["heal_bytes"]),
            cell(&r["rebalance_objects_left"]),
            size(&r["rebalance_bytes_moved"]),
            cell(&r["layout_version"]),
        ));
    }
    out.push_str(&render_lifecycle(&a["lifecycle"]));
    out
}

/// Disks (volumes) by node: state, I/O errors, space; empty when there
/// are none.
fn disk_table<'a>(nodes: impl Iterator<Item = &'a Value>) -> String {
    let mut disks: Vec<Vec<String>> = Vec::new();
    for n in nodes {
        let recorded = |slot: &Value| {
            rows(&n["recorded_volumes"])
                .find(|r| r["slot"] == *slot)
                .map_or_else(|| "-".to_string(), |r| cell(&r["condition"]))
        };
        let answered: Vec<&Value> = rows(&n["volumes"]).collect();
        if answered.is_empty() {
            // Down (or of a version that does not tell): as last recorded.
            for r in rows(&n["recorded_volumes"]) {
                disks.push(vec![
                    cell(&n["id"]),
                    cell(&r["slot"]),
                    "?".into(),
                    "unknown".into(),
                    "?".into(),
                    "?".into(),
                    size(&r["capacity_bytes"]),
                    cell(&r["condition"]),
                ]);
            }
            continue;
        }
        for v in answered {
            disks.push(vec![
                cell(&n["id"]),
                cell(&v["slot"]),
                cell(&v["path"]),
                match v["state"].as_str() {
                    Some("ok") => "ok".into(),
                    other => other.unwrap_or("?").to_uppercase(),
                },
                cell(&v["io_errors"]),
                size(&v["free_bytes"]),
                size(&v["capacity_bytes"]),
                recorded(&v["slot"]),
            ]);
        }
    }
    if disks.is_empty() {
        return String::new();
    }
    table(
        &[
            "NODE",
            "VOLUME",
            "PATH",
            "STATE",
            "IO ERRORS",
            "FREE",
            "CAPACITY",
            "IN LAYOUT",
        ],
        &disks,
    )
}

/// The lifecycle walk: what the last complete one did, where the running
/// one is.
fn render_lifecycle(l: &Value) -> String {
    let mut out = match (l["last_started_ms"].as_u64(), l["last_finished_ms"].as_u64()) {
        (Some(started), Some(finished)) => format!(
            "lifecycle: last walk finished {} (took {}): {} expired ({}), {} markers removed, {} uploads aborted\n",
            iso_time_ms(finished),
            span_ms(finished.saturating_sub(started)),
            cell(&l["last_expired_objects"]),
            size(&l["last_expired_bytes"]),
            cell(&l["last_markers_removed"]),
            cell(&l["last_uploads_aborted"]),
        ),
        _ if l["walk_in_progress"] == Value::Bool(true) => {
            "lifecycle: no walk finished yet\n".to_string()
        }
        _ => "lifecycle: no walk yet\n".to_string(),
    };
    if l["walk_in_progress"] == Value::Bool(true) {
        out.push_str(&format!(
            "lifecycle: walking bucket {} ({} records looked at)\n",
            cell(&l["walk_bucket"]),
            cell(&l["walk_examined"]),
        ));
    }
    out
}

fn render_layout(a: &Value) -> String {
    let nodes: Vec<Vec<String>> = rows(&a["storage_nodes"])
        .map(|n| {
            vec![
                cell(&n["id"]),
                cell(&n["addr"]),
                cell(&n["zone"]),
                cell(&n["weight"]),
                cell(&n["state"]),
            ]
        })
        .collect();
    format!(
        "layout v{}\n{}",
        cell(&a["version"]),
        table(&["NODE", "ADDRESS", "ZONE", "WEIGHT", "STATE"], &nodes)
    )
}

fn render_meta(a: &Value) -> String {
    if a.is_null() {
        return "metadata group: no member answered\n".into();
    }
    let members: Vec<Vec<String>> = rows(&a["voters"])
        .map(|m| (m, "voter"))
        .chain(rows(&a["learners"]).map(|m| (m, "learner")))
        .map(|(m, role)| {
            let leads = m["id"] == a["leader"];
            vec![
                cell(&m["id"]),
                cell(&m["addr"]),
                if leads {
                    format!("{role}, leader")
                } else {
                    role.into()
                },
            ]
        })
        .collect();
    format!(
        "metadata group (leader: {})\n{}",
        cell(&a["leader"]),
        table(&["META", "ADDRESS", "ROLE"], &members)
    )
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
