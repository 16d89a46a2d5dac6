//! Deleting what a phase left behind: DeleteObjects batches of 1000, a few
//! at once.

use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use futures::StreamExt;

use super::Bench;

/// DeleteObjects batches in flight at once.
const BATCHES_AT_ONCE: usize = 4;

impl Bench {
    /// Deletes every (key, version) of `ids` from `bucket` (no version:
    /// the key's current one); how many could not be deleted.
    pub(super) async fn delete_all(&self, bucket: &str, ids: &[(String, Option<String>)]) -> usize {
        futures::stream::iter(ids.chunks(1000))
            .map(|batch| async move { self.delete_batch(bucket, batch).await })
            .buffer_unordered(BATCHES_AT_ONCE)
            .fold(0, |a, n| async move { a + n })
            .await
    }

    /// One DeleteObjects of `batch`; how many were not deleted.
    async fn delete_batch(&self, bucket: &str, batch: &[(String, Option<String>)]) -> usize {
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
            return batch.len();
        };
        let Ok(delete) = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
        else {
            return batch.len();
        };
        match self
            .client
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
        {
            Ok(out) => out.errors().len(),
            Err(_) => batch.len(),
        }
    }
}
