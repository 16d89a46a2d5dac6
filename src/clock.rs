//! The wall clock, read in one place, and the one way a time is written
//! as text (RFC 3339 in UTC, as S3's XML, POST policies and the admin CLI
//! show it). Plain code at the bottom floor: every layer may use it.

use std::time::{SystemTime, UNIX_EPOCH};

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
    let mut out = String::with_capacity(24);
    write_rfc3339(&mut out, ms, precision)?;
    Some(out)
}

/// Writes `ms` as [`format_rfc3339`] does, onto `out`: a listing writes a
/// thousand of them a page, so the digits are laid out here, without a
/// `String` or a format each (`time`'s format descriptions took ~1 µs).
pub(crate) fn write_rfc3339(out: &mut String, ms: u64, precision: Precision) -> Option<()> {
    if ms > MAX_TIMESTAMP_MS {
        return None;
    }
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    let (year, month, day) = t.to_calendar_date();
    let (hour, minute, second) = t.to_hms();
    push_digits(out, u32::try_from(year).ok()?, 4);
    out.push('-');
    push_digits(out, u32::from(u8::from(month)), 2);
    out.push('-');
    push_digits(out, u32::from(day), 2);
    out.push('T');
    push_digits(out, u32::from(hour), 2);
    out.push(':');
    push_digits(out, u32::from(minute), 2);
    out.push(':');
    push_digits(out, u32::from(second), 2);
    if precision == Precision::Millis {
        out.push('.');
        push_digits(out, (ms % 1000) as u32, 3);
    }
    out.push('Z');
    Some(())
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
    }
}

/// Formats Unix milliseconds as S3 shows times in XML, e.g.
/// `2009-10-12T17:50:30.000Z`. Times after 9999-12-31T23:59:59.999Z are
/// shown as that instant: SDKs parse four-digit years only.
pub(crate) fn format_timestamp(ms: u64) -> String {
    let mut out = String::with_capacity(24);
    write_timestamp(&mut out, ms);
    out
}

/// Writes `ms` as [`format_timestamp`] does, onto `out`.
pub(crate) fn write_timestamp(out: &mut String, ms: u64) {
    // Only a time past the last one SDKs read can fail, and it is capped.
    let _ = write_rfc3339(out, ms.min(MAX_TIMESTAMP_MS), Precision::Millis);
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
        // The digits laid out here against `time`'s own formatting, at
        // instants some 97 days apart from 1970 to the last one.
        let layout = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        let mut ms = 0u64;
        while ms <= MAX_TIMESTAMP_MS {
            for t in [ms, ms + 999, ms.saturating_sub(1)] {
                let t = t.min(MAX_TIMESTAMP_MS);
                let want = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * 1_000_000)
                    .expect("in range")
                    .format(layout)
                    .expect("formats");
                assert_eq!(format_timestamp(t), want);
            }
            ms += 86_399_937 * 97;
        }
        assert_eq!(
            format_timestamp(MAX_TIMESTAMP_MS),
            "9999-12-31T23:59:59.999Z"
        );
        let now = now_ms();
        assert!(
            now > 1_700_000_000_000 && now_secs() == now / 1000 || now_secs() == now / 1000 + 1
        );
    }
}
