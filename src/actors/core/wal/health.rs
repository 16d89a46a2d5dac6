//! Which of the storage node's volumes take writes, and which can be read.
//! A volume fails when a write into it meets an I/O error, or when its
//! probe does (every [`PROBE_INTERVAL`]: a block written, synced and
//! removed in its directory, which must still hold the volume's identity:
//! a directory that is gone, or another disk in its place, fails it); it is
//! full when either finds no space left. A failed or full volume takes no
//! new shard — writes go to the node's next healthy volume, the index
//! remembering where each shard is — and comes back when its probe passes
//! again; a full one is still read, a failed one is not (its shards
//! answer missing). Each change is logged once with the volume's path and
//! shown in `predastore_volume_up` and `predastore_volume_full`;
//! `predastore_volume_io_errors_total` counts the errors.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::metrics;
use crate::storage::index::inventory::disk_space;
use crate::storage::wal::identity::holds;
use crate::storage::wal::probe::probe_volume;
use crate::storage::{StorageError, VolumeId, VolumeState, VolumeStatus};

/// How often each volume is probed: a failed disk is noticed within this.
pub(crate) const PROBE_INTERVAL: Duration = Duration::from_secs(5);

/// How a volume stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Standing {
    /// Takes new shards and is read.
    Ok = 0,
    /// No space left: read, but takes no new shard.
    Full = 1,
    /// Its disk failed: neither read nor written.
    Failed = 2,
}

impl Standing {
    fn of(v: u8) -> Standing {
        match v {
            0 => Standing::Ok,
            1 => Standing::Full,
            _ => Standing::Failed,
        }
    }

    /// What an I/O error says of the disk.
    fn after(e: &io::Error) -> Standing {
        match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Standing::Full,
            _ => Standing::Failed,
        }
    }
}

/// The volumes' health, shared by the node's clones and its prober.
pub(crate) struct VolumeHealth {
    dirs: Vec<PathBuf>,
    standing: Vec<AtomicU8>,
    /// The store's id: the probe checks each disk in place still holds
    /// its volume's identity.
    store: u128,
    /// The volumes not taken in at start (or given up for a replacement
    /// disk): failed, and not probed, until a disk is taken in for them.
    left_out: Vec<AtomicBool>,
}

impl VolumeHealth {
    /// Every volume of `dirs` (slots of store `store`) healthy but those
    /// `left_out` at start, which stay failed.
    pub(crate) fn new(dirs: Vec<PathBuf>, store: u128, left_out: &[usize]) -> Arc<Self> {
        let left_out: Vec<bool> = (0..dirs.len()).map(|i| left_out.contains(&i)).collect();
        for (i, out) in left_out.iter().enumerate() {
            let v = i.to_string();
            metrics::VOLUME_UP
                .with_label_values(&[&v])
                .set(i64::from(!out));
            metrics::VOLUME_FULL.with_label_values(&[&v]).set(0);
            metrics::VOLUME_IO_ERRORS.with_label_values(&[&v]).inc_by(0);
        }
        let standing = left_out
            .iter()
            .map(|&out| {
                let now = if out { Standing::Failed } else { Standing::Ok };
                AtomicU8::new(now as u8)
            })
            .collect();
        Arc::new(Self {
            dirs,
            standing,
            store,
            left_out: left_out.into_iter().map(AtomicBool::new).collect(),
        })
    }

    fn standing(&self, v: usize) -> Standing {
        self.standing.get(v).map_or(Standing::Failed, |s| {
            Standing::of(s.load(Ordering::Relaxed))
        })
    }

    /// How each volume stands, in slot order, with its filesystem's space
    /// (`statvfs`: call on a blocking thread).
    pub(crate) fn statuses(&self) -> Vec<VolumeStatus> {
        self.dirs
            .iter()
            .enumerate()
            .map(|(v, dir)| {
                let (capacity_bytes, free_bytes) = disk_space(std::slice::from_ref(dir));
                VolumeStatus {
                    slot: VolumeId::try_from(v).unwrap_or(VolumeId::MAX),
                    path: dir.display().to_string(),
                    state: match self.standing(v) {
                        Standing::Ok => VolumeState::Ok,
                        Standing::Full => VolumeState::Full,
                        Standing::Failed => VolumeState::Failed,
                    },
                    capacity_bytes,
                    free_bytes,
                    io_errors: metrics::VOLUME_IO_ERRORS
                        .with_label_values(&[&v.to_string()])
                        .get(),
                }
            })
            .collect()
    }

    fn is_left_out(&self, v: usize) -> bool {
        self.left_out
            .get(v)
            .is_none_or(|out| out.load(Ordering::Relaxed))
    }

    /// Leaves `volume` out (failed, not probed) while its disk is being
    /// replaced.
    pub(crate) fn leave_out(&self, volume: VolumeId) {
        if let Some(out) = self.left_out.get(usize::from(volume)) {
            out.store(true, Ordering::Relaxed);
        }
        self.set(
            usize::from(volume),
            Err(&io::Error::other("being replaced")),
        );
    }

    /// Takes `volume` back in service: a new disk was taken in for it.
    pub(crate) fn take_back(&self, volume: VolumeId) {
        if let Some(out) = self.left_out.get(usize::from(volume)) {
            out.store(false, Ordering::Relaxed);
        }
        self.set(usize::from(volume), Ok(()));
    }

    /// Whether `volume` has failed (its shards cannot be counted on).
    pub(crate) fn is_failed(&self, volume: VolumeId) -> bool {
        self.standing(usize::from(volume)) == Standing::Failed
    }

    /// Whether `volume` takes new shards (neither failed nor full).
    pub(crate) fn takes_shards(&self, volume: VolumeId) -> bool {
        self.standing(usize::from(volume)) == Standing::Ok
    }

    /// The volume a new shard goes to: `preferred` while it is healthy,
    /// else the next healthy one after it; `preferred` when none is (the
    /// write is then refused).
    pub(crate) fn pick(&self, preferred: VolumeId) -> VolumeId {
        let n = self.standing.len();
        if n == 0 || self.standing(usize::from(preferred)) == Standing::Ok {
            return preferred;
        }
        (1..n)
            .map(|step| (usize::from(preferred) + step) % n)
            .find(|&v| self.standing(v) == Standing::Ok)
            .and_then(|v| VolumeId::try_from(v).ok())
            .unwrap_or(preferred)
    }

    /// Takes note of what a write into `volume` met: an I/O error fails
    /// the volume, or marks it full (other errors say nothing of the
    /// disk).
    pub(crate) fn saw(&self, volume: VolumeId, e: &StorageError) {
        if let StorageError::Io(io) = e {
            metrics::VOLUME_IO_ERRORS
                .with_label_values(&[&volume.to_string()])
                .inc();
            self.set(usize::from(volume), Err(io));
        }
    }

    /// Sets volume `v`'s standing from what its disk last answered; logs
    /// a change.
    fn set(&self, v: usize, answered: Result<(), &io::Error>) {
        let (Some(slot), Some(dir)) = (self.standing.get(v), self.dirs.get(v)) else {
            return;
        };
        let now = answered.map_or_else(Standing::after, |()| Standing::Ok);
        if Standing::of(slot.swap(now as u8, Ordering::Relaxed)) == now {
            return;
        }
        let label = v.to_string();
        metrics::VOLUME_UP
            .with_label_values(&[&label])
            .set(i64::from(now != Standing::Failed));
        metrics::VOLUME_FULL
            .with_label_values(&[&label])
            .set(i64::from(now == Standing::Full));
        let path = dir.display();
        match (now, answered) {
            (Standing::Failed, Err(e)) => tracing::warn!(volume = v, path = %path, error = %e,
                "volume failed: not read, new shards go to the node's other volumes"),
            (Standing::Full, _) => tracing::warn!(volume = v, path = %path,
                "volume full: read, new shards go to the node's other volumes"),
            _ => tracing::info!(volume = v, path = %path, "volume back in service"),
        }
    }

    /// Probes every volume taken in once, on a blocking thread: its
    /// directory takes a write, and holds its own identity.
    async fn probe_all(self: &Arc<Self>) {
        let health = self.clone();
        let results = tokio::task::spawn_blocking(move || {
            health
                .dirs
                .iter()
                .enumerate()
                .map(|(v, d)| {
                    let (capacity, free) = disk_space(std::slice::from_ref(d));
                    let label = v.to_string();
                    let gauge = |g: &prometheus::IntGaugeVec, bytes: u64| {
                        g.with_label_values(&[&label])
                            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
                    };
                    gauge(&metrics::VOLUME_CAPACITY, capacity);
                    gauge(&metrics::VOLUME_FREE, free);
                    if health.is_left_out(v) {
                        return None;
                    }
                    Some(probe_volume(d).and_then(|()| holds(d, health.store, v)))
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (v, answered) in results.into_iter().enumerate() {
            // Left out since (its disk being replaced): not the probe's.
            let Some(answered) = answered.filter(|_| !self.is_left_out(v)) else {
                continue;
            };
            if answered.is_err() {
                metrics::VOLUME_IO_ERRORS
                    .with_label_values(&[&v.to_string()])
                    .inc();
            }
            self.set(v, answered.as_ref().map(|_| ()));
        }
    }
}

/// Probes the volumes every [`PROBE_INTERVAL`] until the node is gone.
pub(crate) fn start_prober(health: &Arc<VolumeHealth>) {
    let weak: Weak<VolumeHealth> = Arc::downgrade(health);
    actix::spawn(async move {
        loop {
            tokio::time::sleep(PROBE_INTERVAL).await;
            let Some(health) = weak.upgrade() else {
                return;
            };
            health.probe_all().await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gone() -> io::Error {
        io::Error::from(io::ErrorKind::NotFound)
    }

    #[test]
    fn a_full_volume_is_read_but_takes_no_new_shard() {
        let h = health(2);
        h.saw(
            0,
            &StorageError::Io(io::Error::from(io::ErrorKind::StorageFull)),
        );
        assert!(!h.is_failed(0), "a full disk's shards are still read");
        assert_eq!(h.pick(0), 1);
        h.set(0, Ok(()));
        assert_eq!(h.pick(0), 0);
    }

    fn health(n: usize) -> Arc<VolumeHealth> {
        VolumeHealth::new(
            (0..n).map(|i| PathBuf::from(format!("/v{i}"))).collect(),
            7,
            &[],
        )
    }

    #[test]
    fn a_failed_volume_is_gone_around_and_comes_back() {
        let h = health(3);
        assert_eq!(h.pick(1), 1);
        h.saw(1, &StorageError::Io(std::io::Error::other("EIO")));
        assert!(h.is_failed(1));
        assert_eq!(h.pick(1), 2);
        h.set(2, Err(&gone()));
        assert_eq!(h.pick(1), 0, "the next healthy one, wrapping");
        h.set(1, Ok(()));
        assert_eq!(h.pick(1), 1);
    }

    #[test]
    fn a_volume_left_out_at_start_is_failed() {
        let h = VolumeHealth::new(
            (0..3).map(|i| PathBuf::from(format!("/v{i}"))).collect(),
            7,
            &[1],
        );
        assert!(h.is_failed(1));
        assert_eq!(h.pick(1), 2);
        assert!(!h.is_failed(0));
    }

    #[test]
    fn with_every_volume_failed_the_preferred_one_is_kept() {
        let h = health(2);
        h.set(0, Err(&gone()));
        h.set(1, Err(&gone()));
        assert_eq!(h.pick(1), 1);
    }

    #[test]
    fn errors_that_are_not_the_disk_s_fail_nothing() {
        let h = health(2);
        h.saw(0, &StorageError::Stopped);
        assert!(!h.is_failed(0));
    }
}
