//! MinIO's versioning extensions (`ExcludedPrefixes`, `ExcludeFolders`),
//! as minio-py's `set_bucket_versioning` sends them: kept and shown by
//! GetBucketVersioning, honoured on writes (an excluded key keeps one
//! `null` version, the others every version), refused when versioning is
//! suspended or the bucket is locked, and gone once versioning is put
//! again without them.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use super::create_bucket;
use crate::common::s3::*;

/// PutBucketVersioning with a raw body (the SDK knows no MinIO elements).
fn put_versioning(store: &StoreProcess, bucket: &str, body: &str) -> RawResponse {
    let md5 = md5_b64(body.as_bytes());
    signed_request(
        store.addr(),
        (ACCESS_KEY, SECRET_KEY),
        "PUT",
        &format!("/{bucket}?versioning"),
        &[("content-md5", md5.as_str())],
        body.as_bytes(),
    )
    .expect("PutBucketVersioning")
}

/// The GetBucketVersioning document.
fn get_versioning(store: &StoreProcess, bucket: &str) -> String {
    let got = signed_request(
        store.addr(),
        (ACCESS_KEY, SECRET_KEY),
        "GET",
        &format!("/{bucket}?versioning"),
        &[],
        b"",
    )
    .expect("GetBucketVersioning");
    assert_eq!(got.status, 200);
    String::from_utf8(got.body).expect("UTF-8")
}

/// How many versions `key` has (delete markers included).
async fn versions_of(s3: &Client, bucket: &str, key: &str) -> Vec<String> {
    let page = s3
        .list_object_versions()
        .bucket(bucket)
        .prefix(key)
        .send()
        .await
        .expect("ListObjectVersions");
    page.versions()
        .iter()
        .filter(|v| v.key() == Some(key))
        .map(|v| v.version_id().unwrap_or_default().to_string())
        .collect()
}

const EXCLUDING: &str = "<VersioningConfiguration><Status>Enabled</Status>\
    <ExcludedPrefixes><Prefix>jobs/*/_temporary/</Prefix></ExcludedPrefixes>\
    <ExcludedPrefixes><Prefix>scratch</Prefix></ExcludedPrefixes>\
    <ExcludeFolders>true</ExcludeFolders></VersioningConfiguration>";

#[tokio::test]
async fn excluded_prefixes_and_folders_keep_no_versions() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "minio").await;
    assert_eq!(put_versioning(&store, "minio", EXCLUDING).status, 200);
    let doc = get_versioning(&store, "minio");
    assert!(doc.contains("<Status>Enabled</Status>"), "{doc}");
    assert!(
        doc.contains("<ExcludedPrefixes><Prefix>jobs/*/_temporary/</Prefix></ExcludedPrefixes><ExcludedPrefixes><Prefix>scratch</Prefix></ExcludedPrefixes>"),
        "{doc}"
    );
    assert!(
        doc.contains("<ExcludeFolders>true</ExcludeFolders>"),
        "{doc}"
    );

    for key in [
        "jobs/7/_temporary/part-0",
        "scratch-1",
        "folder/",
        "jobs/7/result",
    ] {
        for round in 0..3 {
            s3.put_object()
                .bucket("minio")
                .key(key)
                .body(ByteStream::from(format!("{key} {round}").into_bytes()))
                .send()
                .await
                .expect("put");
        }
    }
    for key in ["jobs/7/_temporary/part-0", "scratch-1", "folder/"] {
        assert_eq!(versions_of(&s3, "minio", key).await, ["null"], "{key}");
        assert_eq!(
            get_bytes(&s3, "minio", key).await,
            format!("{key} 2").into_bytes()
        );
    }
    let kept = versions_of(&s3, "minio", "jobs/7/result").await;
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept.iter().all(|v| v != "null"), "{kept:?}");

    // Suspended with exclusions is refused; suspended alone drops them.
    let suspended_excluding = EXCLUDING.replace("Enabled", "Suspended");
    let refused = put_versioning(&store, "minio", &suspended_excluding);
    assert_eq!(refused.status, 400);
    assert_eq!(
        xml_text(&String::from_utf8_lossy(&refused.body), "Code").as_deref(),
        Some("InvalidArgument")
    );
    let suspend = "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>";
    assert_eq!(put_versioning(&store, "minio", suspend).status, 200);
    let doc = get_versioning(&store, "minio");
    assert!(
        doc.contains("<Status>Suspended</Status>") && !doc.contains("Exclude"),
        "{doc}"
    );
}

#[tokio::test]
async fn too_many_prefixes_or_a_locked_bucket_are_refused() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "many").await;
    let prefixes: String = (0..11)
        .map(|i| format!("<ExcludedPrefixes><Prefix>p{i}/</Prefix></ExcludedPrefixes>"))
        .collect();
    let body = format!(
        "<VersioningConfiguration><Status>Enabled</Status>{prefixes}</VersioningConfiguration>"
    );
    let refused = put_versioning(&store, "many", &body);
    assert_eq!(
        refused.status,
        400,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    s3.create_bucket()
        .bucket("worm")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .expect("a lock bucket");
    let refused = put_versioning(&store, "worm", EXCLUDING);
    assert_eq!(
        refused.status,
        409,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    let doc = get_versioning(&store, "worm");
    assert!(!doc.contains("Exclude"), "{doc}");
}
