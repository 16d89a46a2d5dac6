//! Ops that apply at most once, and the drop list.
//!
//! A caller whose answer was lost (the leader died with the op in flight)
//! sends the op again with the same [`OpId`]. The state machine remembers
//! the id and result of every op it applied in the last [`RETAIN_MS`] (by
//! the proposing leader's clock, so every node expires the same ids), and
//! answers a repeat with the first result instead of applying it again. A
//! caller that gives up fences the id ([`MetaOp::Fence`]): from then on
//! the op can never apply, so its data can be deleted safely.
//!
//! The drop list holds the shard sets of versions an op replaced or
//! removed, keyed by when; the object service deletes them once no GET
//! can still be reading them, then forgets them ([`MetaOp::ForgetDrops`]).
//! Both lists live in the state machine, so they are replicated, in
//! snapshots, and survive restarts.

use std::ops::Bound;
use std::sync::PoisonError;

use fjall::Readable;

use super::error::MetaError;
use super::ops::{MetaOpError, OpId};
use super::overlay::{Fail, Overlay, Position};
use super::records::{from_bytes, to_bytes, PendingDrop, ShardSet};
use super::state::{MetaState, Space};

#[cfg(doc)]
use super::ops::MetaOp;

/// How long an applied op's id is remembered: well past the longest a
/// caller keeps re-sending it (`PREDASTORE_META_OP_TIMEOUT_MS`) and the
/// fence that follows.
pub(super) const RETAIN_MS: u64 = 120_000;

/// Most expired ids removed per entry, so one entry's apply stays short.
const EXPIRE_PER_ENTRY: usize = 4096;

/// Whether `key` has the shape of a drop-list key.
pub(super) fn is_drop_key(key: &[u8]) -> bool {
    key.len() == 20
}

fn id_key(id: OpId) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// What is remembered of an op's result: whether it applied, and if not,
/// why (what it changed is in the store already).
pub(super) type Remembered = Result<(), MetaOpError>;

impl Overlay<'_> {
    /// The remembered result of op `id`, if it has applied (or was fenced).
    pub(super) fn applied(&self, id: OpId) -> Result<Option<Remembered>, MetaError> {
        self.get(Space::AppliedOps, &id_key(id))?
            .map(|v| from_bytes(&v, "applied op"))
            .transpose()
    }

    /// Remembers op `id`'s result, applied at `pos`.
    pub(super) fn remember(
        &mut self,
        id: OpId,
        result: Remembered,
        pos: Position,
    ) -> Result<(), Fail> {
        let v = to_bytes(&result)?;
        self.put(Space::AppliedOps, id_key(id), v)?;
        // One position may remember two ids (a fence's own and the one it
        // fences): the order key ends with the id.
        let mut order = pos.key();
        order.extend_from_slice(&id_key(id));
        // A leader whose clock is behind the last one's remembers ids
        // before the expiry cursor: the next expiry looks from the front.
        let behind = self
            .state
            .expired_through
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|through| order <= *through);
        self.rescan_expiry |= behind;
        self.put(Space::AppliedOrder, order, id_key(id))?;
        Ok(())
    }

    /// Queues `sets` for deletion as of `pos`.
    pub(super) fn queue_drop(&mut self, sets: &[ShardSet], pos: Position) -> Result<(), Fail> {
        if sets.is_empty() {
            return Ok(());
        }
        let v = to_bytes(&sets)?;
        self.put(Space::Drops, pos.key(), v)
    }

    /// Forgets ids remembered more than [`RETAIN_MS`] before `at_ms`
    /// (at most [`EXPIRE_PER_ENTRY`] of them).
    pub(super) fn expire_ids(&mut self, at_ms: u64) -> Result<(), MetaError> {
        let Some(before) = at_ms.checked_sub(RETAIN_MS) else {
            return Ok(());
        };
        let upper = Bound::Excluded(before.to_be_bytes().to_vec());
        let lower = self
            .state
            .expired_through
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .map_or(Bound::Unbounded, Bound::Excluded);
        let mut expired = Vec::new();
        for guard in self
            .state
            .ks(Space::AppliedOrder)
            .range((lower, upper))
            .take(EXPIRE_PER_ENTRY)
        {
            let (k, id) = guard.into_inner()?;
            expired.push((k.to_vec(), id.to_vec()));
        }
        if let Some((last, _)) = expired.last() {
            self.expired_to = Some(last.clone());
        }
        for (order, id) in expired {
            self.remove(Space::AppliedOrder, order)
                .map_err(Fail::into_store)?;
            self.remove(Space::AppliedOps, id)
                .map_err(Fail::into_store)?;
        }
        Ok(())
    }
}

impl MetaState {
    /// Moves the expiry cursor after a batch committed: past what it
    /// expired, or back to the front when it remembered an id before it.
    pub(super) fn advance_expiry(&self, expired_to: Option<Vec<u8>>, rescan: bool) {
        let mut through = self
            .expired_through
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if rescan {
            *through = None;
        } else if expired_to.is_some() {
            *through = expired_to;
        }
    }

    /// Up to `limit` entries of the drop list queued before `before_ms`,
    /// oldest first, after the key `after` (a cursor, so that entries that
    /// cannot be dropped yet do not hold back the ones behind them).
    pub fn due_drops(
        &self,
        after: Option<&[u8]>,
        before_ms: u64,
        limit: usize,
    ) -> Result<Vec<PendingDrop>, MetaError> {
        let lower = after.map_or(Bound::Unbounded, |k| Bound::Excluded(k.to_vec()));
        let upper = Bound::Excluded(before_ms.to_be_bytes().to_vec());
        let mut out = Vec::new();
        for guard in self.ks(Space::Drops).range((lower, upper)).take(limit) {
            let (k, v) = guard.into_inner()?;
            out.push(PendingDrop {
                at_ms: Position::at_ms_of(&k).ok_or(MetaError::Corrupt("drop key"))?,
                key: k.to_vec(),
                sets: from_bytes(&v, "drop list entry")?,
            });
        }
        Ok(out)
    }

    /// Entries in the drop list, for gauges.
    pub fn pending_drops(&self) -> Result<usize, MetaError> {
        Ok(self.snapshot().iter(self.ks(Space::Drops)).count())
    }
}

/// Checks an imported snapshot entry of one of these keyspaces.
pub(super) fn check_entry(space: Space, key: &[u8], value: &[u8]) -> Result<(), MetaError> {
    let ok = match space {
        Space::AppliedOps => {
            key.len() == 16 && from_bytes::<Remembered>(value, "applied op").is_ok()
        }
        Space::AppliedOrder => key.len() == 36 && value.len() == 16,
        Space::Drops => {
            is_drop_key(key) && from_bytes::<Vec<ShardSet>>(value, "drop list entry").is_ok()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(MetaError::BadSnapshot(
            "bad at-most-once or drop list entry",
        ))
    }
}
