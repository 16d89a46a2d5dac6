//! The MinIO move path for identities: MinIO's IAM export (the fixture
//! in `tests/fixtures/minio-iam`, zipped here as `mc admin cluster iam
//! export` zips it) imported with `predastore admin iam import`; its
//! users then sign with their MinIO keys and may do what their MinIO
//! policies (their own and their groups') allowed, and a second import
//! changes nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;

use super::*;
use crate::common::lifecycle::{admin_cli, ADMIN_TOKEN};

/// The fixture export zipped into `dir` as MinIO zips it (deflated
/// `iam-assets/*.json`).
fn export_zip(dir: &Path) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minio-iam/iam-assets");
    let path = dir.join("minio-iam-info.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut files: Vec<_> = std::fs::read_dir(&src).unwrap().flatten().collect();
    files.sort_by_key(|f| f.file_name());
    for f in files {
        let name = format!("iam-assets/{}", f.file_name().to_string_lossy());
        zip.start_file(name, options).unwrap();
        zip.write_all(&std::fs::read(f.path()).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[tokio::test]
async fn a_minio_iam_export_imports_and_its_users_act_as_before() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)]);
    let root_s3 = store.client();
    for b in ["finance", "private"] {
        root_s3.create_bucket().bucket(b).send().await.unwrap();
    }
    for (b, k) in [
        ("finance", "invoices/1"),
        ("finance", "exports/old"),
        ("private", "x"),
    ] {
        assert_eq!(put(&root_s3, b, k).await, None);
    }
    let dir = tempfile::tempdir().unwrap();
    let zip = export_zip(dir.path());
    let zip = zip.to_str().unwrap();
    let report = admin_cli(
        store.addr(),
        &["iam", "import", zip, "--root-user", "minioadmin"],
    );
    let created = &report["created"];
    assert_eq!(created["policies"], 6, "{report}");
    assert_eq!(created["users"], 3);
    assert_eq!(created["keys"], 5);
    assert_eq!(created["groups"], 2);
    assert_eq!(created["memberships"], 2);
    assert_eq!(created["attachments"], 4);
    assert_eq!(report["failed"], serde_json::json!([]));
    let not_carried: Vec<&str> = report["not_carried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["item"].as_str().unwrap())
        .collect();
    for item in [
        "policy diagnostics",
        "policies of group interns",
        "service account ALICENARROW00000002 of alice",
        "policy mapping of uid=dave,ou=people,dc=min,dc=io",
    ] {
        assert!(not_carried.contains(&item), "{item} in {not_carried:?}");
    }

    // alice, with her MinIO key: her two policies, nothing more.
    let alice = s3(&store, &Keys::new("alice", "alice-secret-key-0001"));
    assert_eq!(get(&alice, "finance", "invoices/1").await, None);
    assert_eq!(put(&alice, "finance", "exports/new").await, None);
    assert_eq!(
        put(&alice, "finance", "invoices/2").await.as_deref(),
        Some("AccessDenied")
    );
    assert_eq!(
        get(&alice, "private", "x").await.as_deref(),
        Some("AccessDenied")
    );
    let listed = alice
        .list_objects_v2()
        .bucket("finance")
        .prefix("invoices/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(1));
    // Her service account is another key of hers.
    let backup = s3(
        &store,
        &Keys::new("ALICEBACKUP00000001", "alice-backup-secret-000001"),
    );
    assert_eq!(get(&backup, "finance", "invoices/1").await, None);
    assert_eq!(
        get(&backup, "private", "x").await.as_deref(),
        Some("AccessDenied")
    );
    // bob: MinIO's readonly through group finance, everywhere.
    let bob = s3(&store, &Keys::new("bob", "bob-secret-key-000002"));
    assert_eq!(get(&bob, "private", "x").await, None);
    assert_eq!(
        put(&bob, "private", "y").await.as_deref(),
        Some("AccessDenied")
    );
    // carol was disabled: her key is carried inactive.
    let carol = s3(&store, &Keys::new("carol", "carol-secret-key-0003"));
    assert_eq!(
        get(&carol, "private", "x").await.as_deref(),
        Some("InvalidAccessKeyId")
    );
    // The narrowed service account was not carried, so it cannot sign.
    let narrow = s3(
        &store,
        &Keys::new("ALICENARROW00000002", "alice-narrow-secret-000002"),
    );
    assert_eq!(
        get(&narrow, "finance", "invoices/1").await.as_deref(),
        Some("InvalidAccessKeyId")
    );
    // MinIO root's service account: a key of the account's root.
    let app = s3(
        &store,
        &Keys::new("ROOTAPP000000000003", "root-app-secret-0000003"),
    );
    app.create_bucket().bucket("from-app").send().await.unwrap();

    // Again: everything is there already, nothing fails (attaching and
    // adding to a group are idempotent in IAM: done again).
    let again = admin_cli(
        store.addr(),
        &["iam", "import", zip, "--root-user", "minioadmin"],
    );
    assert_eq!(again["created"]["users"], 0, "{again}");
    assert_eq!(again["created"]["keys"], 0);
    assert_eq!(again["failed"], serde_json::json!([]));
    // 6 policies, 3 users, 5 keys, 2 groups.
    assert_eq!(again["already_there"], 16, "{again}");
}
