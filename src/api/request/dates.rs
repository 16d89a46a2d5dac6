//! HTTP-dates (RFC 9110 §5.6.7), formatted and parsed with `httpdate`.

use std::time::{Duration, UNIX_EPOCH};

/// Last second `http_date` can format (9999-12-31T23:59:59Z). Four-digit
/// years are all IMF-fixdate allows, and `httpdate` panics after that.
const MAX_HTTP_DATE_SECS: u64 = 253_402_300_799;

/// Formats a time in milliseconds since the epoch as an IMF-fixdate, the form
/// HTTP requires for `Last-Modified`, `Expires` and `Date`.
///
/// Milliseconds are dropped because the format has none. Times after year
/// 9999 are clamped to its last second, since the format cannot show them.
pub(crate) fn http_date(ms: u64) -> String {
    let secs = (ms / 1000).min(MAX_HTTP_DATE_SECS);
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Seconds since the epoch of an HTTP-date in any of the three forms RFC 9110
/// requires recipients to accept; `None` for anything else.
pub(crate) fn parse_http_date_secs(value: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

#[cfg(test)]
mod tests {
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
}
