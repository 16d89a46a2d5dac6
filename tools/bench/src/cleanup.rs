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
        let mut failed = 0;
        for attempt in 0..DELETE_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            let at_once = if attempt == 0 { BATCHES_AT_ONCE } else { 1 };
            let outcomes: Vec<Refused> = futures::stream::iter(left.chunks(1000))
                .map(|batch| async move { self.delete_batch(bucket, batch).await })
                .buffer_unordered(at_once)
                .collect()
                .await;
            left = Vec::new();
            for refused in outcomes {
                failed += refused.for_good;
                left.extend(refused.again);
            }
            if left.is_empty() {
                break;
            }
        }
        failed + left.len()
    }

    /// One DeleteObjects of `batch`; the keys it did not delete.
    async fn delete_batch(&self, bucket: &str, batch: &[(String, Option<String>)]) -> Refused {
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
            return Refused::all_for_good(batch);
        };
        let Ok(delete) = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
        else {
            return Refused::all_for_good(batch);
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
                let mut refused = Refused::default();
                for e in out.errors() {
                    match (e.key(), e.code()) {
                        (Some(key), Some("ServiceUnavailable" | "SlowDown")) => refused
                            .again
                            .push((key.to_string(), e.version_id().map(str::to_string))),
                        _ => refused.for_good += 1,
                    }
                }
                refused
            }
            Err(e) => {
                eprintln!(
                    "warning: DeleteObjects of {} keys in {bucket}: {}",
                    batch.len(),
                    describe(&e)
                );
                // The SDK already retried a whole request that could be.
                Refused::all_for_good(batch)
            }
        }
    }
}

/// The keys of one DeleteObjects that were not deleted.
#[derive(Default)]
struct Refused {
    /// Refused with a 503: sent again on the next pass.
    again: Vec<(String, Option<String>)>,
    /// Refused for another reason (or unnamed): not sent again.
    for_good: usize,
}

impl Refused {
    /// A batch whose request failed as a whole.
    fn all_for_good(batch: &[(String, Option<String>)]) -> Self {
        Self {
            again: Vec::new(),
            for_good: batch.len(),
        }
    }
}
