//! Unit tests of `api/request/sse.rs`.

use base64::Engine as _;

use super::*;

const KEY: &str = "pO3upElrwuEXSoFwCfnZPdSsmt/xWeFa0N9KgDijwVs=";
const KEY_MD5: &str = "DWygnHRtgiJ77HCm+1rvHw==";

fn fields<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> + Copy + 'a {
    move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

fn trio(prefix: &str) -> Vec<(String, &'static str)> {
    vec![
        (format!("{prefix}algorithm"), "AES256"),
        (format!("{prefix}key"), KEY),
        (format!("{prefix}key-md5"), KEY_MD5),
    ]
}

#[test]
fn write_headers_name_one_mode() {
    let none: &[(&str, &str)] = &[];
    assert!(matches!(
        write_encryption(fields(none)),
        Ok(SseRequest::Default)
    ));
    assert!(matches!(
        write_encryption(fields(&[(SSE_HEADER, "AES256")])),
        Ok(SseRequest::S3)
    ));
    let kms = [(SSE_HEADER, "aws:kms"), (KMS_KEY_ID_HEADER, "k1")];
    match write_encryption(fields(&kms)) {
        Ok(SseRequest::Kms { key_id, context }) => {
            assert_eq!((key_id.as_deref(), context), (Some("k1"), None))
        }
        other => panic!("{other:?}"),
    }
    let owned = trio(CUSTOMER);
    let c: Vec<(&str, &str)> = owned.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    match write_encryption(fields(&c)) {
        Ok(SseRequest::Customer(k)) => assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(k.md5()),
            KEY_MD5
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn conflicting_or_incomplete_headers_are_refused_as_aws_does() {
    let owned = trio(CUSTOMER);
    let mut c: Vec<(&str, &str)> = owned.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    c.push((SSE_HEADER, "AES256"));
    assert_eq!(
        write_encryption(fields(&c)).err(),
        Some(HeaderError::EncryptionConflict)
    );
    for (pairs, error) in [
        (
            vec![(SSE_HEADER, "AES256"), (KMS_KEY_ID_HEADER, "k")],
            HeaderError::KmsKeyWithoutKms,
        ),
        (
            vec![(KMS_KEY_ID_HEADER, "k")],
            HeaderError::KmsKeyWithoutKms,
        ),
        (
            vec![(SSE_HEADER, "aes:kms")],
            HeaderError::InvalidEncryptionMethod,
        ),
        (
            vec![("x-amz-server-side-encryption-customer-algorithm", "AES256")],
            HeaderError::CustomerKeyMissing,
        ),
        (
            vec![
                ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                ("x-amz-server-side-encryption-customer-key", KEY),
            ],
            HeaderError::CustomerKeyMd5Missing,
        ),
        (
            vec![
                ("x-amz-server-side-encryption-customer-key", KEY),
                ("x-amz-server-side-encryption-customer-key-md5", KEY_MD5),
            ],
            HeaderError::CustomerAlgorithmMissing,
        ),
        (
            vec![
                ("x-amz-server-side-encryption-customer-algorithm", "AES192"),
                ("x-amz-server-side-encryption-customer-key", KEY),
                ("x-amz-server-side-encryption-customer-key-md5", KEY_MD5),
            ],
            HeaderError::CustomerAlgorithmInvalid,
        ),
        (
            vec![
                ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                ("x-amz-server-side-encryption-customer-key", "c2hvcnQ="),
                ("x-amz-server-side-encryption-customer-key-md5", KEY_MD5),
            ],
            HeaderError::CustomerKeyInvalid,
        ),
        (
            vec![
                ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                ("x-amz-server-side-encryption-customer-key", KEY),
                (
                    "x-amz-server-side-encryption-customer-key-md5",
                    "AAAAAAAAAAAAAAAAAAAAAA==",
                ),
            ],
            HeaderError::CustomerKeyMd5Mismatch,
        ),
    ] {
        assert_eq!(
            write_encryption(fields(&pairs)).err(),
            Some(error),
            "{pairs:?}"
        );
    }
}

#[test]
fn copy_source_keys_and_reads_have_their_own_rules() {
    let owned = trio(COPY_SOURCE_CUSTOMER);
    let c: Vec<(&str, &str)> = owned.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    assert!(matches!(
        customer_key(fields(&c), COPY_SOURCE_CUSTOMER),
        Ok(Some(_))
    ));
    assert!(matches!(customer_key(fields(&c), CUSTOMER), Ok(None)));
    assert_eq!(
        refuse_write_encryption(fields(&[(SSE_HEADER, "AES256")])),
        Err(HeaderError::EncryptionOnRead)
    );
    assert_eq!(refuse_write_encryption(fields(&c)), Ok(()));
}
