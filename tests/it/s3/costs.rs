//! What one request costs the store, read from its own counters: a
//! request signed with a key kept in metadata has its signature checked
//! once and reads its key and the addressed bucket in one metadata read;
//! a PUT sent with `Expect: 100-continue` is checked by the listener
//! before the body comes, and not a second time when it is served.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;

use crate::common::access::new_user;
use crate::common::heal::metric;
use crate::common::s3::*;
use crate::hostile::{sign_headers, Signing};

const TOKEN: &str = "costs-admin-token";
const BUCKET: &str = "costs";

/// The counters one request moves.
#[derive(Debug, PartialEq)]
struct Costs {
    /// `predastore_signature_checks_total`.
    signature_checks: f64,
    /// Metadata reads of the key (its credential) and the bucket together.
    key_and_bucket_reads: f64,
    /// Metadata reads of the key alone, or of its account's IAM.
    key_reads: f64,
}

impl Costs {
    fn now(http: SocketAddr) -> Costs {
        let reads = |kind: &str| {
            metric(
                http,
                &format!("predastore_meta_reads_total{{read=\"{kind}\"}}"),
            )
            .unwrap_or(0.0)
        };
        Costs {
            signature_checks: metric(http, "predastore_signature_checks_total").unwrap_or(0.0),
            key_and_bucket_reads: reads("credential"),
            key_reads: reads("access_key") + reads("account_iam"),
        }
    }

    fn since(&self, before: &Costs) -> Costs {
        Costs {
            signature_checks: self.signature_checks - before.signature_checks,
            key_and_bucket_reads: self.key_and_bucket_reads - before.key_and_bucket_reads,
            key_reads: self.key_reads - before.key_reads,
        }
    }
}

/// What one signed request should cost.
const ONE_REQUEST: Costs = Costs {
    signature_checks: 1.0,
    key_and_bucket_reads: 1.0,
    key_reads: 0.0,
};

/// Reads from `s` up to the end of a response head; its status code.
fn read_status(s: &mut TcpStream) -> u16 {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!(
                "the response head broke off ({other:?}): {}",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    let text = String::from_utf8_lossy(&head);
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text}"))
}

#[tokio::test]
async fn a_request_checks_its_signature_once_and_reads_key_and_bucket_together() {
    let store = StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", TOKEN)]);
    let http = store.addr();
    let user = new_user(&store, "costs", TOKEN);
    user.s3
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("create bucket");

    // An SDK PUT and GET (the SDK sends no `Expect` header).
    let before = Costs::now(http);
    user.s3
        .put_object()
        .bucket(BUCKET)
        .key("small")
        .body(ByteStream::from(random_bytes(1, 4096)))
        .send()
        .await
        .expect("PUT");
    let after_put = Costs::now(http);
    assert_eq!(after_put.since(&before), ONE_REQUEST, "an SDK PUT");
    user.s3
        .get_object()
        .bucket(BUCKET)
        .key("small")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        Costs::now(http).since(&after_put),
        ONE_REQUEST,
        "an SDK GET"
    );

    // A PUT with `Expect: 100-continue`, sent as curl and the AWS CLI
    // send large ones: the head, then the body once the store says go.
    let body = random_bytes(2, 256 << 10);
    let (access, secret) = user.keys();
    let signing = Signing {
        access_key: access.into(),
        secret_key: secret.into(),
        payload: Some("UNSIGNED-PAYLOAD".into()),
        ..Signing::default()
    };
    let target = format!("/{BUCKET}/continued");
    let length = body.len().to_string();
    let signed = sign_headers(
        http,
        "PUT",
        &target,
        &[("content-length", &length), ("expect", "100-continue")],
        b"",
        &signing,
    );
    let mut head = format!("PUT {target} HTTP/1.1\r\n");
    for (k, v) in &signed {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    let before = Costs::now(http);
    let mut s = TcpStream::connect(http).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    s.write_all(head.as_bytes()).expect("send the head");
    assert_eq!(read_status(&mut s), 100, "the go-ahead before the body");
    s.write_all(&body).expect("send the body");
    assert_eq!(read_status(&mut s), 200, "the PUT after the go-ahead");
    drop(s);
    assert_eq!(
        Costs::now(http).since(&before),
        ONE_REQUEST,
        "a PUT with Expect: 100-continue"
    );

    // The object is there, whole.
    let got = user
        .s3
        .get_object()
        .bucket(BUCKET)
        .key("continued")
        .send()
        .await
        .expect("GET the continued PUT")
        .body
        .collect()
        .await
        .expect("its body")
        .into_bytes();
    assert!(got == body, "the continued PUT's bytes");
}
