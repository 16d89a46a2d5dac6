//! Bucket notifications (Get/PutBucketNotificationConfiguration): this
//! store delivers no events, so every bucket's configuration is the empty
//! one. GetBucketNotificationConfiguration answers it, as AWS answers a
//! bucket with none (clients such as minio-py, Terraform and backup tools
//! read it); PutBucketNotificationConfiguration takes an empty one (which
//! turns notifications off) and refuses one naming any destination with
//! `NotImplemented`, rather than accept events it would never send.

use super::body::small_body;
use crate::api::access::bucket_of;
use crate::api::context::{xml, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::notification::{empty_notification_configuration, notification_destinations};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

/// Largest NotificationConfiguration body read.
const MAX_NOTIFICATION_BODY: u64 = 64 << 10;

/// GetBucketNotificationConfiguration: always the empty configuration.
pub(crate) async fn get_notification(r: &S3Request) -> S3Result {
    bucket_of(r)?;
    Ok(xml(StatusCode::OK, empty_notification_configuration()))
}

/// PutBucketNotificationConfiguration: an empty configuration is taken;
/// one with a destination is `NotImplemented`; a body that is not XML is
/// `MalformedXML`.
pub(crate) async fn put_notification(r: &S3Request, payload: web::Payload) -> S3Result {
    bucket_of(r)?;
    let body = small_body(r, payload, MAX_NOTIFICATION_BODY).await?;
    let destinations =
        notification_destinations(&body).map_err(|_| S3Error::new(S3ErrorCode::MalformedXML))?;
    if destinations > 0 {
        return Err(S3Error::new(S3ErrorCode::NotImplemented)
            .with_message("Bucket notifications are not supported: this store sends no events"));
    }
    Ok(HttpResponse::Ok().finish())
}
