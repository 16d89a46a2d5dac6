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

/// Milliseconds since the epoch of an ISO 8601 (RFC 3339) timestamp such
/// as `2030-01-01T00:00:00.000Z`, the form object lock dates take; `None`
/// for anything else or a time before the epoch.
pub(crate) fn parse_iso8601_ms(value: &str) -> Option<u64> {
    let t =
        time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests;
