//! The batch being applied, before it is committed: an [`Overlay`] of
//! pending writes read through on top of the store, with an undo log that
//! rolls back a refused op, and the [`Position`] in the log of the op being
//! applied. `apply` (the ops), `once` (ids, drop list) and `heal` (the heal
//! queue, placements) all write through it; it knows none of them.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::error::MetaError;
use super::keys;
use super::ops::MetaOpError;
use super::quota::BucketUsage;
use super::records::ShardSet;
use super::state::{
    encode_last_applied, end_bound, Applied, MetaState, Space, SPACES, SPACE_COUNT,
};

/// Where an op sits in the log: the order key of what it leaves behind.
#[derive(Clone, Copy, Debug)]
pub(super) struct Position {
    /// The entry's clock.
    pub at_ms: u64,
    /// The entry's log index.
    pub log_index: u64,
    /// The op's place in the entry.
    pub op: u32,
}

impl Position {
    /// `at_ms`, log index, op index, big-endian: time order.
    pub(super) fn key(self) -> Vec<u8> {
        let mut k = Vec::with_capacity(20);
        k.extend_from_slice(&self.at_ms.to_be_bytes());
        k.extend_from_slice(&self.log_index.to_be_bytes());
        k.extend_from_slice(&self.op.to_be_bytes());
        k
    }

    /// The time in an order key written by [`Position::key`].
    pub(super) fn at_ms_of(key: &[u8]) -> Option<u64> {
        Some(u64::from_be_bytes(key.get(..8)?.try_into().ok()?))
    }
}

/// A stored (key, value) pair.
pub(super) type Entry = (Vec<u8>, Vec<u8>);

/// Why an op did not apply: refused, or the store failed.
pub(super) enum Fail {
    /// Refused for an S3 reason: the op's result, the batch goes on.
    Op(MetaOpError),
    /// The store failed: the whole batch stops.
    Store(MetaError),
}

impl Fail {
    /// For bookkeeping writes (ids, drops), which cannot be refused: a
    /// failure there is the store's.
    pub(super) fn into_store(self) -> MetaError {
        match self {
            Fail::Op(_) => MetaError::Encode("an id or drop list entry"),
            Fail::Store(e) => e,
        }
    }
}

impl From<MetaOpError> for Fail {
    fn from(e: MetaOpError) -> Self {
        Fail::Op(e)
    }
}

impl From<MetaError> for Fail {
    fn from(e: MetaError) -> Self {
        Fail::Store(e)
    }
}

impl From<fjall::Error> for Fail {
    fn from(e: fjall::Error) -> Self {
        Fail::Store(e.into())
    }
}

/// A pending write: `Some` value, or `None` for a removal.
type Pending = Option<Vec<u8>>;

/// The batch being applied: writes not yet committed, read through on top
/// of the store, with an undo log to roll back a refused op.
pub(super) struct Overlay<'a> {
    /// The committed store the overlay reads through to.
    pub(super) state: &'a MetaState,
    /// Pending writes of the batch so far, one map per keyspace (indexed
    /// by [`Space::index`]), key to new value or `None` for a removal.
    writes: [BTreeMap<Vec<u8>, Pending>; SPACE_COUNT],
    /// (keyspace, key, overlay entry before the write), newest last:
    /// popped back to a mark to roll a refused op back.
    pub(super) undo: Vec<(Space, Vec<u8>, Option<Pending>)>,
    /// Where the op being applied sits in the log.
    pub(super) pos: Position,
    /// Data the op being applied leaves unreferenced, queued for the drop
    /// list only if the op applies.
    pub(super) drops: Vec<ShardSet>,
    /// Usage of each bucket the op being applied changed, as it was
    /// before the op (for the quota check).
    pub(super) usage_before: BTreeMap<String, BucketUsage>,
    /// The last applied-order key this batch's expiry removed.
    pub(super) expired_to: Option<Vec<u8>>,
    /// This batch remembered an id before the expiry cursor.
    pub(super) rescan_expiry: bool,
}

impl<'a> Overlay<'a> {
    pub(super) fn new(state: &'a MetaState) -> Self {
        Self {
            state,
            writes: Default::default(),
            undo: Vec::new(),
            pos: Position {
                at_ms: 0,
                log_index: 0,
                op: 0,
            },
            drops: Vec::new(),
            usage_before: BTreeMap::new(),
            expired_to: None,
            rescan_expiry: false,
        }
    }

    pub(super) fn get(&self, s: Space, key: &[u8]) -> Result<Option<Vec<u8>>, MetaError> {
        match self.writes[s.index()].get(key) {
            Some(pending) => Ok(pending.clone()),
            None if !keys::storable(key) => Ok(None),
            None => Ok(self.state.ks(s).get(key)?.map(|v| v.to_vec())),
        }
    }

    pub(super) fn get_record<T>(
        &self,
        s: Space,
        key: &[u8],
        decode: fn(&[u8]) -> Result<T, MetaError>,
    ) -> Result<Option<T>, MetaError> {
        self.get(s, key)?.map(|v| decode(&v)).transpose()
    }

    fn set(&mut self, s: Space, key: Vec<u8>, value: Pending) {
        let before = self.writes[s.index()].insert(key.clone(), value);
        self.undo.push((s, key, before));
    }

    /// Stages a write; refuses (as an op error) a key or value fjall
    /// could not hold, rather than letting the commit fail or panic.
    pub(super) fn put(&mut self, s: Space, key: Vec<u8>, value: Vec<u8>) -> Result<(), Fail> {
        if !keys::storable(&key) || u32::try_from(value.len()).is_err() {
            return Err(MetaOpError::InvalidArgument.into());
        }
        self.account(s, &key, Some(&value))?;
        self.set(s, key, Some(value));
        Ok(())
    }

    /// Stages a removal.
    pub(super) fn remove(&mut self, s: Space, key: Vec<u8>) -> Result<(), Fail> {
        self.account(s, &key, None)?;
        self.set(s, key, None);
        Ok(())
    }

    pub(super) fn rollback(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let Some((s, key, before)) = self.undo.pop() else {
                break;
            };
            let writes = &mut self.writes[s.index()];
            match before {
                Some(v) => writes.insert(key, v),
                None => writes.remove(&key),
            };
        }
    }

    /// Whether any live key starts with `prefix`.
    pub(super) fn any_with_prefix(&self, s: Space, prefix: &[u8]) -> Result<bool, MetaError> {
        let writes = &self.writes[s.index()];
        let range = (Bound::Included(prefix.to_vec()), end_bound(prefix));
        if writes.range(range).any(|(_, v)| v.is_some()) {
            return Ok(true);
        }
        for guard in self.state.ks(s).prefix(prefix) {
            let k = guard.key()?;
            if !matches!(writes.get(&*k), Some(None)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The first live (key, value) starting with `prefix`, and after
    /// `after` if given, without reading the ones after it. `after` lets a
    /// caller that knows every key up to it is gone seek past them: an LSM
    /// tree keeps removed keys as tombstones that a scan from the prefix
    /// would step over one by one.
    pub(super) fn first_with_prefix(
        &self,
        s: Space,
        prefix: &[u8],
        after: Option<&[u8]>,
    ) -> Result<Option<Entry>, MetaError> {
        let writes = &self.writes[s.index()];
        let lower = after.map_or_else(
            || Bound::Included(prefix.to_vec()),
            |k| Bound::Excluded(k.to_vec()),
        );
        let range = (lower, end_bound(prefix));
        let pending = writes
            .range(range.clone())
            .find_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())));
        let mut stored = None;
        for guard in self.state.ks(s).range(range) {
            let (k, v) = guard.into_inner()?;
            match writes.get(&*k) {
                // Removed in this batch; a rewrite is among `pending`.
                Some(_) => continue,
                None => {
                    stored = Some((k.to_vec(), v.to_vec()));
                    break;
                }
            }
        }
        Ok(match (pending, stored) {
            (Some(p), Some(s)) => Some(if p.0 <= s.0 { p } else { s }),
            (p, s) => p.or(s),
        })
    }

    /// The first live value starting with `prefix` that `matches`, reading
    /// in key order until it is found.
    pub(super) fn find_with_prefix(
        &self,
        s: Space,
        prefix: &[u8],
        matches: impl Fn(&[u8]) -> Result<bool, MetaError>,
    ) -> Result<Option<Entry>, MetaError> {
        let writes = &self.writes[s.index()];
        let range = (Bound::Included(prefix.to_vec()), end_bound(prefix));
        for (k, v) in writes.range(range) {
            if let Some(v) = v {
                if matches(v)? {
                    return Ok(Some((k.clone(), v.clone())));
                }
            }
        }
        for guard in self.state.ks(s).prefix(prefix) {
            let (k, v) = guard.into_inner()?;
            if writes.get(&*k).is_none() && matches(&v)? {
                return Ok(Some((k.to_vec(), v.to_vec())));
            }
        }
        Ok(None)
    }

    /// Every live (key, value) starting with `prefix`, in key order.
    pub(super) fn scan_prefix(
        &self,
        s: Space,
        prefix: &[u8],
    ) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, MetaError> {
        let mut out = BTreeMap::new();
        for guard in self.state.ks(s).prefix(prefix) {
            let (k, v) = guard.into_inner()?;
            out.insert(k.to_vec(), v.to_vec());
        }
        let range = (Bound::Included(prefix.to_vec()), end_bound(prefix));
        for (k, v) in self.writes[s.index()].range(range) {
            match v {
                Some(v) => out.insert(k.clone(), v.clone()),
                None => out.remove(k),
            };
        }
        Ok(out)
    }

    pub(super) fn commit(
        self,
        applied: Applied,
        raft_state: Option<&[u8]>,
    ) -> Result<(), MetaError> {
        let (state, expired_to, rescan) = (self.state, self.expired_to.clone(), self.rescan_expiry);
        self.write(applied, raft_state)?;
        state.advance_expiry(expired_to, rescan);
        Ok(())
    }

    fn write(self, applied: Applied, raft_state: Option<&[u8]>) -> Result<(), MetaError> {
        let mut batch = self.state.db.batch();
        for s in SPACES {
            let ks = self.state.ks(s);
            for (k, v) in &self.writes[s.index()] {
                // `put` checked new keys; removed keys were read from fjall.
                if !keys::storable(k) {
                    return Err(MetaError::Encode("a key fjall cannot hold"));
                }
                match v {
                    Some(v) => batch.insert(ks, k.as_slice(), v.as_slice()),
                    None => batch.remove(ks, k.as_slice()),
                }
            }
        }
        batch.insert(
            self.state.ks(Space::Meta),
            keys::LAST_APPLIED_KEY,
            encode_last_applied(applied),
        );
        if let Some(raft_state) = raft_state {
            batch.insert(self.state.ks(Space::Meta), keys::RAFT_STATE_KEY, raft_state);
        }
        batch.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_undoes_partial_writes_of_an_op() -> Result<(), MetaError> {
        let dir = tempfile::tempdir()?;
        let state = MetaState::open(dir.path())?;
        let mut overlay = Overlay::new(&state);
        assert!(overlay
            .put(Space::Buckets, b"a".to_vec(), b"1".to_vec())
            .is_ok());
        let mark = overlay.undo.len();
        assert!(overlay
            .put(Space::Buckets, b"a".to_vec(), b"2".to_vec())
            .is_ok());
        assert!(overlay.remove(Space::Buckets, b"b".to_vec()).is_ok());
        overlay.rollback(mark);
        assert_eq!(overlay.get(Space::Buckets, b"a")?, Some(b"1".to_vec()));
        assert_eq!(overlay.writes[Space::Buckets.index()].len(), 1);
        Ok(())
    }
}
