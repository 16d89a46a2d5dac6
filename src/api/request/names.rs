//! Bucket names and object keys.

use super::error::HeaderError;

/// Longest object key S3 accepts, in bytes of UTF-8.
pub(crate) const MAX_KEY_BYTES: usize = 1024;

/// Prefixes AWS reserves for its own use.
const RESERVED_BUCKET_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];

/// Suffixes AWS reserves for access-point aliases, Multi-Region Access Points,
/// directory buckets and table buckets.
const RESERVED_BUCKET_SUFFIXES: [&str; 5] =
    ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/// Four all-digit labels, the shape AWS forbids so a bucket name is never
/// mistaken for an IPv4 address in virtual-host addressing.
fn looks_like_ipv4(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    labels.len() == 4
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks AWS's naming rules for general purpose buckets, so names stay valid
/// as DNS labels for virtual-host addressing and stay portable to AWS.
///
/// Rules: 3–63 characters; only `a-z`, `0-9`, `.` and `-`; first and last
/// character a letter or digit; no `..`; not four all-digit labels (IP form);
/// none of the reserved prefixes `xn--`, `sthree-`, `amzn-s3-demo-`; none of
/// the reserved suffixes `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`,
/// `--table-s3`.
pub(crate) fn validate_bucket_name(name: &str) -> Result<(), HeaderError> {
    let reject = |reason| {
        Err(HeaderError::InvalidBucketName {
            bucket: name.to_owned(),
            reason,
        })
    };
    if !(3..=63).contains(&name.len()) {
        return reject("must be between 3 and 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return reject("may only contain lowercase letters, digits, '.' and '-'");
    }
    let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !alnum(name.as_bytes().first()) || !alnum(name.as_bytes().last()) {
        return reject("must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return reject("must not contain two adjacent periods");
    }
    if name.contains(".-") || name.contains("-.") {
        return reject("must not have a period next to a hyphen");
    }
    if looks_like_ipv4(name) {
        return reject("must not be formatted as an IP address");
    }
    if RESERVED_BUCKET_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return reject("must not start with a reserved prefix");
    }
    if RESERVED_BUCKET_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return reject("must not end with a reserved suffix");
    }
    Ok(())
}

/// Checks that an object key is one S3 could store: non-empty and at most
/// [`MAX_KEY_BYTES`] bytes of UTF-8.
///
/// An empty key is [`HeaderError::EmptyObjectKey`] (S3's `InvalidArgument`);
/// an over-long one [`HeaderError::ObjectKeyTooLong`] (`KeyTooLongError`).
pub(crate) fn validate_object_key(key: &str) -> Result<(), HeaderError> {
    if key.is_empty() {
        return Err(HeaderError::EmptyObjectKey);
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(HeaderError::ObjectKeyTooLong {
            size: key.len(),
            max: MAX_KEY_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
