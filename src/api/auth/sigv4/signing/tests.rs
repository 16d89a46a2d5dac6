//! Unit tests of `api/auth/sigv4/signing.rs`.

use super::*;

#[test]
fn signing_key_matches_long_secret_path() {
    // A secret longer than the HMAC block size takes the hashed-key path;
    // compare with the fallible constructor used as a reference.
    let key = [7u8; 100];
    let mut reference = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    reference.update(b"msg");
    let expected: [u8; 32] = reference.finalize().into_bytes().into();
    assert_eq!(hmac_sha256(&key, &[b"m", b"sg"]), expected);
    assert_eq!(format!("{:?}", SigningKey([1; 32])), "SigningKey(..)");
}
