//! Request bodies cut short: the client closes, or stalls, before its
//! Content-Length (small objects kept in metadata, erasure-coded ones,
//! overwrites, upload parts, aws-chunked bodies, twenty at once); a length
//! over the largest object; a body longer than its length. Nothing half
//! written is ever stored, and an object being overwritten keeps its bytes.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::{
    body_tag, counter, create_bucket, describe, exchange, object_path, put_object,
    read_until_close, Hostile, Signing,
};
use crate::common::digest::random_bytes;

/// `PREDASTORE_BODY_IDLE_TIMEOUT_MS` of the store under test.
const BODY_IDLE: Duration = Duration::from_secs(2);

/// Writes `head` and `partial` on a new connection, then closes it.
fn send_and_close(h: &Hostile, head: &[u8], partial: &[u8]) -> std::io::Result<()> {
    let mut s = TcpStream::connect(h.addr())?;
    s.write_all(head)?;
    s.write_all(partial)?;
    s.flush()?;
    std::thread::sleep(Duration::from_millis(100));
    drop(s);
    Ok(())
}

/// Requests of operation `op` the store has answered, whatever the
/// status: a cut body's request counts once its handler has ended.
fn answered(h: &Hostile, op: &str) -> f64 {
    counter(&h.metrics(), "predastore_s3_requests_total", "op", op).0
}

/// Waits until the store has answered `n` more `op` requests than
/// `before` (the cut bodies' handlers have all ended, whatever they
/// stored), 30 s at most; a failed case otherwise.
fn wait_answered(h: &Hostile, case: &str, op: &str, before: f64, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let seen = answered(h, op) - before;
        if seen >= n as f64 {
            return;
        }
        if Instant::now() > deadline {
            h.check(case, false, || format!("{seen} of {n} {op} requests ended"));
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn bodies_cut_mid_stream_store_nothing() {
    let idle_ms = BODY_IDLE.as_millis().to_string();
    let h = Hostile::start("bodies", &[("PREDASTORE_BODY_IDLE_TIMEOUT_MS", &idle_ms)]);
    create_bucket(&h, "cut");
    let keep = random_bytes(21, 3 << 20);
    put_object(&h, "cut", "keep", &keep);
    let keep_small = random_bytes(22, 4000);
    put_object(&h, "cut", "keep-small", &keep_small);

    // The client closes the connection part way.
    let puts = answered(&h, "PutObject");
    let cuts = [
        ("a small object (kept in metadata)", "small", 6000, 3000),
        ("an erasure-coded object", "large", 3 << 20, 3 << 19),
        (
            "an erasure-coded object, cut after a stripe",
            "stripe",
            3 << 20,
            (1 << 20) + 10,
        ),
        (
            "a cut after the last byte but one",
            "almost",
            100_000,
            99_999,
        ),
        (
            "an overwrite of an erasure-coded object",
            "keep",
            3 << 20,
            1 << 20,
        ),
        ("an overwrite of a small object", "keep-small", 6000, 10),
    ];
    for (case, key, declared, sent) in cuts {
        let head = h.signed_head("PUT", &object_path("cut", key), &[], Some(declared), false);
        let body = random_bytes(23, sent);
        let sent_ok = send_and_close(&h, &head, &body);
        h.check(
            &format!("{case}: {sent} of {declared} bytes sent"),
            sent_ok.is_ok(),
            || format!("{sent_ok:?}"),
        );
    }
    // Each cut request's handler has ended before its key is looked at.
    wait_answered(&h, "the cut PUTs end", "PutObject", puts, cuts.len());
    for key in ["small", "large", "stripe", "almost"] {
        h.expect_absent("a body cut by the client", "cut", key);
    }
    h.expect_object(
        "the overwritten object keeps its bytes",
        "cut",
        "keep",
        &keep,
    );
    h.expect_object(
        "the overwritten small object keeps its bytes",
        "cut",
        "keep-small",
        &keep_small,
    );

    // An upload part cut short leaves no part.
    let r = h.signed("POST", "/cut/parts?uploads", &[], b"");
    let upload_id =
        body_tag(&r, "UploadId").unwrap_or_else(|| panic!("create upload: {}", describe(&r)));
    let target = format!("/cut/parts?partNumber=1&uploadId={upload_id}");
    let head = h.signed_head("PUT", &target, &[], Some(6 << 20), false);
    let parts = answered(&h, "UploadPart");
    let sent = send_and_close(&h, &head, &random_bytes(24, 2 << 20));
    h.check("an upload part cut: sent", sent.is_ok(), || {
        format!("{sent:?}")
    });
    wait_answered(&h, "the cut upload part ends", "UploadPart", parts, 1);
    let r = h.signed("GET", &format!("/cut/parts?uploadId={upload_id}"), &[], b"");
    h.check(
        "an upload part cut by the client is not listed",
        r.as_ref()
            .is_ok_and(|r| r.status == 200 && !String::from_utf8_lossy(&r.body).contains("<Part>")),
        || describe(&r),
    );

    // An aws-chunked body cut in its second chunk.
    let streaming = Signing {
        payload: Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER".into()),
        ..Signing::default()
    };
    let decoded = 2 << 20;
    let chunk = 64 << 10;
    let encoded_len = {
        // Chunks of 64 KiB, the last one empty, then an empty trailer.
        let full = decoded / chunk;
        full * (format!("{chunk:x}").len() + 2 + chunk + 2) + 3 + 2
    };
    let head = h.signed_head_with(
        &streaming,
        "PUT",
        "/cut/chunked",
        &[
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", &decoded.to_string()),
        ],
        Some(encoded_len),
        false,
    );
    let mut partial = format!("{chunk:x}\r\n").into_bytes();
    partial.extend_from_slice(&random_bytes(25, chunk));
    partial.extend_from_slice(format!("\r\n{chunk:x}\r\n").as_bytes());
    partial.extend_from_slice(&random_bytes(26, 1000));
    let puts = answered(&h, "PutObject");
    let sent = send_and_close(&h, &head, &partial);
    h.check("an aws-chunked body cut: sent", sent.is_ok(), || {
        format!("{sent:?}")
    });

    // Twenty at once.
    let threads: Vec<_> = (0..20)
        .map(|i| {
            let head = h.signed_head("PUT", &format!("/cut/many-{i}"), &[], Some(1 << 20), false);
            let addr = h.addr();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr)?;
                s.write_all(&head)?;
                s.write_all(&random_bytes(27 + i, 300_000))?;
                std::thread::sleep(Duration::from_millis(100));
                Ok::<(), std::io::Error>(())
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        let sent = t.join();
        h.check(
            &format!("cut body {i} of twenty: sent"),
            matches!(sent, Ok(Ok(()))),
            || format!("{sent:?}"),
        );
    }
    wait_answered(&h, "the twenty-one cut PUTs end", "PutObject", puts, 21);
    h.expect_absent(
        "an aws-chunked body cut in its second chunk",
        "cut",
        "chunked",
    );
    for i in 0..20 {
        h.expect_absent("twenty bodies cut at once", "cut", &format!("many-{i}"));
    }

    // The client stalls part way: 400 RequestTimeout once the body has
    // been idle for PREDASTORE_BODY_IDLE_TIMEOUT_MS, and the connection
    // closed.
    for (case, key, declared, sent) in [
        ("a small object stalls", "stall-small", 6000, 100),
        (
            "an erasure-coded object stalls",
            "stall-large",
            3 << 20,
            1 << 20,
        ),
    ] {
        let head = h.signed_head("PUT", &object_path("cut", key), &[], Some(declared), false);
        let started = Instant::now();
        let wire = match TcpStream::connect(h.addr()) {
            Ok(mut s) => match s
                .write_all(&head)
                .and_then(|()| s.write_all(&random_bytes(28, sent)))
            {
                Ok(()) => read_until_close(&s, started, started + BODY_IDLE * 5),
                // The stall is the point: a send that failed before it
                // tested nothing.
                Err(e) => super::Wire {
                    error: Some(format!("sending the head and first bytes: {e}")),
                    ..super::Wire::default()
                },
            },
            Err(e) => super::Wire {
                error: Some(e.to_string()),
                ..super::Wire::default()
            },
        };
        h.expect(case, &wire.first(), &[(400, Some("RequestTimeout"))]);
        h.check(&format!("{case}: connection closed"), wire.closed, || {
            format!("open after {:?}", wire.elapsed)
        });
        h.expect_absent(case, "cut", key);
    }

    // A length over the largest object: refused before any body.
    let head = h.signed_head("PUT", "/cut/huge", &[], Some((5usize << 30) + 1), true);
    let wire = exchange(h.addr(), &head, Duration::from_secs(5));
    h.expect(
        "Content-Length of 5 GiB + 1, no body sent",
        &wire.first(),
        &[(400, Some("EntityTooLarge"))],
    );
    h.expect_absent("Content-Length of 5 GiB + 1", "cut", "huge");

    // A body longer than its Content-Length: the object is the declared
    // bytes; what follows is another (malformed) request.
    let mut req = h.signed_head("PUT", "/cut/ten", &[], Some(10), false);
    req.extend_from_slice(b"0123456789GARBAGE\r\n\r\n");
    let wire = exchange(h.addr(), &req, Duration::from_secs(5));
    let responses = wire.responses(&["PUT", "GET"]);
    h.check(
        "a body longer than Content-Length: the PUT is answered 200",
        responses.first().is_some_and(|r| r.status == 200),
        || {
            format!(
                "{:?}",
                responses.iter().map(|r| r.status).collect::<Vec<_>>()
            )
        },
    );
    h.expect_object(
        "a body longer than Content-Length: the object is the declared bytes",
        "cut",
        "ten",
        b"0123456789",
    );
    h.finish();
}

/// A body in HTTP chunks of `sizes` bytes each, as `Transfer-Encoding:
/// chunked` frames them.
fn chunked(data: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / size * 12 + 8);
    for piece in data.chunks(size) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[test]
fn plain_chunked_uploads_without_a_length_are_stored_whole() {
    let h = Hostile::start("chunked", &[]);
    create_bucket(&h, "chunked");
    // Small (kept in metadata), a few stripes, and past the 8 MiB kept in
    // memory before the body goes to a spool file.
    for (key, len, chunk) in [
        ("small", 3_000, 1000),
        ("mid", 3 << 20, 65_536),
        ("big", 11 << 20, 1 << 20),
    ] {
        let data = random_bytes(len as u64, len);
        let mut req = h.signed_head(
            "PUT",
            &format!("/chunked/{key}"),
            &[("transfer-encoding", "chunked")],
            None,
            true,
        );
        req.extend_from_slice(&chunked(&data, chunk));
        let wire = exchange(h.addr(), &req, Duration::from_secs(30));
        h.expect(
            &format!("chunked PUT of {len} bytes"),
            &wire.first(),
            &[(200, None)],
        );
        h.expect_object(
            &format!("chunked PUT of {len} bytes"),
            "chunked",
            key,
            &data,
        );
    }
    // A chunked upload part, too.
    let r = h.signed("POST", "/chunked/parts?uploads", &[], b"");
    let upload_id = r
        .as_ref()
        .ok()
        .and_then(|r| {
            let text = String::from_utf8_lossy(&r.body);
            Some(
                text.split("<UploadId>")
                    .nth(1)?
                    .split("</UploadId>")
                    .next()?
                    .to_string(),
            )
        })
        .unwrap_or_default();
    h.check("create an upload", !upload_id.is_empty(), || describe(&r));
    let part = random_bytes(77, 100_000);
    let mut req = h.signed_head(
        "PUT",
        &format!("/chunked/parts?partNumber=1&uploadId={upload_id}"),
        &[("transfer-encoding", "chunked")],
        None,
        true,
    );
    req.extend_from_slice(&chunked(&part, 4096));
    let wire = exchange(h.addr(), &req, Duration::from_secs(30));
    h.expect("chunked UploadPart", &wire.first(), &[(200, None)]);
    h.finish();
}
