//! Unit tests of `api/xml/object_lock.rs`: documents as botocore sends
//! them, and the answers ceph's s3-tests and S3's recorded behaviour expect.

use super::*;

const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn config(inner: &str) -> Result<ObjectLockConfig, ObjectLockParseError> {
    parse_object_lock_configuration(
        format!("<ObjectLockConfiguration xmlns=\"{XMLNS}\">{inner}</ObjectLockConfiguration>")
            .as_bytes(),
    )
}

fn with_default(retention: &str) -> Result<ObjectLockConfig, ObjectLockParseError> {
    config(&format!(
        "<ObjectLockEnabled>Enabled</ObjectLockEnabled>\
         <Rule><DefaultRetention>{retention}</DefaultRetention></Rule>"
    ))
}

fn default(mode: LockMode, period: RetentionPeriod) -> ObjectLockConfig {
    ObjectLockConfig {
        default_retention: Some(DefaultRetention { mode, period }),
    }
}

fn is_malformed(r: &Result<ObjectLockConfig, ObjectLockParseError>) -> bool {
    matches!(r, Err(ObjectLockParseError::Xml(_)))
}

#[test]
fn lock_configurations_parse() {
    assert_eq!(
        with_default("<Mode>GOVERNANCE</Mode><Days>1</Days>"),
        Ok(default(LockMode::Governance, RetentionPeriod::Days(1)))
    );
    assert_eq!(
        with_default("<Years> 100 </Years><Mode>COMPLIANCE</Mode>"),
        Ok(default(LockMode::Compliance, RetentionPeriod::Years(100)))
    );
    assert_eq!(
        with_default("<Mode>GOVERNANCE</Mode><Days>36500</Days>"),
        Ok(default(LockMode::Governance, RetentionPeriod::Days(36_500)))
    );
    // No Rule: object lock on, no default retention (how S3 removes one).
    assert_eq!(
        config("<ObjectLockEnabled>Enabled</ObjectLockEnabled>"),
        Ok(ObjectLockConfig::default())
    );
}

#[test]
fn malformed_lock_configurations() {
    let malformed = [
        with_default("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>"),
        with_default("<Mode>abc</Mode><Years>1</Years>"),
        with_default("<Mode>governance</Mode><Years>1</Years>"),
        with_default("<Days>1</Days>"),
        with_default("<Mode>GOVERNANCE</Mode>"),
        with_default(""),
        with_default("<Mode>GOVERNANCE</Mode><Days>abc</Days>"),
        with_default("<Mode>GOVERNANCE</Mode><Days>1.5</Days>"),
        config("<ObjectLockEnabled>Disabled</ObjectLockEnabled>"),
        config("<ObjectLockEnabled>Disabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>1</Years></DefaultRetention></Rule>"),
        config(""),
        config("<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>"),
        config("<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule></Rule>"),
        config("<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule/>"),
        config("<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>"),
        parse_object_lock_configuration(b""),
        parse_object_lock_configuration(b"<Retention/>"),
        parse_object_lock_configuration(b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled"),
    ];
    for (i, r) in malformed.iter().enumerate() {
        assert!(is_malformed(r), "case {i}: {r:?}");
    }
    assert_eq!(
        with_default("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>"),
        Err(XmlParseError::Conflict("Days", "Years").into())
    );
    assert_eq!(
        config("<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule/>"),
        Err(XmlParseError::Missing("DefaultRetention").into())
    );
}

#[test]
fn periods_out_of_range_are_invalid_arguments() {
    let positive = "Default retention period must be a positive integer value.";
    let too_large = "Default retention period too large.";
    for (retention, argument, value, message) in [
        ("<Days>0</Days>", "Days", "0", positive),
        ("<Days>-1</Days>", "Days", "-1", positive),
        ("<Years>-1</Years>", "Years", "-1", positive),
        ("<Years>0</Years>", "Years", "0", positive),
        ("<Days>36501</Days>", "Days", "36501", too_large),
        ("<Days>999999999</Days>", "Days", "999999999", too_large),
        ("<Years>101</Years>", "Years", "101", too_large),
        (
            "<Years>99999999999999999999</Years>",
            "Years",
            "99999999999999999999",
            too_large,
        ),
        (
            "<Days>-99999999999999999999</Days>",
            "Days",
            "-99999999999999999999",
            positive,
        ),
    ] {
        assert_eq!(
            with_default(&format!("<Mode>GOVERNANCE</Mode>{retention}")),
            Err(ObjectLockParseError::InvalidPeriod {
                argument,
                value: value.to_owned(),
                message,
            }),
            "{retention}"
        );
    }
}

#[test]
fn lock_configurations_round_trip() {
    for c in [
        ObjectLockConfig::default(),
        default(LockMode::Governance, RetentionPeriod::Days(1)),
        default(LockMode::Compliance, RetentionPeriod::Years(7)),
    ] {
        let doc = object_lock_configuration_to_xml(&c);
        assert!(
            doc.starts_with(&format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <ObjectLockConfiguration xmlns=\"{XMLNS}\">\
                 <ObjectLockEnabled>Enabled</ObjectLockEnabled>"
            )),
            "{doc}"
        );
        assert_eq!(
            parse_object_lock_configuration(doc.as_bytes()),
            Ok(c),
            "{doc}"
        );
    }
    let doc =
        object_lock_configuration_to_xml(&default(LockMode::Governance, RetentionPeriod::Days(1)));
    assert!(
        doc.ends_with(
            "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days>\
             </DefaultRetention></Rule></ObjectLockConfiguration>"
        ),
        "{doc}"
    );
    let doc = object_lock_configuration_to_xml(&ObjectLockConfig::default());
    assert!(!doc.contains("Rule"), "{doc}");
}

fn retention(inner: &str) -> Result<Option<Retention>, XmlParseError> {
    parse_retention(format!("<Retention xmlns=\"{XMLNS}\">{inner}</Retention>").as_bytes())
}

/// 2030-01-01T00:00:00Z in milliseconds.
const Y2030_MS: u64 = 1_893_456_000_000;

#[test]
fn retentions_parse() {
    let governance = |until_ms| {
        Ok(Some(Retention {
            mode: LockMode::Governance,
            until_ms,
        }))
    };
    for (date, ms) in [
        ("2030-01-01T00:00:00Z", Y2030_MS),
        ("2030-01-01T00:00:00.000Z", Y2030_MS),
        ("2030-01-01T00:00:00.123456Z", Y2030_MS + 123),
        ("2030-01-01T01:00:00+01:00", Y2030_MS),
        ("2029-12-31T19:00:00.5-05:00", Y2030_MS + 500),
        ("20300101T000000Z", Y2030_MS),
        ("1960-01-01T00:00:00Z", 0),
    ] {
        assert_eq!(
            retention(&format!(
                "<Mode>GOVERNANCE</Mode><RetainUntilDate>{date}</RetainUntilDate>"
            )),
            governance(ms),
            "{date}"
        );
    }
    assert_eq!(
        retention("<RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate><Mode>COMPLIANCE</Mode>"),
        Ok(Some(Retention {
            mode: LockMode::Compliance,
            until_ms: Y2030_MS,
        }))
    );
    // An empty Retention removes the version's retention.
    assert_eq!(retention(""), Ok(None));
    assert_eq!(parse_retention(b"<Retention/>"), Ok(None));
    assert_eq!(retention("<Mode></Mode><RetainUntilDate/>"), Ok(None));
}

#[test]
fn malformed_retentions() {
    assert_eq!(
        retention("<Mode>GOVERNANCE</Mode>"),
        Err(XmlParseError::Missing("RetainUntilDate"))
    );
    assert_eq!(
        retention("<RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>"),
        Err(XmlParseError::Missing("Mode"))
    );
    for (inner, element) in [
        ("<Mode>governance</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>", "Mode"),
        ("<Mode>abc</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>", "Mode"),
        ("<Mode>GOVERNANCE</Mode><RetainUntilDate>abc</RetainUntilDate>", "RetainUntilDate"),
        ("<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01</RetainUntilDate>", "RetainUntilDate"),
        (
            "<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00</RetainUntilDate>",
            "RetainUntilDate",
        ),
        (
            "<Mode>GOVERNANCE</Mode><RetainUntilDate>Wed, 01 Jan 2030 00:00:00 GMT</RetainUntilDate>",
            "RetainUntilDate",
        ),
    ] {
        assert!(
            matches!(retention(inner), Err(XmlParseError::InvalidValue { element: e, .. }) if e == element),
            "{inner}: {:?}",
            retention(inner)
        );
    }
    for bad in [
        &b""[..],
        b"not xml",
        b"<LegalHold><Status>ON</Status></LegalHold>",
        b"<Retention><Mode>GOVERNANCE</Mode>",
    ] {
        assert!(
            parse_retention(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn retentions_round_trip() {
    for r in [
        Retention {
            mode: LockMode::Governance,
            until_ms: Y2030_MS,
        },
        Retention {
            mode: LockMode::Compliance,
            until_ms: Y2030_MS + 1,
        },
    ] {
        let doc = retention_to_xml(&r);
        assert!(doc.starts_with(&format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Retention xmlns=\"{XMLNS}\"><Mode>"
        )));
        assert_eq!(parse_retention(doc.as_bytes()), Ok(Some(r)), "{doc}");
    }
    let doc = retention_to_xml(&Retention {
        mode: LockMode::Governance,
        until_ms: Y2030_MS,
    });
    assert!(
        doc.ends_with(
            "<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z\
             </RetainUntilDate></Retention>"
        ),
        "{doc}"
    );
}

#[test]
fn legal_holds() {
    let hold = |status: &str| {
        parse_legal_hold(format!("<LegalHold xmlns=\"{XMLNS}\">{status}</LegalHold>").as_bytes())
    };
    assert_eq!(hold("<Status>ON</Status>"), Ok(true));
    assert_eq!(hold("<Status>OFF</Status>"), Ok(false));
    assert_eq!(hold(""), Err(XmlParseError::Missing("Status")));
    for bad in ["abc", "on", "Off", "true"] {
        assert_eq!(
            hold(&format!("<Status>{bad}</Status>")),
            Err(XmlParseError::InvalidValue {
                element: "Status",
                value: bad.to_owned(),
            })
        );
    }
    assert!(parse_legal_hold(b"").is_err());
    assert!(parse_legal_hold(b"<Retention><Status>ON</Status></Retention>").is_err());
    for on in [true, false] {
        let doc = legal_hold_to_xml(on);
        assert!(doc.starts_with(&format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LegalHold xmlns=\"{XMLNS}\"><Status>"
        )));
        assert_eq!(parse_legal_hold(doc.as_bytes()), Ok(on), "{doc}");
    }
    assert!(legal_hold_to_xml(true).ends_with("<Status>ON</Status></LegalHold>"));
}
