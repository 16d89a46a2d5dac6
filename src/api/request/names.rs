//! Bucket names and object keys.

use super::HeaderError;

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
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::api::error::{S3Error, S3ErrorCode};

    fn bucket_reason(name: &str) -> Option<&'static str> {
        match validate_bucket_name(name) {
            Ok(()) => None,
            Err(HeaderError::InvalidBucketName { bucket, reason }) => {
                assert_eq!(bucket, name);
                Some(reason)
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn bucket_names_accepted() {
        for name in [
            "abc",
            "my-bucket",
            "my.bucket.name",
            "1bucket",
            "bucket1",
            "a-b.c-d",
            "192.168.5",
            "192.168.5.4.5",
            "1.2.3.a",
            "xn-bucket",
            "sthree",
            "s3alias",
            "bucket-s3alias1",
            &"a".repeat(63),
        ] {
            assert_eq!(bucket_reason(name), None, "{name:?}");
        }
    }

    #[test]
    fn a_period_next_to_a_hyphen_is_refused() {
        for name in ["foo.-bar", "foo-.bar", "a-.-b"] {
            assert!(bucket_reason(name).is_some(), "{name:?}");
        }
    }

    #[test]
    fn bucket_name_length() {
        assert!(bucket_reason("ab").is_some());
        assert!(bucket_reason("").is_some());
        assert!(bucket_reason(&"a".repeat(64)).is_some());
    }

    #[test]
    fn bucket_name_characters() {
        for name in [
            "MyBucket",
            "my_bucket",
            "my bucket",
            "bücket",
            "my/bucket",
            "a:b",
        ] {
            assert!(bucket_reason(name).is_some(), "{name:?}");
        }
    }

    #[test]
    fn bucket_name_ends() {
        for name in ["-bucket", "bucket-", ".bucket", "bucket."] {
            assert_eq!(
                bucket_reason(name),
                Some("must begin and end with a letter or digit"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn bucket_name_adjacent_periods() {
        assert_eq!(
            bucket_reason("my..bucket"),
            Some("must not contain two adjacent periods")
        );
    }

    #[test]
    fn bucket_name_ip_address() {
        for name in ["192.168.5.4", "1.2.3.4", "999.999.999.999", "0000.0.0.0"] {
            assert_eq!(
                bucket_reason(name),
                Some("must not be formatted as an IP address"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn bucket_name_reserved_prefixes_and_suffixes() {
        for name in [
            "xn--bucket",
            "sthree-bucket",
            "sthree-configurator",
            "amzn-s3-demo-bucket",
        ] {
            assert_eq!(
                bucket_reason(name),
                Some("must not start with a reserved prefix"),
                "{name:?}"
            );
        }
        for name in [
            "bucket-s3alias",
            "bucket--ol-s3",
            "bucket.mrap",
            "bucket--x-s3",
            "bucket--table-s3",
        ] {
            assert_eq!(
                bucket_reason(name),
                Some("must not end with a reserved suffix"),
                "{name:?}"
            );
        }
    }

    // ----- validate_object_key -----

    #[test]
    fn object_key_limits() {
        assert_eq!(validate_object_key("a"), Ok(()));
        assert_eq!(validate_object_key(&"k".repeat(1024)), Ok(()));
        assert_eq!(
            validate_object_key(&"k".repeat(1025)),
            Err(HeaderError::ObjectKeyTooLong {
                size: 1025,
                max: 1024
            })
        );
        assert_eq!(validate_object_key(""), Err(HeaderError::EmptyObjectKey));
        assert_eq!(
            validate_object_key("").map_err(|e| S3Error::from(e).code),
            Err(S3ErrorCode::InvalidArgument)
        );
    }

    #[test]
    fn object_key_limit_counts_bytes_not_chars() {
        // 'é' is two bytes: 512 of them fit, 513 do not.
        assert_eq!(validate_object_key(&"é".repeat(512)), Ok(()));
        assert_eq!(
            validate_object_key(&"é".repeat(513)),
            Err(HeaderError::ObjectKeyTooLong {
                size: 1026,
                max: 1024
            })
        );
    }

    proptest! {
        #[test]
        fn bucket_validator_never_panics(name in ".*") {
            let _ = validate_bucket_name(&name);
        }

        #[test]
        fn accepted_bucket_names_obey_the_basic_rules(name in "[a-z0-9.-]{1,70}") {
            if validate_bucket_name(&name).is_ok() {
                prop_assert!((3..=63).contains(&name.len()));
                prop_assert!(!name.contains(".."));
                prop_assert!(!name.contains(".-") && !name.contains("-."));
                prop_assert!(!name.starts_with(['.', '-']));
                prop_assert!(!name.ends_with(['.', '-']));
            }
        }
    }
}
