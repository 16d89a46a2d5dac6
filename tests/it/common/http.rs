//! A raw HTTP/1.1 client (what the SDK would not send), presigned
//! requests sent with it, and URL decoding.

use std::fmt::Debug;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::Client;

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
