//! Unit tests of `api/request/text.rs`.

use super::*;

#[test]
fn digits_saturate() {
    assert_eq!(parse_digits_saturating("0"), Some(0));
    assert_eq!(parse_digits_saturating("0042"), Some(42));
    assert_eq!(
        parse_digits_saturating("99999999999999999999999"),
        Some(u64::MAX)
    );
    for s in ["", "+1", "-1", "1 ", "0x1", "１"] {
        assert_eq!(parse_digits_saturating(s), None, "{s:?}");
    }
}
