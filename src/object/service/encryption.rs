//! Encryption as the service applies it: the data key of a new version,
//! the data key of stored data opened for a read, buckets' default
//! encryption.

use super::*;
use crate::object::sse::{CustomerKey, Sse, SseRequest};
use crate::storage::meta::encryption::{DefaultEncryption, SseMode};

impl ObjectService {
    /// The encryption and fresh data key of a new version written with
    /// `request` into `bucket` (its default encryption applies when the
    /// request names none).
    pub(crate) fn new_key(
        &self,
        request: &SseRequest,
        bucket: &BucketRecord,
    ) -> Result<NewKey, ObjectError> {
        let key = self
            .sse
            .new_encryption(request, bucket.encryption.as_ref())?;
        if let Some((e, _)) = &key {
            let mode = match e.mode {
                SseMode::S3 => "s3",
                SseMode::Kms { .. } => "kms",
                SseMode::Customer { .. } => "c",
            };
            crate::metrics::SSE_WRITES.with_label_values(&[mode]).inc();
        }
        Ok(key)
    }

    /// The data key of data encrypted as `encryption`, opened with the
    /// customer's key when one was given (required for SSE-C data, refused
    /// for any other); `None` for data not encrypted.
    pub(crate) fn open_key(
        &self,
        encryption: Option<&Encryption>,
        customer: Option<&CustomerKey>,
    ) -> Result<Option<DataKey>, ObjectError> {
        Ok(self.sse.open(encryption, customer)?)
    }

    /// The master keys' provider (listing and re-wrapping keys).
    pub(crate) fn sse(&self) -> &Sse {
        &self.sse
    }

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
