//! Bucket lifecycle rules, as S3 defines them, and when they let a version
//! or an upload go.
//!
//! The rules are pure functions of the records, the bucket's rules, the
//! proposing leader's clock and the length of a day: the lifecycle actor
//! proposes candidates, and the state machine asks these functions again
//! when it applies them, so a version overwritten, locked or re-tagged
//! since the walk saw it is never expired by mistake, and every replica
//! decides the same.
//!
//! Days count as S3 counts them: from the object's creation (a noncurrent
//! version: from when it became noncurrent, the next newer version's
//! creation), plus the rule's days, rounded up to the next midnight UTC.
//! The length of a day is a parameter so tests can shorten it; production
//! uses [`DAY_MS`].
//!
//! The rules are here; [`state`] is lifecycle in the state machine (the
//! stored rules, the walk's pages, the ops that carry out what it found).

pub(crate) mod state;

use serde::{Deserialize, Serialize};

use crate::storage::meta::records::{ObjectRecord, Tags};
use crate::storage::meta::version::VersionRef;

/// Milliseconds in a real day.
pub(crate) const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Most rules a configuration may hold (S3's limit).
pub(crate) const MAX_RULES: usize = 1000;

/// Longest rule id, in bytes (S3's limit).
pub(crate) const MAX_RULE_ID_BYTES: usize = 255;

/// A bucket's lifecycle configuration (`PutBucketLifecycleConfiguration`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleConfig {
    /// The rules, in the order given; ids are unique.
    pub rules: Vec<LifecycleRule>,
}

/// One rule: which objects, and what happens to them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    /// The rule's id, named in `x-amz-expiration` (one is made up when
    /// none is given).
    pub id: String,
    /// `Status` `Enabled`; a disabled rule is kept but does nothing.
    pub enabled: bool,
    /// Which objects the rule applies to.
    pub filter: RuleFilter,
    /// Whether the rule was given with a top-level `Prefix` (the old
    /// form) rather than a `Filter`: GetBucketLifecycleConfiguration
    /// answers in the form it was given.
    pub legacy_prefix: bool,
    /// What happens to current versions and lone delete markers.
    pub expiration: Option<Expiration>,
    /// What happens to noncurrent versions.
    pub noncurrent: Option<NoncurrentExpiration>,
    /// Incomplete multipart uploads are aborted this many days after they
    /// were started.
    pub abort_after_days: Option<u32>,
}

/// Which objects a rule applies to: all of the set conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFilter {
    /// Keys starting with this (empty: every key).
    pub prefix: String,
    /// Whether a `Prefix` was given, an empty one too (kept for the
    /// answer, which echoes it).
    pub prefix_given: bool,
    /// Objects carrying every one of these tags.
    pub tags: Tags,
    /// Objects larger than this many bytes.
    pub size_greater_than: Option<u64>,
    /// Objects smaller than this many bytes.
    pub size_less_than: Option<u64>,
    /// Whether the filter was given in an `And` (kept for the answer).
    pub and: bool,
}

/// When current versions expire, and whether lone delete markers go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiration {
    /// Days after creation (at least 1).
    pub days: Option<u32>,
    /// A date (midnight UTC, ms since the Unix epoch) from which on.
    pub date_ms: Option<u64>,
    /// Remove a delete marker that is its key's only version.
    pub expired_object_delete_marker: bool,
}

/// When noncurrent versions go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentExpiration {
    /// Days after the version became noncurrent (at least 1).
    pub days: u32,
    /// Keep this many newer noncurrent versions whatever their age.
    pub newer_versions: Option<u32>,
}

/// What the lifecycle does with one version or upload, when it applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LifecycleAction {
    /// Expire the current version: remove it (unversioned bucket) or put a
    /// delete marker over it.
    ExpireCurrent,
    /// Permanently delete a noncurrent version.
    ExpireNoncurrent,
    /// Permanently delete a delete marker that is its key's only version.
    RemoveMarker,
    /// Abort an incomplete multipart upload.
    AbortUpload,
}

/// `t` rounded up to the next day boundary ("midnight UTC").
pub(crate) fn round_up_to_day(t_ms: u64, day_ms: u64) -> u64 {
    let day = day_ms.max(1);
    t_ms.div_ceil(day).saturating_mul(day)
}

/// `days` after `from_ms`, rounded up to the next day boundary.
pub(crate) fn days_after(from_ms: u64, days: u32, day_ms: u64) -> u64 {
    round_up_to_day(
        from_ms.saturating_add(u64::from(days).saturating_mul(day_ms)),
        day_ms,
    )
}

impl RuleFilter {
    /// Whether an object with this key, tag set and size matches.
    pub fn matches(&self, key: &str, tags: &Tags, size: u64) -> bool {
        key.starts_with(&self.prefix)
            && self.tags.iter().all(|t| tags.contains(t))
            && self.size_greater_than.is_none_or(|n| size > n)
            && self.size_less_than.is_none_or(|n| size < n)
    }

    /// Whether the filter says anything beyond a prefix (such rules never
    /// apply to delete markers or uploads, which have no tags or size).
    pub fn has_object_conditions(&self) -> bool {
        !self.tags.is_empty() || self.size_greater_than.is_some() || self.size_less_than.is_some()
    }
}

impl LifecycleConfig {
    /// Enabled rules whose filter matches this version's key, tags, size.
    fn matching<'a>(&'a self, v: &'a ObjectRecord) -> impl Iterator<Item = &'a LifecycleRule> {
        self.rules
            .iter()
            .filter(move |r| r.enabled && r.filter.matches(&v.key, &v.tags, v.size))
    }

    /// When the current version `v` (not a marker) expires, and by which
    /// rule: the earliest of the matching rules' dates, for
    /// `x-amz-expiration` and for the walk.
    pub fn current_expiry<'a>(
        &'a self,
        v: &'a ObjectRecord,
        day_ms: u64,
    ) -> Option<(u64, &'a str)> {
        if v.delete_marker {
            return None;
        }
        self.matching(v)
            .filter_map(|r| {
                let e = r.expiration?;
                let at = match (e.days, e.date_ms) {
                    (Some(d), _) => days_after(v.last_modified_ms, d, day_ms),
                    (None, Some(date)) => date,
                    (None, None) => return None,
                };
                Some((at, r.id.as_str()))
            })
            .min_by_key(|(at, _)| *at)
    }

    /// Whether the current version `v` has expired at `now_ms`.
    pub fn current_expired(&self, v: &ObjectRecord, now_ms: u64, day_ms: u64) -> bool {
        self.current_expiry(v, day_ms)
            .is_some_and(|(at, _)| at <= now_ms)
    }

    /// Whether the delete marker `m`, the only version of its key, goes at
    /// `now_ms`: a rule asks for lone markers to go, or its expiration days
    /// have passed since the marker was made.
    pub fn marker_expired(&self, m: &ObjectRecord, now_ms: u64, day_ms: u64) -> bool {
        self.rules
            .iter()
            .filter(|r| {
                r.enabled
                    && !r.filter.has_object_conditions()
                    && m.key.starts_with(&r.filter.prefix)
            })
            .filter_map(|r| r.expiration)
            .any(|e| {
                e.expired_object_delete_marker
                    || e.days
                        .is_some_and(|d| days_after(m.last_modified_ms, d, day_ms) <= now_ms)
                    || e.date_ms.is_some_and(|date| date <= now_ms)
            })
    }

    /// Whether the noncurrent version `v` goes at `now_ms`, given when it
    /// became noncurrent and how many noncurrent versions of its key are
    /// newer than it.
    pub fn noncurrent_expired(
        &self,
        v: &ObjectRecord,
        noncurrent_since_ms: u64,
        newer_noncurrent: usize,
        now_ms: u64,
        day_ms: u64,
    ) -> bool {
        self.matching(v).filter_map(|r| r.noncurrent).any(|n| {
            let kept = n
                .newer_versions
                .is_some_and(|keep| newer_noncurrent < keep as usize);
            !kept && days_after(noncurrent_since_ms, n.days, day_ms) <= now_ms
        })
    }

    /// When an upload of `key` started at `initiated_ms` is aborted, and
    /// by which rule (the earliest), for `x-amz-abort-date`.
    pub fn upload_abort(&self, key: &str, initiated_ms: u64, day_ms: u64) -> Option<(u64, &str)> {
        self.rules
            .iter()
            .filter(|r| {
                r.enabled && !r.filter.has_object_conditions() && key.starts_with(&r.filter.prefix)
            })
            .filter_map(|r| {
                Some((
                    days_after(initiated_ms, r.abort_after_days?, day_ms),
                    r.id.as_str(),
                ))
            })
            .min_by_key(|(at, _)| *at)
    }

    /// Whether any rule is enabled (else a walk has nothing to do).
    pub fn any_enabled(&self) -> bool {
        self.rules.iter().any(|r| r.enabled)
    }

    /// What is due at `now_ms` among the versions of one key, newest first
    /// (`versions[0]` is the latest: the current version or a delete
    /// marker). The walk proposes exactly these, and the state machine
    /// applies a proposal only if it is still among them.
    pub fn due_for_key(&self, versions: &[ObjectRecord], now_ms: u64, day_ms: u64) -> Vec<Due> {
        let mut due = Vec::new();
        let Some(latest) = versions.first() else {
            return due;
        };
        if !latest.delete_marker && self.current_expired(latest, now_ms, day_ms) {
            due.push(Due::of(latest, LifecycleAction::ExpireCurrent));
        }
        if latest.delete_marker
            && versions.len() == 1
            && self.marker_expired(latest, now_ms, day_ms)
        {
            due.push(Due::of(latest, LifecycleAction::RemoveMarker));
        }
        let mut newer_noncurrent = 0;
        for pair in versions.windows(2) {
            let (newer, v) = (&pair[0], &pair[1]);
            if self.noncurrent_expired(v, newer.last_modified_ms, newer_noncurrent, now_ms, day_ms)
            {
                due.push(Due::of(v, LifecycleAction::ExpireNoncurrent));
            }
            if !v.delete_marker {
                newer_noncurrent += 1;
            }
        }
        due
    }

    /// Whether `d` is among [`Self::due_for_key`]`(versions, ..)`, judged
    /// on its own version alone: the state machine checks every action
    /// of a page this way, and judging a whole deep history for each
    /// would make expiring it quadratic.
    pub fn still_due(&self, versions: &[ObjectRecord], d: &Due, now_ms: u64, day_ms: u64) -> bool {
        let Some(i) = versions.iter().position(|v| v.version_ref() == d.version) else {
            return false;
        };
        let v = &versions[i];
        if Due::of(v, d.action) != *d {
            return false;
        }
        match d.action {
            LifecycleAction::ExpireCurrent => {
                i == 0 && !v.delete_marker && self.current_expired(v, now_ms, day_ms)
            }
            LifecycleAction::RemoveMarker => {
                versions.len() == 1 && v.delete_marker && self.marker_expired(v, now_ms, day_ms)
            }
            LifecycleAction::ExpireNoncurrent => {
                let Some(newer) = i.checked_sub(1).map(|n| &versions[n]) else {
                    return false;
                };
                let newer_noncurrent = versions[1..i].iter().filter(|v| !v.delete_marker).count();
                self.noncurrent_expired(v, newer.last_modified_ms, newer_noncurrent, now_ms, day_ms)
            }
            LifecycleAction::AbortUpload => false,
        }
    }
}

/// One lifecycle action due on one version (or upload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The object's key.
    pub key: String,
    /// The version it is about (`null` for an upload).
    pub version: VersionRef,
    /// What to do.
    pub action: LifecycleAction,
    /// The upload to abort ([`LifecycleAction::AbortUpload`]; else empty).
    pub upload_id: String,
}

impl Due {
    fn of(v: &ObjectRecord, action: LifecycleAction) -> Due {
        Due {
            key: v.key.clone(),
            version: v.version_ref(),
            action,
            upload_id: String::new(),
        }
    }

    /// Aborting upload `upload_id` of `key`.
    pub fn abort(key: &str, upload_id: &str) -> Due {
        Due {
            key: key.to_owned(),
            version: VersionRef::Null,
            action: LifecycleAction::AbortUpload,
            upload_id: upload_id.to_owned(),
        }
    }
}

/// What lifecycle actions did, in one op or one walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleTally {
    /// Current or noncurrent versions expired.
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Lone delete markers removed.
    pub markers: u64,
    /// Incomplete uploads aborted.
    pub uploads: u64,
}

impl LifecycleTally {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &LifecycleTally) {
        self.objects += other.objects;
        self.bytes += other.bytes;
        self.markers += other.markers;
        self.uploads += other.uploads;
    }
}

/// Where in a bucket a walk is: its three passes in turn, each after the
/// last thing it looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalkPoint {
    /// Current versions, after this key (`None`: from the start).
    Current(Option<String>),
    /// Keys with noncurrent versions or markers, after this key.
    Versions(Option<String>),
    /// Incomplete uploads, after this (key, upload id).
    Uploads(Option<(String, String)>),
}

/// One page of a walk ([`crate::storage::meta::MetaRead::LifecycleDue`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuePage {
    /// What is due, in walk order.
    pub due: Vec<Due>,
    /// Records looked at.
    pub examined: u64,
    /// Where the next page starts; `None`: the bucket is done.
    pub next: Option<WalkPoint>,
}

/// The lifecycle walk's state, kept in the metadata so a new leader
/// resumes it and `admin status` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleProgress {
    /// The walk in progress, if any: when it started, the bucket and the
    /// point in it.
    pub walk: Option<(u64, String, WalkPoint)>,
    /// What the walk in progress has done so far.
    pub tally: LifecycleTally,
    /// Records the walk in progress has looked at.
    pub examined: u64,
    /// When the last complete walk started and finished.
    pub last_run: Option<(u64, u64)>,
    /// What the last complete walk did.
    pub last_tally: LifecycleTally,
}

#[cfg(test)]
mod tests;
