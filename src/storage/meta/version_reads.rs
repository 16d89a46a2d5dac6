//! Reads of a key's versions: one version by id, the newest (which may be
//! a delete marker), a key's noncurrent versions, a scan of every
//! noncurrent version for repair, and ListObjectVersions.
//!
//! ListObjectVersions merges the two places a key's versions live (the
//! current one in the objects keyspace, the rest in the versions keyspace,
//! newest first; see `versions`): both are in key order, and for one key
//! the current version is newer than every other, so a page walks both
//! ranges side by side and reads only what it returns (plus one entry to
//! know it is truncated). A page's cost follows its size, not the number
//! of versions before or after it.

use std::iter::Peekable;
use std::ops::Bound;

use fjall::Readable;
use serde::{Deserialize, Serialize};

use super::error::MetaError;
use super::keys;
use super::list::common_prefix;
use super::overlay::Entry;
use super::records::{ListedVersion, ObjectRecord};
use super::state::{end_bound, past_prefix, scan_range, MetaState, Space};
use super::version::{VersionRef, VersionSeq};

/// What a ListObjectVersions page asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionsQuery {
    /// Only keys starting with this.
    pub prefix: String,
    /// Roll keys up at the first occurrence of this after the prefix.
    pub delimiter: Option<String>,
    /// S3's `key-marker`: start after this key (or within it, with
    /// `version_marker`).
    pub key_marker: Option<String>,
    /// S3's `version-id-marker`: start after this version of
    /// `key_marker`.
    pub version_marker: Option<VersionRef>,
    /// Page size: at most this many versions, markers and prefixes.
    pub max_keys: usize,
}

/// A page of ListObjectVersions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionsPage {
    /// Versions and markers in (key, newest first) order.
    pub entries: Vec<ListedVersion>,
    /// Keys rolled up at the delimiter, each once, in order.
    pub common_prefixes: Vec<String>,
    /// Whether more follow.
    pub is_truncated: bool,
    /// Where the next page starts (when truncated).
    pub next_key_marker: Option<String>,
    /// The version where the next page starts (when truncated and the
    /// page ended on a version).
    pub next_version_marker: Option<VersionRef>,
}

/// Entries of a range scan of one keyspace.
type Entries<'a> = Box<dyn Iterator<Item = Result<Entry, MetaError>> + 'a>;

/// A range scan of one keyspace, one entry ahead.
type Scan<'a> = Peekable<Entries<'a>>;

impl MetaState {
    /// Opens a scan of `space` over (`lower`, `upper`).
    fn scan<'a>(
        &'a self,
        snap: &'a fjall::Snapshot,
        space: Space,
        lower: Bound<Vec<u8>>,
        upper: Bound<Vec<u8>>,
    ) -> Scan<'a> {
        let iter: Entries<'a> = match scan_range(lower, upper) {
            Some(range) => Box::new(snap.range(self.ks(space), range).map(|g| {
                g.into_inner()
                    .map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(MetaError::from)
            })),
            None => Box::new(std::iter::empty()),
        };
        iter.peekable()
    }

    /// The version `version` of a key (current, noncurrent or a marker).
    pub fn get_version(
        &self,
        bucket: &str,
        key: &str,
        version: VersionRef,
    ) -> Result<Option<ObjectRecord>, MetaError> {
        if let Some(current) = self.get_object(bucket, key)? {
            if current.version_ref() == version {
                return Ok(Some(current));
            }
        }
        match version {
            VersionRef::Id(seq) => {
                let k = keys::version_key(bucket, key, seq);
                if !keys::storable(&k) {
                    return Ok(None);
                }
                let found = self.ks(Space::Versions).get(&k)?;
                Ok(found
                    .map(|v| ObjectRecord::decode(&v))
                    .transpose()?
                    .filter(|r| r.versioned))
            }
            VersionRef::Null => self.noncurrent_null(bucket, key),
        }
    }

    /// The noncurrent `null` version or marker of a key, if any.
    fn noncurrent_null(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, MetaError> {
        let prefix = keys::version_key_prefix(bucket, key);
        if !keys::storable(&prefix) {
            return Ok(None);
        }
        for guard in self.snapshot().prefix(self.ks(Space::Versions), &prefix) {
            let (_, v) = guard.into_inner()?;
            let record = ObjectRecord::decode(&v)?;
            if !record.versioned {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    /// The newest version of a key, a delete marker included.
    pub fn latest_version(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<ObjectRecord>, MetaError> {
        if let Some(current) = self.get_object(bucket, key)? {
            return Ok(Some(current));
        }
        self.key_versions(bucket, key, None, 1).map(|mut v| v.pop())
    }

    /// Up to `limit` noncurrent versions and markers of a key, newest
    /// first, older than `after` if given.
    pub fn key_versions(
        &self,
        bucket: &str,
        key: &str,
        after: Option<VersionSeq>,
        limit: usize,
    ) -> Result<Vec<ObjectRecord>, MetaError> {
        let prefix = keys::version_key_prefix(bucket, key);
        let lower = after.map_or(Bound::Included(prefix.clone()), |seq| {
            Bound::Excluded(keys::version_key(bucket, key, seq))
        });
        let snap = self.snapshot();
        self.scan(&snap, Space::Versions, lower, end_bound(&prefix))
            .take(limit)
            .map(|e| e.and_then(|(_, v)| ObjectRecord::decode(&v)))
            .collect()
    }

    /// Up to `limit` noncurrent versions and markers of every bucket, in
    /// (bucket, key, newest first) order, after the version `after` names:
    /// the periodic scan and the orphan collector page through them.
    pub fn scan_versions(
        &self,
        after: Option<(&str, &str, VersionSeq)>,
        limit: usize,
    ) -> Result<Vec<ObjectRecord>, MetaError> {
        let lower = after.map_or(Bound::Unbounded, |(b, k, seq)| {
            Bound::Excluded(keys::version_key(b, k, seq))
        });
        let snap = self.snapshot();
        self.scan(&snap, Space::Versions, lower, Bound::Unbounded)
            .take(limit)
            .map(|e| e.and_then(|(_, v)| ObjectRecord::decode(&v)))
            .collect()
    }

    /// A page of ListObjectVersions of `bucket` (see the module docs). An
    /// unknown bucket lists empty.
    pub fn list_versions(
        &self,
        bucket: &str,
        q: &VersionsQuery,
    ) -> Result<VersionsPage, MetaError> {
        let base = keys::object_prefix(bucket);
        let object_at = |name: &str| {
            let mut k = base.clone();
            k.extend_from_slice(name.as_bytes());
            k
        };
        let versions_at = |name: &str| keys::version_prefix(bucket, name);
        let delimiter = q.delimiter.as_deref().filter(|d| !d.is_empty());
        let prefix = q.prefix.as_str();
        let (o_upper, v_upper) = (
            end_bound(&object_at(prefix)),
            end_bound(&versions_at(prefix)),
        );
        let mut o_lower = Bound::Included(object_at(prefix));
        let mut v_lower = Bound::Included(versions_at(prefix));
        // The key whose newest version an earlier page already returned.
        let mut seen: Option<String> = None;
        if let Some(km) = q
            .key_marker
            .as_deref()
            .filter(|km| km.as_bytes() >= prefix.as_bytes())
        {
            if let Some(cp) = delimiter.and_then(|d| common_prefix(km, prefix, d)) {
                match (past_prefix(&object_at(cp)), past_prefix(&versions_at(cp))) {
                    (Some(o), Some(v)) => (o_lower, v_lower) = (o, v),
                    _ => return Ok(VersionsPage::default()),
                }
            } else {
                o_lower = Bound::Excluded(object_at(km));
                let key_versions = keys::version_key_prefix(bucket, km);
                let mut past_key = key_versions.clone();
                past_key.extend_from_slice(&[0xff; 8]);
                v_lower = Bound::Excluded(past_key);
                if let Some(vm) = q.version_marker {
                    seen = Some(km.to_owned());
                    let current = self.get_object(bucket, km)?;
                    if current.is_some_and(|c| c.version_ref() == vm) {
                        v_lower = Bound::Included(key_versions);
                    } else if let Some(found) = self.get_version(bucket, km, vm)? {
                        v_lower = Bound::Excluded(keys::version_key(bucket, km, found.seq));
                    }
                }
            }
        }

        let snap = self.snapshot();
        let mut objects = self.scan(&snap, Space::Objects, o_lower, o_upper.clone());
        let mut versions = self.scan(&snap, Space::Versions, v_lower, v_upper.clone());
        let mut page = VersionsPage::default();
        let mut count = 0usize;
        loop {
            let o_name = match objects.peek() {
                Some(Ok((k, _))) => Some(
                    k.get(base.len()..)
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .ok_or(MetaError::Corrupt("object key"))?
                        .to_owned(),
                ),
                Some(Err(_)) => return Err(take_error(&mut objects)),
                None => None,
            };
            let v_name = match versions.peek() {
                Some(Ok((k, _))) => Some(
                    keys::split_version_key(k)
                        .ok_or(MetaError::Corrupt("versions key"))?
                        .1,
                ),
                Some(Err(_)) => return Err(take_error(&mut versions)),
                None => None,
            };
            let (name, from_objects) = match (o_name, v_name) {
                (Some(o), Some(v)) if o.as_bytes() <= v.as_bytes() => (o, true),
                (Some(o), None) => (o, true),
                (_, Some(v)) => (v, false),
                (None, None) => break,
            };
            if count == q.max_keys {
                page.is_truncated = true;
                break;
            }
            count += 1;
            if let Some(cp) = delimiter.and_then(|d| common_prefix(&name, prefix, d)) {
                page.common_prefixes.push(cp.to_owned());
                page.next_key_marker = Some(cp.to_owned());
                page.next_version_marker = None;
                let (Some(o), Some(v)) =
                    (past_prefix(&object_at(cp)), past_prefix(&versions_at(cp)))
                else {
                    break;
                };
                objects = self.scan(&snap, Space::Objects, o, o_upper.clone());
                versions = self.scan(&snap, Space::Versions, v, v_upper.clone());
                continue;
            }
            let scan = if from_objects {
                &mut objects
            } else {
                &mut versions
            };
            let Some(entry) = scan.next() else { break };
            let is_latest = seen.as_deref() != Some(name.as_str());
            let listed = ListedVersion::from_stored(&entry?.1, is_latest)?;
            seen = Some(name.clone());
            page.next_key_marker = Some(name);
            page.next_version_marker = Some(listed.version);
            page.entries.push(listed);
        }
        if !page.is_truncated {
            page.next_key_marker = None;
            page.next_version_marker = None;
        }
        Ok(page)
    }
}

/// The error a scan's next entry holds.
fn take_error(scan: &mut Scan<'_>) -> MetaError {
    match scan.next() {
        Some(Err(e)) => e,
        _ => MetaError::Corrupt("scan entry"),
    }
}
