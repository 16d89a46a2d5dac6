use std::path::PathBuf;

use serde_json::json;

use super::*;

fn fixture() -> MinioExport {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minio-iam/iam-assets");
    MinioExport::from_files(|name| Ok(std::fs::read_to_string(dir.join(name)).ok()))
        .expect("fixture")
}

fn actions(p: &ImportPlan, action: &str) -> Vec<String> {
    p.steps
        .iter()
        .filter(|s| s.call.action == action)
        .map(|s| s.item.clone())
        .collect()
}

fn why<'a>(p: &'a ImportPlan, item: &str) -> Option<&'a str> {
    p.not_carried
        .iter()
        .find(|(i, _)| i == item)
        .map(|(_, w)| w.as_str())
}

#[test]
fn the_fixture_plans_what_each_part_becomes() {
    let p = plan(&fixture(), "ACCT", Some("minioadmin"));
    assert_eq!(
        actions(&p, "CreatePolicy"),
        [
            "policy consoleAdmin",
            "policy exports-write",
            "policy invoices-read",
            "policy readonly",
            "policy readwrite",
            "policy writeonly"
        ]
    );
    assert!(why(&p, "policy diagnostics").is_some_and(|w| w.contains("admin:ServerInfo")));
    assert!(why(&p, "policy consoleAdmin")
        .is_some_and(|w| w.contains("admin:*") && w.contains("kms:*")));
    assert_eq!(
        actions(&p, "CreateUser"),
        ["user alice", "user bob", "user carol"]
    );
    let keys = actions(&p, "ImportAccessKey");
    assert_eq!(
        keys,
        [
            "key alice of user alice",
            "key bob of user bob",
            "key carol of user carol",
            "service account ALICEBACKUP00000001 of alice",
            "service account ROOTAPP000000000003 of minioadmin",
        ]
    );
    // carol's key is carried inactive; the root's service account is a
    // root key (no user name).
    let param = |item: &str, name: &str| {
        let s = p.steps.iter().find(|s| s.item == item).expect("step");
        s.call
            .params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        param("key carol of user carol", "Status").as_deref(),
        Some("Inactive")
    );
    assert_eq!(
        param("key alice of user alice", "SecretAccessKey").as_deref(),
        Some("alice-secret-key-0001")
    );
    assert_eq!(
        param(
            "service account ROOTAPP000000000003 of minioadmin",
            "UserName"
        )
        .as_deref(),
        Some("")
    );
    assert_eq!(
        actions(&p, "AddUserToGroup"),
        [
            "member bob of group finance",
            "member carol of group interns"
        ]
    );
    assert!(why(
        &p,
        "member uid=dave,ou=people,dc=min,dc=io of group finance"
    )
    .is_some());
    assert_eq!(
        actions(&p, "AttachGroupPolicy"),
        ["policy readonly of group finance"]
    );
    assert!(why(&p, "policies of group interns").is_some_and(|w| w.contains("disabled")));
    assert_eq!(
        actions(&p, "AttachUserPolicy"),
        [
            "policy invoices-read of user alice",
            "policy exports-write of user alice",
            "policy readwrite of user carol"
        ]
    );
    assert_eq!(
        param("policy readonly of group finance", "PolicyArn").as_deref(),
        Some("arn:aws:iam::ACCT:policy/readonly")
    );
    assert!(why(&p, "service account ALICENARROW00000002 of alice")
        .is_some_and(|w| w.contains("session policy")));
    assert!(why(
        &p,
        "service account LDAPSVC000000000004 of uid=svc.algorithm,ou=swengg,dc=min,dc=io"
    )
    .is_some());
    assert!(why(&p, "policy mapping of uid=dave,ou=people,dc=min,dc=io").is_some());
    // Without --root-user, the root's service account has no home.
    let p = plan(&fixture(), "ACCT", None);
    assert!(why(&p, "service account ROOTAPP000000000003 of minioadmin").is_some());
}

#[test]
fn policies_keep_their_s3_statements() {
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["admin:*", "s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
        {"Effect": "Deny", "NotAction": ["admin:*"], "Resource": ["arn:aws:s3:::secret/*"]},
        {"Effect": "Allow", "Action": "kms:*"}]});
    let (kept, dropped) = s3_policy(&doc);
    let kept: Value = serde_json::from_str(&kept.expect("kept")).expect("json");
    assert_eq!(
        kept["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]},
            {"Effect": "Deny", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::secret/*"]}
        ])
    );
    assert_eq!(dropped, ["admin:*", "kms:*"]);
    // "Allow all of S3 but DeleteBucket" cannot be said without reaching
    // IAM here: the statement is dropped, and said so.
    let (kept, dropped) = s3_policy(&json!({"Statement": [
        {"Effect": "Allow", "NotAction": ["s3:DeleteBucket", "admin:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}));
    let kept: Value = serde_json::from_str(&kept.expect("kept")).expect("json");
    assert_eq!(kept["Statement"].as_array().map(Vec::len), Some(1));
    assert!(
        dropped.iter().any(|d| d.contains("NotAction")),
        "{dropped:?}"
    );
    let (none, _) = s3_policy(&json!({"Statement": {"Effect": "Allow", "Action": "admin:*"}}));
    assert!(none.is_none());
}

#[test]
fn bad_exports_are_refused_and_missing_files_are_empty() {
    let broken = MinioExport::from_files(|name| {
        Ok((name == "users.json").then(|| "{\"alice\": {\"status\": 1}}".to_string()))
    });
    assert!(broken.is_err_and(|e| e.contains("users.json")));
    let empty = MinioExport::from_files(|_| Ok(None)).expect("empty");
    let p = plan(&empty, "ACCT", None);
    assert!(p.steps.is_empty() && p.not_carried.is_empty());
    let dir = tempfile::tempdir().expect("dir");
    let not_zip = dir.path().join("export.zip");
    std::fs::write(&not_zip, b"not a zip").expect("write");
    assert!(MinioExport::read(&not_zip).is_err());
    assert!(MinioExport::read(&dir.path().join("missing.zip")).is_err());
}

#[test]
fn a_disabled_users_service_accounts_come_in_inactive() {
    let mut export = fixture();
    if let Some(alice) = export.users.get_mut("alice") {
        alice.status = "disabled".into();
    }
    let p = plan(&export, "ACCT", None);
    let step = p
        .steps
        .iter()
        .find(|s| s.item == "service account ALICEBACKUP00000001 of alice")
        .expect("step");
    assert!(step
        .call
        .params
        .contains(&("Status".into(), "Inactive".into())));
}

#[test]
fn what_is_there_already_but_not_this_imports_is_left_alone() {
    let p = plan(&fixture(), "ACCT", Some("minioadmin"));
    // The store: every create finds its entity there; alice is someone
    // else's (no import tag), bob is this import's; the policies are
    // the same documents; the keys are their users'.
    let docs: std::collections::BTreeMap<String, String> = p
        .steps
        .iter()
        .filter_map(|s| match &s.existing {
            Existing::SamePolicy(arn, doc) => Some((arn.clone(), doc.to_string())),
            _ => None,
        })
        .collect();
    let mut calls = Vec::new();
    let send = |body: Value| -> Result<(u16, Value), String> {
        let action = body["action"].as_str().unwrap_or_default().to_string();
        let param = |name: &str| {
            body["params"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p[0] == name)
                .and_then(|p| p[1].as_str())
                .unwrap_or_default()
                .to_string()
        };
        calls.push(action.clone());
        let exists = json!({"error": "EntityAlreadyExists", "message": "exists"});
        Ok(match action.as_str() {
            "CreateUser" | "CreatePolicy" | "CreateGroup" | "ImportAccessKey" => (409, exists),
            "ListUserTags" if param("UserName") == "alice" => {
                (200, json!({"result": {"Tags": null}}))
            }
            "ListUserTags" => (
                200,
                json!({"result": {"Tags": {"member": {"Key": "imported-from", "Value": "minio"}}}}),
            ),
            "GetPolicy" => (
                200,
                json!({"result": {"Policy": {"DefaultVersionId": "v1"}}}),
            ),
            "GetPolicyVersion" => {
                let doc = docs.get(&param("PolicyArn")).cloned().unwrap_or_default();
                (200, json!({"result": {"PolicyVersion": {"Document": doc}}}))
            }
            "ListAccessKeys" => {
                let user = param("UserName");
                let id = if user.is_empty() {
                    "ROOTAPP000000000003".to_string()
                } else {
                    user
                };
                (
                    200,
                    json!({"result": {"AccessKeyMetadata": {"member": {"AccessKeyId": id}}}}),
                )
            }
            _ => (200, json!({"result": {}})),
        })
    };
    let report = run(p, None, send).expect("run");
    assert_eq!(report["conflicts"], json!(["user alice"]));
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["item"].as_str().unwrap_or_default())
        .collect();
    assert!(skipped.contains(&"key alice of user alice"), "{skipped:?}");
    assert!(
        skipped.contains(&"service account ALICEBACKUP00000001 of alice"),
        "{skipped:?}"
    );
    assert!(
        skipped.contains(&"policy invoices-read of user alice"),
        "{skipped:?}"
    );
    assert_eq!(report["failed"], json!([]));
    // bob and carol with their keys, the root's key, 6 policies, 2 groups.
    assert_eq!(report["already_there"], 13, "{report}");
    // alice's key and service account were never sent.
    assert_eq!(calls.iter().filter(|c| *c == "ImportAccessKey").count(), 3);
}
