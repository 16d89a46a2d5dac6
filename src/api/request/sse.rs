//! Server-side encryption headers: the encryption a write asks for
//! (`x-amz-server-side-encryption`, its KMS key id and context, or the
//! SSE-C trio of algorithm, key and key MD5), the customer key a read or a
//! copy source gives, and the headers a read must not carry. Parsed from
//! any source of fields (request headers, a form upload's fields) by
//! lower-case name.

use base64::Engine as _;

use super::error::HeaderError;
use crate::object::sse::{CustomerKey, SseRequest};
use crate::storage::meta::encryption::{SSE_KMS, SSE_S3};

/// `x-amz-server-side-encryption`.
pub(crate) const SSE_HEADER: &str = "x-amz-server-side-encryption";

/// `x-amz-server-side-encryption-aws-kms-key-id`.
pub(crate) const KMS_KEY_ID_HEADER: &str = "x-amz-server-side-encryption-aws-kms-key-id";

/// `x-amz-server-side-encryption-context`.
const CONTEXT_HEADER: &str = "x-amz-server-side-encryption-context";

/// The prefix of the SSE-C headers of the object written or read.
pub(crate) const CUSTOMER: &str = "x-amz-server-side-encryption-customer-";

/// The prefix of the SSE-C headers of a copy's source.
pub(crate) const COPY_SOURCE_CUSTOMER: &str = "x-amz-copy-source-server-side-encryption-customer-";

/// The one SSE-C algorithm.
const AES256: &str = "AES256";

/// The customer key the SSE-C fields under `prefix` give (none when none
/// of the three is there), checked against its MD5.
pub(crate) fn customer_key<'a>(
    field: impl Fn(&str) -> Option<&'a str>,
    prefix: &str,
) -> Result<Option<CustomerKey>, HeaderError> {
    let get = |name: &str| field(&format!("{prefix}{name}"));
    let (algorithm, key, md5) = (get("algorithm"), get("key"), get("key-md5"));
    if algorithm.is_none() && key.is_none() && md5.is_none() {
        return Ok(None);
    }
    match algorithm {
        None => return Err(HeaderError::CustomerAlgorithmMissing),
        Some(AES256) => {}
        Some(_) => return Err(HeaderError::CustomerAlgorithmInvalid),
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = key.ok_or(HeaderError::CustomerKeyMissing)?;
    let key: [u8; 32] = b64
        .decode(key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or(HeaderError::CustomerKeyInvalid)?;
    let key = CustomerKey::new(key);
    let md5 = md5.ok_or(HeaderError::CustomerKeyMd5Missing)?;
    if b64.decode(md5.trim()).ok().as_deref() != Some(&key.md5()[..]) {
        return Err(HeaderError::CustomerKeyMd5Mismatch);
    }
    Ok(Some(key))
}

/// The encryption a write (PUT, CopyObject's target, CreateMultipartUpload,
/// a form upload) asks for.
pub(crate) fn write_encryption<'a>(
    field: impl Fn(&str) -> Option<&'a str> + Copy,
) -> Result<SseRequest, HeaderError> {
    let customer = customer_key(field, CUSTOMER)?;
    let key_id = field(KMS_KEY_ID_HEADER).map(str::to_string);
    let context = field(CONTEXT_HEADER).map(str::to_string);
    match (field(SSE_HEADER), customer) {
        (Some(_), Some(_)) => Err(HeaderError::EncryptionConflict),
        (Some(SSE_S3), None) if key_id.is_none() && context.is_none() => Ok(SseRequest::S3),
        (Some(SSE_KMS), None) => Ok(SseRequest::Kms { key_id, context }),
        // Two layers of KMS encryption: not done here, so not pretended.
        (Some("aws:kms:dsse"), None) => Err(HeaderError::UnsupportedHeader(
            "x-amz-server-side-encryption: aws:kms:dsse".into(),
        )),
        (Some(SSE_S3), None) => Err(HeaderError::KmsKeyWithoutKms),
        (Some(_), None) => Err(HeaderError::InvalidEncryptionMethod),
        (None, _) if key_id.is_some() || context.is_some() => Err(HeaderError::KmsKeyWithoutKms),
        (None, Some(c)) => Ok(SseRequest::Customer(c)),
        (None, None) => Ok(SseRequest::Default),
    }
}

/// Refuses the encryption headers of a write on a read (GET, HEAD,
/// GetObjectAttributes) or a part upload: the object's own encryption
/// decides, and AWS answers them with `400 InvalidArgument`.
pub(crate) fn refuse_write_encryption<'a>(
    field: impl Fn(&str) -> Option<&'a str>,
) -> Result<(), HeaderError> {
    match field(SSE_HEADER).or(field(KMS_KEY_ID_HEADER)) {
        Some(_) => Err(HeaderError::EncryptionOnRead),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
