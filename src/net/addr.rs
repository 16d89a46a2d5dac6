//! A peer's transport address as the operator wrote it: an IP and port, or
//! a DNS name and port. A name is looked up on every dial, never once at
//! start, so a peer whose name moves to another IP (a Kubernetes pod
//! rescheduled with a new IP, behind its StatefulSet's stable name) is
//! found at its new place by the next connection.

use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex, OnceLock, PoisonError};

/// A peer's transport address: `ip:port` (an IPv6 one in brackets) or
/// `name:port`. Copy and cheap to compare: every distinct address is
/// kept once for the life of the process (there are as many as the
/// cluster has nodes, and addresses only come from the configuration,
/// the layout and the metadata members).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerAddr(&'static str);

/// Why a text is not a peer address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not host:port (an IP address or a DNS name, and a port)")]
pub struct BadPeerAddr(pub String);

/// `PREDASTORE_TEST_HOSTS`: a hosts file read before DNS (tests only).
static TEST_HOSTS: OnceLock<PathBuf> = OnceLock::new();

/// Has every later lookup read `file` (`ip name…` lines, as /etc/hosts)
/// before DNS: **tests only**, so that processes on loopback answer to
/// their Kubernetes names and one can move. The first call wins.
pub(crate) fn use_test_hosts(file: PathBuf) {
    let _ = TEST_HOSTS.set(file);
}

/// `host`'s address in the test hosts file, if one is set and names it.
async fn test_host(host: &str) -> Option<std::net::IpAddr> {
    let text = tokio::fs::read_to_string(TEST_HOSTS.get()?).await.ok()?;
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .find_map(|line| {
            let mut fields = line.split_whitespace();
            let ip = fields.next()?.parse().ok()?;
            fields
                .any(|name| name.eq_ignore_ascii_case(host))
                .then_some(ip)
        })
}

/// Every address seen, each stored once.
static KNOWN: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);

/// `text`, stored once for the life of the process.
fn intern(text: String) -> &'static str {
    let mut known = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
    match known.get(text.as_str()) {
        Some(kept) => kept,
        None => {
            let kept: &'static str = Box::leak(text.into_boxed_str());
            known.insert(kept);
            kept
        }
    }
}

/// Whether `host` is a DNS name: dot-separated labels of letters, digits,
/// `-` and `_` (Kubernetes' service names), none empty or longer than 63,
/// 253 characters at most.
fn is_dns_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.trim_end_matches('.').split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

impl PeerAddr {
    /// Parses `ip:port` or `name:port`. An IP address is kept in its
    /// canonical form, so the same address written two ways is one.
    pub fn parse(text: &str) -> Result<Self, BadPeerAddr> {
        let text = text.trim();
        if let Ok(socket) = text.parse::<SocketAddr>() {
            return Ok(Self::from(socket));
        }
        let bad = || BadPeerAddr(text.to_owned());
        let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        // A name made of digits and dots only would be a malformed IP.
        let numeric = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if port == 0 || numeric || !is_dns_name(host) {
            return Err(bad());
        }
        Ok(PeerAddr(intern(format!(
            "{}:{port}",
            host.to_ascii_lowercase()
        ))))
    }

    /// The address as written (canonical for an IP).
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// The socket address when this is an IP address; `None` for a name.
    pub fn as_socket(&self) -> Option<SocketAddr> {
        self.0.parse().ok()
    }

    /// Where this address points now for a socket bound like `local`:
    /// the IP itself, or the name looked up, its first address of
    /// `local`'s family (IPv4 or IPv6), else its first address.
    pub async fn resolve(&self, local: SocketAddr) -> std::io::Result<SocketAddr> {
        if let Some(socket) = self.as_socket() {
            return Ok(socket);
        }
        if let Some((host, port)) = self.0.rsplit_once(':') {
            if let (Some(ip), Ok(port)) = (test_host(host).await, port.parse()) {
                return Ok(SocketAddr::new(ip, port));
            }
        }
        let found: Vec<SocketAddr> = tokio::net::lookup_host(self.0).await?.collect();
        found
            .iter()
            .find(|a| a.is_ipv4() == local.is_ipv4())
            .or(found.first())
            .copied()
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("{} resolves to no address", self.0),
                )
            })
    }
}

impl From<SocketAddr> for PeerAddr {
    fn from(socket: SocketAddr) -> Self {
        PeerAddr(intern(socket.to_string()))
    }
}

impl From<([u8; 4], u16)> for PeerAddr {
    fn from(v4: ([u8; 4], u16)) -> Self {
        SocketAddr::from(v4).into()
    }
}

impl FromStr for PeerAddr {
    type Err = BadPeerAddr;

    fn from_str(text: &str) -> Result<Self, BadPeerAddr> {
        Self::parse(text)
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_and_names_parse_and_print_as_written() {
        let ip = PeerAddr::parse("127.0.0.1:9100").unwrap();
        assert_eq!(ip.to_string(), "127.0.0.1:9100");
        assert_eq!(
            ip.as_socket(),
            Some(SocketAddr::from(([127, 0, 0, 1], 9100)))
        );
        assert_eq!(ip, PeerAddr::from(SocketAddr::from(([127, 0, 0, 1], 9100))));
        let v6 = PeerAddr::parse("[::1]:9100").unwrap();
        assert_eq!(v6.to_string(), "[::1]:9100");
        let name = PeerAddr::parse("predastore-0.predastore-nodes:9100").unwrap();
        assert_eq!(name.to_string(), "predastore-0.predastore-nodes:9100");
        assert_eq!(name.as_socket(), None);
        assert_eq!(
            name,
            PeerAddr::parse("Predastore-0.predastore-nodes:9100").unwrap()
        );
        assert!(PeerAddr::parse("node-1.example.svc.cluster.local.:9100").is_ok());
    }

    #[test]
    fn what_is_no_address_is_refused() {
        for bad in [
            "",
            "9100",
            "host",
            "host:",
            "host:0",
            "host:70000",
            ":9100",
            "10.0.0.300:9100",
            "1.2.3:9100",
            "a b:9100",
            "-host:9100",
            "host..name:9100",
            "::1:9100",
            "http://host:9100",
        ] {
            assert!(PeerAddr::parse(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[tokio::test]
    async fn an_ip_resolves_to_itself_and_a_name_through_the_resolver() {
        let v4 = SocketAddr::from(([0, 0, 0, 0], 0));
        let ip = PeerAddr::parse("127.0.0.2:9100").unwrap();
        assert_eq!(
            ip.resolve(v4).await.unwrap(),
            SocketAddr::from(([127, 0, 0, 2], 9100))
        );
        // `localhost` is often `::1` first: an IPv4 socket gets 127.0.0.1.
        let name = PeerAddr::parse("localhost:9100").unwrap();
        let resolved = name.resolve(v4).await.unwrap();
        assert!(resolved.is_ipv4() && resolved.ip().is_loopback() && resolved.port() == 9100);
        let unknown = PeerAddr::parse("no-such-host.invalid:9100").unwrap();
        assert!(unknown.resolve(v4).await.is_err());
    }

    #[tokio::test]
    async fn a_test_hosts_file_names_loopback_processes_and_moves_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hosts");
        std::fs::write(&file, "# pods\n127.0.0.77 pod-0.nodes other\n").unwrap();
        use_test_hosts(file.clone());
        let v4 = SocketAddr::from(([0, 0, 0, 0], 0));
        let pod = PeerAddr::parse("pod-0.nodes:9100").unwrap();
        assert_eq!(
            pod.resolve(v4).await.unwrap(),
            SocketAddr::from(([127, 0, 0, 77], 9100))
        );
        std::fs::write(&file, "127.0.0.78 pod-0.nodes\n").unwrap();
        assert_eq!(
            pod.resolve(v4).await.unwrap(),
            SocketAddr::from(([127, 0, 0, 78], 9100))
        );
        // A name the file does not hold goes to DNS.
        let other = PeerAddr::parse("localhost:9100").unwrap();
        assert!(other.resolve(v4).await.unwrap().ip().is_loopback());
    }
}
