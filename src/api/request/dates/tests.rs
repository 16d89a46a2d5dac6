//! Unit tests of `api/request/dates.rs`.

use proptest::prelude::*;

use super::*;

// 2024-01-02T03:04:05.678Z
const MODIFIED_MS: u64 = 1_704_164_645_678;
const AT_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:05 GMT";

#[test]
fn http_date_formats_imf_fixdate() {
    assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(http_date(MODIFIED_MS), AT_MODIFIED);
    assert_eq!(http_date(999), "Thu, 01 Jan 1970 00:00:00 GMT");
}

#[test]
fn http_date_clamps_after_year_9999() {
    assert_eq!(http_date(u64::MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
}

#[test]
fn all_three_http_date_forms_parse() {
    for date in [
        "Tue, 02 Jan 2024 03:04:05 GMT",
        "Tuesday, 02-Jan-24 03:04:05 GMT",
        "Tue Jan  2 03:04:05 2024",
        "  Tue, 02 Jan 2024 03:04:05 GMT ",
    ] {
        assert_eq!(
            parse_http_date_secs(date),
            Some(MODIFIED_MS / 1000),
            "{date:?}"
        );
    }
    for date in ["", "yesterday", "2024-01-02T03:04:05Z", "1704164645"] {
        assert_eq!(parse_http_date_secs(date), None, "{date:?}");
    }
}

proptest! {
    #[test]
    fn http_date_parses_back_to_the_same_second(ms in 0u64..=253_402_300_799_999) {
        let formatted = http_date(ms);
        let parsed = httpdate::parse_http_date(&formatted).ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        prop_assert_eq!(parsed, Some(ms / 1000));
    }
}

#[test]
fn iso8601_dates_parse_to_milliseconds() {
    assert_eq!(parse_iso8601_ms("1970-01-01T00:00:01.500Z"), Some(1500));
    assert_eq!(
        parse_iso8601_ms("2030-01-01T00:00:00Z"),
        Some(1_893_456_000_000)
    );
    assert_eq!(
        parse_iso8601_ms("2030-01-01T01:00:00+01:00"),
        Some(1_893_456_000_000)
    );
    assert_eq!(parse_iso8601_ms("1969-12-31T23:59:59Z"), None);
    assert_eq!(parse_iso8601_ms("tomorrow"), None);
}
