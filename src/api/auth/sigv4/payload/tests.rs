//! Unit tests of `api/auth/sigv4/payload.rs`.

use super::*;
use crate::api::auth::sigv4::EMPTY_SHA256;
use crate::api::error::testing::s3_code;

#[test]
fn payload_mode_parsing() {
    assert_eq!(
        PayloadMode::from_header("UNSIGNED-PAYLOAD"),
        Ok(PayloadMode::Unsigned)
    );
    assert_eq!(
        PayloadMode::from_header("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        Ok(PayloadMode::StreamingSigned)
    );
    assert_eq!(
        PayloadMode::from_header("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
        Ok(PayloadMode::StreamingSignedTrailer)
    );
    assert_eq!(
        PayloadMode::from_header("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        Ok(PayloadMode::StreamingUnsignedTrailer)
    );
    assert_eq!(
        PayloadMode::from_header(&EMPTY_SHA256.to_ascii_uppercase()),
        Ok(PayloadMode::Sha256(EMPTY_SHA256.to_owned()))
    );
    for bad in [
        "",
        "unsigned-payload",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        &EMPTY_SHA256[1..],
        "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ] {
        let err = PayloadMode::from_header(bad).unwrap_err();
        assert_eq!(s3_code(err), "InvalidArgument");
    }
    assert!(PayloadMode::StreamingSigned.is_chunked());
    assert!(!PayloadMode::Unsigned.is_chunked());
}
