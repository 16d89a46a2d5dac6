//! The admin CLI's requests and renderings.

use super::*;
use serde_json::json;

#[test]
fn a_status_reads_as_tables() {
    let status = json!({
        "layout_version": 3, "erasure": "2+1",
        "meta": {"leader": 2, "voters": [{"id": 1, "addr": "10.0.0.1:9100"}, {"id": 2, "addr": "10.0.0.2:9100"}], "learners": []},
        "nodes": [
            {"id": 1, "addr": "10.0.0.1:9100", "zone": "a", "weight": 1, "state": "active", "up": true,
             "shards": 12, "bytes_stored": 3145728, "capacity_bytes": 10737418240u64, "free_bytes": 5368709120u64},
            {"id": 2, "addr": "10.0.0.2:9100", "zone": "", "weight": 1, "state": "draining", "up": false,
             "shards": null, "bytes_stored": null, "capacity_bytes": null, "free_bytes": null}
        ],
        "repair": {"objects_below_redundancy": 4, "objects_misplaced": 1, "heal_queue_length": 0,
                   "rebalance_objects_left": 7, "rebalance_bytes_moved": 2048, "heal_bytes": 0,
                   "layout_version": 3, "reported_by": 2, "updated_ms": 0},
        "lifecycle": {"last_started_ms": 1_795_496_397_000u64, "last_finished_ms": 1_795_496_400_000u64,
                      "last_expired_objects": 120, "last_expired_bytes": 1_258_291,
                      "last_markers_removed": 4, "last_uploads_aborted": 2,
                      "walk_in_progress": false, "walk_started_ms": null,
                      "walk_bucket": null, "walk_examined": null}
    });
    let out = render_status(&status);
    assert!(
        out.starts_with("cluster layout v3, erasure coding 2+1\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "1     10.0.0.1:9100  a     active    up    12      3.0 MiB  5.0 GiB  10.0 GiB"
        ),
        "{out}"
    );
    assert!(
        out.contains("2     10.0.0.2:9100  -     draining  DOWN  -       -        -        -"),
        "{out}"
    );
    assert!(out.contains("2     10.0.0.2:9100  voter, leader"), "{out}");
    assert!(
        out.contains("4 objects below full redundancy, 1 misplaced"),
        "{out}"
    );
    assert!(
        out.contains("7 objects left to move, 2.0 KiB moved (layout v3)"),
        "{out}"
    );
    assert!(
        out.ends_with(
            "lifecycle: last walk finished 2026-11-24T05:00:00Z (took 3 s): 120 expired (1.2 MiB), 4 markers removed, 2 uploads aborted\n"
        ),
        "{out}"
    );
}

#[test]
fn the_lifecycle_walk_reads_as_a_line_or_two() {
    let never = json!({"last_started_ms": null, "last_finished_ms": null,
        "last_expired_objects": null, "last_expired_bytes": null,
        "last_markers_removed": null, "last_uploads_aborted": null,
        "walk_in_progress": false, "walk_started_ms": null,
        "walk_bucket": null, "walk_examined": null});
    assert_eq!(render_lifecycle(&never), "lifecycle: no walk yet\n");
    // An older gateway's status has no lifecycle at all.
    assert_eq!(render_lifecycle(&Value::Null), "lifecycle: no walk yet\n");

    let mut first = never.clone();
    first["walk_in_progress"] = json!(true);
    first["walk_started_ms"] = json!(1_000);
    first["walk_bucket"] = json!("logs");
    first["walk_examined"] = json!(4200);
    assert_eq!(
        render_lifecycle(&first),
        "lifecycle: no walk finished yet\nlifecycle: walking bucket logs (4200 records looked at)\n"
    );

    let mut again = first.clone();
    again["last_started_ms"] = json!(0);
    again["last_finished_ms"] = json!(90 * 60_000);
    again["last_expired_objects"] = json!(0);
    again["last_expired_bytes"] = json!(0);
    again["last_markers_removed"] = json!(0);
    again["last_uploads_aborted"] = json!(0);
    assert_eq!(
        render_lifecycle(&again),
        "lifecycle: last walk finished 1970-01-01T01:30:00Z (took 90 min): 0 expired (0 B), 0 markers removed, 0 uploads aborted\n\
         lifecycle: walking bucket logs (4200 records looked at)\n"
    );
}

/// `predastore admin …` as main.rs parses it.
#[derive(clap::Parser)]
struct Cli {
    #[command(flatten)]
    args: AdminArgs,
}

#[test]
fn options_go_before_or_after_the_subcommand() {
    use clap::Parser;
    for argv in [
        &[
            "admin",
            "--url",
            "http://h:1",
            "--token",
            "t",
            "--json",
            "node",
            "drain",
            "3",
        ][..],
        &[
            "admin",
            "node",
            "drain",
            "3",
            "--url",
            "http://h:1",
            "--token",
            "t",
            "--json",
        ],
    ] {
        let cli = Cli::try_parse_from(argv).expect("parses");
        assert_eq!(cli.args.url, "http://h:1");
        assert_eq!(cli.args.token.as_deref(), Some("t"));
        assert!(cli.args.json);
        assert!(matches!(
            cli.args.command,
            AdminCommand::Node {
                command: NodeCommand::Drain { id: 3 }
            }
        ));
    }
}

#[test]
fn subcommands_map_to_the_api() {
    let (m, p, b) = plain_request(&AdminCommand::Node {
        command: NodeCommand::Remove { id: 4, force: true },
    });
    assert_eq!((m, p.as_str(), b), ("DELETE", "/nodes/4?force=true", None));
    let (m, p, b) = plain_request(&AdminCommand::Node {
        command: NodeCommand::Add {
            id: 5,
            addr: "h:1".into(),
            zone: Some("z".into()),
            weight: None,
        },
    });
    assert_eq!((m, p.as_str()), ("POST", "/nodes"));
    assert_eq!(
        b,
        Some(json!({"id": 5, "addr": "h:1", "zone": "z", "weight": null}))
    );
    let (_, p, _) = plain_request(&AdminCommand::Bucket {
        command: BucketCommand::Info { name: "a b".into() },
    });
    assert_eq!(p, "/buckets/a%20b");
}

#[test]
fn a_created_key_shows_its_secret_once_and_a_listing_never() {
    let created = json!({"access_key_id": "PKX", "secret_access_key": "s3cr3t",
        "created_ms": 0, "user_id": "u1", "display_name": "alice"});
    let create = KeyCommand::Create {
        name: Some("alice b".into()),
        user: None,
        email: None,
    };
    let (_, path, _) = plain_request(&AdminCommand::Key {
        command: KeyCommand::Create {
            name: Some("alice b".into()),
            user: None,
            email: Some("a@example.com".into()),
        },
    });
    assert_eq!(path, "/keys?name=alice%20b&email=a%40example%2Ecom");
    let out = render(&AdminCommand::Key { command: create }, &created);
    assert!(out.contains("PKX") && out.contains("s3cr3t") && out.contains("only now"));
    assert!(out.contains("alice (u1)"), "{out}");
    let listed = json!([{"access_key_id": "PKX", "created_ms": 0, "configured": false}]);
    let out = render(
        &AdminCommand::Key {
            command: KeyCommand::List,
        },
        &listed,
    );
    assert!(out.contains("PKX") && !out.contains("s3cr3t"));
}
