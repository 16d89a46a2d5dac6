//! Unit tests of `api/auth/sigv4/date.rs`.

use super::*;

#[test]
fn date_parsing() {
    assert!(parse_amz_date("20130524T000000Z").is_some());
    for bad in [
        "20130524T000000",
        "20131324T000000Z",
        "20130524T250000Z",
        "2013-05-24T00:00:00Z",
        "20130524X000000Z",
        "+0130524T000000Z",
        "",
    ] {
        assert!(parse_amz_date(bad).is_none(), "{bad}");
    }
    let t = parse_http_date("Fri, 24 May 2013 00:00:00 GMT").unwrap();
    assert_eq!(format_amz_date(t), "20130524T000000Z");
    assert!(parse_http_date("Fri, 24 May 2013 00:00:00 PST").is_none());
    for obsolete in ["Friday, 24-May-13 00:00:00 GMT", "Fri May 24 00:00:00 2013"] {
        assert_eq!(parse_http_date(obsolete), Some(t), "{obsolete}");
    }
    // The weekday must be the date's.
    assert!(parse_http_date("Sat, 24 May 2013 00:00:00 GMT").is_none());
}
