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
    // The weekday is not checked (AWS answers a request dated
    // "Tue, 07 Jul 2010", a Wednesday, as skewed, not as undated).
    assert_eq!(parse_http_date("Sat, 24 May 2013 00:00:00 GMT"), Some(t));
    // What botocore's SigV4 signer sends when a Date header is given
    // (`email.utils.formatdate`), and other RFC 2822 zones.
    for same in [
        "Fri, 24 May 2013 00:00:00 -0000",
        "Fri, 24 May 2013 00:00:00 +0000",
        "Fri, 24 May 2013 02:00:00 +0200",
        "Thu, 23 May 2013 19:30:00 -0430",
        "24 May 2013 00:00:00 UTC",
        " fri, 24 may 2013 00:00:00 UT ",
    ] {
        assert_eq!(parse_http_date(same), Some(t), "{same}");
    }
    assert_eq!(
        parse_http_date("Tue, 7 Jul 2030 21:53:04 GMT").map(format_amz_date),
        Some("20300707T215304Z".into())
    );
    for bad in [
        "",
        "Fri, 24 May 2013 00:00 GMT",
        "Fri, 24 May 2013 00:00:00",
        "Fri, 24 May 2013 00:00:00 +2400",
        "Fri, 24 May 2013 00:00:00 0000",
        "Fri, 24 Foo 2013 00:00:00 GMT",
        "Fri, 31 Feb 2013 00:00:00 GMT",
        "Fri, 24 May 13 00:00:00 GMT",
        "Friday 24 May 2013 00:00:00 GMT",
        "Fri, 24 May 2013 00:00:00 GMT extra",
        "Bad Date",
        // Before the epoch: no valid date, as AWS has it.
        "Tue, 07 Jul 1950 21:53:04 GMT",
    ] {
        assert!(parse_http_date(bad).is_none(), "{bad:?}");
    }
}
