//! Unit tests of `api/request/range.rs`.

use proptest::prelude::*;

use super::*;
use crate::api::error::S3Error;

fn invalid_range(header: &str, size: u64) -> HeaderError {
    HeaderError::RangeNotSatisfiable {
        requested: header.into(),
        object_size: size,
    }
}

#[test]
fn range_closed() {
    assert_eq!(parse_range("bytes=0-0", 10), Ok(Some(0..1)));
    assert_eq!(parse_range("bytes=2-5", 10), Ok(Some(2..6)));
    assert_eq!(parse_range("bytes=0-9", 10), Ok(Some(0..10)));
}

#[test]
fn range_closed_end_is_clamped() {
    assert_eq!(parse_range("bytes=5-100", 10), Ok(Some(5..10)));
    assert_eq!(
        parse_range("bytes=5-99999999999999999999999999", 10),
        Ok(Some(5..10))
    );
}

#[test]
fn range_open_ended() {
    assert_eq!(parse_range("bytes=0-", 10), Ok(Some(0..10)));
    assert_eq!(parse_range("bytes=9-", 10), Ok(Some(9..10)));
}

#[test]
fn range_suffix() {
    assert_eq!(parse_range("bytes=-3", 10), Ok(Some(7..10)));
    assert_eq!(parse_range("bytes=-10", 10), Ok(Some(0..10)));
}

#[test]
fn range_suffix_larger_than_object_is_whole_object() {
    assert_eq!(parse_range("bytes=-11", 10), Ok(Some(0..10)));
    assert_eq!(
        parse_range("bytes=-99999999999999999999999", 10),
        Ok(Some(0..10))
    );
}

#[test]
fn range_start_at_or_past_end_is_unsatisfiable() {
    assert_eq!(
        parse_range("bytes=10-", 10),
        Err(invalid_range("bytes=10-", 10))
    );
    assert_eq!(
        parse_range("bytes=10-20", 10),
        Err(invalid_range("bytes=10-20", 10))
    );
    assert_eq!(
        parse_range("bytes=99999999999999999999999-", 10),
        Err(invalid_range("bytes=99999999999999999999999-", 10))
    );
}

#[test]
fn range_zero_suffix_is_unsatisfiable() {
    assert_eq!(
        parse_range("bytes=-0", 10),
        Err(invalid_range("bytes=-0", 10))
    );
    assert_eq!(
        parse_range("bytes=-0", 0),
        Err(invalid_range("bytes=-0", 0))
    );
}

#[test]
fn range_on_empty_object() {
    assert_eq!(
        parse_range("bytes=0-", 0),
        Err(invalid_range("bytes=0-", 0))
    );
    assert_eq!(
        parse_range("bytes=0-0", 0),
        Err(invalid_range("bytes=0-0", 0))
    );
    // Non-zero suffix: whole (empty) object with 200, see the doc comment.
    assert_eq!(parse_range("bytes=-5", 0), Ok(None));
    // Invalid syntax is ignored before size matters.
    assert_eq!(parse_range("bytes=x-", 0), Ok(None));
}

#[test]
fn range_reversed_is_ignored() {
    assert_eq!(parse_range("bytes=5-2", 10), Ok(None));
    assert_eq!(parse_range("bytes=1-0", 4), Ok(None));
    // Reversed wins over out-of-range: invalid, so ignored, not 416.
    assert_eq!(parse_range("bytes=50-20", 10), Ok(None));
}

#[test]
fn range_multiple_is_ignored() {
    assert_eq!(parse_range("bytes=0-1,3-4", 10), Ok(None));
    assert_eq!(parse_range("bytes=0-1, 3-4", 10), Ok(None));
    assert_eq!(parse_range("bytes=20-30,40-50", 10), Ok(None));
}

#[test]
fn range_empty_list_elements_are_skipped() {
    assert_eq!(parse_range("bytes=0-1,", 10), Ok(Some(0..2)));
    assert_eq!(parse_range("bytes= , 0-1", 10), Ok(Some(0..2)));
    assert_eq!(parse_range("bytes=,", 10), Ok(None));
}

#[test]
fn range_syntax_errors_are_ignored() {
    for h in [
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=abc",
        "bytes=1",
        "bytes=a-b",
        "bytes=1-b",
        "bytes=+1-2",
        "bytes=1--2",
        "bytes=1-2-3",
        "bytes=0x10-",
        "bytes=１-２",
        "items=0-1",
        "bytes 0-1",
        "=0-1",
    ] {
        assert_eq!(parse_range(h, 10), Ok(None), "{h:?}");
    }
}

#[test]
fn range_unit_is_case_insensitive_and_value_trimmed() {
    assert_eq!(parse_range("Bytes=0-1", 10), Ok(Some(0..2)));
    assert_eq!(parse_range("  bytes=0-1  ", 10), Ok(Some(0..2)));
}

#[test]
fn range_at_u64_limits() {
    let max = u64::MAX;
    assert_eq!(
        parse_range(&format!("bytes={}-", max - 1), max),
        Ok(Some(max - 1..max))
    );
    assert_eq!(
        parse_range(&format!("bytes=0-{max}"), max),
        Ok(Some(0..max))
    );
    assert_eq!(parse_range("bytes=-1", max), Ok(Some(max - 1..max)));
}

proptest! {
    #[test]
    fn parse_range_never_panics_and_stays_in_bounds(header in ".*", size in any::<u64>()) {
        if let Ok(Some(r)) = parse_range(&header, size) {
            prop_assert!(r.start < r.end);
            prop_assert!(r.end <= size);
        }
    }

    #[test]
    fn parse_range_on_range_like_input(
        header in "[bB]ytes=[0-9]{0,22}-[0-9]{0,22}(,[0-9]{0,3}-[0-9]{0,3})?",
        size in prop_oneof![Just(0u64), 1u64..100, any::<u64>()],
    ) {
        match parse_range(&header, size) {
            Ok(Some(r)) => {
                prop_assert!(r.start < r.end && r.end <= size);
            }
            Ok(None) => {}
            Err(e) => {
                prop_assert_eq!(S3Error::from(e).http_status(), 416);
            }
        }
    }

    #[test]
    fn parse_range_closed_matches_model(a in 0u64..200, b in 0u64..200, size in 0u64..150) {
        let got = parse_range(&format!("bytes={a}-{b}"), size);
        if a > b {
            prop_assert_eq!(got, Ok(None));
        } else if a >= size {
            prop_assert!(got.is_err());
        } else {
            prop_assert_eq!(got, Ok(Some(a..(b + 1).min(size))));
        }
    }

    #[test]
    fn parse_range_suffix_matches_model(n in 0u64..200, size in 0u64..150) {
        let got = parse_range(&format!("bytes=-{n}"), size);
        if n == 0 {
            prop_assert!(got.is_err());
        } else if size == 0 {
            prop_assert_eq!(got, Ok(None));
        } else {
            prop_assert_eq!(got, Ok(Some(size.saturating_sub(n)..size)));
        }
    }
}
