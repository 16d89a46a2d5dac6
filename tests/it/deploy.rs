//! The deployment files: every setting they use is one the store knows,
//! and `scripts/cluster.sh` brings up a working cluster.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use predastore::Config;

use crate::common::sdk::{client_config_at, get_bytes, put};

fn repo_file(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every `PREDASTORE_*` name in `text`, comments (`#` lines) aside.
fn variables(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(at) = rest.find("PREDASTORE_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        rest = &rest[at + name.len()..];
        found.insert(name);
    }
    found
}

fn unknown(used: &BTreeSet<String>, also: &[&str]) -> Vec<String> {
    let known: BTreeSet<String> = Config::known_variables().into_iter().collect();
    used.iter()
        .filter(|v| !known.contains(*v) && !also.contains(&v.as_str()))
        .cloned()
        .collect()
}

#[test]
fn the_config_lists_its_own_variables() {
    let known = Config::known_variables();
    for v in [
        "PREDASTORE_LISTEN",
        "PREDASTORE_STORAGE_NODES",
        "PREDASTORE_ADMIN_TOKEN",
    ] {
        assert!(known.iter().any(|k| k == v), "{v} in {known:?}");
    }
    assert!(!known.iter().any(|k| k == "PREDASTORE_NO_SUCH_THING"));
}

#[test]
fn every_setting_in_the_compose_file_is_one_the_config_knows() {
    let compose = repo_file("deploy/compose.yml");
    let used = variables(&compose);
    assert!(used.len() >= 10, "{used:?}");
    assert_eq!(
        unknown(&used, &[]),
        Vec::<String>::new(),
        "in deploy/compose.yml"
    );
    // Every storage node listed is a service of the file at that address.
    let line = compose
        .lines()
        .find(|l| l.trim_start().starts_with("PREDASTORE_STORAGE_NODES:"))
        .expect("a storage node list");
    let list = line.split('"').nth(1).expect("a quoted list");
    let nodes: Vec<&str> = list.split(',').collect();
    assert_eq!(nodes.len(), 6, "{list}");
    for node in nodes {
        let (id, addr) = node.split_once('@').expect("id@address");
        let ip = addr.split(':').next().unwrap_or_default();
        assert!(
            compose.contains(&format!("\n  node{id}:\n")),
            "service node{id}"
        );
        assert!(
            compose.contains(&format!("ipv4_address: {ip}")),
            "node{id} at {ip}"
        );
        assert!(
            compose.contains(&format!("PREDASTORE_QUIC_LISTEN: \"{addr}\"")),
            "node{id} listens at {addr}"
        );
    }
}

#[test]
fn every_setting_in_the_kubernetes_manifests_is_one_the_config_knows() {
    let mut used = BTreeSet::new();
    for file in ["nodes.yaml", "gateway.yaml"] {
        used.extend(variables(&repo_file(&format!(
            "deploy/kubernetes/base/{file}"
        ))));
    }
    assert!(used.len() >= 10, "{used:?}");
    // The admin CLI's own, in the join init container.
    let cli = ["PREDASTORE_ADMIN_URL"];
    assert_eq!(
        unknown(&used, &cli),
        Vec::<String>::new(),
        "in deploy/kubernetes/base"
    );
}

#[test]
fn every_setting_the_cluster_script_uses_is_known() {
    let used = variables(&repo_file("scripts/cluster.sh"));
    // The admin CLI's own (not the server's) settings.
    let cli = ["PREDASTORE_ADMIN_URL"];
    assert_eq!(
        unknown(&used, &cli),
        Vec::<String>::new(),
        "in scripts/cluster.sh"
    );
}

/// Stops the script's cluster whatever happens to the test.
struct Down(PathBuf);

impl Drop for Down {
    fn drop(&mut self) {
        let _ = cluster_sh("down", &self.0);
    }
}

fn cluster_sh(what: &str, dir: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/cluster.sh"))
        .arg(what)
        .env("CLUSTER_DIR", dir)
        .output()
        .expect("run scripts/cluster.sh")
}

#[tokio::test]
async fn the_cluster_script_brings_up_six_nodes_that_serve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let guard = Down(dir.path().to_path_buf());
    let out = cluster_sh("up", dir.path());
    assert!(
        out.status.success(),
        "cluster.sh up: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let out = Command::new(env!("CARGO_BIN_EXE_predastore"))
            .args(["admin", "--json", "status"])
            .env("PREDASTORE_ADMIN_URL", "http://127.0.0.77:9000")
            .env("PREDASTORE_ADMIN_TOKEN", "change-me-admin-token")
            .output()
            .expect("predastore admin");
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let up = status["nodes"]
            .as_array()
            .map_or(0, |n| n.iter().filter(|n| n["up"] == true).count());
        if up == 6 && status["meta"]["leader"].is_u64() {
            break status;
        }
        assert!(Instant::now() < deadline, "six nodes up: {status}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(status["erasure"], "4+2");
    // A second `up` would orphan the running processes' pid files.
    let again = cluster_sh("up", dir.path());
    assert!(!again.status.success(), "a second up is refused");
    let s3 = aws_sdk_s3::Client::from_conf(
        client_config_at(
            "http://127.0.0.77:9000",
            "predastore",
            "predastore-secret",
            RetryConfig::standard().with_max_attempts(5),
        )
        .build(),
    );
    s3.create_bucket()
        .bucket("demo")
        .send()
        .await
        .expect("create bucket");
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    put(&s3, "demo", "hello.bin", &body).await;
    assert_eq!(get_bytes(&s3, "demo", "hello.bin").await, body);
    drop(guard);
    let pids = std::fs::read_dir(dir.path())
        .expect("cluster dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pid"))
        .count();
    assert_eq!(pids, 0, "cluster.sh down removes every pid file");
}
