//! `predastore admin bucket …`: buckets, what they hold, and the quotas
//! an operator sets on them. Kept apart from the rest of the CLI so each
//! file stays readable; the calls and output follow the same rules.

use clap::{ArgGroup, Subcommand};
use serde_json::{json, Value};

use super::table::{cell, encode, rows, size, table, time_ms};

/// `admin bucket …`.
#[derive(Subcommand, Debug)]
pub enum BucketCommand {
    /// Lists the buckets.
    List,
    /// One bucket: its objects, usage against its quota, versions,
    /// lifecycle rules.
    Info {
        /// The bucket's name.
        name: String,
    },
    /// The bucket's quota: the most bytes and objects it may hold.
    Quota {
        /// What to do.
        #[command(subcommand)]
        command: QuotaCommand,
    },
}

/// `admin bucket quota …`.
#[derive(Subcommand, Debug)]
pub enum QuotaCommand {
    /// Sets the quota: writes that would take the bucket past a limit are
    /// refused with QuotaExceeded (deletes never are). It replaces the
    /// whole quota: a limit not given here is removed. A limit below what
    /// the bucket holds is accepted; it then takes no more until freed.
    #[command(group(ArgGroup::new("limit").required(true).multiple(true)))]
    Set {
        /// The bucket's name.
        name: String,
        /// Most bytes: of every version and of the parts of uploads in
        /// progress, as clients wrote them (before erasure coding).
        #[arg(long, group = "limit", value_name = "BYTES")]
        max_bytes: Option<u64>,
        /// Most objects: versions that are not delete markers.
        #[arg(long, group = "limit", value_name = "N")]
        max_objects: Option<u64>,
    },
    /// Removes the quota: the bucket may grow without limit.
    Clear {
        /// The bucket's name.
        name: String,
    },
}

/// The method, path (under `/admin/v1`) and JSON body of a bucket
/// subcommand.
pub(super) fn request(command: &BucketCommand) -> (&'static str, String, Option<Value>) {
    match command {
        BucketCommand::List => ("GET", "/buckets".into(), None),
        BucketCommand::Info { name } => ("GET", format!("/buckets/{}", encode(name)), None),
        BucketCommand::Quota { command } => match command {
            QuotaCommand::Set {
                name,
                max_bytes,
                max_objects,
            } => (
                "PUT",
                format!("/buckets/{}/quota", encode(name)),
                Some(json!({ "max_bytes": max_bytes, "max_objects": max_objects })),
            ),
            QuotaCommand::Clear { name } => {
                ("DELETE", format!("/buckets/{}/quota", encode(name)), None)
            }
        },
    }
}

/// The answer to a bucket subcommand for people.
pub(super) fn render(command: &BucketCommand, a: &Value) -> String {
    match command {
        BucketCommand::List => table(
            &["BUCKET", "OWNER", "CREATED"],
            &rows(a)
                .map(|b| {
                    vec![
                        cell(&b["name"]),
                        cell(&b["owner"]),
                        b["created_ms"].as_u64().map_or("-".into(), time_ms),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        BucketCommand::Info { .. } => render_info(a),
        BucketCommand::Quota { command } => {
            let (QuotaCommand::Set { name, .. } | QuotaCommand::Clear { name }) = command;
            format!(
                "bucket: {name}\nquota:  {}\nusage:  {}\n",
                quota(&a["quota"], &a["usage"]),
                usage(&a["usage"])
            )
        }
    }
}

fn render_info(a: &Value) -> String {
    let mut out = format!(
        "bucket:  {}\nowner:   {}\ncreated: {}\nobjects: {} current, {} bytes ({})\nusage:   {}\nquota:   {}\nuploads in progress: {}\nversioning: {}\nobject lock: {}\nversions: {} ({} locked)\nlifecycle rules: {}\n",
        cell(&a["name"]),
        cell(&a["owner"]),
        a["created_ms"].as_u64().map_or("-".into(), time_ms),
        cell(&a["objects"]),
        cell(&a["bytes"]),
        size(&a["bytes"]),
        usage(&a["usage"]),
        quota(&a["quota"], &a["usage"]),
        cell(&a["uploads_in_progress"]),
        cell(&a["versioning"]),
        a["object_lock"].as_str().unwrap_or("off"),
        cell(&a["versions"]),
        cell(&a["locked_versions"]),
        a["lifecycle_rules"].as_u64().unwrap_or(0),
    );
    if let Some(why) = a["delete_blocked_by"].as_str() {
        out.push_str(&format!("cannot be deleted: {why}\n"));
    }
    match a["policy"].as_str() {
        Some("unreadable") => out.push_str(
            "policy: UNREADABLE: every request but the owner's policy calls is denied; put a readable one\n",
        ),
        Some(state) => out.push_str(&format!("policy: {state}\n")),
        None => {}
    }
    out
}

/// `8192 bytes (8.0 KiB), 5 objects`: what the counters say.
fn usage(u: &Value) -> String {
    format!(
        "{} bytes ({}), {} objects",
        cell(&u["bytes"]),
        size(&u["bytes"]),
        cell(&u["objects"])
    )
}

/// `1.0 GiB / 1000 objects (42% of bytes, 7% of objects)`, or `none`;
/// a limit reached is called out, since writes that add to it fail.
fn quota(q: &Value, u: &Value) -> String {
    let max_bytes = q["max_bytes"].as_u64();
    let max_objects = q["max_objects"].as_u64();
    let mut limits = Vec::new();
    let mut shares = Vec::new();
    let mut full = false;
    if let Some(max) = max_bytes {
        limits.push(size(&json!(max)));
        let used = u["bytes"].as_u64().unwrap_or(0);
        shares.push(format!("{}% of bytes", percent(used, max)));
        full |= used >= max;
    }
    if let Some(max) = max_objects {
        limits.push(format!("{max} objects"));
        let used = u["objects"].as_u64().unwrap_or(0);
        shares.push(format!("{}% of objects", percent(used, max)));
        full |= used >= max;
    }
    if limits.is_empty() {
        return "none".into();
    }
    let full = if full {
        ": full, writes that add to it are refused"
    } else {
        ""
    };
    format!("{} ({}{full})", limits.join(" / "), shares.join(", "))
}

/// `used` as a whole percentage of `max`, rounded down (a limit of 0 is
/// full from the start).
fn percent(used: u64, max: u64) -> u128 {
    match max {
        0 => 100,
        max => u128::from(used) * 100 / u128::from(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// `predastore admin bucket …` (the whole command line is checked in
    /// `cli`'s tests).
    #[derive(clap::Parser)]
    struct Cli {
        #[command(subcommand)]
        command: BucketCommand,
    }

    fn parse(argv: &[&str]) -> Result<BucketCommand, clap::Error> {
        Ok(Cli::try_parse_from([&["bucket"][..], argv].concat())?.command)
    }

    #[test]
    fn the_command_line_is_well_formed() {
        // Release builds skip clap's own checks of the definition.
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn quota_set_takes_either_limit_or_both() {
        let set = parse(&["quota", "set", "logs", "--max-bytes", "1073741824"]).expect("parses");
        let (m, p, b) = request(&set);
        assert_eq!((m, p.as_str()), ("PUT", "/buckets/logs/quota"));
        assert_eq!(
            b,
            Some(json!({"max_bytes": 1073741824u64, "max_objects": null}))
        );

        let set = parse(&["quota", "set", "a b", "--max-objects", "1000"]).expect("parses");
        let (_, p, b) = request(&set);
        assert_eq!(p, "/buckets/a%20b/quota");
        assert_eq!(b, Some(json!({"max_bytes": null, "max_objects": 1000})));

        let set = parse(&[
            "quota",
            "set",
            "logs",
            "--max-objects",
            "10",
            "--max-bytes",
            "0",
        ])
        .expect("parses");
        assert_eq!(
            request(&set).2,
            Some(json!({"max_bytes": 0, "max_objects": 10}))
        );
    }

    #[test]
    fn quota_set_without_a_limit_or_with_a_bad_one_is_refused() {
        let none = parse(&["quota", "set", "logs"]).expect_err("no limit");
        assert_eq!(none.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        for bad in ["-1", "1.5", "ten", "1GiB"] {
            assert!(
                parse(&["quota", "set", "logs", "--max-bytes", bad]).is_err(),
                "{bad}"
            );
        }
        assert!(parse(&["quota", "set", "--max-bytes", "5"]).is_err());
    }

    #[test]
    fn quota_clear_deletes_it() {
        let clear = parse(&["quota", "clear", "logs"]).expect("parses");
        assert_eq!(
            request(&clear),
            ("DELETE", "/buckets/logs/quota".to_string(), None)
        );
        let answer = json!({"usage": {"bytes": 10, "objects": 1},
            "quota": {"max_bytes": null, "max_objects": null}, "lifecycle_rules": 0});
        assert_eq!(
            render(&clear, &answer),
            "bucket: logs\nquota:  none\nusage:  10 bytes (10 B), 1 objects\n"
        );
    }

    #[test]
    fn bucket_info_shows_usage_against_the_quota() {
        let info = json!({
            "name": "logs", "owner": "PKX", "created_ms": 0, "objects": 3, "bytes": 4096,
            "uploads_in_progress": 1, "versioning": "Enabled", "object_lock": null,
            "versions": 5, "locked_versions": 0, "delete_blocked_by": null,
            "usage": {"bytes": 451_000_000u64, "objects": 70},
            "quota": {"max_bytes": 1_073_741_824u64, "max_objects": 1000},
            "lifecycle_rules": 2
        });
        let out = render(
            &BucketCommand::Info {
                name: "logs".into(),
            },
            &info,
        );
        assert!(
            out.contains("usage:   451000000 bytes (430.1 MiB), 70 objects\n"),
            "{out}"
        );
        assert!(
            out.contains("quota:   1.0 GiB / 1000 objects (42% of bytes, 7% of objects)\n"),
            "{out}"
        );
        assert!(out.contains("lifecycle rules: 2\n"), "{out}");
        assert!(
            out.contains("objects: 3 current, 4096 bytes (4.0 KiB)\n"),
            "{out}"
        );

        let unlimited = json!({"usage": {"bytes": 0, "objects": 0},
            "quota": {"max_bytes": null, "max_objects": null}, "lifecycle_rules": 0});
        let out = render(&BucketCommand::Info { name: "x".into() }, &unlimited);
        assert!(out.contains("quota:   none\n"), "{out}");
        assert!(out.contains("lifecycle rules: 0\n"), "{out}");
    }

    #[test]
    fn a_full_quota_is_called_out() {
        let u = json!({"bytes": 2048, "objects": 3});
        assert_eq!(
            quota(&json!({"max_bytes": 1024, "max_objects": null}), &u),
            "1.0 KiB (200% of bytes: full, writes that add to it are refused)"
        );
        assert_eq!(
            quota(&json!({"max_bytes": null, "max_objects": 4}), &u),
            "4 objects (75% of objects)"
        );
        assert_eq!(
            quota(
                &json!({"max_bytes": null, "max_objects": 0}),
                &json!({"bytes": 0, "objects": 0})
            ),
            "0 objects (100% of objects: full, writes that add to it are refused)"
        );
    }
}
