//! Which of the storage node's volumes take writes. A volume fails when a
//! write into it meets an I/O error, or when its probe does (every
//! [`PROBE_INTERVAL`]: a block written, synced and removed in its
//! directory; a directory that is gone fails it). A failed volume takes no
//! new shard — writes go to the node's next healthy volume, the index
//! remembering where each shard is — and comes back when its probe passes
//! again. Each change is logged once with the volume's path and shown in
//! `predastore_volume_up`; `predastore_volume_io_errors_total` counts the
//! errors.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::metrics;
use crate::storage::wal::probe::probe_volume;
use crate::storage::{StorageError, VolumeId};

/// How often each volume is probed: a failed disk is noticed within this.
pub(crate) const PROBE_INTERVAL: Duration = Duration::from_secs(5);

/// The volumes' health, shared by the node's clones and its prober.
pub(crate) struct VolumeHealth {
    dirs: Vec<PathBuf>,
    failed: Vec<AtomicBool>,
}

impl VolumeHealth {
    /// Every volume of `dirs` healthy.
    pub(crate) fn new(dirs: Vec<PathBuf>) -> Arc<Self> {
        for i in 0..dirs.len() {
            metrics::VOLUME_UP
                .with_label_values(&[&i.to_string()])
                .set(1);
            metrics::VOLUME_IO_ERRORS
                .with_label_values(&[&i.to_string()])
                .inc_by(0);
        }
        let failed = dirs.iter().map(|_| AtomicBool::new(false)).collect();
        Arc::new(Self { dirs, failed })
    }

    /// Whether `volume` has failed.
    pub(crate) fn is_failed(&self, volume: VolumeId) -> bool {
        self.failed
            .get(usize::from(volume))
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// The volume a new shard goes to: `preferred` while it is healthy,
    /// else the next healthy one after it; `preferred` when none is (the
    /// write then fails with the volume's own error).
    pub(crate) fn pick(&self, preferred: VolumeId) -> VolumeId {
        let n = self.failed.len();
        if n == 0 || !self.is_failed(preferred) {
            return preferred;
        }
        (1..n)
            .map(|step| (usize::from(preferred) + step) % n)
            .find(|&v| !self.failed[v].load(Ordering::Relaxed))
            .and_then(|v| VolumeId::try_from(v).ok())
            .unwrap_or(preferred)
    }

    /// Takes note of what a write into `volume` met: an I/O error fails
    /// the volume (other errors say nothing of the disk).
    pub(crate) fn saw(&self, volume: VolumeId, e: &StorageError) {
        if let StorageError::Io(io) = e {
            metrics::VOLUME_IO_ERRORS
                .with_label_values(&[&volume.to_string()])
                .inc();
            self.set(usize::from(volume), Some(io.to_string()));
        }
    }

    /// Marks volume `v` failed (`why`) or healthy (`None`); logs a change.
    fn set(&self, v: usize, why: Option<String>) {
        let (Some(flag), Some(dir)) = (self.failed.get(v), self.dirs.get(v)) else {
            return;
        };
        let failed = why.is_some();
        if flag.swap(failed, Ordering::Relaxed) == failed {
            return;
        }
        metrics::VOLUME_UP
            .with_label_values(&[&v.to_string()])
            .set(i64::from(!failed));
        match why {
            Some(why) => tracing::warn!(
                volume = v,
                path = %dir.display(),
                error = %why,
                "volume failed: new shards go to the node's other volumes"
            ),
            None => tracing::info!(volume = v, path = %dir.display(), "volume back in service"),
        }
    }

    /// Probes every volume once, on a blocking thread.
    async fn probe_all(self: &Arc<Self>) {
        let health = self.clone();
        let results = tokio::task::spawn_blocking(move || {
            health
                .dirs
                .iter()
                .map(|d| probe_volume(d).err().map(|e| e.to_string()))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (v, why) in results.into_iter().enumerate() {
            if why.is_some() {
                metrics::VOLUME_IO_ERRORS
                    .with_label_values(&[&v.to_string()])
                    .inc();
            }
            self.set(v, why);
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

    fn health(n: usize) -> Arc<VolumeHealth> {
        VolumeHealth::new((0..n).map(|i| PathBuf::from(format!("/v{i}"))).collect())
    }

    #[test]
    fn a_failed_volume_is_gone_around_and_comes_back() {
        let h = health(3);
        assert_eq!(h.pick(1), 1);
        h.saw(1, &StorageError::Io(std::io::Error::other("EIO")));
        assert!(h.is_failed(1));
        assert_eq!(h.pick(1), 2);
        h.set(2, Some("gone".into()));
        assert_eq!(h.pick(1), 0, "the next healthy one, wrapping");
        h.set(1, None);
        assert_eq!(h.pick(1), 1);
    }

    #[test]
    fn with_every_volume_failed_the_preferred_one_is_kept() {
        let h = health(2);
        h.set(0, Some("gone".into()));
        h.set(1, Some("gone".into()));
        assert_eq!(h.pick(1), 1);
    }

    #[test]
    fn errors_that_are_not_the_disk_s_fail_nothing() {
        let h = health(2);
        h.saw(0, &StorageError::Stopped);
        assert!(!h.is_failed(0));
    }
}
