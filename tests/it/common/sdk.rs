//! AWS SDK clients of a test store, and object and error helpers around them.

use super::digest::sha256_hex;
use super::store::{ACCESS_KEY, SECRET_KEY};
use std::collections::HashMap;
use std::fmt::Debug;
use std::time::Duration;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

/// Client configuration for the S3 endpoint `endpoint`: path-style,
/// us-east-1, static credentials, latest behavior version.
pub fn client_config_at(
    endpoint: &str,
    access_key: &str,
    secret_key: &str,
    retry: RetryConfig,
) -> aws_sdk_s3::config::Builder {
    let credentials = Credentials::new(access_key, secret_key, None, None, "predastore-tests");
    aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .force_path_style(true)
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(120))
                .build(),
        )
}

/// A client of the store at `endpoint` with the test credentials, as the
/// SDK ships otherwise.
pub fn client_at(endpoint: &str, retry: RetryConfig) -> Client {
    Client::from_conf(client_config_at(endpoint, ACCESS_KEY, SECRET_KEY, retry).build())
}

/// PutObject of an in-memory body (the SDK sends its CRC32 as a header);
/// returns the ETag.
pub async fn put(client: &Client, bucket: &str, key: &str, data: &[u8]) -> String {
    let out = client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {bucket}/{key}: {}", DisplayErrorContext(&e)));
    out.e_tag().expect("PutObject returns an ETag").to_string()
}

/// GetObject of the whole object; panics on any error.
pub async fn get_bytes(client: &Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {bucket}/{key}: {}", DisplayErrorContext(&e)));
    out.body
        .collect()
        .await
        .unwrap_or_else(|e| panic!("read body of {bucket}/{key}: {e:?}"))
        .into_bytes()
        .to_vec()
}

/// GetObject with a `Range` header: (bytes, Content-Range).
pub async fn get_range(client: &Client, bucket: &str, key: &str, range: &str) -> (Vec<u8>, String) {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(range)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {bucket}/{key} {range}: {}", DisplayErrorContext(&e)));
    let content_range = out
        .content_range()
        .unwrap_or_else(|| panic!("no Content-Range for {range}"))
        .to_string();
    let length = out.content_length();
    let bytes = out
        .body
        .collect()
        .await
        .expect("read body")
        .into_bytes()
        .to_vec();
    assert_eq!(
        length,
        Some(bytes.len() as i64),
        "Content-Length of {range}"
    );
    (bytes, content_range)
}

/// Asserts `bucket/key` reads back as exactly `data` (by SHA-256).
pub async fn assert_object(client: &Client, bucket: &str, key: &str, data: &[u8]) {
    let got = get_bytes(client, bucket, key).await;
    assert_eq!(got.len(), data.len(), "length of {bucket}/{key}");
    assert_eq!(
        sha256_hex(&got),
        sha256_hex(data),
        "SHA-256 of {bucket}/{key}"
    );
}

/// Every key of a bucket, walking ListObjectsV2 pages.
pub async fn list_all_keys(client: &Client, bucket: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("list {bucket}: {}", DisplayErrorContext(&e)));
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        match page.next_continuation_token() {
            Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => return keys,
        }
    }
}

// ---------------------------------------------------------------------------
// Errors

/// The S3 error code of a failed request, if the response had one.
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    match err {
        SdkError::ServiceError(e) => e.err().code().map(str::to_string),
        _ => None,
    }
}

/// The HTTP status of a failed request, if a response arrived.
pub fn error_status<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// Whether a failed request's response carried a non-empty
/// `x-amz-request-id`.
pub fn has_request_id<E>(err: &SdkError<E, HttpResponse>) -> bool {
    err.raw_response()
        .and_then(|r| r.headers().get("x-amz-request-id"))
        .is_some_and(|id| !id.is_empty())
}

/// Asserts a request failed with this S3 error code and HTTP status, and
/// that the error response carried `x-amz-request-id`.
#[track_caller]
pub fn assert_s3_error<T: Debug, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    code: &str,
    status: u16,
) where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (err, context) = failed_with_status(result, status);
    assert_eq!(
        error_code(&err).as_deref(),
        Some(code),
        "error code; error: {context}"
    );
    assert!(
        has_request_id(&err),
        "error response without x-amz-request-id: {context}"
    );
}

/// The error of a request that must have failed with HTTP `status`, and
/// its description for assertion messages.
#[track_caller]
fn failed_with_status<T: Debug, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    status: u16,
) -> (SdkError<E, HttpResponse>, String)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let err = match result {
        Ok(out) => panic!("expected status {status}, got success: {out:?}"),
        Err(err) => err,
    };
    let context = DisplayErrorContext(&err).to_string();
    assert_eq!(
        error_status(&err),
        Some(status),
        "HTTP status; error: {context}"
    );
    (err, context)
}

/// Asserts a request failed with this HTTP status (bodiless answers: HEAD,
/// 304), and that the response carried `x-amz-request-id`.
#[track_caller]
pub fn assert_status<T: Debug, E>(result: Result<T, SdkError<E, HttpResponse>>, status: u16)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (err, context) = failed_with_status(result, status);
    assert!(
        has_request_id(&err),
        "response without x-amz-request-id: {context}"
    );
}

/// `(key, value)` pairs as the metadata map the SDK takes and returns.
pub fn metadata(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Uploads `data` as a multipart object in parts of `part_size` bytes
/// (the last one shorter), as a client's multipart upload does.
pub async fn put_multipart(
    client: &Client,
    bucket: &str,
    key: &str,
    data: &[u8],
    part_size: usize,
) {
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
    let upload = client
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("CreateMultipartUpload");
    let id = upload.upload_id().expect("an upload id").to_string();
    let mut parts = Vec::new();
    for (n, chunk) in (1..).zip(data.chunks(part_size)) {
        let part = client
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(chunk.to_vec()))
            .send()
            .await
            .expect("UploadPart");
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .set_e_tag(part.e_tag().map(str::to_string))
                .build(),
        );
    }
    let parts = CompletedMultipartUpload::builder()
        .set_parts(Some(parts))
        .build();
    client
        .complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(&id)
        .multipart_upload(parts)
        .send()
        .await
        .expect("CompleteMultipartUpload");
}
