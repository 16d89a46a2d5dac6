//! The console's presigned upload form in a real browser: opened from a
//! bucket's page for a key prefix, a file chosen in its file input and
//! posted straight to the S3 endpoint (PostObject), the browser sent back
//! to the console (or shown S3's `201 Created`), the bytes checked with
//! aws-sdk-s3; then forms edited in the page (a key outside the prefix, a
//! policy rewritten to allow any key) refused with 403, nothing written.
//! Pages are saved under `target/screenshots/post-form-*.png`.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use super::console::{click, console_addr, path, sign_in};
use super::{Browser, DEFAULT_WAIT};
use crate::common::digest::{md5_hex, random_bytes};
use crate::common::sdk::{error_status, get_bytes, list_all_keys};
use crate::common::store::{StoreProcess, ACCESS_KEY, SECRET_KEY};

const BUCKET: &str = "form-uploads";
/// The prefix the forms are signed for.
const PREFIX: &str = "incoming/";
/// Longest wait for a form's upload and the page after it.
const UPLOAD_WAIT: Duration = Duration::from_secs(60);

/// Waits until the browser shows a page of `port` (the form's answer
/// from the S3 endpoint, or the console after S3's redirect).
async fn wait_port(b: &Browser, port: u16) {
    let deadline = Instant::now() + UPLOAD_WAIT;
    loop {
        let url = b.client().current_url().await.expect("current url");
        if url.port() == Some(port) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still on {url} after {UPLOAD_WAIT:?}, not on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The HTTP status of the page the browser shows, and its text.
async fn page_answer(b: &Browser) -> (u64, String) {
    let got = b
        .eval(
            "const nav = performance.getEntriesByType('navigation')[0];
             return [nav ? nav.responseStatus : 0, document.documentElement.textContent];",
            vec![],
        )
        .await;
    let status = got[0].as_u64().expect("a status");
    let text = got[1].as_str().expect("the page's text").to_string();
    (status, text)
}

/// Opens the upload form of `query` (`after=201` for S3's answer), puts
/// `file` in its file input, runs `edit` (JS, may be empty) on the page
/// and submits it.
async fn post_file(b: &Browser, console: &str, query: &str, file: &str, edit: &str) {
    b.goto(&format!("{console}/buckets/{BUCKET}/post-form?{query}"))
        .await;
    b.wait_for("#post-file", DEFAULT_WAIT)
        .await
        .send_keys(file)
        .await
        .expect("choose the file");
    if !edit.is_empty() {
        b.eval(edit, vec![]).await;
    }
    click(b, "#post-submit").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_form_posts_a_file_and_refuses_a_tampered_one() {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let console_at = console_addr(ip);
    let store = StoreProcess::start(&[("PREDASTORE_CONSOLE_LISTEN", &console_at.to_string())]);
    let console = format!("http://{console_at}");
    let s3_port = store.addr().port();
    let sdk = store.client();
    sdk.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("create the bucket");
    let files = tempfile::tempdir().expect("tempdir");
    let photo = random_bytes(28, 300 << 10);
    let photo_path = files.path().join("photo.bin");
    std::fs::write(&photo_path, &photo).expect("write the file to upload");
    let photo_path = photo_path.display().to_string();

    let b = Browser::start().await;
    sign_in(&b, &console, ACCESS_KEY, SECRET_KEY).await;

    // From the bucket's page, the form for keys under incoming/.
    b.goto(&format!("{console}/buckets/{BUCKET}")).await;
    let prefix = b.wait_for("#post-form-prefix-input", DEFAULT_WAIT).await;
    prefix.clear().await.expect("clear the prefix");
    prefix.send_keys(PREFIX).await.expect("type the prefix");
    click(&b, "#post-form-open").await;
    b.wait_for("#post-form", DEFAULT_WAIT).await;
    assert_eq!(path(&b).await, format!("/buckets/{BUCKET}/post-form"));
    let policy = b.text("#post-form-policy").await;
    assert!(
        policy.contains(&format!(r#"["starts-with","$key","{PREFIX}"]"#)),
        "{policy}"
    );
    assert!(policy.contains(r#"["content-length-range",0,104857600]"#));
    // The HTML to copy is the form on the page.
    let html = b
        .wait_for("#post-form-html", DEFAULT_WAIT)
        .await
        .prop("value")
        .await
        .expect("the form's HTML")
        .expect("a value");
    let action = format!(r#"action="http://{}/{BUCKET}""#, store.addr());
    assert!(html.contains(&action), "{html}");
    assert!(html.contains(r#"name="x-amz-signature""#), "{html}");
    b.screenshot("post-form").await;

    // The file goes to S3, and the browser comes back to the bucket's
    // page, which lists it.
    b.wait_for("#post-file", DEFAULT_WAIT)
        .await
        .send_keys(&photo_path)
        .await
        .expect("choose the file");
    click(&b, "#post-submit").await;
    let row = format!("tr.object[data-key='{PREFIX}photo.bin']");
    b.wait_for(&row, UPLOAD_WAIT).await;
    assert_eq!(path(&b).await, format!("/buckets/{BUCKET}"));
    b.screenshot("post-form-uploaded").await;
    let stored = get_bytes(&sdk, BUCKET, "incoming/photo.bin").await;
    assert_eq!(md5_hex(&stored), md5_hex(&photo));
    let head = sdk
        .head_object()
        .bucket(BUCKET)
        .key("incoming/photo.bin")
        .send()
        .await
        .expect("HEAD the upload");
    assert_eq!(
        head.e_tag(),
        Some(format!("\"{}\"", md5_hex(&photo)).as_str())
    );

    // A form asking for S3's answer gets 201 and its XML, a renamed file
    // within the prefix landing under its new name.
    let note = random_bytes(29, 1000);
    let note_path = files.path().join("note.txt");
    std::fs::write(&note_path, &note).expect("write the second file");
    let rename =
        "document.querySelector('#post-form input[name=key]').value = 'incoming/renamed.txt';";
    post_file(
        &b,
        &console,
        "prefix=incoming%2F&after=201",
        &note_path.display().to_string(),
        rename,
    )
    .await;
    wait_port(&b, s3_port).await;
    let (status, text) = page_answer(&b).await;
    assert_eq!(status, 201, "{text}");
    assert!(text.contains("incoming/renamed.txt"), "{text}");
    b.screenshot("post-form-created").await;
    assert_eq!(
        md5_hex(&get_bytes(&sdk, BUCKET, "incoming/renamed.txt").await),
        md5_hex(&note)
    );

    // The key moved outside the prefix in the page: refused, not written.
    let outside =
        "document.querySelector('#post-form input[name=key]').value = 'elsewhere/${filename}';";
    post_file(
        &b,
        &console,
        "prefix=incoming%2F&after=201",
        &photo_path,
        outside,
    )
    .await;
    wait_port(&b, s3_port).await;
    let (status, text) = page_answer(&b).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("AccessDenied"), "{text}");
    b.screenshot("post-form-outside-prefix").await;

    // The policy rewritten to allow any key (its signature kept):
    // refused, not written.
    let widen = "const form = document.querySelector('#post-form');
        const policy = form.querySelector('input[name=policy]');
        policy.value = btoa(atob(policy.value).replace('\"incoming/\"', '\"\"'));
        form.querySelector('input[name=key]').value = 'elsewhere/${filename}';";
    post_file(
        &b,
        &console,
        "prefix=incoming%2F&after=201",
        &photo_path,
        widen,
    )
    .await;
    wait_port(&b, s3_port).await;
    let (status, text) = page_answer(&b).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("SignatureDoesNotMatch"), "{text}");
    b.screenshot("post-form-tampered-policy").await;

    let missing = sdk
        .head_object()
        .bucket(BUCKET)
        .key("elsewhere/photo.bin")
        .send()
        .await
        .expect_err("a refused form wrote its file");
    assert_eq!(error_status(&missing), Some(404));
    assert_eq!(
        list_all_keys(&sdk, BUCKET).await,
        ["incoming/photo.bin", "incoming/renamed.txt"]
    );
}
