//! S3 requests several phases send the same way.

use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::put_object::{PutObjectError, PutObjectOutput};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use bytes::Bytes;

/// PUTs `body` (a cheap clone of shared bytes) as `bucket/key`.
pub(crate) async fn put_bytes(
    client: &Client,
    bucket: &str,
    key: &str,
    body: &Bytes,
) -> Result<PutObjectOutput, SdkError<PutObjectError>> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_length(body.len() as i64)
        .body(ByteStream::from(body.clone()))
        .send()
        .await
}
