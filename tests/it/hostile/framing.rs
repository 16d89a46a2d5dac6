//! HTTP framing: request lines, header syntax, lengths and transfer
//! codings a server must refuse (RFC 9112), the 8 KiB header section AWS
//! allows, request smuggling, and the metric that counts refusals.

use std::time::Duration;

use super::{counter, counter_sum, create_bucket, exchange, Hostile, Signing, Want};

/// The counter of malformed requests the store refuses, by reason.
const MALFORMED: &str = "predastore_http_malformed_requests_total";

/// How long a refused request may take to be answered and closed.
const WAIT: Duration = Duration::from_secs(5);

/// What a malformed-request case counts under in [`MALFORMED`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reason {
    /// An HTTP version that is not 1.0 or 1.1.
    Version,
    /// A header line that is not `name: value`.
    Header,
    /// A head over the limits (the store's 8 KiB header section, or the
    /// HTTP layer's own cap on the whole head).
    HeaderSection,
    /// Refused, counted under some reason.
    Other,
}

impl Reason {
    /// The `reason` labels the case may count under.
    fn labels(self) -> &'static [&'static str] {
        match self {
            Reason::Version => &["bad_version"],
            Reason::Header => &["bad_header"],
            Reason::HeaderSection => &["header_section_too_large", "head_too_large"],
            Reason::Other => &[],
        }
    }
}

const BAD_REQUEST: &[(u16, Option<&str>)] = &[(400, None)];
const SECTION_TOO_LARGE: &[(u16, Option<&str>)] = &[(400, Some("RequestHeaderSectionTooLarge"))];

/// Sends `request` on a new connection; records whether the first answer
/// is in `want` and whether the server then closed the connection (a
/// server must not read on after a framing error). Returns whether the
/// store refused the request (any 4xx or 5xx answer), which the metric
/// must count whatever the answer's details.
fn refused(h: &Hostile, case: &str, request: &[u8], want: Want<'_>) -> bool {
    let wire = exchange(h.addr(), request, WAIT);
    let first = wire.first();
    h.expect(case, &first, want);
    h.check(
        &format!("{case}: connection closed after the refusal"),
        wire.closed,
        || format!("still open after {:?}", wire.elapsed),
    );
    first.is_ok_and(|r| r.status >= 400)
}

#[test]
fn malformed_framing_is_refused_closed_and_counted() {
    let h = Hostile::start("framing", &[]);
    let addr = h.addr();
    let host = format!("Host: {addr}\r\n");
    let before = h.metrics();

    // A well-formed anonymous request, for contrast: answered by S3.
    let wire = exchange(
        addr,
        format!("GET / HTTP/1.1\r\n{host}Connection: close\r\n\r\n").as_bytes(),
        WAIT,
    );
    h.expect(
        "a well-formed anonymous GET / is answered by S3",
        &wire.first(),
        &[(403, Some("AccessDenied"))],
    );

    let long_uri = format!("/frame/{}", "u".repeat(100 << 10));
    let long_method = "A".repeat(10 << 10);
    let cases: &[(&str, Vec<u8>, Want<'_>, Reason)] = &[
        (
            "HTTP version 9.9",
            format!("GET / HTTP/9.9\r\n{host}\r\n").into_bytes(),
            &[(400, None), (505, None)],
            Reason::Version,
        ),
        (
            "HTTP version 2.0 in an HTTP/1 request line",
            format!("GET / HTTP/2.0\r\n{host}\r\n").into_bytes(),
            &[(400, None), (505, None)],
            Reason::Version,
        ),
        (
            "garbage request line",
            b"HELLO\r\n\r\n".to_vec(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "request line with a fourth element",
            format!("GET / HTTP/1.1 extra\r\n{host}\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "a TLS ClientHello on the plain-text port",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x00\x01\x02\x03\r\n\r\n".to_vec(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "method with a character outside token",
            format!("G@T / HTTP/1.1\r\n{host}\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "request target without a leading slash",
            format!("GET frame/k HTTP/1.1\r\n{host}\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "request target with a space",
            format!("GET /frame/a b HTTP/1.1\r\n{host}\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "header line without a colon",
            format!("GET / HTTP/1.1\r\n{host}NoColonHere\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Header,
        ),
        (
            "header name with a space",
            format!("GET / HTTP/1.1\r\n{host}Bad Name: v\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Header,
        ),
        (
            "whitespace between header name and colon (RFC 9112 §5.1: 400)",
            format!("GET / HTTP/1.1\r\n{host}X-Amz-Meta-A : v\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Header,
        ),
        (
            "NUL in a header value",
            format!("GET / HTTP/1.1\r\n{host}X-A: a\0b\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Header,
        ),
        (
            "bare CR in a header value",
            format!("GET / HTTP/1.1\r\n{host}X-A: a\rb\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Header,
        ),
        (
            "obsolete line folding",
            format!("GET / HTTP/1.1\r\n{host}X-A: a\r\n folded\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Header,
        ),
        (
            "HTTP/1.1 without Host (RFC 9112 §3.2: 400)",
            b"GET / HTTP/1.1\r\nX-A: a\r\n\r\n".to_vec(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "two Host headers (RFC 9112 §3.2: 400)",
            format!("GET / HTTP/1.1\r\n{host}Host: elsewhere.example\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "two different Content-Length headers",
            format!(
                "PUT /frame/cl2 HTTP/1.1\r\n{host}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
            )
            .into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "a Content-Length list of different values",
            format!("PUT /frame/cl3 HTTP/1.1\r\n{host}Content-Length: 5, 6\r\n\r\nhello!")
                .into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "Content-Length not a number",
            format!("PUT /frame/cl4 HTTP/1.1\r\n{host}Content-Length: abc\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "negative Content-Length",
            format!("PUT /frame/cl5 HTTP/1.1\r\n{host}Content-Length: -1\r\n\r\n").into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "Content-Length past 2^64",
            format!(
                "PUT /frame/cl6 HTTP/1.1\r\n{host}Content-Length: 99999999999999999999999\r\n\r\n"
            )
            .into_bytes(),
            BAD_REQUEST,
            Reason::Other,
        ),
        (
            "Transfer-Encoding that is not chunked",
            format!("PUT /frame/te1 HTTP/1.1\r\n{host}Transfer-Encoding: gzip\r\n\r\nxxxx")
                .into_bytes(),
            &[(400, None), (501, None)],
            Reason::Other,
        ),
        (
            "URI of 100 KiB",
            format!("GET {long_uri} HTTP/1.1\r\n{host}\r\n").into_bytes(),
            &[(400, None), (414, None)],
            Reason::Other,
        ),
        (
            "method name of 10 KiB",
            format!("{long_method} / HTTP/1.1\r\n{host}\r\n").into_bytes(),
            &[(400, None), (405, None), (501, None)],
            Reason::Other,
        ),
    ];
    let mut counted = Vec::new();
    for (case, bytes, want, reason) in cases {
        if refused(&h, case, bytes, want) {
            counted.push(*reason);
        }
    }

    // Line ends of a bare LF: RFC 9112 §2.2 lets a server take them; either
    // way the request is answered, not left hanging.
    let wire = exchange(
        addr,
        format!("GET / HTTP/1.1\nHost: {addr}\nConnection: close\n\n").as_bytes(),
        WAIT,
    );
    h.expect(
        "line ends of a bare LF: parsed (403 AccessDenied, anonymous) or refused (400)",
        &wire.first(),
        &[(403, Some("AccessDenied")), (400, None)],
    );

    // The header section: AWS allows 8 KiB and answers
    // RequestHeaderSectionTooLarge in an S3 error document beyond.
    let many: String = (0..500).map(|i| format!("X-Header-{i}: v\r\n")).collect();
    let huge = format!("X-Huge: {}\r\n", "h".repeat(100 << 10));
    let ten_kib: String = (0..20)
        .map(|i| format!("X-Pad-{i}: {}\r\n", "p".repeat(500)))
        .collect();
    let unterminated = format!("GET / HTTP/1.1\r\n{host}X-Endless: {}", "e".repeat(2 << 20));
    for (case, bytes) in [
        (
            "500 headers",
            format!("GET / HTTP/1.1\r\n{host}{many}\r\n").into_bytes(),
        ),
        (
            "one header of 100 KiB",
            format!("GET / HTTP/1.1\r\n{host}{huge}\r\n").into_bytes(),
        ),
        (
            "20 headers of 500 bytes (a 10 KiB section)",
            format!("GET / HTTP/1.1\r\n{host}{ten_kib}\r\n").into_bytes(),
        ),
        (
            "2 MiB of a header that never ends",
            unterminated.into_bytes(),
        ),
    ] {
        let wire = exchange(addr, &bytes, WAIT);
        let first = wire.first();
        h.expect(case, &first, SECTION_TOO_LARGE);
        h.check(
            &format!("{case}: the refusal is an S3 error document"),
            first.as_ref().is_ok_and(|r| {
                r.header("content-type").is_some_and(|t| t.contains("xml"))
                    && String::from_utf8_lossy(&r.body).contains("<Error>")
            }),
            || {
                format!(
                    "{:?}",
                    first
                        .as_ref()
                        .map(|r| (r.header("content-type"), r.body.len()))
                )
            },
        );
        h.check(
            &format!("{case}: connection closed after the refusal"),
            wire.closed,
            || format!("still open after {:?}", wire.elapsed),
        );
        if first.is_ok_and(|r| r.status >= 400) {
            counted.push(Reason::HeaderSection);
        }
    }

    // A signed request whose header section stays under 8 KiB (a 6 KiB
    // header) is served: the limit is AWS's, not lower.
    create_bucket(&h, "frame");
    let pad = "q".repeat(6 << 10);
    let r = h.signed("GET", "/frame?list-type=2", &[("x-pad", &pad)], b"");
    h.expect(
        "a signed request with a 6 KiB header is served",
        &r,
        &[(200, None)],
    );

    // Nothing the refused PUTs named was stored.
    for key in ["cl2", "cl3", "cl4", "cl5", "cl6", "te1"] {
        h.expect_absent("refused framing", "frame", key);
    }
    h.expect_healthy("after malformed framing");

    // The metric counts the refusals by reason.
    let after = h.metrics();
    for reason in [Reason::Version, Reason::Header, Reason::HeaderSection] {
        let labels = reason.labels();
        let count = |text: &str| -> (f64, bool) {
            labels.iter().fold((0.0, false), |(sum, any), label| {
                let (v, present) = counter(text, MALFORMED, "reason", label);
                (sum + v, any || present)
            })
        };
        let (was, _) = count(&before);
        let (now, present) = count(&after);
        let refused = counted.iter().filter(|r| **r == reason).count() as f64;
        h.check(
            &format!("/metrics: {MALFORMED}{{reason in {labels:?}}} counts the {refused} refusals"),
            present && now - was >= refused.max(1.0),
            || {
                if present {
                    format!("went from {was} to {now}")
                } else {
                    let lines: Vec<&str> = after
                        .lines()
                        .filter(|l| l.starts_with(MALFORMED))
                        .take(12)
                        .collect();
                    format!("no such series; {MALFORMED} in /metrics: {lines:?}")
                }
            },
        );
    }
    let total = counter_sum(&after, MALFORMED) - counter_sum(&before, MALFORMED);
    h.check(
        &format!("/metrics: {MALFORMED} counts every refused request"),
        total >= counted.len() as f64 && !counted.is_empty(),
        || format!("rose by {total}, {} refusals", counted.len()),
    );
    h.finish();
}

/// Content-Length and Transfer-Encoding together (RFC 9112 §6.1: a server
/// may refuse, and must close the connection after): the request behind a
/// disagreeing length is never executed.
#[test]
fn conflicting_lengths_and_bad_chunks_never_smuggle_or_store() {
    let h = Hostile::start("smuggling", &[]);
    let addr = h.addr();
    create_bucket(&h, "smuggle");
    let smuggled = {
        let mut r = h.signed_head("PUT", "/smuggle/smuggled", &[], Some(8), false);
        r.extend_from_slice(b"SMUGGLED");
        r
    };
    // CL.TE: the length covers the smuggled request, the chunked body ends
    // before it.
    let mut cl_te = format!(
        "PUT /smuggle/front HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        5 + smuggled.len()
    )
    .into_bytes();
    cl_te.extend_from_slice(&smuggled);
    // TE.CL: the length ends after the chunk size line, the chunk holds
    // the smuggled request.
    let mut te_cl = format!(
        "PUT /smuggle/front2 HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        smuggled.len()
    )
    .into_bytes();
    te_cl.extend_from_slice(&smuggled);
    te_cl.extend_from_slice(b"\r\n0\r\n\r\n");
    // Two Transfer-Encoding headers, one of them obfuscated.
    let mut te_te = format!(
        "PUT /smuggle/front3 HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
    )
    .into_bytes();
    te_te.extend_from_slice(&smuggled);
    for (case, bytes) in [
        ("Content-Length and chunked (CL.TE)", cl_te),
        ("chunked and Content-Length (TE.CL)", te_cl),
        ("two Transfer-Encoding headers and a Content-Length", te_te),
    ] {
        refused(&h, case, &bytes, BAD_REQUEST);
    }
    h.expect_absent("smuggling", "smuggle", "smuggled");
    for key in ["front", "front2", "front3"] {
        h.expect_absent("smuggling", "smuggle", key);
    }

    // Chunked bodies whose chunk sizes are not hex, or overflow: refused
    // (AWS does not take chunked bodies at all: 501 NotImplemented, or 411
    // MissingContentLength), nothing stored.
    for (i, (case, chunks)) in [
        ("chunk size not hex", &b"zz\r\nhello\r\n0\r\n\r\n"[..]),
        (
            "chunk size past 2^64",
            &b"fffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"[..],
        ),
        ("negative chunk size", &b"-5\r\nhello\r\n0\r\n\r\n"[..]),
        (
            "chunk longer than its size",
            &b"2\r\nhello, world\r\n0\r\n\r\n"[..],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("chunked-{i}");
        let mut req = h.signed_head(
            "PUT",
            &format!("/smuggle/{key}"),
            &[("transfer-encoding", "chunked")],
            None,
            true,
        );
        req.extend_from_slice(chunks);
        let wire = exchange(addr, &req, WAIT);
        h.expect(
            case,
            &wire.first(),
            &[
                (400, None),
                (411, Some("MissingContentLength")),
                (501, Some("NotImplemented")),
            ],
        );
        h.expect_absent(case, "smuggle", &key);
    }

    // aws-chunked (the SDKs' streaming format) with a chunk size that is
    // not hex: refused, nothing stored.
    let streaming = Signing {
        payload: Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER".into()),
        ..Signing::default()
    };
    let body = b"zz\r\nhello\r\n0\r\n\r\n";
    let mut req = h.signed_head_with(
        &streaming,
        "PUT",
        "/smuggle/aws-chunked",
        &[
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "5"),
        ],
        Some(body.len()),
        true,
    );
    req.extend_from_slice(body);
    let wire = exchange(addr, &req, WAIT);
    h.expect(
        "aws-chunked body with a chunk size that is not hex",
        &wire.first(),
        &[(400, None)],
    );
    h.expect_absent("aws-chunked", "smuggle", "aws-chunked");
    h.finish();
}
