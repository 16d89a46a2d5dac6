//! A bucket's settings: read from the source, the bucket made here before
//! its objects (with object lock if the source's has it, versioning on if
//! the source ever versioned), the rest put after them. After, because a
//! default retention, a default encryption or a lifecycle rule put first
//! would apply to the versions being carried, and a policy or Block Public
//! Access could refuse the import's own writes.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketVersioningStatus,
    CorsConfiguration, CreateBucketConfiguration, ObjectLockConfiguration, OwnershipControls,
    PublicAccessBlockConfiguration, ServerSideEncryptionConfiguration, Tagging,
    VersioningConfiguration,
};
use aws_sdk_s3::Client;

use super::error::{s3_error, ImportError, Side};
use super::report::Problem;
use predastore::client::S3ErrorCode;

/// Error codes that mean "this bucket has none" (or the source does not
/// know the setting at all, as MinIO answers for some).
fn is_absent(e: &ImportError, absent: S3ErrorCode) -> bool {
    e.answered(&[absent, S3ErrorCode::NotImplemented])
}

/// A put's outcome, its answer dropped.
fn written<T, E>(r: Result<T, SdkError<E, HttpResponse>>, what: &str) -> Result<(), ImportError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    r.map(drop).map_err(|e| s3_error(Side::Here, what, e))
}

/// A read's answer, with "none set" (error code `absent`) as `None`.
fn optional<T, E>(
    r: Result<T, SdkError<E, HttpResponse>>,
    what: &str,
    absent: S3ErrorCode,
) -> Result<Option<T>, ImportError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match r.map_err(|e| s3_error(Side::Source, what, e)) {
        Ok(v) => Ok(Some(v)),
        Err(e) if is_absent(&e, absent) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What a source bucket has set.
#[derive(Default, Debug)]
pub(super) struct BucketSettings {
    versioning: Option<BucketVersioningStatus>,
    lock: Option<ObjectLockConfiguration>,
    policy: Option<String>,
    public_access_block: Option<PublicAccessBlockConfiguration>,
    lifecycle: Option<BucketLifecycleConfiguration>,
    cors: Option<CorsConfiguration>,
    tagging: Option<Tagging>,
    encryption: Option<ServerSideEncryptionConfiguration>,
    ownership: Option<OwnershipControls>,
}

/// What putting the settings here did.
#[derive(Default, Debug)]
pub(super) struct SettingsOutcome {
    /// Names of the settings carried.
    pub(super) carried: Vec<String>,
    /// Settings this store refused, with its reason.
    pub(super) not_carried: Vec<Problem>,
    /// Settings whose call failed (a rerun tries again).
    pub(super) failed: Vec<Problem>,
}

impl BucketSettings {
    /// Reads `bucket`'s settings from the source.
    pub(super) async fn read(source: &Client, bucket: &str) -> Result<Self, ImportError> {
        let at = |what: &str| format!("get the {what} of {bucket}");
        let versioning = source
            .get_bucket_versioning()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| s3_error(Side::Source, &at("versioning"), e))?
            .status()
            .cloned();
        let lock = optional(
            source
                .get_object_lock_configuration()
                .bucket(bucket)
                .send()
                .await,
            &at("object lock configuration"),
            S3ErrorCode::ObjectLockConfigurationNotFoundError,
        )?
        .and_then(|o| o.object_lock_configuration().cloned());
        let policy = optional(
            source.get_bucket_policy().bucket(bucket).send().await,
            &at("policy"),
            S3ErrorCode::NoSuchBucketPolicy,
        )?
        .and_then(|o| o.policy().map(str::to_string));
        let public_access_block = optional(
            source.get_public_access_block().bucket(bucket).send().await,
            &at("public access block"),
            S3ErrorCode::NoSuchPublicAccessBlockConfiguration,
        )?
        .and_then(|o| o.public_access_block_configuration().cloned());
        let lifecycle = optional(
            source
                .get_bucket_lifecycle_configuration()
                .bucket(bucket)
                .send()
                .await,
            &at("lifecycle"),
            S3ErrorCode::NoSuchLifecycleConfiguration,
        )?
        .and_then(|o| {
            BucketLifecycleConfiguration::builder()
                .set_rules(Some(o.rules().to_vec()))
                .build()
                .ok()
        });
        let cors = optional(
            source.get_bucket_cors().bucket(bucket).send().await,
            &at("CORS"),
            S3ErrorCode::NoSuchCORSConfiguration,
        )?
        .and_then(|o| {
            CorsConfiguration::builder()
                .set_cors_rules(Some(o.cors_rules().to_vec()))
                .build()
                .ok()
        });
        let tagging = optional(
            source.get_bucket_tagging().bucket(bucket).send().await,
            &at("tags"),
            S3ErrorCode::NoSuchTagSet,
        )?
        .and_then(|o| {
            Tagging::builder()
                .set_tag_set(Some(o.tag_set().to_vec()))
                .build()
                .ok()
        });
        let encryption = optional(
            source.get_bucket_encryption().bucket(bucket).send().await,
            &at("default encryption"),
            S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError,
        )?
        .and_then(|o| o.server_side_encryption_configuration().cloned());
        let ownership = optional(
            source
                .get_bucket_ownership_controls()
                .bucket(bucket)
                .send()
                .await,
            &at("ownership controls"),
            S3ErrorCode::OwnershipControlsNotFoundError,
        )?
        .and_then(|o| o.ownership_controls().cloned());
        Ok(Self {
            versioning,
            lock: lock.filter(|l| l.object_lock_enabled().is_some()),
            policy,
            public_access_block,
            lifecycle,
            cors,
            tagging,
            encryption,
            ownership,
        })
    }

    /// Makes the bucket here (an existing bucket of the importer's is
    /// taken as made by an earlier run), with versioning on if the source
    /// ever versioned: its versions are then written as versions.
    pub(super) async fn create(
        &self,
        here: &Client,
        bucket: &str,
        region: &str,
    ) -> Result<(), ImportError> {
        let location = (region != "us-east-1").then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build()
        });
        let made = here
            .create_bucket()
            .bucket(bucket)
            .set_create_bucket_configuration(location)
            .set_object_lock_enabled_for_bucket(self.lock.is_some().then_some(true))
            .send()
            .await
            .map_err(|e| s3_error(Side::Here, &format!("create {bucket}"), e));
        match made {
            Ok(_) => {}
            Err(e) if e.answered(&[S3ErrorCode::BucketAlreadyOwnedByYou]) => {}
            Err(e) => return Err(e),
        }
        if self.versioning.is_some() && self.lock.is_none() {
            here.put_bucket_versioning()
                .bucket(bucket)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| s3_error(Side::Here, &format!("enable versioning on {bucket}"), e))?;
        }
        Ok(())
    }

    /// Puts every other setting here, once the objects are in.
    pub(super) async fn apply(&self, here: &Client, bucket: &str) -> SettingsOutcome {
        let mut outcome = SettingsOutcome::default();
        let mut record = |name: &str, result: Result<(), ImportError>| match result {
            Ok(()) => outcome.carried.push(name.to_string()),
            // Refused with a code: this store will not take it as it is.
            Err(e @ ImportError::Call { code: Some(_), .. }) => outcome
                .not_carried
                .push(Problem::of_bucket(bucket, format!("{name}: {e}"))),
            Err(e) => outcome
                .failed
                .push(Problem::of_bucket(bucket, format!("{name}: {e}"))),
        };
        let put = |what: &str| format!("put the {what} of {bucket}");
        if let Some(status) = &self.versioning {
            let result = here
                .put_bucket_versioning()
                .bucket(bucket)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(status.clone())
                        .build(),
                )
                .send()
                .await;
            record("versioning", written(result, &put("versioning")));
        }
        if let Some(lock) = self.lock.as_ref().filter(|l| l.rule().is_some()) {
            let result = here
                .put_object_lock_configuration()
                .bucket(bucket)
                .object_lock_configuration(lock.clone())
                .send()
                .await;
            record("object lock", written(result, &put("object lock")));
        }
        if let Some(ownership) = &self.ownership {
            let result = here
                .put_bucket_ownership_controls()
                .bucket(bucket)
                .ownership_controls(ownership.clone())
                .send()
                .await;
            record("ownership", written(result, &put("ownership controls")));
        }
        if let Some(policy) = &self.policy {
            let result = here
                .put_bucket_policy()
                .bucket(bucket)
                .policy(policy)
                .send()
                .await;
            record("policy", written(result, &put("policy")));
        }
        // After the policy: blocking public policies first would refuse it.
        if let Some(block) = &self.public_access_block {
            let result = here
                .put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(block.clone())
                .send()
                .await;
            record(
                "public access block",
                written(result, &put("public access block")),
            );
        }
        if let Some(lifecycle) = &self.lifecycle {
            let result = here
                .put_bucket_lifecycle_configuration()
                .bucket(bucket)
                .lifecycle_configuration(lifecycle.clone())
                .send()
                .await;
            record("lifecycle", written(result, &put("lifecycle")));
        }
        if let Some(cors) = &self.cors {
            let result = here
                .put_bucket_cors()
                .bucket(bucket)
                .cors_configuration(cors.clone())
                .send()
                .await;
            record("CORS", written(result, &put("CORS")));
        }
        if let Some(tagging) = &self.tagging {
            let result = here
                .put_bucket_tagging()
                .bucket(bucket)
                .tagging(tagging.clone())
                .send()
                .await;
            record("tags", written(result, &put("tags")));
        }
        if let Some(encryption) = &self.encryption {
            let result = here
                .put_bucket_encryption()
                .bucket(bucket)
                .server_side_encryption_configuration(encryption.clone())
                .send()
                .await;
            record(
                "default encryption",
                written(result, &put("default encryption")),
            );
        }
        outcome
    }
}
