//! A real `predastore` process serving S3 (role `all`, one node, three
//! volumes, erasure coding 2+1), and what S3 tests need around it: SDK
//! clients, a raw HTTP/1.1 client, deterministic data, digests, error
//! inspection and disk damage.

use super::node::{free_port, wait_ready};
use std::collections::HashMap;
use std::fmt::Debug;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, ResponseChecksumValidation};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use base64::Engine as _;
use md5::Md5;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

/// Access key every test store is started with.
pub const ACCESS_KEY: &str = "PSTESTACCESSKEY00001";
/// Secret key every test store is started with.
pub const SECRET_KEY: &str = "predastore/test/secret/0123456789abcdefgh";
/// One mebibyte.
pub const MIB: usize = 1 << 20;
/// Stripe size the stores are started with (`PREDASTORE_STRIPE_BYTES`).
pub const STRIPE: usize = MIB;

/// The `predastore` binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_predastore"))
}

/// A running single-node store (gateway, metadata and storage in one
/// process) with its data in a temporary directory.
pub struct StoreProcess {
    child: Option<Child>,
    data: tempfile::TempDir,
    http: SocketAddr,
    quic: SocketAddr,
    env: Vec<(String, String)>,
}

impl StoreProcess {
    /// Starts a store in a fresh data directory and waits until it is
    /// ready; `overrides` replace or add environment variables.
    pub fn start(overrides: &[(&str, &str)]) -> Self {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let http_port = free_port(ip);
        let mut quic_port = free_port(ip);
        while quic_port == http_port {
            quic_port = free_port(ip);
        }
        let data = tempfile::Builder::new()
            .prefix("predastore-s3-")
            .tempdir()
            .expect("create data dir");
        let http = SocketAddr::new(ip, http_port);
        let quic = SocketAddr::new(ip, quic_port);
        let mut env: Vec<(String, String)> = [
            ("PREDASTORE_ROLE", "all".to_string()),
            ("PREDASTORE_DATA_DIR", data.path().display().to_string()),
            ("PREDASTORE_LISTEN", http.to_string()),
            ("PREDASTORE_QUIC_LISTEN", quic.to_string()),
            ("PREDASTORE_ACCESS_KEY", ACCESS_KEY.to_string()),
            ("PREDASTORE_SECRET_KEY", SECRET_KEY.to_string()),
            ("PREDASTORE_LOG", "warn".to_string()),
            ("PREDASTORE_SEGMENT_BYTES", (64u64 << 20).to_string()),
            ("PREDASTORE_VOLUMES", "3".to_string()),
            ("PREDASTORE_EC", "2+1".to_string()),
            ("PREDASTORE_STRIPE_BYTES", STRIPE.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in overrides {
            env.retain(|(key, _)| key != k);
            env.push((k.to_string(), v.to_string()));
        }
        let mut store = Self {
            child: None,
            data,
            http,
            quic,
            env,
        };
        store.spawn();
        store
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "store already running");
        let mut cmd = Command::new(binary());
        cmd.env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().expect("start predastore"));
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        if let Some(child) = self.child.as_mut() {
            wait_ready(child, self.http);
        }
    }

    /// SIGKILL, and wait for it (no-op when not running).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the process if it runs (SIGKILL), then starts it again on the
    /// same addresses and data directory and waits until it is ready.
    /// Clients made before keep pooled connections to the dead process:
    /// make a new one.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// The running store's process id.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(Child::id)
            .expect("store is running")
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The S3 (HTTP) address.
    pub fn addr(&self) -> SocketAddr {
        self.http
    }

    /// The UDP address of the cluster transport.
    pub fn quic_addr(&self) -> SocketAddr {
        self.quic
    }

    /// `PREDASTORE_DATA_DIR`; volumes are `vol0`, `vol1`, `vol2` in it.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// A client with the store's credentials, configured as the SDK ships
    /// (CRC32 request checksums, aws-chunked trailers for streamed bodies,
    /// response checksums validated, standard retries).
    pub fn client(&self) -> Client {
        Client::from_conf(
            self.client_config(ACCESS_KEY, SECRET_KEY, RetryConfig::standard())
                .build(),
        )
    }

    /// A client that never retries and does not validate response
    /// checksums itself, so a test sees exactly what the store sent (for
    /// reads that may fail with 5xx, or are checked byte by byte).
    pub fn client_unverified(&self) -> Client {
        Client::from_conf(
            self.client_config(ACCESS_KEY, SECRET_KEY, RetryConfig::disabled())
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
                .build(),
        )
    }

    /// A client signing with other credentials (never retries).
    pub fn client_with_keys(&self, access_key: &str, secret_key: &str) -> Client {
        Client::from_conf(
            self.client_config(access_key, secret_key, RetryConfig::disabled())
                .build(),
        )
    }

    /// The configuration every client starts from: this endpoint,
    /// path-style, us-east-1, static credentials, latest behavior version.
    pub fn client_config(
        &self,
        access_key: &str,
        secret_key: &str,
        retry: RetryConfig,
    ) -> aws_sdk_s3::config::Builder {
        client_config_at(&self.endpoint(), access_key, secret_key, retry)
    }
}

/// Client configuration for the S3 endpoint `endpoint`: path-style,
/// us-east-1, static credentials, latest behavior version.
pub fn client_config_at(
    endpoint: &str,
    access_key: &str,
    secret_key: &str,
    retry: RetryConfig,
) -> aws_sdk_s3::config::Builder {
    let credentials = Credentials::new(access_key, secret_key, None, None, "predastore-tests");
    aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .force_path_style(true)
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(120))
                .build(),
        )
}

/// A client of the store at `endpoint` with the test credentials, as the
/// SDK ships otherwise.
pub fn client_at(endpoint: &str, retry: RetryConfig) -> Client {
    Client::from_conf(client_config_at(endpoint, ACCESS_KEY, SECRET_KEY, retry).build())
}

impl Drop for StoreProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------
// Raw HTTP/1.1

/// A response read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `<Code>` of an S3 XML error body.
    pub fn error_code(&self) -> Option<String> {
        xml_text(&String::from_utf8_lossy(&self.body), "Code")
    }
}

/// The text of the first `<tag>…</tag>` in `xml`.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    Some(xml[start..start + len].to_string())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes a complete chunked body; `None` while more bytes are needed.
fn dechunk(mut raw: &[u8]) -> io::Result<Option<Vec<u8>>> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut out = Vec::new();
    loop {
        let Some(eol) = find(raw, b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&raw[..eol]).map_err(|_| bad("chunk size"))?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad("chunk size"))?;
        raw = &raw[eol + 2..];
        if size == 0 {
            // Trailers, then an empty line.
            return Ok(
                if raw.starts_with(b"\r\n") || find(raw, b"\r\n\r\n").is_some() {
                    Some(out)
                } else {
                    None
                },
            );
        }
        if raw.len() < size + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// One HTTP/1.1 request on a new connection (`Connection: close`), read
/// to the end of its response. `target` is the path and query. A `Host`
/// header (`addr`) is added unless `headers` has one.
pub fn http_request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<RawResponse> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(2000))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "PUT" || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;

    let mut raw = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    // (status, headers, where the body starts)
    type Head = (u16, Vec<(String, String)>, usize);
    let mut parsed: Option<Head> = None;
    loop {
        if parsed.is_none() {
            if let Some(end) = find(&raw, b"\r\n\r\n") {
                let text = std::str::from_utf8(&raw[..end]).map_err(|_| bad("head"))?;
                let mut lines = text.split("\r\n");
                let status = lines
                    .next()
                    .and_then(|l| l.split(' ').nth(1))
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| bad("status line"))?;
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect();
                parsed = Some((status, headers, end + 4));
            }
        }
        if let Some((status, headers, start)) = &parsed {
            let response = |body: Vec<u8>| RawResponse {
                status: *status,
                headers: headers.clone(),
                body,
            };
            let rest = &raw[*start..];
            let header = |name: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            };
            if method == "HEAD" || *status == 204 || *status == 304 || (100..200).contains(status) {
                return Ok(response(Vec::new()));
            }
            if header("transfer-encoding")
                .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
            {
                if let Some(body) = dechunk(rest)? {
                    return Ok(response(body));
                }
            } else if let Some(len) = header("content-length") {
                let len: usize = len.parse().map_err(|_| bad("content-length"))?;
                if rest.len() >= len {
                    return Ok(response(rest[..len].to_vec()));
                }
            }
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return match parsed {
                // Body delimited by the end of the connection.
                Some((status, headers, start)) => Ok(RawResponse {
                    status,
                    headers,
                    body: raw[start..].to_vec(),
                }),
                None => Err(bad("connection closed before the response head")),
            };
        }
        raw.extend_from_slice(&buf[..n]);
    }
}

/// Sends a presigned request with a plain HTTP client, adding `extra`
/// headers (unsigned, like `Range`).
pub fn send_presigned(
    addr: SocketAddr,
    presigned: &PresignedRequest,
    extra: &[(&str, &str)],
    body: &[u8],
) -> io::Result<RawResponse> {
    let target = path_and_query(presigned.uri());
    let mut headers: Vec<(&str, &str)> = presigned.headers().collect();
    headers.extend_from_slice(extra);
    http_request(addr, presigned.method(), &target, &headers, body)
}

/// `/bucket/key?query` of an absolute `http://host:port/…` URI.
pub fn path_and_query(uri: &str) -> String {
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

/// A presigned GET of `bucket/key` valid for five minutes.
pub async fn presign_get(client: &Client, bucket: &str, key: &str) -> PresignedRequest {
    client
        .get_object()
        .bucket(bucket)
        .key(key)
        .presigned(PresigningConfig::expires_in(Duration::from_secs(300)).expect("config"))
        .await
        .expect("presign")
}

// ---------------------------------------------------------------------------
// Data and digests

/// `len` bytes from a generator seeded with `seed`.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Lowercase hex MD5.
pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// The ETag S3 gives a single-part upload: the quoted hex MD5.
pub fn etag_of(data: &[u8]) -> String {
    format!("\"{}\"", md5_hex(data))
}

/// The ETag S3 gives a completed multipart upload of these parts:
/// `"hex(MD5(MD5(part1) ‖ MD5(part2) ‖ …))-N"`.
pub fn multipart_etag<P: AsRef<[u8]>>(parts: &[P]) -> String {
    let digests: Vec<[u8; 16]> = parts
        .iter()
        .map(|p| Md5::digest(p.as_ref()).into())
        .collect();
    multipart_etag_from_digests(&digests)
}

/// [`multipart_etag`] from the parts' binary MD5 digests.
pub fn multipart_etag_from_digests(digests: &[[u8; 16]]) -> String {
    let concat: Vec<u8> = digests.iter().flatten().copied().collect();
    format!("\"{}-{}\"", md5_hex(&concat), digests.len())
}

/// Standard base64.
pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// CRC-32/ISO-HDLC (reflected polynomial 0xedb88320, init and xorout all
/// ones), as S3's CRC32 checksum. Written out here, like [`crc64_nvme`], so
/// the expected values do not come from the crate the server uses.
pub fn crc32(data: &[u8]) -> u32 {
    const POLY: u32 = 0xedb8_8320;
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout
/// all ones), as S3's CRC64NVME checksum.
pub fn crc64_nvme(data: &[u8]) -> u64 {
    const POLY: u64 = 0x9a6c_9329_ac4b_c9b5;
    let mut table = [0u64; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u64;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = !0u64;
    for &b in data {
        crc = table[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// Writes `len` seeded random bytes to `path` in 1 MiB pieces, never
/// holding the whole file; returns (hex SHA-256, quoted MD5 ETag).
pub fn write_random_file(path: &Path, seed: u64, len: usize) -> (String, String) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut file = io::BufWriter::new(fs::File::create(path).expect("create data file"));
    let mut sha = Sha256::new();
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; MIB];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len());
        rng.fill_bytes(&mut buf[..n]);
        file.write_all(&buf[..n]).expect("write data file");
        sha.update(&buf[..n]);
        md5.update(&buf[..n]);
        left -= n;
    }
    file.flush().expect("flush data file");
    (
        hex::encode(sha.finalize()),
        format!("\"{}\"", hex::encode(md5.finalize())),
    )
}

/// A streaming body read from `path` (the SDK sends it aws-chunked with
/// a checksum trailer, never holding it in memory).
pub async fn file_body(path: &Path) -> ByteStream {
    ByteStream::from_path(path).await.expect("open body file")
}

/// Reads a body to the end, hashing as it goes: (length, hex SHA-256).
pub async fn body_digest(mut body: ByteStream) -> Result<(u64, String), String> {
    let mut sha = Sha256::new();
    let mut len = 0u64;
    while let Some(chunk) = body.try_next().await.map_err(|e| format!("{e:?}"))? {
        len += chunk.len() as u64;
        sha.update(&chunk);
    }
    Ok((len, hex::encode(sha.finalize())))
}

// ---------------------------------------------------------------------------
// Object helpers

/// PutObject of an in-memory body (the SDK sends its CRC32 as a header);
/// returns the ETag.
pub async fn put(client: &Client, bucket: &str, key: &str, data: &[u8]) -> String {
    let out = client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {bucket}/{key}: {}", DisplayErrorContext(&e)));
    out.e_tag().expect("PutObject returns an ETag").to_string()
}

/// GetObject of the whole object; panics on any error.
pub async fn get_bytes(client: &Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {bucket}/{key}: {}", DisplayErrorContext(&e)));
    out.body
        .collect()
        .await
        .unwrap_or_else(|e| panic!("read body of {bucket}/{key}: {e:?}"))
        .into_bytes()
        .to_vec()
}

/// GetObject with a `Range` header: (bytes, Content-Range).
pub async fn get_range(client: &Client, bucket: &str, key: &str, range: &str) -> (Vec<u8>, String) {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(range)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {bucket}/{key} {range}: {}", DisplayErrorContext(&e)));
    let content_range = out
        .content_range()
        .unwrap_or_else(|| panic!("no Content-Range for {range}"))
        .to_string();
    let length = out.content_length();
    let bytes = out
        .body
        .collect()
        .await
        .expect("read body")
        .into_bytes()
        .to_vec();
    assert_eq!(
        length,
        Some(bytes.len() as i64),
        "Content-Length of {range}"
    );
    (bytes, content_range)
}

/// Asserts `bucket/key` reads back as exactly `data` (by SHA-256).
pub async fn assert_object(client: &Client, bucket: &str, key: &str, data: &[u8]) {
    let got = get_bytes(client, bucket, key).await;
    assert_eq!(got.len(), data.len(), "length of {bucket}/{key}");
    assert_eq!(
        sha256_hex(&got),
        sha256_hex(data),
        "SHA-256 of {bucket}/{key}"
    );
}

/// Every key of a bucket, walking ListObjectsV2 pages.
pub async fn list_all_keys(client: &Client, bucket: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("list {bucket}: {}", DisplayErrorContext(&e)));
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        match page.next_continuation_token() {
            Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => return keys,
        }
    }
}

// ---------------------------------------------------------------------------
// Errors

/// The S3 error code of a failed request, if the response had one.
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    match err {
        SdkError::ServiceError(e) => e.err().code().map(str::to_string),
        _ => None,
    }
}

/// The HTTP status of a failed request, if a response arrived.
pub fn error_status<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// Whether a failed request's response carried a non-empty
/// `x-amz-request-id`.
pub fn has_request_id<E>(err: &SdkError<E, HttpResponse>) -> bool {
    err.raw_response()
        .and_then(|r| r.headers().get("x-amz-request-id"))
        .is_some_and(|id| !id.is_empty())
}

/// Asserts a request failed with this S3 error code and HTTP status, and
/// that the error response carried `x-amz-request-id`.
#[track_caller]
pub fn assert_s3_error<T: Debug, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    code: &str,
    status: u16,
) where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (err, context) = failed_with_status(result, status);
    assert_eq!(
        error_code(&err).as_deref(),
        Some(code),
        "error code; error: {context}"
    );
    assert!(
        has_request_id(&err),
        "error response without x-amz-request-id: {context}"
    );
}

/// The error of a request that must have failed with HTTP `status`, and
/// its description for assertion messages.
#[track_caller]
fn failed_with_status<T: Debug, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    status: u16,
) -> (SdkError<E, HttpResponse>, String)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let err = match result {
        Ok(out) => panic!("expected status {status}, got success: {out:?}"),
        Err(err) => err,
    };
    let context = DisplayErrorContext(&err).to_string();
    assert_eq!(
        error_status(&err),
        Some(status),
        "HTTP status; error: {context}"
    );
    (err, context)
}

/// Asserts a request failed with this HTTP status (bodiless answers: HEAD,
/// 304), and that the response carried `x-amz-request-id`.
#[track_caller]
pub fn assert_status<T: Debug, E>(result: Result<T, SdkError<E, HttpResponse>>, status: u16)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (err, context) = failed_with_status(result, status);
    assert!(
        has_request_id(&err),
        "response without x-amz-request-id: {context}"
    );
}

// ---------------------------------------------------------------------------
// Disk damage

/// Every `*.seg` file under `dir` (recursively).
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(segment_files(&path));
        } else if path.extension().is_some_and(|e| e == "seg") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Overwrites bytes with garbage in every 64 KiB window of every segment
/// file under `volume_dir` that holds any data: 64 bytes at offset
/// 37 KiB into the window, each XORed with a non-zero byte so every one
/// changes. The first 4 KiB of a segment (its header) are left alone.
/// Returns the number of windows damaged.
pub fn corrupt_segments(volume_dir: &Path) -> usize {
    const WINDOW: u64 = 64 * 1024;
    const AT: u64 = 37 * 1024;
    const LEN: usize = 64;
    let mut damaged = 0;
    for path in segment_files(volume_dir) {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let size = file.metadata().expect("segment metadata").len();
        let mut window = vec![0u8; WINDOW as usize];
        let mut start = 0;
        while start + AT + LEN as u64 <= size {
            let n = file.read_at(&mut window, start).expect("read segment");
            if window[..n].iter().any(|&b| b != 0) {
                let mut garbage = [0u8; LEN];
                file.read_exact_at(&mut garbage, start + AT)
                    .expect("read segment");
                for (i, b) in garbage.iter_mut().enumerate() {
                    *b ^= 0x5a ^ (i as u8 & 0x0f);
                }
                file.write_all_at(&garbage, start + AT)
                    .expect("damage segment");
                damaged += 1;
            }
            start += WINDOW;
        }
        file.sync_all().expect("sync damaged segment");
    }
    damaged
}

/// Percent-decodes `s`, `+` meaning a space (what S3 clients apply to
/// keys listed with `encoding-type=url`).
pub fn url_decode_plus(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hexpair = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hexpair, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| panic!("decoded {s:?} is not UTF-8: {e}"))
}

/// `(key, value)` pairs as the metadata map the SDK takes and returns.
pub fn metadata(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
