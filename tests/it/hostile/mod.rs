//! Hostile input against a real store process: raw, malformed and abusive
//! HTTP (framing, auth, names, XML bodies, ranges, conditionals, headers
//! the store does not implement, bodies cut mid-stream, pipelining,
//! bounded floods). Every case asserts the answer AWS S3 gives (status and
//! S3 error `<Code>`) and that nothing was created that should not be.
//!
//! Each test is one group of cases against its own store ([`Hostile`], on
//! 127.0.0.1 with free ports, its log captured to a file). A case that
//! fails does not stop the group: it is recorded, the group goes on, and
//! [`Hostile::finish`] fails the test with every failed case listed, after
//! checking that the process is still running, answers `/health/ready`,
//! stores and serves an object, and that its log holds no ERROR line.

mod auth;
mod bodies;
mod edge_answers;
mod floods;
mod framing;
mod headers;
mod names;
mod pipeline;
mod reads;
mod xml;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};

use crate::common::digest::random_bytes;
use crate::common::http::{http_request, RawResponse};
use crate::common::node::{http_get, wait_ready};
use crate::common::store::{
    apply_overrides, binary, free_port_pair, single_node_env, ACCESS_KEY, SECRET_KEY,
};

/// The bucket [`Hostile::finish`] stores its probe object in.
const PROBE_BUCKET: &str = "hostile-probe";

/// An answer a case accepts: a status and, unless `None`, the S3 error
/// `<Code>` of the body.
pub type Want<'a> = &'a [(u16, Option<&'a str>)];

/// A store process under hostile input, and the cases checked against it.
pub struct Hostile {
    group: &'static str,
    child: Option<Child>,
    _data: tempfile::TempDir,
    log: PathBuf,
    http: SocketAddr,
    failures: RefCell<Vec<String>>,
    passed: RefCell<usize>,
}

impl Hostile {
    /// Starts a single-node store (role `all`, three volumes, 2+1) with its
    /// stdout and stderr in a log file, the project's default log filter,
    /// and `overrides` on top of the environment; waits until it is ready.
    pub fn start(group: &'static str, overrides: &[(&str, &str)]) -> Self {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let (http_port, quic_port) = free_port_pair(ip);
        let data = tempfile::Builder::new()
            .prefix("predastore-hostile-")
            .tempdir()
            .expect("create data dir");
        let log = data.path().join("predastore.log");
        let http = SocketAddr::new(ip, http_port);
        let quic = SocketAddr::new(ip, quic_port);
        // The project's default log filter: the test reads the log.
        let data_dir = data.path().join("data").display().to_string();
        let mut env = single_node_env(&data_dir, http, quic);
        apply_overrides(&mut env, overrides);
        let out = File::create(&log).expect("create log file");
        let err = out.try_clone().expect("clone log file");
        let mut cmd = Command::new(binary());
        cmd.env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start predastore");
        wait_ready(&mut child, http);
        let h = Self {
            group,
            child: Some(child),
            _data: data,
            log,
            http,
            failures: RefCell::new(Vec::new()),
            passed: RefCell::new(0),
        };
        let r = h.signed("PUT", &format!("/{PROBE_BUCKET}"), &[], b"");
        assert!(
            matches!(&r, Ok(r) if r.status == 200),
            "create the probe bucket: {}",
            describe(&r)
        );
        h
    }

    /// The S3 (HTTP) address.
    pub fn addr(&self) -> SocketAddr {
        self.http
    }

    /// The store's process id.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(Child::id)
            .expect("store is running")
    }

    /// The log file (stdout and stderr of the process).
    pub fn log_text(&self) -> String {
        let raw = std::fs::read(&self.log).unwrap_or_default();
        strip_ansi(&String::from_utf8_lossy(&raw))
    }

    /// Records a case: passed when `ok`, else failed with `detail`.
    pub fn check(&self, case: &str, ok: bool, detail: impl FnOnce() -> String) -> bool {
        if ok {
            *self.passed.borrow_mut() += 1;
            println!("[hostile::{}] ok   {case}", self.group);
        } else {
            let detail = detail();
            println!("[hostile::{}] FAIL {case}: {detail}", self.group);
            self.failures.borrow_mut().push(format!("{case}: {detail}"));
        }
        ok
    }

    /// Records whether `got` is one of the answers in `want`.
    pub fn expect(&self, case: &str, got: &io::Result<RawResponse>, want: Want<'_>) -> bool {
        let ok = matches!(got, Ok(r) if answers(r, want));
        self.check(case, ok, || {
            format!("want {}, got {}", fmt_want(want), describe(got))
        })
    }

    /// Records whether the object `bucket/key` does not exist (a signed
    /// GET is 404 NoSuchKey).
    pub fn expect_absent(&self, case: &str, bucket: &str, key: &str) -> bool {
        let got = self.signed("GET", &object_path(bucket, key), &[], b"");
        self.expect(
            &format!(
                "{case}: nothing stored at {bucket}/{:?}",
                key.chars().take(40).collect::<String>()
            ),
            &got,
            &[(404, Some("NoSuchKey"))],
        )
    }

    /// Records whether `bucket/key` holds exactly `data`.
    pub fn expect_object(&self, case: &str, bucket: &str, key: &str, data: &[u8]) -> bool {
        let got = self.signed("GET", &object_path(bucket, key), &[], b"");
        let ok = matches!(&got, Ok(r) if r.status == 200 && r.body == data);
        self.check(case, ok, || match &got {
            Ok(r) if r.status == 200 => format!(
                "{} bytes read back, {} expected, first difference at {:?}",
                r.body.len(),
                data.len(),
                r.body.iter().zip(data).position(|(a, b)| a != b)
            ),
            _ => format!("want 200 with the object, got {}", describe(&got)),
        })
    }

    /// Records whether the process still runs and answers `/health/ready`.
    pub fn expect_healthy(&self, case: &str) -> bool {
        let alive = self.alive();
        let ready = http_get(self.http, "/health/ready");
        self.check(
            &format!("{case}: the process runs and is ready"),
            alive.is_ok() && ready.as_deref().is_some_and(|b| b.contains("ready")),
            || format!("process: {alive:?}, /health/ready: {ready:?}"),
        )
    }

    fn alive(&self) -> Result<(), String> {
        let Some(child) = &self.child else {
            return Err("not started".into());
        };
        // `try_wait` needs `&mut`; /proc tells whether the pid is a zombie.
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id()))
            .map_err(|e| format!("no /proc entry: {e}"))?;
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        match state.chars().next() {
            Some('Z') | Some('X') | None => Err(format!("exited (state {state:.1})")),
            _ => Ok(()),
        }
    }

    /// A request signed with SigV4 in headers (the test credentials,
    /// us-east-1, the body's SHA-256), sent on a new connection.
    pub fn signed(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<RawResponse> {
        self.signed_with(&Signing::default(), method, target, headers, body)
    }

    /// [`Hostile::signed`] with other signing parameters.
    pub fn signed_with(
        &self,
        signing: &Signing,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<RawResponse> {
        let all = sign_headers(self.http, method, target, headers, body, signing);
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        http_request(self.http, method, target, &refs, body)
    }

    /// Signed bytes of a request head (`Connection: close` when `close`),
    /// for requests written on the wire by hand. The payload is signed as
    /// `UNSIGNED-PAYLOAD`; `Content-Length` is added when given.
    pub fn signed_head(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        content_length: Option<usize>,
        close: bool,
    ) -> Vec<u8> {
        let signing = Signing {
            payload: Some("UNSIGNED-PAYLOAD".into()),
            ..Signing::default()
        };
        self.signed_head_with(&signing, method, target, headers, content_length, close)
    }

    /// [`Hostile::signed_head`] with other signing parameters.
    pub fn signed_head_with(
        &self,
        signing: &Signing,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        content_length: Option<usize>,
        close: bool,
    ) -> Vec<u8> {
        let all = sign_headers(self.http, method, target, headers, b"", signing);
        let mut head = format!("{method} {target} HTTP/1.1\r\n");
        for (k, v) in &all {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        if let Some(n) = content_length {
            let _ = write!(head, "Content-Length: {n}\r\n");
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    /// The peak resident memory of the process so far (KiB).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// The store's `/metrics` text (empty if it does not answer).
    pub fn metrics(&self) -> String {
        http_get(self.http, "/metrics").unwrap_or_default()
    }

    /// Checks the process once more (running, ready, an object stored and
    /// read back, no ERROR line in its log), then fails the test with every
    /// failed case if there were any.
    pub fn finish(self) {
        self.expect_healthy("at the end");
        let probe = random_bytes(7, 20_000);
        let key = format!("after-{}", self.group);
        let put = self.signed("PUT", &object_path(PROBE_BUCKET, &key), &[], &probe);
        self.expect("at the end: a signed PUT is stored", &put, &[(200, None)]);
        self.expect_object(
            "at the end: a signed GET reads it back",
            PROBE_BUCKET,
            &key,
            &probe,
        );
        let log = self.log_text();
        let errors: Vec<&str> = log.lines().filter(|l| is_error_line(l)).collect();
        self.check("the log holds no ERROR line", errors.is_empty(), || {
            format!(
                "{} ERROR lines, the first: {:#?}",
                errors.len(),
                &errors[..errors.len().min(8)]
            )
        });
        let failures = self.failures.borrow();
        if !failures.is_empty() {
            let mut msg = format!(
                "{} of {} hostile cases of `{}` failed:\n",
                failures.len(),
                failures.len() + *self.passed.borrow(),
                self.group
            );
            for f in failures.iter() {
                let _ = writeln!(msg, "  - {f}");
            }
            panic!("{msg}");
        }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Whether a log line is at level ERROR (tracing's default format:
/// timestamp, level, target).
fn is_error_line(line: &str) -> bool {
    line.split_whitespace().take(3).any(|w| w == "ERROR")
}

/// `s` without ANSI colour sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `r` is one of `want`.
pub fn answers(r: &RawResponse, want: Want<'_>) -> bool {
    want.iter().any(|(status, code)| {
        r.status == *status && code.is_none_or(|c| r.error_code().as_deref() == Some(c))
    })
}

fn fmt_want(want: Want<'_>) -> String {
    want.iter()
        .map(|(s, c)| match c {
            Some(c) => format!("{s} {c}"),
            None => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A short description of an answer, for failure messages.
pub fn describe(got: &io::Result<RawResponse>) -> String {
    match got {
        Ok(r) => describe_response(r),
        Err(e) => format!("no answer ({e})"),
    }
}

/// Status, S3 error code and the start of the body.
pub fn describe_response(r: &RawResponse) -> String {
    let body = String::from_utf8_lossy(&r.body);
    let body: String = body.chars().take(240).collect();
    format!(
        "{} {} ({} body bytes: {body:?})",
        r.status,
        r.error_code().unwrap_or_else(|| "-".into()),
        r.body.len()
    )
}

/// `/bucket/key` with the key percent-encoded as S3 clients send it
/// (every byte but unreserved ones and `/`).
pub fn object_path(bucket: &str, key: &str) -> String {
    format!("/{bucket}/{}", encode_key(key.as_bytes()))
}

/// Percent-encodes a key's bytes, keeping unreserved bytes and `/`.
pub fn encode_key(key: &[u8]) -> String {
    key.iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a SigV4 signature is made with.
#[derive(Clone, Debug)]
pub struct Signing {
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    pub service: String,
    pub time: SystemTime,
    /// `x-amz-content-sha256` (`UNSIGNED-PAYLOAD`, `STREAMING-…`) instead
    /// of the body's SHA-256.
    pub payload: Option<String>,
}

impl Default for Signing {
    fn default() -> Self {
        Self {
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET_KEY.into(),
            region: "us-east-1".into(),
            service: "s3".into(),
            time: SystemTime::now(),
            payload: None,
        }
    }
}

/// Every header of a request to `http://addr{target}` signed by AWS's own
/// SigV4 signer: `host`, `headers`, then `x-amz-date`,
/// `x-amz-content-sha256` and `authorization`.
pub fn sign_headers(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    s: &Signing,
) -> Vec<(String, String)> {
    let url = format!("http://{addr}{target}");
    let identity = aws_credential_types::Credentials::new(
        s.access_key.clone(),
        s.secret_key.clone(),
        None,
        None,
        "hostile",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&s.region)
        .name(&s.service)
        .time(s.time)
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let mut all: Vec<(String, String)> = vec![("host".into(), addr.to_string())];
    all.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let body = match &s.payload {
        Some(p) => SignableBody::Precomputed(p.clone()),
        None => SignableBody::Bytes(body),
    };
    let signable = SignableRequest::new(
        method,
        url.as_str(),
        all.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .expect("signable request");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let (signed, _) = instructions.into_parts();
    for h in signed {
        all.push((h.name().to_string(), h.value().to_string()));
    }
    all
}

/// What a raw exchange read back.
#[derive(Debug, Default)]
pub struct Wire {
    /// Every byte the server sent.
    pub bytes: Vec<u8>,
    /// The server closed the connection (EOF or reset) before the wait
    /// ran out.
    pub closed: bool,
    /// Time from the first byte written to the close (or the end of the
    /// wait).
    pub elapsed: Duration,
    /// A connect error, or a read error other than a reset.
    pub error: Option<String>,
}

impl Wire {
    /// The responses read, in order; `methods` are the requests' methods
    /// (a HEAD's response has no body), GET after the last.
    pub fn responses(&self, methods: &[&str]) -> Vec<RawResponse> {
        parse_responses(&self.bytes, methods, self.closed)
    }

    /// The first response, as an [`io::Result`] for [`Hostile::expect`].
    pub fn first(&self) -> io::Result<RawResponse> {
        self.responses(&["GET"]).into_iter().next().ok_or_else(|| {
            io::Error::other(format!(
                "no response in {} bytes ({}; {:?})",
                self.bytes.len(),
                if self.closed {
                    "connection closed"
                } else {
                    "connection still open"
                },
                self.error
            ))
        })
    }
}

/// Writes `request` on a new connection (from another thread, so an early
/// answer is read while the rest is still being written) and reads until
/// the server closes the connection or `wait` passes.
pub fn exchange(addr: SocketAddr, request: &[u8], wait: Duration) -> Wire {
    let started = Instant::now();
    let s = match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        Ok(s) => s,
        Err(e) => {
            return Wire {
                error: Some(format!("connect: {e}")),
                ..Wire::default()
            }
        }
    };
    let writer = s.try_clone().ok().map(|mut w| {
        let request = request.to_vec();
        let _ = w.set_write_timeout(Some(wait));
        std::thread::spawn(move || w.write_all(&request))
    });
    let wire = read_until_close(&s, started, started + wait);
    if let Some(w) = writer {
        let _ = s.shutdown(Shutdown::Both);
        let _ = w.join();
    }
    wire
}

/// Reads from `s` until EOF, a reset, or `deadline`.
pub fn read_until_close(mut s: &TcpStream, started: Instant, deadline: Instant) -> Wire {
    let mut wire = Wire::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let _ = s.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match s.read(&mut buf) {
            Ok(0) => {
                wire.closed = true;
                break;
            }
            Ok(n) => wire.bytes.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                break
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                ) =>
            {
                wire.closed = true;
                break;
            }
            Err(e) => {
                wire.error = Some(e.to_string());
                break;
            }
        }
    }
    wire.elapsed = started.elapsed();
    wire
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A complete chunked body at the start of `raw`: (body, bytes used).
fn dechunk(mut raw: &[u8]) -> Option<(Vec<u8>, usize)> {
    let total = raw.len();
    let mut out = Vec::new();
    loop {
        let eol = find(raw, b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..eol]).ok()?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        raw = &raw[eol + 2..];
        if size == 0 {
            // Trailers, then an empty line.
            let end = if raw.starts_with(b"\r\n") {
                2
            } else {
                find(raw, b"\r\n\r\n")? + 4
            };
            return Some((out, total - raw.len() + end));
        }
        if raw.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// The complete HTTP/1.1 responses at the start of `raw` (1xx interim
/// responses skipped); `methods` as in [`Wire::responses`]; `eof`: the
/// connection ended after `raw` (a body without a length runs to it).
pub fn parse_responses(raw: &[u8], methods: &[&str], eof: bool) -> Vec<RawResponse> {
    let mut out = Vec::new();
    let mut rest = raw;
    let mut methods = methods.iter().copied();
    let mut method = methods.next().unwrap_or("GET");
    while let Some(end) = find(rest, b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&rest[..end]).to_string();
        let mut lines = head.split("\r\n");
        let Some(status) = lines
            .next()
            .filter(|l| l.starts_with("HTTP/"))
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse::<u16>().ok())
        else {
            break;
        };
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let start = end + 4;
        if (100..200).contains(&status) {
            rest = &rest[start..];
            continue;
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let body_bytes = &rest[start..];
        let (body, used) = if method == "HEAD" || status == 204 || status == 304 {
            (Vec::new(), 0)
        } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            match dechunk(body_bytes) {
                Some(b) => b,
                None => break,
            }
        } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
            if body_bytes.len() < len {
                break;
            }
            (body_bytes[..len].to_vec(), len)
        } else if eof {
            (body_bytes.to_vec(), body_bytes.len())
        } else {
            break;
        };
        out.push(RawResponse {
            status,
            headers,
            body,
        });
        rest = &rest[start + used..];
        method = methods.next().unwrap_or("GET");
    }
    out
}

/// The value of the counter `name` with `label="value"` in a `/metrics`
/// text (0 when absent), and whether such a line exists.
pub fn counter(metrics: &str, name: &str, label: &str, value: &str) -> (f64, bool) {
    let want = format!("{label}=\"{value}\"");
    let mut found = false;
    let mut sum = 0.0;
    for line in metrics.lines() {
        if line.starts_with(&format!("{name}{{")) && line.contains(&want) {
            if let Some(v) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) {
                found = true;
                sum += v;
            }
        }
    }
    (sum, found)
}

/// The sum of every series of `name` in a `/metrics` text.
pub fn counter_sum(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Creates `bucket` (signed), panicking if it cannot.
pub fn create_bucket(h: &Hostile, bucket: &str) {
    let r = h.signed("PUT", &format!("/{bucket}"), &[], b"");
    assert!(
        matches!(&r, Ok(r) if r.status == 200),
        "create bucket {bucket}: {}",
        describe(&r)
    );
}

/// Stores `data` at `bucket/key` (signed PUT), panicking if it cannot;
/// returns the ETag.
pub fn put_object(h: &Hostile, bucket: &str, key: &str, data: &[u8]) -> String {
    let r = h.signed("PUT", &object_path(bucket, key), &[], data);
    match &r {
        Ok(resp) if resp.status == 200 => resp.header("etag").unwrap_or_default().to_string(),
        _ => panic!("put {bucket}/{key}: {}", describe(&r)),
    }
}

/// The keys `ListObjectsV2` (`encoding-type=url`, decoded) lists in
/// `bucket`, or the answer if it is not a listing.
pub fn list_keys(h: &Hostile, bucket: &str) -> Result<Vec<Vec<u8>>, String> {
    let r = h.signed(
        "GET",
        &format!("/{bucket}?encoding-type=url&list-type=2"),
        &[],
        b"",
    );
    let r = match r {
        Ok(r) if r.status == 200 => r,
        other => return Err(describe(&other)),
    };
    let body = String::from_utf8_lossy(&r.body).to_string();
    let mut keys = Vec::new();
    let mut rest = body.as_str();
    while let Some(i) = rest.find("<Key>") {
        rest = &rest[i + 5..];
        let Some(j) = rest.find("</Key>") else { break };
        keys.push(percent_decode(&rest[..j]));
        rest = &rest[j..];
    }
    Ok(keys)
}

/// Percent-decodes `s` to bytes (`+` is a space, as in S3's URL-encoded
/// listings).
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The S3 error page `<Tag>` value of a response body.
pub fn body_tag(r: &io::Result<RawResponse>, tag: &str) -> Option<String> {
    let r = r.as_ref().ok()?;
    crate::common::http::xml_text(&String::from_utf8_lossy(&r.body), tag)
}

/// The harness's own parsing, without a store.
#[test]
fn the_harness_finds_error_lines_and_splits_pipelined_responses() {
    assert!(is_error_line(
        "2026-01-01T00:00:00.000000Z ERROR actix_http::h1::dispatcher: stream error"
    ));
    assert!(!is_error_line(
        "2026-01-01T00:00:00.000000Z  WARN predastore: an ERROR in the message"
    ));
    assert!(is_error_line(&strip_ansi(
        "2026-01-01T00:00:00Z \u{1b}[31mERROR\u{1b}[0m predastore: x"
    )));
    let raw = b"HTTP/1.1 100 Continue\r\n\r\n\
        HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\
        HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc\
        HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n\
        HTTP/1.1 400 Bad Request\r\nContent-Length: 10\r\n\r\nabc";
    let got = parse_responses(raw, &["HEAD", "GET", "GET", "GET"], false);
    let summary: Vec<(u16, &[u8])> = got.iter().map(|r| (r.status, &r.body[..])).collect();
    assert_eq!(
        summary,
        [(200, &b""[..]), (200, &b"abc"[..]), (404, &b"no"[..])],
        "the last response is incomplete"
    );
    assert_eq!(percent_decode("a%2Fb+c%zz"), b"a/b c%zz");
    assert_eq!(encode_key("a b/€".as_bytes()), "a%20b/%E2%82%AC");
}
