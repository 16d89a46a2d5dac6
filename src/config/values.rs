//! The typed values of the settings that are written as text (`2+1`,
//! `id@host:port,…`, `gateway,meta`).
//!
//! Each parses once, when the configuration loads, so a bad value stops
//! start-up (the loader prefixes the message with the variable's name) and
//! nothing later has to handle a parse failure. Each also prints back in
//! the form it parses, which is how the defaults reach figment.

use crate::net::PeerAddr;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Serde through the text form: [`FromStr`] in, [`fmt::Display`] out.
macro_rules! serde_as_text {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.to_string()
            }
        }
    };
}

/// The roles a process can run (`PREDASTORE_ROLE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Roles {
    /// S3 HTTP API and object coordinator.
    pub gateway: bool,
    /// Shard server (WAL writers, syncer).
    pub storage: bool,
    /// Raft member of the metadata group (and repair while it leads).
    pub meta: bool,
}

impl Roles {
    /// Every role: one process is the whole cluster.
    pub const ALL: Roles = Roles {
        gateway: true,
        storage: true,
        meta: true,
    };
}

/// `all`, or a comma list of `gateway`, `storage`, `meta`.
impl FromStr for Roles {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut roles = Roles::default();
        for part in s.split(',').map(str::trim) {
            match part {
                "all" => roles = Roles::ALL,
                "gateway" => roles.gateway = true,
                "storage" => roles.storage = true,
                "meta" => roles.meta = true,
                other => {
                    return Err(format!(
                        "unknown role {other:?} (use all, gateway, storage, meta)"
                    ))
                }
            }
        }
        Ok(roles)
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Roles::ALL {
            return f.write_str("all");
        }
        let names = [
            (self.gateway, "gateway"),
            (self.storage, "storage"),
            (self.meta, "meta"),
        ];
        let set: Vec<&str> = names
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        f.write_str(&set.join(","))
    }
}

serde_as_text!(Roles);

/// Erasure coding of new objects (`PREDASTORE_EC`): data and parity shards
/// per stripe. Whether the codec supports the pair (with the stripe size)
/// is checked with the rest of the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ErasureSpec {
    /// Data shards per stripe (k): any k of the k+m shards rebuild it.
    pub data: u8,
    /// Parity shards per stripe (m): how many shards may be lost.
    pub parity: u8,
}

/// `data+parity`, e.g. `2+1`.
impl FromStr for ErasureSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not data+parity (e.g. 2+1)");
        let (k, m) = s.split_once('+').ok_or_else(bad)?;
        Ok(ErasureSpec {
            data: k.trim().parse().map_err(|_| bad())?,
            parity: m.trim().parse().map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for ErasureSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.data, self.parity)
    }
}

serde_as_text!(ErasureSpec);

/// Cluster nodes as (id, transport address), in the order given, no id
/// twice (`PREDASTORE_META_PEERS`, `PREDASTORE_STORAGE_NODES`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NodeList(pub Vec<(u64, PeerAddr)>);

impl NodeList {
    /// No nodes listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether node `id` is listed.
    pub fn contains(&self, id: u64) -> bool {
        self.0.iter().any(|(n, _)| *n == id)
    }
}

/// `id@host:port,…`; blanks around items are ignored, an empty list is
/// no nodes.
impl FromStr for NodeList {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let bad = |item: &str| format!("{item:?} is not id@host:port");
        let mut nodes: Vec<(u64, PeerAddr)> = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (id, addr) = item.split_once('@').ok_or_else(|| bad(item))?;
            let id = id.trim().parse().map_err(|_| bad(item))?;
            let addr = addr.trim().parse().map_err(|_| bad(item))?;
            if nodes.iter().any(|(n, _)| *n == id) {
                return Err(format!("id {id} is listed twice"));
            }
            nodes.push((id, addr));
        }
        Ok(NodeList(nodes))
    }
}

impl fmt::Display for NodeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (id, addr)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(f, "{sep}{id}@{addr}")?;
        }
        Ok(())
    }
}

serde_as_text!(NodeList);

/// Where the shard volumes live (`PREDASTORE_VOLUMES`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "NumberOrText", into = "String")]
pub enum Volumes {
    /// This many volumes under the data directory (`vol0`, `vol1`, …).
    Count(u16),
    /// These directories, one volume each (one per disk).
    Dirs(Vec<PathBuf>),
}

/// A number of volumes, or a comma list of directories.
impl FromStr for Volumes {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let spec = s.trim();
        if let Ok(n) = spec.parse::<u16>() {
            if n == 0 {
                return Err("at least one volume".into());
            }
            return Ok(Volumes::Count(n));
        }
        let dirs: Vec<PathBuf> = spec
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
        if dirs.is_empty() {
            return Err("give a number or a comma list of directories".into());
        }
        Ok(Volumes::Dirs(dirs))
    }
}

impl fmt::Display for Volumes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Volumes::Count(n) => write!(f, "{n}"),
            Volumes::Dirs(dirs) => {
                let dirs: Vec<_> = dirs.iter().map(|d| d.to_string_lossy()).collect();
                f.write_str(&dirs.join(","))
            }
        }
    }
}

impl From<Volumes> for String {
    fn from(v: Volumes) -> String {
        v.to_string()
    }
}

/// A span of time written for people: a whole number and a unit, `ms`,
/// `s`, `m`, `h` or `d` (`500ms`, `30s`, `15m`, `24h`, `7d`); a bare number
/// is seconds (`PREDASTORE_SCRUB_EVERY`, `PREDASTORE_NODE_DOWN_AFTER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "NumberOrText", into = "String")]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// `n` seconds.
    pub const fn secs(n: u64) -> Self {
        Self(Duration::from_secs(n))
    }

    /// The duration the setting names.
    pub fn get(self) -> Duration {
        self.0
    }
}

const UNITS_MS: [(&str, u64); 5] = [
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a duration like 30s, 15m, 24h or 7d");
        let spec = s.trim();
        let digits = spec
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(spec.len());
        let (number, unit) = spec.split_at(digits);
        let n: u64 = number.parse().map_err(|_| bad())?;
        let unit = unit.trim();
        let per = match unit {
            "" => 1_000,
            _ => UNITS_MS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|(_, ms)| *ms)
                .ok_or_else(bad)?,
        };
        let ms = n.checked_mul(per).ok_or_else(bad)?;
        Ok(Self(Duration::from_millis(ms)))
    }
}

/// The largest unit that divides the span exactly (`0s` for nothing).
impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        for (name, per) in UNITS_MS {
            if ms.is_multiple_of(u128::from(per)) {
                return write!(f, "{}{name}", ms / u128::from(per));
            }
        }
        write!(f, "{ms}ms")
    }
}

impl From<HumanDuration> for String {
    fn from(v: HumanDuration) -> String {
        v.to_string()
    }
}

impl TryFrom<NumberOrText> for HumanDuration {
    type Error = String;

    fn try_from(raw: NumberOrText) -> Result<Self, String> {
        match raw {
            NumberOrText::Number(n) => n.to_string().parse(),
            NumberOrText::Text(s) => s.parse(),
        }
    }
}

/// Environment values that look like numbers arrive as numbers.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(u64),
    Text(String),
}

impl TryFrom<NumberOrText> for Volumes {
    type Error = String;

    fn try_from(raw: NumberOrText) -> Result<Self, String> {
        match raw {
            NumberOrText::Number(n) => n.to_string().parse(),
            NumberOrText::Text(s) => s.parse(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::values::*;

    /// Every value prints in a form that parses back to itself.
    #[test]
    fn values_round_trip_through_their_text() -> Result<(), String> {
        for s in ["all", "gateway", "storage,meta", "gateway,storage,meta"] {
            let r: Roles = s.parse()?;
            assert_eq!(r.to_string().parse::<Roles>()?, r, "{s}");
        }
        assert_eq!("gateway,storage,meta".parse::<Roles>()?.to_string(), "all");
        let ec: ErasureSpec = " 4 + 2 ".parse()?;
        assert_eq!((ec.data, ec.parity), (4, 2));
        assert_eq!(ec.to_string(), "4+2");
        let nodes: NodeList = " 2@127.0.0.2:9100, ,1@[::1]:9100 ".parse()?;
        assert_eq!(nodes.to_string(), "2@127.0.0.2:9100,1@[::1]:9100");
        assert_eq!(nodes.to_string().parse::<NodeList>()?, nodes);
        assert_eq!("".parse::<NodeList>()?, NodeList::default());
        for s in ["3", "/a,/b"] {
            let v: Volumes = s.parse()?;
            assert_eq!(v.to_string().parse::<Volumes>()?, v, "{s}");
        }
        Ok(())
    }

    #[test]
    fn durations_parse_and_print_back() -> Result<(), String> {
        for (text, secs) in [
            ("30s", 30),
            ("15m", 900),
            ("24h", 86_400),
            ("7d", 604_800),
            (" 2 h ", 7_200),
            ("45", 45),
            ("0s", 0),
        ] {
            let d: HumanDuration = text.parse()?;
            assert_eq!(d.get(), Duration::from_secs(secs), "{text:?}");
            assert_eq!(d.to_string().parse::<HumanDuration>()?, d, "{text:?}");
        }
        assert_eq!(
            "1500ms".parse::<HumanDuration>()?.get(),
            Duration::from_millis(1500)
        );
        assert_eq!(HumanDuration::secs(7 * 86_400).to_string(), "7d");
        assert_eq!(HumanDuration::secs(90).to_string(), "90s");
        assert_eq!("1500ms".parse::<HumanDuration>()?.to_string(), "1500ms");
        for bad in [
            "",
            "s",
            "7w",
            "1.5h",
            "-3s",
            "h7",
            "99999999999999999999d",
            "3 d x",
        ] {
            assert!(bad.parse::<HumanDuration>().is_err(), "{bad:?}");
        }
        Ok(())
    }

    #[test]
    fn bad_text_is_refused() {
        for s in ["", "all,", "bogus"] {
            assert!(s.parse::<Roles>().is_err(), "{s:?}");
        }
        for s in ["2", "2+", "+1", "2+300", "a+b"] {
            assert!(s.parse::<ErasureSpec>().is_err(), "{s:?}");
        }
        for s in ["0", "", " , "] {
            assert!(s.parse::<Volumes>().is_err(), "{s:?}");
        }
    }
}
