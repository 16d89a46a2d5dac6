//! Master keys of encryption at rest: which ones this gateway holds, and
//! re-wrapping objects' data keys onto another one (after a rotation, so
//! the old key can be retired) without rewriting any data.

use serde::Serialize;

use super::error::AdminError;
use super::handle::AdminService;
use crate::object::ObjectError;
use crate::storage::meta::version::VersionSeq;
use crate::storage::meta::{
    MetaOp, MetaOpError, MetaRead, MetaReadResult, ObjectRecord, VersionChange,
};

/// Records read per scan page.
const PAGE: usize = 256;

/// The master keys a gateway holds (never the keys themselves).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct KmsKeys {
    /// Every key id, sorted.
    pub keys: Vec<String>,
    /// The one new objects are sealed under.
    pub default: Option<String>,
}

/// What a re-wrap did.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Rewrapped {
    /// The key data keys were moved onto.
    pub to: String,
    /// Encrypted versions looked at.
    pub examined: u64,
    /// Versions whose data key is now sealed under `to`.
    pub rewrapped: u64,
    /// Versions already sealed under `to`.
    pub already: u64,
    /// SSE-C versions (sealed by their customer's key: left alone).
    pub customer_keys: u64,
    /// Versions rewritten or deleted while the re-wrap ran (their new
    /// data is sealed under the default key).
    pub changed_meanwhile: u64,
    /// Versions whose data key could not be opened (its master key is not
    /// configured, or the sealed key is damaged): left as they are, each
    /// logged.
    pub failed: u64,
}

impl AdminService {
    /// The master keys this gateway holds.
    pub(crate) fn kms_keys(&self) -> KmsKeys {
        let keys = self.objects.sse().keys();
        KmsKeys {
            keys: keys.key_ids(),
            default: keys.default_key().map(str::to_string),
        }
    }

    /// Seals the data key of every SSE-S3 and SSE-KMS version (current and
    /// noncurrent) not sealed under `to` (default: the default key) anew
    /// under it. Each change is conditional on the version still holding
    /// the same data, so a concurrent write is never undone. Uploads in
    /// progress keep their key until completed.
    pub(crate) async fn rewrap(&self, to: Option<String>) -> Result<Rewrapped, AdminError> {
        let to = match to.or_else(|| self.kms_keys().default) {
            Some(t) => t,
            None => return Err(AdminError::Refused("no master key is configured".into())),
        };
        let mut tally = Rewrapped {
            to: to.clone(),
            ..Rewrapped::default()
        };
        let mut after: Option<(String, String)> = None;
        loop {
            let read = MetaRead::ScanObjects {
                after: after.clone(),
                limit: PAGE,
            };
            let MetaReadResult::ScanObjects(page) = self.objects.read(read).await? else {
                return Err(AdminError::Internal("unexpected scan answer".into()));
            };
            for record in &page {
                self.rewrap_one(record, &to, &mut tally).await?;
            }
            match page.last() {
                Some(last) if page.len() == PAGE => {
                    after = Some((last.bucket.clone(), last.key.clone()))
                }
                _ => break,
            }
        }
        let mut after: Option<(String, String, VersionSeq)> = None;
        loop {
            let read = MetaRead::ScanVersions {
                after: after.clone(),
                limit: PAGE,
            };
            let MetaReadResult::VersionRecords(page) = self.objects.read(read).await? else {
                return Err(AdminError::Internal("unexpected scan answer".into()));
            };
            for record in &page {
                self.rewrap_one(record, &to, &mut tally).await?;
            }
            match page.last() {
                Some(last) if page.len() == PAGE => {
                    after = Some((last.bucket.clone(), last.key.clone(), last.seq))
                }
                _ => break,
            }
        }
        tracing::info!(to = %tally.to, examined = tally.examined, rewrapped = tally.rewrapped, "data keys re-wrapped");
        Ok(tally)
    }

    async fn rewrap_one(
        &self,
        record: &ObjectRecord,
        to: &str,
        tally: &mut Rewrapped,
    ) -> Result<(), AdminError> {
        let Some(e) = &record.encryption else {
            return Ok(());
        };
        tally.examined += 1;
        if e.key_id == to {
            tally.already += 1;
            return Ok(());
        }
        let encryption = match self.objects.sse().rewrap(e, to) {
            Ok(Some(encryption)) => encryption,
            Ok(None) => {
                tally.customer_keys += 1;
                return Ok(());
            }
            Err(error) => {
                tracing::warn!(bucket = %record.bucket, key = %record.key, %error, "data key not re-wrapped");
                tally.failed += 1;
                return Ok(());
            }
        };
        let op = MetaOp::UpdateVersion {
            bucket: record.bucket.clone(),
            key: record.key.clone(),
            version: Some(record.version_ref()),
            change: VersionChange::Rekey {
                object_id: record.object_id,
                sealed_key: e.sealed_key.clone(),
                encryption,
            },
        };
        match self.objects.submit(op).await {
            Ok(_) => tally.rewrapped += 1,
            Err(ObjectError::Refused(
                MetaOpError::PreconditionFailed
                | MetaOpError::NoSuchKey
                | MetaOpError::NoSuchVersion
                | MetaOpError::NoSuchBucket,
            )) => tally.changed_meanwhile += 1,
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }
}
