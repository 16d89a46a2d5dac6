//! Deleting what a phase left behind: DeleteObjects batches of 1000, a few
//! at once.

use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use futures::StreamExt;

use super::report::describe;
use super::Bench;

/// DeleteObjects batches in flight at once.
const BATCHES_AT_ONCE: usize = 4;
/// Passes over the keys still there; the later ones only over keys the
/// store refused, one batch at a time.
const DELETE_ATTEMPTS: u32 = 6;
/// Pause before a pass over refused keys (the store's `Retry-After`).
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

impl Bench {
    /// Deletes every (key, version) of `ids` from `bucket` (no version:
    /// the key's current one); how many could not be deleted. Keys the
    /// store refused with a 503 (it sheds load) are sent again after a
    /// pause and one batch at a time, as an SDK retries a whole request
    /// that got one.
    pub(super) async fn delete_all(&self, bucket: &str, ids: &[(String, Option<String>)]) -> usize {
        let mut left = ids.to_vec();
        for attempt in 0..DELETE_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            let refused: Vec<Vec<(String, Option<String>)>> =
                futures::stream::iter(left.chunks(1000))
                    .map(|batch| async move { self.delete_batch(bucket, batch).await })
                    .buffer_unordered(BATCHES_AT_ONCE)
                    .collect()
                    .await;
            left = refused.into_iter().flatten().collect();
            if left.is_empty() {
                break;
            }
        }
        left.len()
    }

    /// One DeleteObjects of `batch`; the keys it did not delete.
    async fn delete_batch(
        &self,
        bucket: &str,
        batch: &[(String, Option<String>)],
    ) -> Vec<(String, Option<String>)> {
        let objects: Result<Vec<_>, _> = batch
            .iter()
            .map(|(k, v)| {
                ObjectIdentifier::builder()
                    .key(k)
                    .set_version_id(v.clone())
                    .build()
            })
            .collect();
        let Ok(objects) = objects else {
            return batch.to_vec();
        };
        let Ok(delete) = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
        else {
            return batch.to_vec();
        };
        match self
            .client
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
        {
            Ok(out) => {
                if let Some(e) = out.errors().first() {
                    eprintln!(
                        "warning: DeleteObjects in {bucket}: {} of {} not deleted, e.g. {}: {}",
                        out.errors().len(),
                        batch.len(),
                        e.code().unwrap_or("?"),
                        e.message().unwrap_or("")
                    );
                }
                out.errors()
                    .iter()
                    .filter_map(|e| {
                        let key = e.key()?.to_string();
                        Some((key, e.version_id().map(str::to_string)))
                    })
                    .collect()
            }
            Err(e) => {
                eprintln!(
                    "warning: DeleteObjects of {} keys in {bucket}: {}",
                    batch.len(),
                    describe(&e)
                );
                batch.to_vec()
            }
        }
    }
}
