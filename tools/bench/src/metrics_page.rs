//! Reading a store's Prometheus `/metrics` page over plain HTTP: the
//! lifecycle phase's counters, and what each request of the `small` phase
//! costs the store (metadata reads and signature checks per operation).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Connect, write and read timeout of one `/metrics` request.
const METRICS_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest `/metrics` answer read.
const METRICS_MAX_BYTES: u64 = 64 << 20;
/// The store's count of metadata reads it made, by kind.
const META_READS: &str = "predastore_meta_reads_total";
/// The store's count of request signatures it verified.
const SIGNATURE_CHECKS: &str = "predastore_signature_checks_total";

/// The `/metrics` address of the store at `endpoint`.
pub(crate) fn default_metrics_url(endpoint: &str) -> String {
    format!("{}/metrics", endpoint.trim_end_matches('/'))
}

/// What a store had spent when its `/metrics` page was read: metadata
/// reads by kind, and signature checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RequestCosts {
    /// `(kind, count)` of `predastore_meta_reads_total`, in page order.
    pub reads: Vec<(String, f64)>,
    /// `predastore_signature_checks_total`.
    pub signature_checks: f64,
}

impl RequestCosts {
    /// The costs on a metrics page; `None` if the store exports neither
    /// counter (another store, or an older predastore).
    pub(crate) fn of(text: &str) -> Option<RequestCosts> {
        let mut costs = RequestCosts::default();
        let mut found = false;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let Some((series, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let Ok(value) = value.parse::<f64>() else {
                continue;
            };
            if series == SIGNATURE_CHECKS {
                costs.signature_checks = value;
                found = true;
            } else if let Some(labels) = series
                .strip_prefix(META_READS)
                .and_then(|l| l.strip_prefix("{read=\""))
                .and_then(|l| l.strip_suffix("\"}"))
            {
                costs.reads.push((labels.to_owned(), value));
                found = true;
            }
        }
        found.then_some(costs)
    }

    /// Metadata reads of every kind.
    pub(crate) fn total_reads(&self) -> f64 {
        self.reads.iter().map(|(_, n)| n).sum()
    }

    /// Reads of `kind`.
    pub(crate) fn reads_of(&self, kind: &str) -> f64 {
        self.reads
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(0.0, |(_, n)| *n)
    }

    /// What was spent between `before` and `self`, per operation of `ops`:
    /// `(kind, reads per op)` for each kind that moved, then the totals.
    pub(crate) fn per_op_since(&self, before: &RequestCosts, ops: u64) -> Vec<(String, f64)> {
        let ops = ops.max(1) as f64;
        let mut out: Vec<(String, f64)> = self
            .reads
            .iter()
            .map(|(k, n)| (k.clone(), (n - before.reads_of(k)) / ops))
            // Background work (scans, repair, lifecycle) reads a little
            // meanwhile: left out below one read per hundred requests.
            .filter(|(_, d)| *d >= 0.01)
            .map(|(k, d)| (format!("meta_reads_{k}"), d))
            .collect();
        out.push((
            "meta_reads".into(),
            (self.total_reads() - before.total_reads()) / ops,
        ));
        out.push((
            "signature_checks".into(),
            (self.signature_checks - before.signature_checks) / ops,
        ));
        out
    }
}

/// The value of the unlabelled metric `name` in a Prometheus text page.
pub(crate) fn metric_value(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let mut fields = l.split_whitespace();
            if fields.next()? != name {
                return None;
            }
            fields.next()?.parse::<f64>().ok()
        })
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v as u64)
}

/// A plain-HTTP URL to GET a metrics page from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MetricsUrl {
    /// The URL as given.
    pub url: String,
    /// Host to connect to (an IPv6 address without its brackets).
    host: String,
    port: u16,
    /// `host[:port]` as written, for the Host header.
    authority: String,
    /// Path and query.
    path: String,
}

impl MetricsUrl {
    pub(crate) fn parse(url: &str) -> Result<MetricsUrl, String> {
        let rest = url.strip_prefix("http://").ok_or(
            "only an http:// URL can be read (give the store's plain-HTTP /metrics address)",
        )?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or("an IPv6 address without its ]")?;
            match after {
                "" => (host, None),
                p => (host, Some(p.strip_prefix(':').ok_or("junk after the ]")?)),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err("no host".into());
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| format!("bad port {p:?}"))?,
            None => 80,
        };
        Ok(MetricsUrl {
            url: url.to_owned(),
            host: host.to_owned(),
            port,
            authority: authority.to_owned(),
            path: path.to_owned(),
        })
    }
}

/// GETs the metrics page (on a blocking thread: one short request).
pub(crate) async fn scrape(metrics: &MetricsUrl) -> Result<String, String> {
    let m = metrics.clone();
    tokio::task::spawn_blocking(move || http_get(&m))
        .await
        .map_err(|e| e.to_string())?
}

/// One HTTP/1.0 GET; the body of a 200 answer.
fn http_get(m: &MetricsUrl) -> Result<String, String> {
    let addr = (m.host.as_str(), m.port)
        .to_socket_addrs()
        .map_err(|e| format!("{}: {e}", m.host))?
        .next()
        .ok_or_else(|| format!("{}: no address", m.host))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, METRICS_TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(METRICS_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(METRICS_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {}\r\nAccept: text/plain\r\nConnection: close\r\n\r\n",
        m.path, m.authority
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("{addr}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .take(METRICS_MAX_BYTES)
        .read_to_end(&mut raw)
        .map_err(|e| format!("{addr}: {e}"))?;
    response_body(&raw)
}

/// The body of a whole HTTP/1.x answer if its status is 200.
fn response_body(raw: &[u8]) -> Result<String, String> {
    let end = find(raw, b"\r\n\r\n").ok_or("an answer without the end of its header")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let body = &raw[end + 4..];
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!("answered {status:?}"));
    }
    let chunked = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("transfer-encoding")
                && v.to_ascii_lowercase().contains("chunked")
        })
    });
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    String::from_utf8(body).map_err(|_| "a body that is not UTF-8".to_string())
}

/// A chunked body's content.
fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = find(b, b"\r\n").ok_or("a chunk without its size line")?;
        let line = std::str::from_utf8(&b[..eol]).map_err(|_| "a bad chunk size line")?;
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("a bad chunk size {size_hex:?}"))?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size + 2 {
            return Err("a chunk cut short".into());
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size + 2..];
    }
}

/// Where `needle` first starts in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_urls() {
        assert_eq!(
            default_metrics_url("http://127.0.0.1:9000/"),
            "http://127.0.0.1:9000/metrics"
        );
        let m = MetricsUrl::parse("http://127.0.0.1:9000/metrics").unwrap();
        assert_eq!(
            (
                m.host.as_str(),
                m.port,
                m.authority.as_str(),
                m.path.as_str()
            ),
            ("127.0.0.1", 9000, "127.0.0.1:9000", "/metrics")
        );
        let m = MetricsUrl::parse("http://[::1]:9000/metrics").unwrap();
        assert_eq!((m.host.as_str(), m.port), ("::1", 9000));
        let m = MetricsUrl::parse("http://store").unwrap();
        assert_eq!(
            (m.host.as_str(), m.port, m.path.as_str()),
            ("store", 80, "/")
        );
        assert!(MetricsUrl::parse("https://127.0.0.1:9000/metrics").is_err());
        assert!(MetricsUrl::parse("http://:9000/metrics").is_err());
        assert!(MetricsUrl::parse("http://h:port/metrics").is_err());
    }

    #[test]
    fn metric_values() {
        let text = "# HELP predastore_lifecycle_expired_objects_total x\n\
                    # TYPE predastore_lifecycle_expired_objects_total counter\n\
                    predastore_lifecycle_expired_objects_total 1234\n\
                    predastore_lifecycle_expired_objects_total_other 9\n\
                    predastore_lifecycle_walk_examined 5e3\n";
        assert_eq!(
            metric_value(text, "predastore_lifecycle_expired_objects_total"),
            Some(1234)
        );
        assert_eq!(
            metric_value(text, "predastore_lifecycle_walk_examined"),
            Some(5000)
        );
        assert_eq!(metric_value(text, "predastore_nothing"), None);
    }

    #[test]
    fn responses() {
        let plain = b"HTTP/1.0 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(response_body(plain).unwrap(), "hello");
        let chunked =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\n\r\n";
        assert_eq!(response_body(chunked).unwrap(), "hello");
        assert!(response_body(b"HTTP/1.1 404 Not Found\r\n\r\n").is_err());
        assert!(response_body(b"HTTP/1.1 200 OK\r\n").is_err());
        let short = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nhel\r\n";
        assert!(response_body(short).is_err());
    }

    #[test]
    fn request_costs_per_op() {
        let before = "# TYPE predastore_meta_reads_total counter\n\
                      predastore_meta_reads_total{read=\"bucket\"} 10\n\
                      predastore_signature_checks_total 4\n";
        let after = "predastore_meta_reads_total{read=\"bucket\"} 30\n\
                     predastore_meta_reads_total{read=\"object\"} 10\n\
                     predastore_signature_checks_total 14\n";
        let (before, after) = (
            RequestCosts::of(before).unwrap(),
            RequestCosts::of(after).unwrap(),
        );
        assert_eq!(
            after.per_op_since(&before, 10),
            [
                ("meta_reads_bucket".to_string(), 2.0),
                ("meta_reads_object".to_string(), 1.0),
                ("meta_reads".to_string(), 3.0),
                ("signature_checks".to_string(), 1.0),
            ]
        );
        assert_eq!(RequestCosts::of("other_metric 1\n"), None);
    }
}
