//! Encryption settings of buckets, and re-wrapping data keys onto another
//! master key.

use super::*;
use crate::storage::meta::encryption::DefaultEncryption;

impl ObjectService {
    /// Sets (`Some`) or removes (`None`) `bucket`'s default encryption; a
    /// default naming a master key this gateway does not hold is refused,
    /// since every write it applies to would fail.
    pub(crate) async fn put_bucket_encryption(
        &self,
        bucket: &str,
        config: Option<DefaultEncryption>,
    ) -> Result<(), ObjectError> {
        if let Some(c) = &config {
            self.sse.check_default(c)?;
        }
        self.submit(MetaOp::PutBucketEncryption {
            bucket: bucket.into(),
            config,
        })
        .await?;
        self.forget_bucket(bucket);
        Ok(())
    }
}
