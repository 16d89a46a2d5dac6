//! Unit tests of `api/xml/lifecycle.rs`: documents as botocore sends them
//! (ceph/s3-tests' lifecycle tests), read back as an SDK reads them, and
//! each refusal with the code S3 answers.

use super::*;

const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn doc(rules: &str) -> String {
    format!("<LifecycleConfiguration xmlns=\"{XMLNS}\">{rules}</LifecycleConfiguration>")
}

fn parse(rules: &str) -> Parsed<LifecycleConfig> {
    parse_lifecycle(doc(rules).as_bytes())
}

/// One rule with id `r`, status `Enabled`, and `inner` for the rest.
fn one(inner: &str) -> Parsed<LifecycleConfig> {
    parse(&format!(
        "<Rule><ID>r</ID>{inner}<Status>Enabled</Status></Rule>"
    ))
}

fn ok(r: Parsed<LifecycleConfig>) -> LifecycleConfig {
    match r {
        Ok(c) => c,
        Err(e) => panic!("refused: {e:?}"),
    }
}

/// Parses, renders, parses the rendering again: the two must be equal,
/// and the rendering is returned for checks of its shape.
fn round_trip(rules: &str) -> (LifecycleConfig, String) {
    let config = ok(parse(rules));
    let xml = lifecycle_to_xml(&config);
    assert_eq!(ok(parse_lifecycle(xml.as_bytes())), config, "{xml}");
    (config, xml)
}

fn is_malformed(r: &Parsed<LifecycleConfig>) -> bool {
    matches!(r, Err(LifecycleParseError::Xml(_)))
}

fn is_invalid_argument(r: &Parsed<LifecycleConfig>) -> bool {
    matches!(r, Err(LifecycleParseError::InvalidArgument(_)))
}

const DAYS_1: &str = "<Expiration><Days>1</Days></Expiration>";

#[test]
fn legacy_prefix_rules_read_back_as_given() {
    // test_lifecycle_get: boto3 compares the rules it reads with the ones
    // it sent, so the answer holds exactly ID, Prefix, Status, Expiration.
    let (config, xml) = round_trip(
        "<Rule><Expiration><Days>31</Days></Expiration><ID>test1/</ID>\
         <Prefix>test1/</Prefix><Status>Enabled</Status></Rule>\
         <Rule><Expiration><Days>120</Days></Expiration><ID>test2/</ID>\
         <Prefix>test2/</Prefix><Status>Disabled</Status></Rule>",
    );
    assert_eq!(config.rules.len(), 2);
    let first = &config.rules[0];
    assert_eq!(first.id, "test1/");
    assert!(first.enabled && first.legacy_prefix);
    assert_eq!(first.filter.prefix, "test1/");
    assert_eq!(first.expiration.and_then(|e| e.days), Some(31));
    assert!(!config.rules[1].enabled);
    assert!(xml.starts_with(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LifecycleConfiguration xmlns=\"{XMLNS}\">"
    )));
    assert!(xml.contains(
        "<Rule><ID>test1/</ID><Prefix>test1/</Prefix><Status>Enabled</Status>\
         <Expiration><Days>31</Days></Expiration></Rule>"
    ));
    assert!(xml.contains(
        "<Rule><ID>test2/</ID><Prefix>test2/</Prefix><Status>Disabled</Status>\
         <Expiration><Days>120</Days></Expiration></Rule>"
    ));
    assert!(!xml.contains("Filter"));
}

#[test]
fn an_empty_legacy_prefix_means_every_object() {
    let (config, xml) = round_trip(
        "<Rule><ID>all</ID><Prefix></Prefix><Status>Enabled</Status>\
         <Expiration><Days>1</Days></Expiration></Rule>",
    );
    assert!(config.rules[0].legacy_prefix);
    assert_eq!(config.rules[0].filter, RuleFilter::default());
    assert!(
        xml.contains("<ID>all</ID><Prefix></Prefix><Status>"),
        "{xml}"
    );
}

#[test]
fn filter_forms_read_back_in_their_shape() {
    let rule = |filter: &str| {
        format!("<Rule><ID>r</ID><Filter>{filter}</Filter><Status>Enabled</Status>{DAYS_1}</Rule>")
    };
    let (c, xml) = round_trip(&rule("<Prefix>foo</Prefix>"));
    assert_eq!(c.rules[0].filter.prefix, "foo");
    assert!(!c.rules[0].legacy_prefix);
    assert!(
        xml.contains("<Filter><Prefix>foo</Prefix></Filter>"),
        "{xml}"
    );

    let (c, xml) = round_trip(&rule("<Tag><Key>key1</Key><Value>tag1</Value></Tag>"));
    assert_eq!(c.rules[0].filter.tags, vec![("key1".into(), "tag1".into())]);
    assert!(!c.rules[0].filter.and);
    assert!(
        xml.contains("<Filter><Tag><Key>key1</Key><Value>tag1</Value></Tag></Filter>"),
        "{xml}"
    );

    let (c, xml) = round_trip(&rule("<ObjectSizeGreaterThan>500</ObjectSizeGreaterThan>"));
    assert_eq!(c.rules[0].filter.size_greater_than, Some(500));
    assert!(xml.contains("<Filter><ObjectSizeGreaterThan>500</ObjectSizeGreaterThan></Filter>"));

    let (c, xml) = round_trip(&rule("<ObjectSizeLessThan>64</ObjectSizeLessThan>"));
    assert_eq!(c.rules[0].filter.size_less_than, Some(64));
    assert!(xml.contains("<Filter><ObjectSizeLessThan>64</ObjectSizeLessThan></Filter>"));

    // test_lifecycle_expiration_header_and_tags_head: an And of tags alone.
    let (c, xml) = round_trip(&rule(
        "<And><Tag><Key>key1</Key><Value>tag1</Value></Tag>\
         <Tag><Key>key5</Key><Value>tag6</Value></Tag></And>",
    ));
    let f = &c.rules[0].filter;
    assert!(f.and);
    assert_eq!(f.tags.len(), 2);
    assert!(
        xml.contains(
            "<Filter><And><Tag><Key>key1</Key><Value>tag1</Value></Tag>\
             <Tag><Key>key5</Key><Value>tag6</Value></Tag></And></Filter>"
        ),
        "{xml}"
    );

    let (c, xml) = round_trip(&rule(
        "<And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>\
         <ObjectSizeGreaterThan>1</ObjectSizeGreaterThan>\
         <ObjectSizeLessThan>1000</ObjectSizeLessThan></And>",
    ));
    let f = &c.rules[0].filter;
    assert_eq!(
        (f.prefix.as_str(), f.size_greater_than, f.size_less_than),
        ("logs/", Some(1), Some(1000))
    );
    assert!(f.and);
    assert!(xml.contains(
        "<Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>\
         <ObjectSizeGreaterThan>1</ObjectSizeGreaterThan>\
         <ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter>"
    ));

    // An And with one condition stays an And.
    let (c, xml) = round_trip(&rule("<And><Prefix>p/</Prefix></And>"));
    assert!(c.rules[0].filter.and);
    assert!(
        xml.contains("<Filter><And><Prefix>p/</Prefix></And></Filter>"),
        "{xml}"
    );
}

#[test]
fn an_empty_filter_means_every_object() {
    // test_lifecycle_set_empty_filter sends `<Filter/>`.
    for filter in ["<Filter/>", "<Filter></Filter>"] {
        let (c, xml) = round_trip(&format!(
            "<Rule><ID>rule1</ID><Expiration><ExpiredObjectDeleteMarker>true\
             </ExpiredObjectDeleteMarker></Expiration>{filter}<Status>Enabled</Status></Rule>"
        ));
        let r = &c.rules[0];
        assert_eq!(r.filter, RuleFilter::default());
        assert!(!r.legacy_prefix);
        assert!(xml.contains("<Filter></Filter>"), "{xml}");
    }
}

#[test]
fn an_empty_prefix_in_a_filter_reads_back_as_given() {
    let (c, xml) = round_trip(
        "<Rule><ID>rule1</ID><Expiration><Days>1</Days></Expiration>\
         <Filter><Prefix></Prefix></Filter><Status>Enabled</Status></Rule>",
    );
    assert!(c.rules[0].filter.prefix_given);
    assert!(c.rules[0].filter.matches("any/key", &vec![], 1));
    assert!(xml.contains("<Filter><Prefix></Prefix></Filter>"), "{xml}");
}

#[test]
fn actions_read_back() {
    // test_lifecycle_set_date: botocore sends the date as a date-time.
    for date in [
        "2017-09-27T00:00:00Z",
        "2017-09-27",
        "2017-09-27T00:00:00.000Z",
        "2017-09-27T02:00:00+02:00",
    ] {
        let (c, xml) = round_trip(&format!(
            "<Rule><ID>rule1</ID><Expiration><Date>{date}</Date></Expiration>\
             <Prefix>test1/</Prefix><Status>Enabled</Status></Rule>"
        ));
        let e = c.rules[0].expiration.expect("expiration");
        assert_eq!(e.date_ms, Some(1_506_470_400_000), "{date}");
        assert_eq!(e.days, None);
        assert!(xml.contains("<Expiration><Date>2017-09-27T00:00:00.000Z</Date></Expiration>"));
    }

    // test_lifecycle_set_deletemarker.
    let (c, xml) = round_trip(
        "<Rule><ID>rule1</ID><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>\
         </Expiration><Prefix>test1/</Prefix><Status>Enabled</Status></Rule>",
    );
    let e = c.rules[0].expiration.expect("expiration");
    assert!(e.expired_object_delete_marker && e.days.is_none() && e.date_ms.is_none());
    assert!(xml.contains(
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"
    ));

    // test_lifecycle_set_noncurrent, with a count of versions kept.
    let (c, xml) = round_trip(
        "<Rule><ID>rule1</ID><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays>\
         <NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>\
         <Prefix>past/</Prefix><Status>Enabled</Status></Rule>\
         <Rule><ID>rule2</ID><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays>\
         </NoncurrentVersionExpiration><Prefix>future/</Prefix><Status>Enabled</Status></Rule>",
    );
    assert_eq!(
        c.rules[0].noncurrent,
        Some(NoncurrentExpiration {
            days: 2,
            newer_versions: Some(3)
        })
    );
    assert_eq!(c.rules[1].noncurrent.map(|n| n.newer_versions), Some(None));
    assert!(c.rules[0].expiration.is_none());
    assert!(xml.contains(
        "<NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays>\
         <NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
    ));

    // test_lifecycle_set_multipart.
    let (c, xml) = round_trip(
        "<Rule><ID>rule1</ID><Prefix>test1/</Prefix><Status>Enabled</Status>\
         <AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>\
         </AbortIncompleteMultipartUpload></Rule>\
         <Rule><ID>rule2</ID><Prefix>test2/</Prefix><Status>Disabled</Status>\
         <AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation>\
         </AbortIncompleteMultipartUpload></Rule>",
    );
    assert_eq!(c.rules[0].abort_after_days, Some(2));
    assert_eq!(c.rules[1].abort_after_days, Some(3));
    assert!(xml.contains(
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>\
         </AbortIncompleteMultipartUpload>"
    ));

    // Several actions in one rule, in the order S3 answers them.
    let (_, xml) = round_trip(
        "<Rule><ID>all</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>\
         <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>\
         </AbortIncompleteMultipartUpload><NoncurrentVersionExpiration>\
         <NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>\
         <Expiration><Days>30</Days></Expiration></Rule>",
    );
    assert!(
        xml.contains(
            "<Rule><ID>all</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>\
         <Expiration><Days>30</Days></Expiration><NoncurrentVersionExpiration>\
         <NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>\
         <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>\
         </AbortIncompleteMultipartUpload></Rule>"
        ),
        "{xml}"
    );
}

#[test]
fn a_rule_without_an_id_gets_a_unique_one() {
    // test_lifecycle_get_no_id.
    let c = ok(parse(
        "<Rule><Expiration><Days>31</Days></Expiration><Prefix>test1/</Prefix>\
         <Status>Enabled</Status></Rule>\
         <Rule><ID></ID><Expiration><Days>120</Days></Expiration><Prefix>test2/</Prefix>\
         <Status>Enabled</Status></Rule>",
    ));
    let (a, b) = (&c.rules[0].id, &c.rules[1].id);
    assert_eq!(a.len(), 48);
    assert_eq!(b.len(), 48);
    assert_ne!(a, b);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c)));
    let xml = lifecycle_to_xml(&c);
    assert!(xml.contains(&format!("<ID>{a}</ID>")));
}

#[test]
fn ids_longer_than_255_bytes_or_repeated_are_invalid_arguments() {
    // test_lifecycle_id_too_long, test_lifecycle_same_id.
    let long = "a".repeat(256);
    let r = parse(&format!(
        "<Rule><ID>{long}</ID>{DAYS_1}<Prefix>test1/</Prefix><Status>Enabled</Status></Rule>"
    ));
    assert!(is_invalid_argument(&r), "{r:?}");
    let max = "a".repeat(255);
    ok(parse(&format!(
        "<Rule><ID>{max}</ID>{DAYS_1}<Prefix>test1/</Prefix><Status>Enabled</Status></Rule>"
    )));
    let r = parse(&format!(
        "<Rule><ID>rule1</ID>{DAYS_1}<Prefix>test1/</Prefix><Status>Enabled</Status></Rule>\
         <Rule><ID>rule1</ID>{DAYS_1}<Prefix>test2/</Prefix><Status>Enabled</Status></Rule>"
    ));
    assert!(is_invalid_argument(&r), "{r:?}");
}

#[test]
fn a_status_other_than_enabled_or_disabled_is_malformed() {
    // test_lifecycle_invalid_status.
    for status in ["enabled", "disabled", "invalid", ""] {
        let r = parse(&format!(
            "<Rule><ID>rule1</ID>{DAYS_1}<Prefix>test1/</Prefix><Status>{status}</Status></Rule>"
        ));
        assert!(is_malformed(&r), "{status}: {r:?}");
    }
    let r = parse(&format!(
        "<Rule><ID>rule1</ID>{DAYS_1}<Prefix>test1/</Prefix></Rule>"
    ));
    assert!(is_malformed(&r), "{r:?}");
}

#[test]
fn dates_must_be_midnight_utc() {
    let with_date = |date: &str| {
        one(&format!(
            "<Prefix>p</Prefix><Expiration><Date>{date}</Date></Expiration>"
        ))
    };
    // test_lifecycle_set_invalid_date: botocore reads `20200101` as epoch
    // seconds and sends 1970-08-22T19:15:01Z.
    for date in [
        "1970-08-22T19:15:01Z",
        "2017-09-27T00:00:01Z",
        "2017-09-27T00:00:00.5Z",
        "2017-09-27T00:00:00+01:00",
    ] {
        let r = with_date(date);
        assert!(is_invalid_argument(&r), "{date}: {r:?}");
    }
    for date in ["20200101", "tomorrow", "2017-13-01", "2017-09-27T00:00:00"] {
        let r = with_date(date);
        assert!(is_malformed(&r), "{date}: {r:?}");
    }
}

#[test]
fn days_must_be_positive_integers() {
    // test_lifecycle_expiration_days0.
    for days in ["0", "-1", "4294967296", "99999999999999999999"] {
        let r = one(&format!(
            "<Prefix>p</Prefix><Expiration><Days>{days}</Days></Expiration>"
        ));
        assert!(is_invalid_argument(&r), "{days}: {r:?}");
    }
    for days in ["1.5", "one"] {
        let r = one(&format!(
            "<Prefix>p</Prefix><Expiration><Days>{days}</Days></Expiration>"
        ));
        assert!(is_malformed(&r), "{days}: {r:?}");
    }
    let noncurrent = |inner: &str| {
        one(&format!(
            "<Prefix>p</Prefix><NoncurrentVersionExpiration>{inner}</NoncurrentVersionExpiration>"
        ))
    };
    assert!(is_invalid_argument(&noncurrent(
        "<NoncurrentDays>0</NoncurrentDays>"
    )));
    assert!(is_invalid_argument(&noncurrent(
        "<NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions>"
    )));
    assert!(is_invalid_argument(&noncurrent(
        "<NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions>"
    )));
    assert!(is_malformed(&noncurrent(
        "<NewerNoncurrentVersions>2</NewerNoncurrentVersions>"
    )));
    let r = one(
        "<Prefix>p</Prefix><AbortIncompleteMultipartUpload><DaysAfterInitiation>0\
         </DaysAfterInitiation></AbortIncompleteMultipartUpload>",
    );
    assert!(is_invalid_argument(&r), "{r:?}");
    let r = one("<Prefix>p</Prefix><AbortIncompleteMultipartUpload/>");
    assert!(is_malformed(&r), "{r:?}");
}

#[test]
fn conflicting_expirations_are_malformed() {
    let expiration = |inner: &str| {
        one(&format!(
            "<Prefix>p</Prefix><Expiration>{inner}</Expiration>"
        ))
    };
    let bad = [
        expiration("<Days>1</Days><Date>2030-01-01T00:00:00Z</Date>"),
        expiration("<Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"),
        expiration(
            "<Date>2030-01-01T00:00:00Z</Date><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>",
        ),
        expiration("<ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker>"),
        expiration(""),
    ];
    for (i, r) in bad.iter().enumerate() {
        assert!(is_malformed(r), "case {i}: {r:?}");
    }
}

#[test]
fn filters_that_do_not_fit_the_schema_are_malformed() {
    let filter = |inner: &str| one(&format!("<Filter>{inner}</Filter>{DAYS_1}"));
    let tag = "<Tag><Key>k</Key><Value>v</Value></Tag>";
    let bad = [
        filter(&format!("<Prefix>a</Prefix>{tag}")),
        filter(&format!("{tag}{tag}")),
        filter("<ObjectSizeGreaterThan>1</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan>"),
        filter(&format!("<And><Prefix>a</Prefix>{tag}</And><Prefix>b</Prefix>")),
        filter("<And></And>"),
        filter("<Tag><Key>k</Key></Tag>"),
        filter("<ObjectSizeGreaterThan>big</ObjectSizeGreaterThan>"),
        // Both a rule-level Prefix and a Filter, or neither.
        one(&format!("<Prefix>a</Prefix><Filter><Prefix>a</Prefix></Filter>{DAYS_1}")),
        one(DAYS_1),
    ];
    for (i, r) in bad.iter().enumerate() {
        assert!(is_malformed(r), "case {i}: {r:?}");
    }
    let sizes = [
        "<And><ObjectSizeGreaterThan>9</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></And>",
        "<ObjectSizeLessThan>0</ObjectSizeLessThan>",
        "<ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan>",
    ];
    for s in sizes {
        let r = filter(s);
        assert!(is_invalid_argument(&r), "{s}: {r:?}");
    }
}

#[test]
fn marker_and_upload_actions_refuse_object_filters() {
    let tag = "<Tag><Key>k</Key><Value>v</Value></Tag>";
    let marker =
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>";
    let r = one(&format!("<Filter>{tag}</Filter>{marker}"));
    assert!(is_invalid_argument(&r), "{r:?}");
    let r = one(&format!(
        "<Filter><And><Prefix>a</Prefix>{tag}</And></Filter>{marker}"
    ));
    assert!(is_invalid_argument(&r), "{r:?}");
    // A size filter is fine with the marker action.
    ok(one(&format!(
        "<Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></Filter>{marker}"
    )));
    let abort = "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>\
                 </AbortIncompleteMultipartUpload>";
    let r = one(&format!("<Filter>{tag}</Filter>{abort}"));
    assert!(is_invalid_argument(&r), "{r:?}");
    let r = one(&format!(
        "<Filter><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter>{abort}"
    ));
    assert!(is_invalid_argument(&r), "{r:?}");
    ok(one(&format!("<Filter><Prefix>a/</Prefix></Filter>{abort}")));
}

#[test]
fn a_rule_without_an_action_is_an_invalid_request() {
    let r = one("<Prefix>p</Prefix>");
    assert!(
        matches!(&r, Err(LifecycleParseError::InvalidRequest(m)) if m == "At least one action needs to be specified in a rule"),
        "{r:?}"
    );
}

#[test]
fn transitions_are_refused_as_an_invalid_storage_class() {
    let r = one(&format!(
        "<Prefix>p</Prefix>{DAYS_1}<Transition><Days>30</Days>\
         <StorageClass>GLACIER</StorageClass></Transition>"
    ));
    assert_eq!(r, Err(LifecycleParseError::InvalidStorageClass));
    let r = one(
        "<Prefix>p</Prefix><NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays>\
         <StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>",
    );
    assert_eq!(r, Err(LifecycleParseError::InvalidStorageClass));
    // test_lifecycle_transition_set_invalid_date: a 400 either way.
    let r = one(
        "<Prefix>test1/</Prefix><Expiration><Date>2023-09-27T00:00:00Z</Date></Expiration>\
         <Transition><Date>1970-08-23T00:02:07Z</Date><StorageClass>GLACIER</StorageClass>\
         </Transition>",
    );
    assert!(is_invalid_argument(&r), "{r:?}");
}

#[test]
fn documents_that_are_not_configurations_are_malformed() {
    let bad = [
        parse_lifecycle(b""),
        parse_lifecycle(b"not xml"),
        parse_lifecycle(b"<Tagging><TagSet/></Tagging>"),
        parse_lifecycle(b"<LifecycleConfiguration><Rule>"),
        parse(""),
    ];
    for (i, r) in bad.iter().enumerate() {
        assert!(is_malformed(r), "case {i}: {r:?}");
    }
}

#[test]
fn at_most_1000_rules() {
    let rules = |n: usize| {
        (0..n)
            .map(|i| format!("<Rule><ID>r{i}</ID><Prefix>p{i}/</Prefix><Status>Enabled</Status>{DAYS_1}</Rule>"))
            .collect::<String>()
    };
    assert_eq!(ok(parse(&rules(MAX_RULES))).rules.len(), MAX_RULES);
    let r = parse(&rules(MAX_RULES + 1));
    assert!(is_malformed(&r), "{:?}", r.map(|c| c.rules.len()));
}
