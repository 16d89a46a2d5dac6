//! Bucket versioning and object lock (WORM), as S3 defines them: the
//! settings a bucket carries, the lock a version carries, and the rules
//! that decide whether a version may be deleted or its retention changed.
//!
//! The rules are pure functions of the records, the permission the op
//! records, and the group's time (`at_ms` of the Raft entry: the quorum's
//! clock, which no single member's clock can move ahead), so every replica
//! decides the same and no gateway, retry or race can slip past them: the
//! state machine calls them when it applies a delete or a lock change.

use serde::{Deserialize, Serialize};

/// Milliseconds in a day, for default retention periods.
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A bucket's versioning state (`PutBucketVersioning`). A bucket never
/// returns to [`Versioning::Unversioned`] once versioning was turned on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    /// Never turned on: every write replaces the `null` version.
    #[default]
    Unversioned,
    /// Every write adds a version with a new id.
    Enabled,
    /// Writes replace the `null` version only; other versions stay.
    Suspended,
    /// Enabled, but for the keys MinIO's extensions exclude, which are
    /// written as under [`Versioning::Suspended`]. (Appended: records and
    /// log entries written before it read unchanged.)
    EnabledExcept(Box<VersioningExclusions>),
}

impl Versioning {
    /// Whether a write keeps the version it replaces (with a new id for
    /// the new one).
    pub fn keeps_versions(&self) -> bool {
        *self == Versioning::Enabled
    }

    /// The state writes of `key` follow: never [`Versioning::EnabledExcept`].
    pub fn for_key(&self, key: &str) -> Versioning {
        match self {
            Versioning::EnabledExcept(x) if x.excludes(key) => Versioning::Suspended,
            other => other.status(),
        }
    }

    /// The bucket's status as S3 names it (`EnabledExcept` is `Enabled`).
    pub fn status(&self) -> Versioning {
        match self {
            Versioning::EnabledExcept(_) => Versioning::Enabled,
            other => other.clone(),
        }
    }

    /// Its exclusions, if any.
    pub fn exclusions(&self) -> Option<&VersioningExclusions> {
        match self {
            Versioning::EnabledExcept(x) => Some(x),
            _ => None,
        }
    }
}

/// MinIO's extensions to versioning (`ExcludedPrefixes`, `ExcludeFolders`):
/// keys under any of these prefixes, or ending in `/` with `folders`, keep
/// no versions (Spark's and Hadoop's temporary folders, say).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersioningExclusions {
    /// Prefixes; `*` in one stands for any run of characters.
    pub prefixes: Vec<String>,
    /// Whether keys ending in `/` (folder objects) are excluded.
    pub folders: bool,
}

impl VersioningExclusions {
    /// The most prefixes a bucket takes (as MinIO).
    pub const MAX_PREFIXES: usize = 10;

    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && !self.folders
    }

    /// Whether writes of `key` keep no versions.
    pub fn excludes(&self, key: &str) -> bool {
        (self.folders && key.ends_with('/'))
            || self
                .prefixes
                .iter()
                .any(|p| starts_with_pattern(key.as_bytes(), p.as_bytes()))
    }
}

/// Whether `text` starts with something `pattern` matches, `*` standing
/// for any run of bytes (MinIO matches `prefix*` the same way).
fn starts_with_pattern(text: &[u8], pattern: &[u8]) -> bool {
    // Greedy matching with one point to go back to: the last `*` seen.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            // The whole pattern matched a prefix: the rest is `*`'s.
            return true;
        }
        if pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if t < text.len() && text[t] == pattern[p] {
            t += 1;
            p += 1;
        } else if let Some((sp, st)) = star.filter(|&(_, st)| st < text.len()) {
            star = Some((sp, st + 1));
            p = sp + 1;
            t = st + 1;
        } else {
            return false;
        }
    }
}

/// How strictly a retention period binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LockMode {
    /// Users allowed to may shorten or remove it, and delete the version,
    /// with `x-amz-bypass-governance-retention: true`.
    Governance,
    /// Nobody, the administrator included, may shorten or remove it or
    /// delete the version before it ends; it can only be extended.
    Compliance,
}

impl LockMode {
    /// S3's name of the mode (`GOVERNANCE`, `COMPLIANCE`).
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Governance => "GOVERNANCE",
            LockMode::Compliance => "COMPLIANCE",
        }
    }

    /// Inverse of [`LockMode::as_str`]; `None` for anything else.
    pub fn parse(s: &str) -> Option<LockMode> {
        match s {
            "GOVERNANCE" => Some(LockMode::Governance),
            "COMPLIANCE" => Some(LockMode::Compliance),
            _ => None,
        }
    }
}

/// A version's retention: its mode, and until when it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// How strictly it binds.
    pub mode: LockMode,
    /// When it ends, milliseconds since the Unix epoch.
    pub until_ms: u64,
}

impl Retention {
    /// Whether it still holds at `now_ms`.
    pub fn active_at(&self, now_ms: u64) -> bool {
        self.until_ms > now_ms
    }
}

/// How long a bucket's default retention lasts from a version's creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetentionPeriod {
    /// A number of days (at least 1).
    Days(u32),
    /// A number of years (at least 1), of 365 days each as AWS counts.
    Years(u32),
}

impl RetentionPeriod {
    /// The period in milliseconds.
    pub fn as_ms(self) -> u64 {
        match self {
            RetentionPeriod::Days(d) => u64::from(d).saturating_mul(DAY_MS),
            RetentionPeriod::Years(y) => u64::from(y).saturating_mul(365 * DAY_MS),
        }
    }
}

/// The retention applied to every new version that names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRetention {
    /// The mode new versions get.
    pub mode: LockMode,
    /// How long from their creation.
    pub period: RetentionPeriod,
}

/// A bucket's object lock configuration; a bucket has one exactly when it
/// was created with object lock enabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLockConfig {
    /// The retention new versions get when their write names none.
    pub default_retention: Option<DefaultRetention>,
}

impl ObjectLockConfig {
    /// The retention a version created at `at_ms` gets by default.
    pub fn default_at(&self, at_ms: u64) -> Option<Retention> {
        self.default_retention.map(|d| Retention {
            mode: d.mode,
            until_ms: at_ms.saturating_add(d.period.as_ms()),
        })
    }
}

/// The lock one version carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    /// Its retention, if any (it may have ended).
    pub retention: Option<Retention>,
    /// Whether a legal hold is on: no delete while it is, whatever the
    /// retention says.
    pub legal_hold: bool,
}

impl ObjectLock {
    /// Whether it asks for anything (a lock on a bucket without object
    /// lock is refused).
    pub fn is_set(&self) -> bool {
        self.retention.is_some() || self.legal_hold
    }
}

/// Why a locked version's change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub(crate) enum LockRefusal {
    /// A legal hold is on.
    #[error("the version is under legal hold")]
    LegalHold,
    /// A retention holds and may not be bypassed (compliance, or
    /// governance without the bypass).
    #[error("the version is under retention")]
    Retained,
}

/// Whether a version with `lock` may be deleted at `now_ms`; `bypass`:
/// the caller asked to bypass governance retention and is allowed to.
pub(crate) fn may_delete(lock: &ObjectLock, now_ms: u64, bypass: bool) -> Result<(), LockRefusal> {
    if lock.legal_hold {
        return Err(LockRefusal::LegalHold);
    }
    match lock.retention {
        Some(r) if r.active_at(now_ms) => match r.mode {
            LockMode::Governance if bypass => Ok(()),
            LockMode::Governance | LockMode::Compliance => Err(LockRefusal::Retained),
        },
        _ => Ok(()),
    }
}

/// Whether a version's legal hold may be set to `on`: lifting a hold
/// needs `permitted` (the caller holds the permission, decided at the
/// gateway and recorded in the op); setting one, or a change that changes
/// nothing, is judged at the gateway alone.
pub(crate) fn may_change_legal_hold(
    lock: &ObjectLock,
    on: bool,
    permitted: bool,
) -> Result<(), LockRefusal> {
    if lock.legal_hold && !on && !permitted {
        return Err(LockRefusal::LegalHold);
    }
    Ok(())
}

/// Whether a version's retention may change from `old` to `new` at
/// `now_ms`: an active retention may only be extended (same mode, same or
/// later end); an active governance one may be changed otherwise (mode,
/// shortened, removed) with `bypass`, a compliance one never.
pub(crate) fn may_change_retention(
    old: Option<&Retention>,
    new: Option<&Retention>,
    now_ms: u64,
    bypass: bool,
) -> Result<(), LockRefusal> {
    let Some(old) = old.filter(|o| o.active_at(now_ms)) else {
        return Ok(());
    };
    let extends = new.is_some_and(|n| n.until_ms >= old.until_ms && n.mode == old.mode);
    match old.mode {
        LockMode::Compliance if extends => Ok(()),
        LockMode::Compliance => Err(LockRefusal::Retained),
        LockMode::Governance if extends || bypass => Ok(()),
        LockMode::Governance => Err(LockRefusal::Retained),
    }
}

#[cfg(test)]
mod exclusion_tests {
    use super::*;

    #[test]
    fn a_prefix_pattern_matches_key_starts_with_stars_for_any_run() {
        let x = VersioningExclusions {
            prefixes: vec!["prefix1".into(), "jobs/*/_temporary/".into()],
            folders: false,
        };
        for key in [
            "prefix1",
            "prefix1/a",
            "prefix10",
            "jobs/7/_temporary/",
            "jobs/a/b/_temporary/x",
        ] {
            assert!(x.excludes(key), "{key}");
        }
        for key in [
            "prefix",
            "Prefix1",
            "jobs/7/_temp",
            "jobs/_temporary/",
            "a/",
            "",
        ] {
            assert!(!x.excludes(key), "{key}");
        }
        let folders = VersioningExclusions {
            prefixes: vec![],
            folders: true,
        };
        assert!(folders.excludes("photos/"));
        assert!(!folders.excludes("photos/a"));
        assert!(starts_with_pattern(b"anything", b"*"));
        assert!(starts_with_pattern(b"", b""));
    }

    #[test]
    fn an_excluded_key_is_suspended_and_the_bucket_reads_enabled() {
        let v = Versioning::EnabledExcept(Box::new(VersioningExclusions {
            prefixes: vec!["tmp/".into()],
            folders: true,
        }));
        assert_eq!(v.for_key("tmp/x"), Versioning::Suspended);
        assert_eq!(v.for_key("dir/"), Versioning::Suspended);
        assert_eq!(v.for_key("data/x"), Versioning::Enabled);
        assert_eq!(v.status(), Versioning::Enabled);
        assert!(!v.keeps_versions());
        assert_eq!(Versioning::Suspended.for_key("x"), Versioning::Suspended);
        assert_eq!(Versioning::Enabled.exclusions(), None);
    }

    #[test]
    fn the_appended_variant_leaves_the_old_ones_encoded_as_before() {
        // Records and log entries hold `Versioning` as postcard's variant
        // index: the old variants keep theirs.
        for (v, byte) in [
            (Versioning::Unversioned, 0u8),
            (Versioning::Enabled, 1),
            (Versioning::Suspended, 2),
        ] {
            assert_eq!(postcard::to_stdvec(&v).expect("encodes"), [byte]);
        }
        let x = Versioning::EnabledExcept(Box::new(VersioningExclusions {
            prefixes: vec!["a".into()],
            folders: true,
        }));
        let bytes = postcard::to_stdvec(&x).expect("encodes");
        assert_eq!(
            postcard::from_bytes::<Versioning>(&bytes).expect("decodes"),
            x
        );
        assert!(postcard::from_bytes::<Versioning>(&bytes[..bytes.len() - 1]).is_err());
        assert!(postcard::from_bytes::<Versioning>(&[9]).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(mode: LockMode, until_ms: u64) -> Retention {
        Retention { mode, until_ms }
    }

    #[test]
    fn deletes_wait_for_holds_and_retention() {
        let none = ObjectLock::default();
        assert_eq!(may_delete(&none, 10, false), Ok(()));
        let hold = ObjectLock {
            retention: None,
            legal_hold: true,
        };
        assert_eq!(may_delete(&hold, 10, true), Err(LockRefusal::LegalHold));
        let gov = ObjectLock {
            retention: Some(ret(LockMode::Governance, 100)),
            legal_hold: false,
        };
        assert_eq!(may_delete(&gov, 10, false), Err(LockRefusal::Retained));
        assert_eq!(may_delete(&gov, 10, true), Ok(()));
        assert_eq!(may_delete(&gov, 100, false), Ok(()));
        let comp = ObjectLock {
            retention: Some(ret(LockMode::Compliance, 100)),
            legal_hold: false,
        };
        assert_eq!(may_delete(&comp, 10, true), Err(LockRefusal::Retained));
        assert_eq!(may_delete(&comp, 101, false), Ok(()));
    }

    #[test]
    fn compliance_is_only_ever_extended() {
        let c = ret(LockMode::Compliance, 100);
        let ok = |new: Option<Retention>, bypass| {
            may_change_retention(Some(&c), new.as_ref(), 10, bypass)
        };
        assert_eq!(ok(Some(ret(LockMode::Compliance, 200)), false), Ok(()));
        assert_eq!(ok(Some(ret(LockMode::Compliance, 100)), false), Ok(()));
        assert!(ok(Some(ret(LockMode::Compliance, 99)), true).is_err());
        assert!(ok(Some(ret(LockMode::Governance, 200)), true).is_err());
        assert!(ok(None, true).is_err());
        // Once it has ended, anything goes.
        assert_eq!(may_change_retention(Some(&c), None, 100, false), Ok(()));
    }

    #[test]
    fn a_hold_is_lifted_only_with_the_permission_recorded() {
        let held = ObjectLock {
            retention: None,
            legal_hold: true,
        };
        assert_eq!(
            may_change_legal_hold(&held, false, false),
            Err(LockRefusal::LegalHold)
        );
        assert_eq!(may_change_legal_hold(&held, false, true), Ok(()));
        assert_eq!(may_change_legal_hold(&held, true, false), Ok(()));
        let free = ObjectLock::default();
        assert_eq!(may_change_legal_hold(&free, true, true), Ok(()));
    }

    #[test]
    fn governance_changes_need_the_bypass_unless_they_extend() {
        let g = ret(LockMode::Governance, 100);
        let change = |new: Option<Retention>, bypass| {
            may_change_retention(Some(&g), new.as_ref(), 10, bypass)
        };
        assert_eq!(change(Some(ret(LockMode::Governance, 150)), false), Ok(()));
        assert!(change(Some(ret(LockMode::Compliance, 150)), false).is_err());
        assert_eq!(change(Some(ret(LockMode::Compliance, 150)), true), Ok(()));
        assert!(change(Some(ret(LockMode::Governance, 50)), false).is_err());
        assert!(change(None, false).is_err());
        assert_eq!(change(None, true), Ok(()));
        assert_eq!(change(Some(ret(LockMode::Governance, 50)), true), Ok(()));
    }

    #[test]
    fn default_retention_counts_from_the_write() {
        let cfg = ObjectLockConfig {
            default_retention: Some(DefaultRetention {
                mode: LockMode::Governance,
                period: RetentionPeriod::Days(2),
            }),
        };
        assert_eq!(
            cfg.default_at(1_000),
            Some(ret(LockMode::Governance, 1_000 + 2 * DAY_MS))
        );
        assert_eq!(RetentionPeriod::Years(1).as_ms(), 365 * DAY_MS);
        assert_eq!(ObjectLockConfig::default().default_at(5), None);
        assert_eq!(
            LockMode::parse(LockMode::Compliance.as_str()),
            Some(LockMode::Compliance)
        );
        assert_eq!(LockMode::parse("compliance"), None);
    }
}
