//! Pipelined requests on one keep-alive connection: every request is
//! answered, in order, with its own bytes (HEAD then GET of the same
//! object included, twenty times over); a malformed request behind good
//! ones is refused after they are answered.

use std::collections::HashSet;
use std::time::Duration;

use super::{create_bucket, exchange, put_object, Hostile};
use crate::common::digest::random_bytes;
use crate::common::http::RawResponse;

/// What one pipelined response must be.
struct Expected {
    method: &'static str,
    status: u16,
    body: Option<Vec<u8>>,
    content_length: Option<usize>,
}

fn summary(rs: &[RawResponse]) -> String {
    rs.iter()
        .map(|r| format!("{}:{}", r.status, r.body.len()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn pipelined_requests_are_all_answered_in_order() {
    let h = Hostile::start("pipeline", &[]);
    create_bucket(&h, "pipe");
    let a = random_bytes(31, 5000);
    let b = random_bytes(32, 200_000);
    put_object(&h, "pipe", "a", &a);
    put_object(&h, "pipe", "b", &b);

    let head = |method: &str, target: &str, headers: &[(&str, &str)], close: bool| {
        h.signed_head(method, target, headers, None, close)
    };
    let expected = [
        Expected {
            method: "HEAD",
            status: 200,
            body: None,
            content_length: Some(a.len()),
        },
        Expected {
            method: "GET",
            status: 200,
            body: Some(a.clone()),
            content_length: Some(a.len()),
        },
        Expected {
            method: "HEAD",
            status: 200,
            body: None,
            content_length: Some(b.len()),
        },
        Expected {
            method: "GET",
            status: 200,
            body: Some(b.clone()),
            content_length: Some(b.len()),
        },
        Expected {
            method: "GET",
            status: 404,
            body: None,
            content_length: None,
        },
        Expected {
            method: "GET",
            status: 206,
            body: Some(a[..10].to_vec()),
            content_length: Some(10),
        },
        Expected {
            method: "HEAD",
            status: 404,
            body: None,
            content_length: None,
        },
        Expected {
            method: "GET",
            status: 200,
            body: Some(b.clone()),
            content_length: Some(b.len()),
        },
    ];
    let methods: Vec<&str> = expected.iter().map(|e| e.method).collect();
    let mut failed_runs = Vec::new();
    for run in 0..20 {
        // Signed anew each run (fresh request ids, fresh dates).
        let mut wire_bytes = Vec::new();
        for part in [
            head("HEAD", "/pipe/a", &[], false),
            head("GET", "/pipe/a", &[], false),
            head("HEAD", "/pipe/b", &[], false),
            head("GET", "/pipe/b", &[], false),
            head("GET", "/pipe/missing", &[], false),
            head("GET", "/pipe/a", &[("range", "bytes=0-9")], false),
            head("HEAD", "/pipe/missing", &[], false),
            head("GET", "/pipe/b", &[], true),
        ] {
            wire_bytes.extend_from_slice(&part);
        }
        let wire = exchange(h.addr(), &wire_bytes, Duration::from_secs(10));
        let got = wire.responses(&methods);
        let mut problems = Vec::new();
        if got.len() != expected.len() {
            problems.push(format!(
                "{} of {} answered ({}), connection {}",
                got.len(),
                expected.len(),
                summary(&got),
                if wire.closed { "closed" } else { "left open" }
            ));
        }
        for (i, (r, e)) in got.iter().zip(&expected).enumerate() {
            if r.status != e.status {
                problems.push(format!(
                    "#{} {}: status {} not {}",
                    i + 1,
                    e.method,
                    r.status,
                    e.status
                ));
                continue;
            }
            if let Some(body) = &e.body {
                if &r.body != body {
                    problems.push(format!(
                        "#{} {}: {} body bytes, not the expected {}",
                        i + 1,
                        e.method,
                        r.body.len(),
                        body.len()
                    ));
                }
            }
            if let Some(len) = e.content_length {
                if r.header("content-length") != Some(len.to_string().as_str()) {
                    problems.push(format!(
                        "#{} {}: Content-Length {:?} not {len}",
                        i + 1,
                        e.method,
                        r.header("content-length")
                    ));
                }
            }
        }
        let ids: HashSet<&str> = got
            .iter()
            .filter_map(|r| r.header("x-amz-request-id"))
            .collect();
        if ids.len() != got.len() {
            problems.push(format!(
                "{} distinct request ids for {} answers",
                ids.len(),
                got.len()
            ));
        }
        if !problems.is_empty() {
            failed_runs.push(format!("run {}: {}", run + 1, problems.join("; ")));
        }
    }
    h.check(
        "8 pipelined requests (HEAD then GET of the same objects, 404s, a range), 20 runs: all answered in order",
        failed_runs.is_empty(),
        || format!("{} of 20 runs failed: {:?}", failed_runs.len(), &failed_runs[..failed_runs.len().min(5)]),
    );

    // A PUT then a GET of the same key on one connection: the GET sees the
    // PUT.
    let c = random_bytes(33, 30_000);
    let signed_put = super::sign_headers(
        h.addr(),
        "PUT",
        "/pipe/c",
        &[],
        &c,
        &super::Signing::default(),
    );
    let mut bytes = b"PUT /pipe/c HTTP/1.1\r\n".to_vec();
    for (k, v) in &signed_put {
        bytes.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", c.len()).as_bytes());
    bytes.extend_from_slice(&c);
    bytes.extend_from_slice(&head("GET", "/pipe/c", &[], true));
    let wire = exchange(h.addr(), &bytes, Duration::from_secs(10));
    let got = wire.responses(&["PUT", "GET"]);
    h.check(
        "a pipelined PUT then GET of the same key: 200, then the new bytes",
        got.len() == 2 && got[0].status == 200 && got[1].status == 200 && got[1].body == c,
        || summary(&got),
    );

    // Good requests, then garbage: the good ones are answered, then 400,
    // then the connection is closed.
    let mut bytes = head("GET", "/pipe/a", &[], false);
    bytes.extend_from_slice(&head("HEAD", "/pipe/b", &[], false));
    bytes.extend_from_slice(b"GARBAGE\r\n\r\n");
    let wire = exchange(h.addr(), &bytes, Duration::from_secs(10));
    let got = wire.responses(&["GET", "HEAD", "GET"]);
    h.check(
        "GET, HEAD, then garbage on one connection: 200 (with the object), 200, 400, closed",
        got.len() == 3
            && got[0].status == 200
            && got[0].body == a
            && got[1].status == 200
            && got[2].status == 400
            && wire.closed,
        || format!("{} (closed: {})", summary(&got), wire.closed),
    );
    h.finish();
}
