//! The wall clock, read in one place, and the one way a time is written
//! as text (RFC 3339 in UTC, as S3's XML, POST policies and the admin CLI
//! show it). Plain code at the bottom floor: every layer may use it.

use std::time::{SystemTime, UNIX_EPOCH};

use time::macros::format_description;
use time::OffsetDateTime;

/// The last instant SDKs can parse (four-digit years):
/// 9999-12-31T23:59:59.999Z.
pub(crate) const MAX_TIMESTAMP_MS: u64 = 253_402_300_799_999;

/// Milliseconds since the Unix epoch, now (0 if the clock is set before
/// it).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> u64 {
    now_ms() / 1000
}

/// How finely [`format_rfc3339`] writes a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Precision {
    /// `2009-10-12T17:50:30.000Z`.
    Millis,
    /// `2009-10-12T17:50:30Z`.
    Seconds,
}

/// Unix milliseconds `ms` as RFC 3339 in UTC; `None` past
/// [`MAX_TIMESTAMP_MS`].
pub(crate) fn format_rfc3339(ms: u64, precision: Precision) -> Option<String> {
    if ms > MAX_TIMESTAMP_MS {
        return None;
    }
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    let layout = match precision {
        Precision::Millis => format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ),
        Precision::Seconds => format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    };
    t.format(layout).ok()
}

/// Formats Unix milliseconds as S3 shows times in XML, e.g.
/// `2009-10-12T17:50:30.000Z`. Times after 9999-12-31T23:59:59.999Z are
/// shown as that instant: SDKs parse four-digit years only.
pub(crate) fn format_timestamp(ms: u64) -> String {
    format_rfc3339(ms.min(MAX_TIMESTAMP_MS), Precision::Millis)
        .unwrap_or_else(|| "9999-12-31T23:59:59.999Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_rfc_3339_in_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_rfc3339(1_795_496_400_999, Precision::Seconds).as_deref(),
            Some("2026-11-24T05:00:00Z")
        );
        assert_eq!(format_timestamp(u64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(
            format_rfc3339(MAX_TIMESTAMP_MS + 1, Precision::Millis),
            None
        );
        let now = now_ms();
        assert!(
            now > 1_700_000_000_000 && now_secs() == now / 1000 || now_secs() == now / 1000 + 1
        );
    }
}
