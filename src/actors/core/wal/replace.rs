//! A failed volume's disk replaced while the node serves: the operator
//! mounts a new, empty disk where the failed one was and asks for it
//! (`predastore admin node disk replace NODE VOLUME`). The node stops the
//! old volume's writer, forgets what its index recorded there (those
//! shards are gone; repair rebuilds what any object needs), gives the new
//! disk the volume's identity, opens it and takes it back in service:
//! new shards go to it again, the repair scan the change starts rebuilds
//! what was lost, and the shards of its own kept meanwhile on the node's
//! other volumes move back to it (`rehome`).

use super::node::{blocking, StorageNode};
use crate::storage::wal::identity::claim_empty;
use crate::storage::{StorageError, VolumeId, VolumeStatus};

impl StorageNode {
    /// Takes the empty directory of failed volume `volume` in as its new
    /// disk; the volumes' state afterwards. Refused (nothing changed)
    /// for a volume in service or a directory that is not empty.
    pub async fn replace_volume(
        &self,
        volume: VolumeId,
    ) -> Result<Vec<VolumeStatus>, StorageError> {
        let refuse = |why: String| StorageError::NotReplaced { volume, why };
        let dir = self
            .volume_dirs
            .get(usize::from(volume))
            .cloned()
            .ok_or(StorageError::NoSuchVolume(volume))?;
        if !self.health.is_failed(volume) {
            return Err(refuse(
                "it is in service: only a failed volume's disk is replaced".into(),
            ));
        }
        // One replacement at a time on a node: a second (an operator's
        // retry after a timeout) must not open the same disk twice.
        let Some(_replacing) = self.replacing.try_lock().ok() else {
            return Err(refuse("a replacement is under way on this node".into()));
        };
        // The new disk is checked and claimed first: a refusal leaves the
        // failed volume as it was.
        let store = self.opener.store;
        let claimed = dir.clone();
        blocking(move || {
            Ok(claim_empty(&claimed, store, usize::from(volume)).map_err(|e| e.to_string()))
        })
        .await?
        .map_err(refuse)?;
        self.health.leave_out(volume);
        self.stop_writer(volume).await;
        let node = self.clone();
        let (writer, arbiter, forgotten) = blocking(move || {
            let forgotten = node.opener.index.forget_volume(volume)?;
            node.opener.files.remove_volume(volume);
            let (writer, arbiter) = node.opener.start(volume, &dir, &node.state, &node.syncer)?;
            Ok((writer, arbiter, forgotten))
        })
        .await?;
        self.install_writer(volume, writer, arbiter);
        self.health.take_back(volume);
        // A sync round begun before the volume opened persists its old
        // checkpoint; the next one persists the new disk's.
        self.sync_now().await?;
        tracing::info!(
            volume,
            shards_forgotten = forgotten,
            "a new disk was taken in for a failed volume"
        );
        self.start_moving_home(volume);
        Ok(self.volumes().await)
    }
}
