//! S3 Select's timestamps: ISO 8601 text in (`TO_TIMESTAMP`, `CAST … AS
//! TIMESTAMP`: from a year alone, `2007T`, to fractions of a second with
//! an offset), RFC 3339 text out, and the date functions' arithmetic.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A part of a timestamp (`EXTRACT`, `DATE_ADD`, `DATE_DIFF`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DatePart {
    /// `YEAR`.
    Year,
    /// `MONTH`.
    Month,
    /// `DAY`.
    Day,
    /// `HOUR`.
    Hour,
    /// `MINUTE`.
    Minute,
    /// `SECOND`.
    Second,
    /// `TIMEZONE_HOUR` (`EXTRACT` only).
    TimezoneHour,
    /// `TIMEZONE_MINUTE` (`EXTRACT` only).
    TimezoneMinute,
}

impl DatePart {
    /// The part a keyword names.
    pub(crate) fn named(word: &str) -> Option<DatePart> {
        Some(match word.to_ascii_lowercase().as_str() {
            "year" => DatePart::Year,
            "month" => DatePart::Month,
            "day" => DatePart::Day,
            "hour" => DatePart::Hour,
            "minute" => DatePart::Minute,
            "second" => DatePart::Second,
            "timezone_hour" => DatePart::TimezoneHour,
            "timezone_minute" => DatePart::TimezoneMinute,
            _ => return None,
        })
    }
}

/// Reads `YYYY[-MM[-DD]]T[hh:mm[:ss[.fff…]]][Z|±hh:mm]` (a bare date is
/// midnight UTC), the forms AWS's TO_TIMESTAMP takes.
pub(crate) fn parse(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Some(t);
    }
    let (date, rest) = match text.split_once('T') {
        Some((d, r)) => (d, r),
        // Without the `T`, only a whole date.
        None if text.len() == 10 => (text, ""),
        None => return None,
    };
    let mut d = date.split('-');
    let year = d.next().filter(|y| y.len() == 4)?;
    let year: i32 = year.parse().ok()?;
    let month: u8 = d.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u8 = d.next().map_or(Some(1), |m| m.parse().ok())?;
    if d.next().is_some() {
        return None;
    }
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let (clock, offset) = split_offset(rest)?;
    let time = if clock.is_empty() {
        Time::MIDNIGHT
    } else {
        let mut c = clock.split(':');
        let hour: u8 = c.next()?.parse().ok()?;
        let minute: u8 = c.next()?.parse().ok()?;
        let (second, nanos) = match c.next() {
            None => (0, 0),
            Some(s) => {
                let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
                let digits = fraction.get(..fraction.len().min(9)).unwrap_or_default();
                let nanos = if digits.is_empty() {
                    0
                } else {
                    let n: u32 = digits.parse().ok()?;
                    n * 10u32.pow(9 - digits.len() as u32)
                };
                (whole.parse().ok()?, nanos)
            }
        };
        Time::from_hms_nano(hour, minute, second, nanos).ok()?
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// The clock part and the offset after it (`Z`, `±hh:mm`; none: UTC).
fn split_offset(rest: &str) -> Option<(&str, UtcOffset)> {
    if let Some(clock) = rest.strip_suffix('Z') {
        return Some((clock, UtcOffset::UTC));
    }
    match rest.rfind(['+', '-']) {
        Some(at) => {
            let (clock, zone) = rest.split_at(at);
            let sign: i8 = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone.get(1..)?.split_once(':')?;
            let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
            Some((clock, UtcOffset::from_hms(sign * h, sign * m, 0).ok()?))
        }
        None => Some((rest, UtcOffset::UTC)),
    }
}

/// `t` as RFC 3339 text.
pub(crate) fn format(t: &OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `EXTRACT(part FROM t)`.
pub(crate) fn extract(part: DatePart, t: &OffsetDateTime) -> i64 {
    match part {
        DatePart::Year => i64::from(t.year()),
        DatePart::Month => i64::from(u8::from(t.month())),
        DatePart::Day => i64::from(t.day()),
        DatePart::Hour => i64::from(t.hour()),
        DatePart::Minute => i64::from(t.minute()),
        DatePart::Second => i64::from(t.second()),
        DatePart::TimezoneHour => i64::from(t.offset().whole_hours()),
        DatePart::TimezoneMinute => i64::from(t.offset().minutes_past_hour()),
    }
}

/// `DATE_ADD(part, n, t)`; `None` past the calendar's range or for a
/// time-zone part.
pub(crate) fn add(part: DatePart, n: i64, t: OffsetDateTime) -> Option<OffsetDateTime> {
    // `Duration::days` and the like panic past their range; seconds
    // do not.
    let seconds = |unit: i64| n.checked_mul(unit).map(Duration::seconds);
    let months = match part {
        DatePart::Year => n.checked_mul(12)?,
        DatePart::Month => n,
        DatePart::Day => return t.checked_add(seconds(86_400)?),
        DatePart::Hour => return t.checked_add(seconds(3_600)?),
        DatePart::Minute => return t.checked_add(seconds(60)?),
        DatePart::Second => return t.checked_add(seconds(1)?),
        DatePart::TimezoneHour | DatePart::TimezoneMinute => return None,
    };
    let index =
        (i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1).checked_add(months)?;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    // The day kept where the month has it, else its last day.
    let day = t.day().min(time::util::days_in_month(month, year));
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(t.replace_date(date))
}

/// `DATE_DIFF(part, a, b)`: whole `part`s from `a` to `b`.
pub(crate) fn diff(part: DatePart, a: OffsetDateTime, b: OffsetDateTime) -> Option<i64> {
    let span = b - a;
    Some(match part {
        DatePart::Year | DatePart::Month => {
            let months = (i64::from(b.year()) - i64::from(a.year())) * 12
                + i64::from(u8::from(b.month()))
                - i64::from(u8::from(a.month()));
            // A month not yet complete does not count.
            let rest = |t: &OffsetDateTime| (t.day(), t.time());
            let months = if months > 0 && rest(&b) < rest(&a) {
                months - 1
            } else if months < 0 && rest(&b) > rest(&a) {
                months + 1
            } else {
                months
            };
            if part == DatePart::Year {
                months / 12
            } else {
                months
            }
        }
        DatePart::Day => span.whole_days(),
        DatePart::Hour => span.whole_hours(),
        DatePart::Minute => span.whole_minutes(),
        DatePart::Second => span.whole_seconds(),
        DatePart::TimezoneHour | DatePart::TimezoneMinute => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_read_and_arithmetic_follows_the_calendar() {
        let t = |s: &str| parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(format(&t("2007T")), "2007-01-01T00:00:00Z");
        assert_eq!(format(&t("2007-02-23T")), "2007-02-23T00:00:00Z");
        assert_eq!(format(&t("2007-02-23T12:14Z")), "2007-02-23T12:14:00Z");
        assert_eq!(
            format(&t("2007-02-23T12:14:33.079-08:00")),
            "2007-02-23T12:14:33.079-08:00"
        );
        assert_eq!(format(&t("2007-02-23")), "2007-02-23T00:00:00Z");
        for bad in [
            "",
            "x",
            "2007-13-01T",
            "2007-02-30T",
            "2007-02-23T25:00Z",
            "2007-02-23T12:14+8",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let ts = t("2020-01-31T10:00:00-05:30");
        assert_eq!(extract(DatePart::Month, &ts), 1);
        assert_eq!(extract(DatePart::TimezoneHour, &ts), -5);
        assert_eq!(extract(DatePart::TimezoneMinute, &ts), -30);
        assert_eq!(
            format(&add(DatePart::Month, 1, t("2020-01-31T")).unwrap()),
            "2020-02-29T00:00:00Z"
        );
        assert_eq!(
            format(&add(DatePart::Year, -1, t("2020-02-29T")).unwrap()),
            "2019-02-28T00:00:00Z"
        );
        assert_eq!(
            format(&add(DatePart::Hour, 25, t("2020-02-28T")).unwrap()),
            "2020-02-29T01:00:00Z"
        );
        for part in [
            DatePart::Year,
            DatePart::Month,
            DatePart::Day,
            DatePart::Hour,
            DatePart::Second,
        ] {
            assert_eq!(add(part, i64::MAX, ts), None, "{part:?}");
            assert_eq!(add(part, i64::MIN, ts), None, "{part:?}");
            assert_eq!(add(part, 200_000_000_000_000, ts), None, "{part:?}");
        }
        assert_eq!(
            diff(DatePart::Year, t("2010-01-01T"), t("2011-01-01T")),
            Some(1)
        );
        assert_eq!(
            diff(DatePart::Year, t("2010-06-01T"), t("2011-05-31T")),
            Some(0)
        );
        assert_eq!(
            diff(DatePart::Month, t("2011-05-31T"), t("2010-06-01T")),
            Some(-11)
        );
        assert_eq!(
            diff(DatePart::Day, t("2010-01-01T"), t("2010-03-01T")),
            Some(59)
        );
    }
}
