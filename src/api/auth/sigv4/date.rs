//! Request times: the ISO 8601 basic `x-amz-date` and the HTTP `Date`.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Parses `YYYYMMDDTHHMMSSZ` (ISO 8601 basic, UTC).
pub(crate) fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(r)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let day = u8::try_from(num(6..8)?).ok()?;
    let hour = u8::try_from(num(9..11)?).ok()?;
    let minute = u8::try_from(num(11..13)?).ok()?;
    let second = u8::try_from(num(13..15)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Formats a time as `YYYYMMDDTHHMMSSZ` in UTC.
pub(crate) fn format_amz_date(t: OffsetDateTime) -> String {
    // Cannot fail: a fixed layout, and years past 9999 do not exist
    // without `time`'s large-dates feature.
    t.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default()
}

/// Parses an HTTP `Date` header as AWS reads it: the IMF-fixdate
/// `Fri, 24 May 2013 00:00:00 GMT` and its RFC 2822 relatives with a
/// numeric zone (`-0000`, what Python's `email.utils.formatdate` and so
/// botocore send), whose weekday is not checked against the date (AWS
/// answers a wrong one as any other time); else the obsolete RFC 850 and
/// asctime forms every recipient must accept. A time before 1970 is no
/// valid date (AWS refuses it as such, not as a skewed one).
pub(crate) fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let t = match parse_rfc2822(s) {
        Some(t) => t,
        None => OffsetDateTime::from(httpdate::parse_http_date(s).ok()?),
    };
    (t.year() >= 1970).then_some(t)
}

/// `[Day,] DD Mon YYYY HH:MM:SS zone`, the zone `GMT`, `UT`, `UTC`, `Z` or
/// `+hhmm`/`-hhmm`.
fn parse_rfc2822(s: &str) -> Option<OffsetDateTime> {
    let rest = match s.split_once(',') {
        Some((day, rest)) if day.len() == 3 && day.bytes().all(|b| b.is_ascii_alphabetic()) => rest,
        Some(_) => return None,
        None => s,
    };
    let mut fields = rest.split_ascii_whitespace();
    let (day, month, year, clock, zone) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if fields.next().is_some() {
        return None;
    }
    let number = |t: &str, digits: std::ops::RangeInclusive<usize>| -> Option<u32> {
        (digits.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month))
        .and_then(|i| Month::try_from(u8::try_from(i + 1).ok()?).ok())?;
    let date = Date::from_calendar_date(
        i32::try_from(number(year, 4..=4)?).ok()?,
        month,
        u8::try_from(number(day, 1..=2)?).ok()?,
    )
    .ok()?;
    let mut hms = clock.split(':');
    let mut part = || u8::try_from(number(hms.next()?, 2..=2)?).ok();
    let time = Time::from_hms(part()?, part()?, part()?).ok()?;
    if hms.next().is_some() {
        return None;
    }
    let offset_secs = match zone {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        _ => {
            let (sign, hhmm) = match zone.split_at_checked(1)? {
                ("+", hhmm) => (1, hhmm),
                ("-", hhmm) => (-1, hhmm),
                _ => return None,
            };
            let hhmm = i32::try_from(number(hhmm, 4..=4)?).ok()?;
            let (h, m) = (hhmm / 100, hhmm % 100);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let local = PrimitiveDateTime::new(date, time).assume_utc();
    Some(local - time::Duration::seconds(i64::from(offset_secs)))
}

#[cfg(test)]
mod tests;
