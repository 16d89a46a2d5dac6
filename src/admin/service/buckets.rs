//! Buckets as an operator sees them: who owns them, what they hold.

use serde::Serialize;

use super::error::AdminError;
use super::handle::AdminService;
use crate::storage::meta::{BucketRecord, ListQuery, MetaRead, MetaReadResult};

/// Objects counted per listing page.
const PAGE: usize = 1000;

/// A bucket as listed.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BucketSummary {
    /// The bucket's name as S3 addresses it.
    pub name: String,
    /// Owner's access key id.
    pub owner: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

/// A bucket with what it holds.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BucketInfo {
    /// The bucket's name as S3 addresses it.
    pub name: String,
    /// Owner's access key id.
    pub owner: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Objects it holds (current versions).
    pub objects: u64,
    /// Those objects' bytes, as clients wrote them (before erasure coding).
    pub bytes: u64,
    /// Multipart uploads in progress (at most the first thousand counted).
    pub uploads_in_progress: u64,
}

fn summary(b: BucketRecord) -> BucketSummary {
    BucketSummary {
        name: b.name,
        owner: b.owner,
        created_ms: b.created_ms,
    }
}

impl AdminService {
    /// Every bucket, by name.
    pub(crate) async fn buckets(&self) -> Result<Vec<BucketSummary>, AdminError> {
        match self.objects.read(MetaRead::Buckets).await? {
            MetaReadResult::Buckets(b) => Ok(b.into_iter().map(summary).collect()),
            _ => Err(AdminError::Internal(
                "unexpected answer to a bucket listing".into(),
            )),
        }
    }

    /// One bucket, with its objects counted (a walk of its listing).
    pub(crate) async fn bucket_info(&self, name: &str) -> Result<BucketInfo, AdminError> {
        let bucket = summary(self.objects.bucket(name).await?);
        let (mut objects, mut bytes) = (0u64, 0u64);
        let mut start_after = None;
        loop {
            let query = ListQuery {
                start_after: start_after.take(),
                max_keys: PAGE,
                ..ListQuery::default()
            };
            let read = MetaRead::Objects {
                bucket: name.to_string(),
                query,
            };
            let MetaReadResult::Objects(page) = self.objects.read(read).await? else {
                return Err(AdminError::Internal(
                    "unexpected answer to a listing".into(),
                ));
            };
            objects += page.objects.len() as u64;
            bytes += page.objects.iter().map(|o| o.size).sum::<u64>();
            match page.next_marker {
                Some(next) if page.is_truncated => start_after = Some(next),
                _ => break,
            }
        }
        let read = MetaRead::Uploads {
            bucket: name.to_string(),
            prefix: String::new(),
            key_marker: None,
            upload_id_marker: None,
            max_uploads: PAGE,
        };
        let uploads = match self.objects.read(read).await? {
            MetaReadResult::Uploads(page) => page.uploads.len() as u64,
            _ => 0,
        };
        Ok(BucketInfo {
            name: bucket.name,
            owner: bucket.owner,
            created_ms: bucket.created_ms,
            objects,
            bytes,
            uploads_in_progress: uploads,
        })
    }
}
