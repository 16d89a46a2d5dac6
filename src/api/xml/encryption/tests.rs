//! Unit tests of `api/xml/encryption.rs`.

use super::*;

const NS: &str = r#" xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;

fn doc(rule: &str) -> String {
    format!("<ServerSideEncryptionConfiguration{NS}>{rule}</ServerSideEncryptionConfiguration>")
}

#[test]
fn configurations_round_trip() {
    let s3 = doc("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>");
    let parsed = parse_encryption(s3.as_bytes());
    assert_eq!(
        parsed.as_ref().ok(),
        Some(&DefaultEncryption {
            kms: false,
            kms_key_id: None,
            bucket_key: false
        })
    );
    let kms = doc("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>");
    let config = parse_encryption(kms.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (config.kms, config.kms_key_id.as_deref(), config.bucket_key),
        (true, Some("k1"), true)
    );
    let rendered = encryption_to_xml(&config);
    assert!(
        rendered.contains("<SSEAlgorithm>aws:kms</SSEAlgorithm>"),
        "{rendered}"
    );
    assert_eq!(parse_encryption(rendered.as_bytes()).ok(), Some(config));
}

#[test]
fn bad_configurations_are_refused() {
    for bad in [
        doc(""),
        doc("<Rule></Rule>"),
        doc("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES128</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"),
        doc("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>"),
        "<Other/>".to_string(),
        "not xml".to_string(),
    ] {
        assert!(parse_encryption(bad.as_bytes()).is_err(), "{bad}");
    }
}
