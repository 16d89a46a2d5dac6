//! The web console in a real browser: sign-in (a wrong secret refused),
//! buckets, an upload of 20 MiB with its progress bar, folders, a download
//! compared byte for byte, a share link, a key made in the console and used
//! with aws-sdk-s3, a second user's session kept out of the first one's
//! bucket, a request without the CSRF token refused, deletes; and, on a
//! three-node cluster, a killed node shown down and then up again on the
//! cluster page without a reload. Every page is saved under
//! `target/screenshots/console-*.png`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use super::Browser;
use crate::common::cluster::Cluster;
use crate::common::http::{http_request, path_and_query};
use crate::common::node::free_port;
use crate::common::sdk::{error_code, get_bytes};
use crate::common::store::{StoreProcess, ACCESS_KEY, SECRET_KEY, TEST_KMS_KEYS};

/// Longest wait for the page's upload to finish.
const UPLOAD_WAIT: Duration = Duration::from_secs(180);

/// A free console address on `ip`.
pub(super) fn console_addr(ip: IpAddr) -> SocketAddr {
    SocketAddr::new(ip, free_port(ip))
}

/// The browser's sign-in with `key` and `secret` on `console`.
pub(super) async fn sign_in(b: &Browser, console: &str, key: &str, secret: &str) {
    b.goto(&format!("{console}/login")).await;
    b.wait_for("#access_key_id", super::DEFAULT_WAIT)
        .await
        .send_keys(key)
        .await
        .expect("type the key id");
    b.wait_for("#secret", super::DEFAULT_WAIT)
        .await
        .send_keys(secret)
        .await
        .expect("type the secret");
    click(b, "#sign-in").await;
    // The answer: a signed-in page, or the form again with its error.
    b.wait_for("#sign-out, #error", super::DEFAULT_WAIT).await;
}

/// Waits until no element matches `css` (a form's answer has replaced
/// the page).
async fn wait_gone(b: &Browser, css: &str) {
    let deadline = std::time::Instant::now() + super::DEFAULT_WAIT;
    loop {
        let found = b
            .client()
            .find_all(Locator::Css(css))
            .await
            .expect("find elements");
        if found.is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "`{css}` still on the page"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the first element matching `css`.
pub(super) async fn click(b: &Browser, css: &str) {
    b.wait_for(css, super::DEFAULT_WAIT)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// The path of the page the browser shows.
pub(super) async fn path(b: &Browser) -> String {
    b.client()
        .current_url()
        .await
        .expect("current url")
        .path()
        .to_string()
}

/// Sends a form-encoded POST from the page's own origin (with its session
/// cookie) and returns the answer's status.
async fn post_from_page(b: &Browser, url: &str, body: &str) -> u64 {
    let js = "const done = arguments[arguments.length - 1];
        fetch(arguments[0], { method: 'POST', credentials: 'same-origin', redirect: 'manual',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: arguments[1] })
          .then(r => done(r.status), e => done(String(e)));";
    let status = b.eval_async(js, vec![json!(url), json!(body)]).await;
    status
        .as_u64()
        .unwrap_or_else(|| panic!("POST {url} from the page: {status}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_flows_in_a_browser() {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let console_at = console_addr(ip);
    let store = StoreProcess::start(&[
        ("PREDASTORE_CONSOLE_LISTEN", &console_at.to_string()),
        ("PREDASTORE_KMS_KEYS", TEST_KMS_KEYS),
    ]);
    let console = format!("http://{console_at}");
    let sdk = store.client();
    let b = Browser::start().await;

    // A wrong secret is refused, and the form says so.
    sign_in(&b, &console, ACCESS_KEY, "not-the-secret").await;
    let error = b.text("#error").await;
    assert!(error.contains("Wrong access key id or secret"), "{error}");
    assert_eq!(path(&b).await, "/login");
    b.screenshot("console-sign-in-refused").await;

    // The admin signs in and creates a bucket.
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;
    b.wait_for("#create-bucket", super::DEFAULT_WAIT).await;
    assert_eq!(path(&b).await, "/buckets");
    b.wait_for("#bucket-name", super::DEFAULT_WAIT)
        .await
        .send_keys("console-photos")
        .await
        .expect("type the bucket name");
    b.wait_for("#bucket-acl", super::DEFAULT_WAIT)
        .await
        .select_by_value("private")
        .await
        .expect("choose the ACL");
    click(&b, "#create").await;
    b.wait_for("tr[data-bucket='console-photos']", super::DEFAULT_WAIT)
        .await;
    sdk.head_bucket()
        .bucket("console-photos")
        .send()
        .await
        .expect("the bucket exists for the SDK");
    // The bucket encrypts what is written into it (SSE-S3 by default).
    let by_default = aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
        .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::Aes256)
        .build()
        .expect("default");
    sdk.put_bucket_encryption()
        .bucket("console-photos")
        .server_side_encryption_configuration(
            aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
                .rules(
                    aws_sdk_s3::types::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(by_default)
                        .build(),
                )
                .build()
                .expect("configuration"),
        )
        .send()
        .await
        .expect("bucket default encryption");

    // A 20 MiB upload into folder docs/, the progress bar reaching 100%.
    let data: Vec<u8> = (0..20u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let files = tempfile::tempdir().expect("tempdir");
    let local = files.path().join("report.bin");
    std::fs::write(&local, &data).expect("write the file to upload");
    b.goto(&format!("{console}/buckets/console-photos?prefix=docs%2F"))
        .await;
    b.wait_for("#upload-file", super::DEFAULT_WAIT)
        .await
        .send_keys(&local.display().to_string())
        .await
        .expect("choose the file");
    click(&b, "#upload-start").await;
    b.wait_for("#upload-status[data-done]", UPLOAD_WAIT).await;
    let status = b.text("#upload-status").await;
    assert!(status.starts_with("100%"), "upload status: {status}");
    let progress = b
        .wait_for("#upload-progress", super::DEFAULT_WAIT)
        .await
        .attr("value")
        .await
        .expect("progress value");
    assert_eq!(progress.as_deref(), Some("100"));
    b.screenshot("console-upload").await;
    assert_eq!(
        get_bytes(&sdk, "console-photos", "docs/report.bin").await,
        data
    );
    // Uploaded with the bucket's default encryption; its page says so.
    let head = sdk
        .head_object()
        .bucket("console-photos")
        .key("docs/report.bin")
        .send()
        .await
        .expect("head the upload");
    assert_eq!(
        head.server_side_encryption(),
        Some(&aws_sdk_s3::types::ServerSideEncryption::Aes256)
    );
    b.goto(&format!(
        "{console}/buckets/console-photos/versions?key=docs%2Freport.bin"
    ))
    .await;
    let mode = b.text("#encryption-mode").await;
    assert!(mode.starts_with("SSE-S3"), "encryption shown: {mode}");

    // Listed under its folder.
    b.goto(&format!("{console}/buckets/console-photos")).await;
    b.wait_for(
        "tr.folder[data-prefix='docs/'] a.folder-link",
        super::DEFAULT_WAIT,
    )
    .await;
    b.screenshot("console-bucket").await;
    click(&b, "tr.folder[data-prefix='docs/'] a.folder-link").await;
    let row = "tr.object[data-key='docs/report.bin']";
    let size = b
        .wait_for(&format!("{row} td.size"), super::DEFAULT_WAIT)
        .await
        .attr("data-bytes")
        .await
        .expect("size attribute");
    assert_eq!(size.as_deref(), Some("20971520"));
    b.screenshot("console-folder").await;

    // Downloaded by the browser, the same bytes.
    click(&b, &format!("{row} a.download")).await;
    let saved = b.wait_download("report.bin", Duration::from_secs(60)).await;
    assert!(
        std::fs::read(&saved).expect("read the download") == data,
        "downloaded bytes differ"
    );

    // A share link any HTTP client can fetch.
    click(&b, &format!("{row} button.share-object")).await;
    let link = b
        .wait_for("#share-url", super::DEFAULT_WAIT)
        .await
        .prop("value")
        .await
        .expect("share link")
        .expect("a share link");
    b.screenshot("console-share").await;
    assert!(link.contains("X-Amz-Signature="), "{link}");
    let got = http_request(store.addr(), "GET", &path_and_query(&link), &[], b"")
        .expect("fetch the share link");
    assert_eq!(got.status, 200);
    assert!(got.body == data, "shared bytes differ");

    // A key made in the console works with aws-sdk-s3.
    b.goto(&format!("{console}/keys")).await;
    b.wait_for("#key-name", super::DEFAULT_WAIT)
        .await
        .send_keys("second user")
        .await
        .expect("type the name");
    click(&b, "#create-key-button").await;
    let key_id = b.text("#new-key-id").await;
    let secret = b.text("#new-key-secret").await;
    b.screenshot("console-keys").await;
    let second = store.client_with_keys(&key_id, &secret);
    second
        .create_bucket()
        .bucket("second-users-bucket")
        .send()
        .await
        .expect("the new key creates a bucket");

    // A state-changing request without the CSRF token (or with a wrong
    // one) is refused, and changes nothing.
    assert_eq!(
        post_from_page(&b, "/buckets", "name=no-token-bucket&acl=private").await,
        403
    );
    assert_eq!(
        post_from_page(&b, "/buckets", "name=no-token-bucket&acl=private&csrf=00ff").await,
        403
    );
    let refused = sdk.head_bucket().bucket("no-token-bucket").send().await;
    assert!(refused.is_err(), "a bucket was made without the CSRF token");

    // The second user's session sees its own bucket only.
    click(&b, "#sign-out").await;
    b.wait_for("#sign-in-form", super::DEFAULT_WAIT).await;
    sign_in(&b, &console, &key_id, &secret).await;
    b.wait_for("tr[data-bucket='second-users-bucket']", super::DEFAULT_WAIT)
        .await;
    let others = b
        .client()
        .find_all(Locator::Css("tr[data-bucket='console-photos']"))
        .await
        .expect("find rows");
    assert!(
        others.is_empty(),
        "the second user sees the first one's bucket"
    );
    assert!(b
        .client()
        .find_all(Locator::Css("#nav-cluster"))
        .await
        .expect("find nav")
        .is_empty());
    b.screenshot("console-second-user").await;
    b.goto(&format!("{console}/buckets/console-photos?prefix=docs%2F"))
        .await;
    let denied = b.text("#error").await;
    assert!(denied.contains("AccessDenied"), "{denied}");
    b.goto(&format!(
        "{console}/buckets/console-photos/download?key=docs%2Freport.bin"
    ))
    .await;
    assert!(b.text("#error").await.contains("AccessDenied"));
    b.goto(&format!("{console}/cluster")).await;
    assert!(b.text("#error").await.contains("admin"));

    // Back as the admin: delete the object, the bucket and the key.
    b.goto(&format!("{console}/buckets")).await;
    click(&b, "#sign-out").await;
    b.wait_for("#sign-in-form", super::DEFAULT_WAIT).await;
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;
    b.goto(&format!("{console}/buckets/console-photos?prefix=docs%2F"))
        .await;
    click(&b, &format!("{row} button.delete-object")).await;
    b.wait_for("tr.empty", super::DEFAULT_WAIT).await;
    b.goto(&format!("{console}/buckets")).await;
    click(&b, "tr[data-bucket='console-photos'] button.delete-bucket").await;
    wait_gone(&b, "tr[data-bucket='console-photos']").await;
    let gone = sdk.head_bucket().bucket("console-photos").send().await;
    assert!(gone.is_err(), "the bucket is still there");
    b.goto(&format!("{console}/keys")).await;
    click(&b, &format!("tr[data-key='{key_id}'] button.delete-key")).await;
    wait_gone(&b, &format!("tr[data-key='{key_id}']")).await;
    let err = second
        .list_buckets()
        .send()
        .await
        .expect_err("the deleted key still works");
    assert_eq!(error_code(&err).as_deref(), Some("InvalidAccessKeyId"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_shows_a_killed_node_down_then_up() {
    // Three storage nodes on 127.0.0.142..144, the gateway (and its
    // console) on .145.
    let gateway_ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 145));
    let console_at = console_addr(gateway_ip).to_string();
    let mut cluster = Cluster::start(142, &[("PREDASTORE_CONSOLE_LISTEN", &console_at)]);
    let console = format!("http://{console_at}");
    let b = Browser::start().await;
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;
    b.goto(&format!("{console}/cluster")).await;
    for id in 1..=3 {
        let state = b.text(&format!("tr[data-node='{id}'] td.node-up")).await;
        assert_eq!(state, "up", "node {id}");
        // Each node's disk, with its state.
        let disk = b
            .text(&format!(
                "tr[data-disk-node='{id}'][data-volume='0'] td.volume-state"
            ))
            .await;
        assert_eq!(disk, "ok", "node {id}'s disk");
    }
    b.screenshot("console-cluster").await;
    // A mark on the page's window: a reload (or any navigation) loses it.
    b.eval("window.notReloaded = 'cluster page';", vec![]).await;

    // Killed: the page, refreshing itself, shows it down with an alert.
    cluster.nodes[2].kill();
    let down = "tr[data-node='3'].down";
    b.wait_for(down, Duration::from_secs(60)).await;
    let alerts = b.text("#alerts").await;
    assert!(alerts.contains("Storage node 3"), "{alerts}");
    assert_not_reloaded(&b, "node 3 shown down").await;
    b.screenshot("console-cluster-node-down").await;

    // Restarted: up again, no reload.
    cluster.nodes[2].restart();
    b.wait_for("tr[data-node='3'].up", Duration::from_secs(60))
        .await;
    assert_not_reloaded(&b, "node 3 shown up again").await;
    b.screenshot("console-cluster-node-back").await;
}

/// Asserts the page still carries the mark set on its window before the
/// kill: it changed in place, it was not reloaded.
async fn assert_not_reloaded(b: &Browser, when: &str) {
    let mark = b
        .eval(
            "return window.notReloaded === undefined ? null : window.notReloaded;",
            vec![],
        )
        .await;
    assert_eq!(
        mark,
        json!("cluster page"),
        "{when}: the page lost the mark set on it before the kill (it was reloaded)"
    );
}

/// The version id of a PUT of `data` to `key` in `bucket`, with a legal
/// hold when `hold`.
async fn put_version(
    sdk: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    data: &[u8],
    hold: bool,
) -> String {
    let mut put = sdk
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(data.to_vec()));
    if hold {
        put = put.object_lock_legal_hold_status(aws_sdk_s3::types::ObjectLockLegalHoldStatus::On);
    }
    let out = put
        .send()
        .await
        .unwrap_or_else(|e| panic!("PUT {key}: {e:?}"));
    out.version_id().expect("a version id").to_string()
}

/// The version ids (and whether each is a delete marker) the versions
/// page shows, top to bottom.
async fn version_rows(b: &Browser) -> Vec<(String, bool)> {
    b.wait_for("#versions", super::DEFAULT_WAIT).await;
    let rows = b
        .eval(
            "return Array.from(document.querySelectorAll('#versions tr.version'))
                .map(r => [r.dataset.version, r.classList.contains('delete-marker'),
                           r.classList.contains('latest')]);",
            vec![],
        )
        .await;
    let rows = rows.as_array().expect("rows").clone();
    // Exactly the first row is the latest.
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[2].as_bool(), Some(i == 0), "latest badge of row {i}");
    }
    rows.iter()
        .map(|r| {
            (
                r[0].as_str().expect("version id").to_string(),
                r[1].as_bool().expect("marker flag"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_versions_of_a_key() {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let console_at = console_addr(ip);
    let store = StoreProcess::start(&[("PREDASTORE_CONSOLE_LISTEN", &console_at.to_string())]);
    let console = format!("http://{console_at}");
    let sdk = store.client();
    // Object lock turns versioning on; a legal hold makes a version the
    // gateway refuses to delete.
    let bucket = "console-versions";
    sdk.create_bucket()
        .bucket(bucket)
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .expect("create the lock bucket");
    let key = "docs/note.txt";
    let v1 = put_version(&sdk, bucket, key, b"first version", false).await;
    let v2 = put_version(&sdk, bucket, key, b"second", false).await;
    // A key the first one prefixes: not one of its versions.
    put_version(&sdk, bucket, "docs/note.txt.bak", b"other", false).await;

    let b = Browser::start().await;
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;

    // From the bucket page, the object's "versions" link.
    b.goto(&format!("{console}/buckets/{bucket}?prefix=docs%2F"))
        .await;
    click(&b, &format!("tr.object[data-key='{key}'] a.versions")).await;
    b.wait_for("#versions", super::DEFAULT_WAIT).await;
    assert_eq!(path(&b).await, format!("/buckets/{bucket}/versions"));
    assert_eq!(b.text("#versions-key").await, key);
    assert_eq!(
        version_rows(&b).await,
        [(v2.clone(), false), (v1.clone(), false)]
    );

    // A plain delete leaves a marker, listed first, without a download.
    sdk.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("delete (a marker)");
    let versions_url = format!("{console}/buckets/{bucket}/versions?key=docs%2Fnote.txt");
    b.goto(&versions_url).await;
    let rows = version_rows(&b).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].1, "the marker is first: {rows:?}");
    let marker = rows[0].0.clone();
    assert_eq!(rows[1..], [(v2.clone(), false), (v1.clone(), false)]);
    let marker_row = format!("tr[data-version='{marker}']");
    assert!(b.text(&marker_row).await.contains("delete marker"));
    assert!(b
        .client()
        .find_all(Locator::Css(&format!("{marker_row} a.download-version")))
        .await
        .expect("find links")
        .is_empty());
    b.screenshot("console-versions").await;

    // The old version downloads with its own bytes.
    click(&b, &format!("tr[data-version='{v1}'] a.download-version")).await;
    let saved = b.wait_download("note.txt", Duration::from_secs(60)).await;
    assert_eq!(
        std::fs::read(&saved).expect("read the download"),
        b"first version"
    );

    // Deleting the old version removes it for good.
    b.goto(&versions_url).await;
    click(
        &b,
        &format!("tr[data-version='{v1}'] button.delete-version"),
    )
    .await;
    wait_gone(&b, &format!("tr[data-version='{v1}']")).await;
    assert_eq!(path(&b).await, format!("/buckets/{bucket}/versions"));
    let gone = sdk
        .get_object()
        .bucket(bucket)
        .key(key)
        .version_id(&v1)
        .send()
        .await
        .expect_err("the deleted version still reads");
    assert_eq!(error_code(&gone).as_deref(), Some("NoSuchVersion"));

    // Deleting the marker brings the version under it back.
    click(&b, &format!("{marker_row} button.delete-version")).await;
    wait_gone(&b, &marker_row).await;
    assert_eq!(version_rows(&b).await, [(v2.clone(), false)]);
    assert_eq!(get_bytes(&sdk, bucket, key).await, b"second");

    // A version under a legal hold: the gateway's refusal is a message
    // page, and the version stays.
    let held_key = "docs/held <&>.txt";
    let held = put_version(&sdk, bucket, held_key, b"held", true).await;
    b.goto(&format!(
        "{console}/buckets/{bucket}/versions?key=docs%2Fheld%20%3C%26%3E.txt"
    ))
    .await;
    assert_eq!(b.text("#versions-key").await, held_key);
    assert_eq!(version_rows(&b).await, [(held.clone(), false)]);
    click(
        &b,
        &format!("tr[data-version='{held}'] button.delete-version"),
    )
    .await;
    let refused = b.text("#error").await;
    assert!(refused.contains("AccessDenied"), "{refused}");
    let status = b
        .wait_for("#error", super::DEFAULT_WAIT)
        .await
        .attr("data-status")
        .await
        .expect("status attribute");
    assert_eq!(status.as_deref(), Some("403"));
    b.screenshot("console-versions-refused").await;
    sdk.head_object()
        .bucket(bucket)
        .key(held_key)
        .version_id(&held)
        .send()
        .await
        .expect("the held version is still there");

    // Without the CSRF token, a version delete is refused.
    assert_eq!(
        post_from_page(
            &b,
            &format!("/buckets/{bucket}/objects/delete"),
            &format!("key=docs%2Fnote.txt&version={v2}")
        )
        .await,
        403
    );
    assert_eq!(get_bytes(&sdk, bucket, key).await, b"second");
}
