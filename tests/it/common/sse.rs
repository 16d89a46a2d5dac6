//! Server-side encryption in tests: customer keys (SSE-C) on any SDK
//! request that takes one, and objects written and read in each mode.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use aws_sdk_s3::Client;

use aws_sdk_s3::operation::complete_multipart_upload::builders::CompleteMultipartUploadFluentBuilder;
use aws_sdk_s3::operation::copy_object::builders::CopyObjectFluentBuilder;
use aws_sdk_s3::operation::create_multipart_upload::builders::CreateMultipartUploadFluentBuilder;
use aws_sdk_s3::operation::get_object::builders::GetObjectFluentBuilder;
use aws_sdk_s3::operation::head_object::builders::HeadObjectFluentBuilder;
use aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder;
use aws_sdk_s3::operation::upload_part::builders::UploadPartFluentBuilder;
use aws_sdk_s3::operation::upload_part_copy::builders::UploadPartCopyFluentBuilder;

use super::digest::{b64, md5_b64};

/// A request that takes the SSE-C headers of its object.
pub trait CustomerKey: Sized {
    /// With the SSE-C headers of `key` (AES256, the key, its MD5).
    fn customer_key(self, key: [u8; 32]) -> Self;
}

/// A copy that takes the SSE-C headers of its source.
pub trait SourceCustomerKey: Sized {
    /// With the copy-source SSE-C headers of `key`.
    fn source_customer_key(self, key: [u8; 32]) -> Self;
}

macro_rules! customer_key {
    ($($builder:ty),+) => {$(
        impl CustomerKey for $builder {
            fn customer_key(self, key: [u8; 32]) -> Self {
                self.sse_customer_algorithm("AES256")
                    .sse_customer_key(b64(&key))
                    .sse_customer_key_md5(md5_b64(&key))
            }
        }
    )+};
}

macro_rules! source_customer_key {
    ($($builder:ty),+) => {$(
        impl SourceCustomerKey for $builder {
            fn source_customer_key(self, key: [u8; 32]) -> Self {
                self.copy_source_sse_customer_algorithm("AES256")
                    .copy_source_sse_customer_key(b64(&key))
                    .copy_source_sse_customer_key_md5(md5_b64(&key))
            }
        }
    )+};
}

customer_key!(
    PutObjectFluentBuilder,
    GetObjectFluentBuilder,
    HeadObjectFluentBuilder,
    CreateMultipartUploadFluentBuilder,
    UploadPartFluentBuilder,
    UploadPartCopyFluentBuilder,
    CompleteMultipartUploadFluentBuilder,
    CopyObjectFluentBuilder
);
source_customer_key!(CopyObjectFluentBuilder, UploadPartCopyFluentBuilder);

/// The encryption a write asks for.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// SSE-S3.
    S3,
    /// SSE-KMS under this key id.
    Kms(&'static str),
    /// SSE-C with this key.
    Customer([u8; 32]),
}

/// PutObject of `data` encrypted as `mode`, the answer's headers checked;
/// the ETag.
pub async fn put_as(s3: &Client, bucket: &str, key: &str, data: &[u8], mode: Mode) -> String {
    let put = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(data.to_vec()));
    let put = match mode {
        Mode::S3 => put.server_side_encryption(ServerSideEncryption::Aes256),
        Mode::Kms(id) => put
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(id),
        Mode::Customer(k) => put.customer_key(k),
    };
    let out = put
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key} {mode:?}: {}", DisplayErrorContext(&e)));
    match mode {
        Mode::S3 => assert_eq!(
            out.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256)
        ),
        Mode::Kms(id) => {
            assert_eq!(
                out.server_side_encryption(),
                Some(&ServerSideEncryption::AwsKms)
            );
            assert_eq!(out.ssekms_key_id(), Some(id));
        }
        Mode::Customer(k) => {
            assert_eq!(out.sse_customer_algorithm(), Some("AES256"));
            assert_eq!(out.sse_customer_key_md5(), Some(md5_b64(&k).as_str()));
        }
    }
    out.e_tag().unwrap_or_default().to_string()
}

/// GetObject of `range` (all when `None`) with the customer key when the
/// mode has one; the bytes.
pub async fn get_as(
    s3: &Client,
    bucket: &str,
    key: &str,
    mode: Mode,
    range: Option<&str>,
) -> Vec<u8> {
    let mut get = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_range(range.map(str::to_string));
    if let Mode::Customer(k) = mode {
        get = get.customer_key(k);
    }
    let out = get
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {key} {range:?}: {}", DisplayErrorContext(&e)));
    match mode {
        Mode::S3 => assert_eq!(
            out.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256)
        ),
        Mode::Kms(id) => assert_eq!(out.ssekms_key_id(), Some(id)),
        Mode::Customer(_) => assert_eq!(out.sse_customer_algorithm(), Some("AES256")),
    }
    out.body
        .collect()
        .await
        .expect("body")
        .into_bytes()
        .to_vec()
}

/// A multipart upload of `data` in parts of `part_size`, encrypted as
/// `mode` (the customer key sent with every part and the Complete).
pub async fn put_multipart_as(
    s3: &Client,
    bucket: &str,
    key: &str,
    data: &[u8],
    part_size: usize,
    mode: Mode,
) {
    let create = s3.create_multipart_upload().bucket(bucket).key(key);
    let create = match mode {
        Mode::S3 => create.server_side_encryption(ServerSideEncryption::Aes256),
        Mode::Kms(id) => create
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(id),
        Mode::Customer(k) => create.customer_key(k),
    };
    let upload = create.send().await.expect("CreateMultipartUpload");
    let id = upload.upload_id().expect("upload id").to_string();
    let mut parts = Vec::new();
    for (n, chunk) in (1..).zip(data.chunks(part_size)) {
        let mut part = s3
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(chunk.to_vec()));
        if let Mode::Customer(k) = mode {
            part = part.customer_key(k);
        }
        let out = part
            .send()
            .await
            .unwrap_or_else(|e| panic!("UploadPart: {}", DisplayErrorContext(&e)));
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .set_e_tag(out.e_tag().map(str::to_string))
                .build(),
        );
    }
    let mut complete = s3
        .complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        );
    if let Mode::Customer(k) = mode {
        complete = complete.customer_key(k);
    }
    complete
        .send()
        .await
        .unwrap_or_else(|e| panic!("Complete: {}", DisplayErrorContext(&e)));
}
