//! Per-bucket CORS as a real browser enforces it: pages served from two
//! loopback origins fetch presigned URLs of a bucket whose rule allows
//! only the first. From the allowed origin Chromium hands the page the
//! object's bytes and lets a preflighted PUT (with an `x-amz-meta-*`
//! header) through; from the other origin it rejects both fetches itself
//! (`TypeError: Failed to fetch`), and the PUT never reaches the store.
//! Once the configuration is deleted, the first origin is blocked too.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
use aws_sdk_s3::Client;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::Browser;
use crate::common::s3::*;

const BUCKET: &str = "web";
const OBJECT: &str = "hello.txt";
const CONTENT: &[u8] = b"hello from predastore, read by a page of another origin\n";

/// A page of its own origin: a tiny HTTP server on a free 127.0.0.1 port
/// answering any GET with the same HTML (a title and a `#log` the fetches
/// below write to, for the screenshots).
struct Page {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Page {
    async fn serve(title: &str) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind a page server");
        let addr = listener.local_addr().expect("page server address");
        let html = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body style=\"font: 16px sans-serif; margin: 2em\">\
             <h1 id=\"origin\">{title}: http://{addr}</h1>\
             <pre id=\"log\" style=\"font-size: 14px\"></pre></body></html>"
        );
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{html}",
            html.len()
        );
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    continue;
                };
                let response = response.clone();
                tokio::spawn(async move {
                    // Read the request head (whatever it asks, the answer
                    // is the page); a speculative connection that sends
                    // nothing is dropped after a while.
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    let read_head = async {
                        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                            match conn.read(&mut buf).await {
                                Ok(0) | Err(_) => return false,
                                Ok(n) => head.extend_from_slice(&buf[..n]),
                            }
                        }
                        true
                    };
                    if let Ok(true) = tokio::time::timeout(Duration::from_secs(10), read_head).await
                    {
                        let _ = conn.write_all(response.as_bytes()).await;
                        let _ = conn.shutdown().await;
                    }
                });
            }
        });
        Self { addr, task }
    }

    /// `http://127.0.0.1:<port>`, the page's origin.
    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The page's URL.
    fn url(&self) -> String {
        format!("{}/", self.origin())
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Runs `fetch()` in the page for a presigned request (its URL, method and
/// signed headers; `body` as bytes, so with no Content-Type), bypassing the
/// HTTP cache. Returns `{ok: true, status, body: [bytes]}` when the browser
/// gives the page the answer, `{ok: false, error}` when the fetch rejects.
/// Each outcome is also written to the page's `#log`.
const FETCH: &str = r#"
const [label, url, init, done] = arguments;
const log = (line) => { document.getElementById("log").textContent += line + "\n"; };
const options = { method: init.method, headers: init.headers, mode: "cors", cache: "no-store" };
if (init.body !== null) options.body = new TextEncoder().encode(init.body);
fetch(url, options).then(
  async (response) => {
    const body = Array.from(new Uint8Array(await response.arrayBuffer()));
    log(`${label}: ${response.status}, ${body.length} bytes`);
    done({ ok: true, status: response.status, body });
  },
  (e) => {
    log(`${label}: rejected: ${e.name}: ${e.message}`);
    done({ ok: false, error: `${e.name}: ${e.message}` });
  });
"#;

async fn fetch(
    browser: &Browser,
    label: &str,
    req: &PresignedRequest,
    body: Option<&str>,
) -> Value {
    // Host and Content-Length are the browser's to set.
    let headers: serde_json::Map<String, Value> = req
        .headers()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("content-length")
        })
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let init = json!({ "method": req.method(), "headers": headers, "body": body });
    browser
        .eval_async(FETCH, vec![json!(label), json!(req.uri()), init])
        .await
}

/// The body the page got; panics if the browser blocked the fetch.
#[track_caller]
fn answered(outcome: &Value, status: u64, what: &str) -> Vec<u8> {
    assert_eq!(
        outcome["ok"],
        json!(true),
        "{what}: the browser blocked it: {outcome}"
    );
    assert_eq!(outcome["status"], json!(status), "{what}: {outcome}");
    outcome["body"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no body in {outcome}"))
        .iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .expect("a byte")
        })
        .collect()
}

/// Asserts the browser itself rejected the fetch, as it does for a CORS
/// failure (no status, no body for the page).
#[track_caller]
fn blocked(outcome: &Value, what: &str) {
    assert_eq!(
        outcome["ok"],
        json!(false),
        "{what}: the page got an answer: {outcome}"
    );
    assert_eq!(
        outcome["error"],
        json!("TypeError: Failed to fetch"),
        "{what}: {outcome}"
    );
}

fn five_minutes() -> PresigningConfig {
    PresigningConfig::expires_in(Duration::from_secs(300)).expect("presigning config")
}

async fn presigned_get(s3: &Client, key: &str) -> PresignedRequest {
    s3.get_object()
        .bucket(BUCKET)
        .key(key)
        .presigned(five_minutes())
        .await
        .expect("presign GET")
}

/// A presigned PUT of `key` that must carry `x-amz-meta-color: blue`,
/// a header no simple request has: the browser preflights it.
async fn presigned_put(s3: &Client, key: &str) -> PresignedRequest {
    let req = s3
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .metadata("color", "blue")
        .presigned(five_minutes())
        .await
        .expect("presign PUT");
    assert!(
        req.headers()
            .any(|(k, v)| k.eq_ignore_ascii_case("x-amz-meta-color") && v == "blue"),
        "the presigned PUT carries its metadata header: {:?}",
        req.headers().collect::<Vec<_>>()
    );
    req
}

/// Asserts `key` was never stored (the browser did not send the PUT).
async fn assert_absent(s3: &Client, key: &str) {
    assert_status(s3.head_object().bucket(BUCKET).key(key).send().await, 404);
}

#[tokio::test]
async fn the_browser_enforces_the_buckets_cors_rules() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("CreateBucket");
    put(&s3, BUCKET, OBJECT, CONTENT).await;
    let allowed = Page::serve("allowed origin").await;
    let other = Page::serve("other origin").await;
    s3.put_bucket_cors()
        .bucket(BUCKET)
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(
                    CorsRule::builder()
                        .allowed_origins(allowed.origin())
                        .allowed_methods("GET")
                        .allowed_methods("PUT")
                        .allowed_headers("x-amz-meta-color")
                        .expose_headers("ETag")
                        .build()
                        .expect("rule"),
                )
                .build()
                .expect("configuration"),
        )
        .send()
        .await
        .expect("PutBucketCors");

    let browser = Browser::start().await;

    // The allowed origin reads the object and writes another one.
    browser.goto(&allowed.url()).await;
    assert_eq!(
        browser.text("#origin").await,
        format!("allowed origin: {}", allowed.origin())
    );
    let got = fetch(
        &browser,
        "GET hello.txt",
        &presigned_get(&s3, OBJECT).await,
        None,
    )
    .await;
    assert_eq!(answered(&got, 200, "GET from the allowed origin"), CONTENT);
    let written = "written by the allowed page";
    let put_a = presigned_put(&s3, "from-allowed.txt").await;
    let got = fetch(&browser, "PUT from-allowed.txt", &put_a, Some(written)).await;
    answered(&got, 200, "preflighted PUT from the allowed origin");
    assert_eq!(
        get_bytes(&s3, BUCKET, "from-allowed.txt").await,
        written.as_bytes()
    );
    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key("from-allowed.txt")
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("color"))
            .map(String::as_str),
        Some("blue")
    );
    browser.screenshot("cors-allowed").await;

    // The other origin: the store answers the GET (without
    // Access-Control-Allow-Origin), the browser keeps it from the page; the
    // PUT's preflight is refused, so the PUT is never sent.
    browser.goto(&other.url()).await;
    assert_eq!(
        browser.text("#origin").await,
        format!("other origin: {}", other.origin())
    );
    let got = fetch(
        &browser,
        "GET hello.txt",
        &presigned_get(&s3, OBJECT).await,
        None,
    )
    .await;
    blocked(&got, "GET from the other origin");
    let put_b = presigned_put(&s3, "from-other.txt").await;
    let got = fetch(&browser, "PUT from-other.txt", &put_b, Some("never")).await;
    blocked(&got, "preflighted PUT from the other origin");
    assert_absent(&s3, "from-other.txt").await;
    browser.screenshot("cors-blocked").await;

    // No configuration: no origin is allowed any more.
    s3.delete_bucket_cors()
        .bucket(BUCKET)
        .send()
        .await
        .expect("DeleteBucketCors");
    browser.goto(&allowed.url()).await;
    let got = fetch(
        &browser,
        "GET hello.txt",
        &presigned_get(&s3, OBJECT).await,
        None,
    )
    .await;
    blocked(&got, "GET from the once allowed origin");
    let put_late = presigned_put(&s3, "after-delete.txt").await;
    let got = fetch(&browser, "PUT after-delete.txt", &put_late, Some("never")).await;
    blocked(&got, "preflighted PUT from the once allowed origin");
    assert_absent(&s3, "after-delete.txt").await;
}
