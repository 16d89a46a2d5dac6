//! Plain-text output: aligned tables and human sizes and times.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

/// Columns aligned on the widest cell, two spaces apart; the last column
/// is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i + 1 == widths.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = line(&mut headers.iter().copied());
    out.push('\n');
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
        out.push('\n');
    }
    out
}

/// Bytes in binary units with one decimal (`1.5 GiB`), bytes as they are
/// below 1 KiB.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Milliseconds since the Unix epoch as an HTTP date (UTC).
pub(crate) fn time_ms(ms: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(ms))
}

/// Milliseconds since the Unix epoch as an RFC 3339 time to the second
/// (`2026-11-24T05:00:00Z`): compact, for a time inside a sentence.
pub(crate) fn iso_time_ms(ms: u64) -> String {
    crate::clock::format_rfc3339(ms, crate::clock::Precision::Seconds)
        .unwrap_or_else(|| format!("{ms} ms after the epoch"))
}

/// A span of milliseconds for people, in whole seconds below two minutes
/// (`3 s`), whole minutes below two hours (`75 min`), else hours and
/// minutes (`26 h 5 min`).
pub(crate) fn span_ms(ms: u64) -> String {
    let secs = ms.saturating_add(500) / 1000;
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// A path segment, percent-encoded.
pub(super) fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A value as a cell: strings bare, null as `-`.
pub(super) fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) if s.is_empty() => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A byte count as a human size, null as `-`.
pub(super) fn size(v: &Value) -> String {
    v.as_u64().map_or_else(|| "-".into(), bytes)
}

/// The elements of a JSON array (none for anything else).
pub(super) fn rows(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_every_column_but_the_last() {
        let rows = vec![
            vec!["1".to_string(), "127.0.0.1:9100".into(), "up".into()],
            vec!["10".to_string(), "h:1".into(), "down".into()],
        ];
        assert_eq!(
            table(&["ID", "ADDRESS", "STATE"], &rows),
            "ID  ADDRESS         STATE\n\
             1   127.0.0.1:9100  up\n\
             10  h:1             down\n"
        );
        assert_eq!(table(&["A", "B"], &[]), "A  B\n");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 << 30), "5.0 GiB");
        assert_eq!(bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn times_in_sentences_are_rfc_3339() {
        assert_eq!(iso_time_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time_ms(1_795_496_400_999), "2026-11-24T05:00:00Z");
        assert!(iso_time_ms(u64::MAX).contains("after the epoch"));
    }

    #[test]
    fn spans_read_in_the_largest_sensible_unit() {
        assert_eq!(span_ms(0), "0 s");
        assert_eq!(span_ms(2_600), "3 s");
        assert_eq!(span_ms(119_000), "119 s");
        assert_eq!(span_ms(75 * 60_000), "75 min");
        assert_eq!(span_ms((26 * 60 + 5) * 60_000), "26 h 5 min");
        assert_eq!(
            span_ms(u64::MAX),
            format!(
                "{} h {} min",
                u64::MAX / 1000 / 3600,
                u64::MAX / 1000 % 3600 / 60
            )
        );
    }

    #[test]
    fn times_are_http_dates() {
        assert_eq!(time_ms(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(time_ms(1_784_332_800_000), "Sat, 18 Jul 2026 00:00:00 GMT");
    }
}
