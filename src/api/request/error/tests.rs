//! Unit tests of `api/request/error.rs`: each message is AWS's text.

use super::*;

#[test]
fn error_display_is_the_s3_message() {
    assert_eq!(
        HeaderError::InvalidMaxKeys.to_string(),
        "Provided max-keys not an integer or within integer range"
    );
    assert_eq!(
        HeaderError::ObjectKeyTooLong { size: 1, max: 1 }.to_string(),
        "Your key is too long"
    );
    assert_eq!(
        HeaderError::CopySourceRangeOutside { source_size: 7 }.to_string(),
        "Range specified is not valid for source object of size: 7"
    );
}
