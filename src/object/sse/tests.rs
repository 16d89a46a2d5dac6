//! Unit tests of `object/sse`: master keys as configured, data keys sealed
//! and opened per mode, wrong and missing keys, re-wrap, ETags.

use std::sync::Arc;

use base64::Engine as _;

use super::*;
use crate::storage::meta::encryption::DefaultEncryption;

fn b64(bytes: [u8; 32]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn keys(entries: &str, default: Option<&str>) -> Sse {
    let keys = MasterKeys::parse(entries, default).unwrap_or_else(|e| panic!("{e}"));
    Sse::new(Arc::new(keys))
}

fn two_keys() -> Sse {
    keys(&format!("k1:{}, k2:{}", b64([1; 32]), b64([2; 32])), None)
}

#[test]
fn master_key_lists_parse_or_say_why_not() {
    let k = MasterKeys::parse(
        &format!("# comment\na:{}\nb:{}", b64([1; 32]), b64([2; 32])),
        Some("b"),
    );
    let k = k.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.key_ids(), vec!["a".to_string(), "b".to_string()]);
    assert_eq!(k.default_key(), Some("b"));
    assert_eq!(
        MasterKeys::parse("a:c2hvcnQ=", None).err(),
        Some(keys::MasterKeyError::Malformed(1))
    );
    assert_eq!(
        MasterKeys::parse("nokey", None).err(),
        Some(keys::MasterKeyError::Malformed(1))
    );
    let twice = format!("a:{0},a:{0}", b64([1; 32]));
    assert_eq!(
        MasterKeys::parse(&twice, None).err(),
        Some(keys::MasterKeyError::Duplicate("a".into()))
    );
    assert_eq!(
        MasterKeys::parse(&format!("a:{}", b64([1; 32])), Some("z")).err(),
        Some(keys::MasterKeyError::UnknownDefault("z".into()))
    );
    let none = MasterKeys::parse("", None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(none.default_key(), None);
}

/// A new encryption's data key, as a read opens it again.
fn round_trip(sse: &Sse, request: &SseRequest, customer: Option<&CustomerKey>) -> Encryption {
    let (e, key) = sse
        .new_encryption(request, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("not encrypted"));
    let opened = sse
        .open(Some(&e), customer)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opened.map(|k| *k.bytes()), Some(*key.bytes()));
    assert_eq!(e.sealed_key.len(), 61);
    assert!(!e.sealed_key.windows(32).any(|w| w == key.bytes()));
    e
}

#[test]
fn each_mode_seals_a_fresh_key_that_opens_again() {
    let sse = two_keys();
    let s3 = round_trip(&sse, &SseRequest::S3, None);
    assert_eq!((s3.mode.clone(), s3.key_id.as_str()), (SseMode::S3, "k1"));
    let kms = SseRequest::Kms {
        key_id: Some("k2".into()),
        context: Some("e30=".into()),
    };
    let kms = round_trip(&sse, &kms, None);
    assert_eq!(kms.key_id, "k2");
    let customer = CustomerKey::new([9; 32]);
    let c = round_trip(
        &sse,
        &SseRequest::Customer(customer.clone()),
        Some(&customer),
    );
    assert_eq!(c.key_id, "");
    // Two writes never share a data key.
    let again = round_trip(&sse, &SseRequest::S3, None);
    assert_ne!(again.sealed_key, s3.sealed_key);
}

#[test]
fn wrong_missing_or_misplaced_keys_are_refused() {
    let sse = two_keys();
    let customer = CustomerKey::new([9; 32]);
    let c = round_trip(
        &sse,
        &SseRequest::Customer(customer.clone()),
        Some(&customer),
    );
    let other = CustomerKey::new([8; 32]);
    assert_eq!(
        sse.open(Some(&c), Some(&other)).err(),
        Some(SseError::WrongKey)
    );
    assert_eq!(sse.open(Some(&c), None).err(), Some(SseError::KeyRequired));
    let s3 = round_trip(&sse, &SseRequest::S3, None);
    assert_eq!(
        sse.open(Some(&s3), Some(&customer)).err(),
        Some(SseError::NotCustomerEncrypted)
    );
    assert_eq!(
        sse.open(None, Some(&customer)).err(),
        Some(SseError::NotCustomerEncrypted)
    );
    assert!(matches!(sse.open(None, None), Ok(None)));
    // A sealed key moved to another context (mode or key id) does not open.
    let mut moved = s3.clone();
    moved.mode = SseMode::Kms { context: None };
    assert_eq!(sse.open(Some(&moved), None).err(), Some(SseError::Damaged));
    let mut flipped = s3.clone();
    flipped.sealed_key[20] ^= 1;
    assert_eq!(
        sse.open(Some(&flipped), None).err(),
        Some(SseError::Damaged)
    );
    // A key id nobody configured, or no key at all.
    let unknown = SseRequest::Kms {
        key_id: Some("nope".into()),
        context: None,
    };
    assert_eq!(
        sse.new_encryption(&unknown, None).err(),
        Some(SseError::UnknownKey("nope".into()))
    );
    let none = keys("", None);
    assert_eq!(
        none.new_encryption(&SseRequest::S3, None).err(),
        Some(SseError::NoMasterKey)
    );
    assert!(none
        .new_encryption(&SseRequest::Customer(customer), None)
        .is_ok());
}

#[test]
fn a_bucket_default_applies_only_when_the_request_names_none() {
    let sse = two_keys();
    let kms = DefaultEncryption {
        kms: true,
        kms_key_id: Some("k2".into()),
        bucket_key: false,
    };
    let applied = sse.new_encryption(&SseRequest::Default, Some(&kms));
    let (e, _) = applied
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no default"));
    assert_eq!(
        (e.mode, e.key_id.as_str()),
        (SseMode::Kms { context: None }, "k2")
    );
    let (e, _) = sse
        .new_encryption(&SseRequest::S3, Some(&kms))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("not encrypted"));
    assert_eq!(e.mode, SseMode::S3);
    assert!(matches!(
        sse.new_encryption(&SseRequest::Default, None),
        Ok(None)
    ));
    let missing = DefaultEncryption {
        kms_key_id: Some("gone".into()),
        ..kms
    };
    assert!(sse.check_default(&missing).is_err());
}

#[test]
fn rewrap_moves_a_data_key_to_another_master_key() {
    let old = keys(&format!("k1:{}", b64([1; 32])), None);
    let (e, key) = old
        .new_encryption(&SseRequest::S3, None)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("not encrypted"));
    let rotated = keys(
        &format!("k1:{}, k2:{}", b64([1; 32]), b64([2; 32])),
        Some("k2"),
    );
    let moved = rotated
        .rewrap(&e, "k2")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("not re-wrapped"));
    assert_eq!(moved.key_id, "k2");
    // Only k2 is needed now.
    let retired = keys(&format!("k2:{}", b64([2; 32])), None);
    let opened = retired.open(Some(&moved), None).ok().flatten();
    assert_eq!(opened.map(|k| *k.bytes()), Some(*key.bytes()));
    assert!(retired.open(Some(&e), None).is_err());
    let customer = CustomerKey::new([3; 32]);
    let (c, _) = rotated
        .new_encryption(&SseRequest::Customer(customer), None)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("not encrypted"));
    assert!(matches!(rotated.rewrap(&c, "k2"), Ok(None)));
}

#[test]
fn etags_are_the_md5_only_for_sse_s3_and_plain_data() {
    let sse = two_keys();
    let md5 = [0xab; 16];
    assert_eq!(etag_of(&md5, None), hex::encode(md5));
    let s3 = sse
        .new_encryption(&SseRequest::S3, None)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("not encrypted"));
    assert_eq!(etag_of(&md5, Some(&s3)), hex::encode(md5));
    let kms = SseRequest::Kms {
        key_id: None,
        context: None,
    };
    let kms = sse
        .new_encryption(&kms, None)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("not encrypted"));
    let etag = etag_of(&md5, Some(&kms));
    assert_eq!(etag.len(), 32);
    assert_ne!(etag, hex::encode(md5));
    assert_eq!(etag, etag_of(&md5, Some(&kms)), "stable for one key");
}
