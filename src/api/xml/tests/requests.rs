//! Tests of the request parsers: what they accept, what they refuse, and
//! that no input makes them panic.

use super::*;
use crate::api::xml::requests::CreateBucketConfiguration;

const COMPLETE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
    <CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
    <Part><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag><PartNumber>1</PartNumber></Part>\
    <Part><PartNumber>2</PartNumber><ETag>0c78aef83f66abc1fa1e8477f296d394</ETag>\
    <ChecksumCRC32>i9aeUg==</ChecksumCRC32></Part>\
    <Part><PartNumber>3</PartNumber><ETag>&quot;acbd18db4cc2f85cedef654fccc4a4d8&quot;</ETag></Part>\
    </CompleteMultipartUpload>";

#[test]
fn complete_multipart_upload_parses_quoted_and_bare_etags() {
    let c = parse_complete_multipart_upload(COMPLETE.as_bytes()).expect("valid");
    let got: Vec<_> = c
        .parts
        .iter()
        .map(|p| (p.part_number, p.etag.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "a54357aff0632cce46d942af68356b38"),
            (2, "0c78aef83f66abc1fa1e8477f296d394"),
            (3, "acbd18db4cc2f85cedef654fccc4a4d8"),
        ]
    );
    assert_eq!(c.parts[1].checksums.crc32.as_deref(), Some("i9aeUg=="));
    assert_eq!(c.parts[0].checksums, Checksums::default());
}

#[test]
fn complete_multipart_upload_tolerates_layout_namespace_and_unknowns() {
    let pretty = "\u{feff}<?xml version=\"1.0\"?>\n<!-- sent by hand -->\n\
        <s3:CompleteMultipartUpload xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n  \
          <s3:Part>\n    <s3:PartNumber> 7 </s3:PartNumber>\n    <s3:ETag>\n      \"e1\"\n    </s3:ETag>\n    \
          <s3:ChecksumSHA256>abc=</s3:ChecksumSHA256>\n    <Size>5</Size>\n  </s3:Part>\n  \
          <Extension><Nested a=\"1\"/></Extension>\n  \
          <s3:Part><s3:PartNumber>8</s3:PartNumber><s3:ETag>e2</s3:ETag></s3:Part>\n\
        </s3:CompleteMultipartUpload>\n";
    let c = parse_complete_multipart_upload(pretty.as_bytes()).expect("valid");
    assert_eq!(c.parts.len(), 2);
    assert_eq!(c.parts[0].part_number, 7);
    assert_eq!(c.parts[0].etag, "e1");
    assert_eq!(c.parts[0].checksums.sha256.as_deref(), Some("abc="));
    assert_eq!(c.parts[1].part_number, 8);
    assert_eq!(c.parts[1].etag, "e2");
}

#[test]
fn complete_multipart_upload_rejects_bad_documents() {
    type Check = fn(&XmlParseError) -> bool;
    let cases: &[(&str, Check)] = &[
        ("", |e| *e == XmlParseError::Empty),
        ("  \n", |e| *e == XmlParseError::Empty),
        ("<CompleteMultipartUpload/>", |e| {
            *e == XmlParseError::Missing("Part")
        }),
        ("<CompleteMultipartUpload></CompleteMultipartUpload>", |e| {
            *e == XmlParseError::Missing("Part")
        }),
        (
            "<Delete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Delete>",
            |e| *e == XmlParseError::WrongRoot("CompleteMultipartUpload"),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part>\
             </CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Schema(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>e</ETag></Part>\
             </CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Schema(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>4294967296</PartNumber><ETag>e</ETag>\
             </Part></CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Schema(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Schema(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>\
             </CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Schema(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber>\
             <ETag>e</ETag></Part></CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Schema(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>\
             </CompleteMultipartUpload><CompleteMultipartUpload/>",
            |e| matches!(e, XmlParseError::Syntax(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>\
             </CompleteMultipartUpload>trailing",
            |e| matches!(e, XmlParseError::Syntax(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>",
            |e| matches!(e, XmlParseError::Syntax(_)),
        ),
        (
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</Tag></Part>\
             </CompleteMultipartUpload>",
            |e| matches!(e, XmlParseError::Syntax(_)),
        ),
    ];
    for (doc, check) in cases {
        match parse_complete_multipart_upload(doc.as_bytes()) {
            Err(e) => assert!(check(&e), "{doc:?}: unexpected {e:?}"),
            Ok(c) => panic!("{doc:?} accepted: {c:?}"),
        }
    }
    assert_eq!(
        parse_complete_multipart_upload(b"<CompleteMultipartUpload>\xff</CompleteMultipartUpload>"),
        Err(XmlParseError::NotUtf8)
    );
}

fn delete_doc(n: usize) -> String {
    let mut doc = String::from("<Delete><Quiet>true</Quiet>");
    for i in 0..n {
        doc.push_str(&format!("<Object><Key>k{i}</Key></Object>"));
    }
    doc.push_str("</Delete>");
    doc
}

#[test]
fn delete_parses_keys_versions_and_quiet() {
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
        <Object><Key>sample1.txt</Key></Object>\
        <Object><Key>a &amp; b &lt;c&gt; &#x1;&#13;</Key><VersionId>null</VersionId>\
        <ETag>\"x\"</ETag></Object>\
        <Unknown><Object><Key>nested, ignored</Key></Object></Unknown>\
        <Object><Key><![CDATA[<raw>]]></Key></Object>\
        <Object><Key>  spaced  </Key></Object>\
        <Quiet>true</Quiet></Delete>";
    let d = parse_delete(doc.as_bytes()).expect("valid");
    assert!(d.quiet);
    let keys: Vec<_> = d.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        ["sample1.txt", "a & b <c> \u{1}\r", "<raw>", "  spaced  "]
    );
    assert_eq!(d.objects[1].version_id.as_deref(), Some("null"));
    assert_eq!(d.objects[0].version_id, None);

    let d = parse_delete(b"<Delete><Object><Key>k</Key></Object></Delete>").expect("valid");
    assert!(!d.quiet);
    let d = parse_delete(b"<Delete><Quiet>false</Quiet><Object><Key/></Object></Delete>")
        .expect("valid");
    assert_eq!(d.objects[0].key, "");
}

#[test]
fn delete_reads_each_objects_condition() {
    let doc = "<Delete><Object><Key>a</Key><ETag>\"abc\"</ETag></Object>\
        <Object><Key>b</Key><LastModifiedTime>2015-01-01T00:00:00Z</LastModifiedTime></Object>\
        <Object><Key>c</Key><Size>0</Size></Object>\
        <Object><Key>e</Key><LastModifiedTime>Thu, 01 Jan 2015 00:00:00 GMT</LastModifiedTime></Object>\
        <Object><Key>d</Key><LastModifiedTime>2026-11-23T15:31:44.123Z</LastModifiedTime></Object>\
        </Delete>";
    let d = parse_delete(doc.as_bytes()).expect("valid");
    let conditions: Vec<_> = d.objects.iter().map(|o| &o.condition).collect();
    assert_eq!(conditions[0].etag.as_deref(), Some("abc"));
    assert_eq!(conditions[1].last_modified_s, Some(1_420_070_400));
    assert_eq!(conditions[2].size, Some(0));
    assert_eq!(conditions[3].last_modified_s, Some(1_420_070_400));
    assert_eq!(conditions[4].last_modified_s, Some(1_795_447_904));
    assert!(d.objects.iter().all(|o| o.version_id.is_none()));

    let bad = "<Delete><Object><Key>a</Key><LastModifiedTime>yesterday</LastModifiedTime>\
        </Object></Delete>";
    assert!(matches!(
        parse_delete(bad.as_bytes()),
        Err(XmlParseError::Schema(_))
    ));
}

#[test]
fn delete_caps_the_number_of_objects() {
    let d = parse_delete(delete_doc(MAX_DELETE_OBJECTS).as_bytes()).expect("1000 is fine");
    assert_eq!(d.objects.len(), MAX_DELETE_OBJECTS);
    assert_eq!(d.objects[999].key, "k999");
    assert_eq!(
        parse_delete(delete_doc(MAX_DELETE_OBJECTS + 1).as_bytes()),
        Err(XmlParseError::TooManyObjects(MAX_DELETE_OBJECTS + 1))
    );
    assert_eq!(
        parse_delete(delete_doc(5000).as_bytes()),
        Err(XmlParseError::TooManyObjects(5000))
    );
    assert_eq!(
        parse_delete(delete_doc(0).as_bytes()),
        Err(XmlParseError::Missing("Object"))
    );
    assert_eq!(
        S3Error::from(XmlParseError::TooManyObjects(1001)).code,
        S3ErrorCode::MalformedXML
    );
}

#[test]
fn delete_rejects_bad_documents() {
    let bad = [
        "<Delete><Object><VersionId>v</VersionId></Object></Delete>",
        "<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>",
        "<Delete><Quiet>TRUE</Quiet><Object><Key>a</Key></Object></Delete>",
        "<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>",
        "<Delete><Object><Key>&bogus;</Key></Object></Delete>",
        "<Delete><Object><Key>&#0;</Key></Object></Delete>",
        "<Delete><Object><Key>&#xD800;</Key></Object></Delete>",
        "<Delete><Object><Key>a & b</Key></Object></Delete>",
        "<Delete><Object><Key>a</Key></Object>",
        "<Delete x=><Object><Key>a</Key></Object></Delete>",
        "<!DOCTYPE d [<!ENTITY e \"boom\">]><Delete><Object><Key>&e;</Key></Object></Delete>",
        "<?xml version=\"1.0\"?>",
        "text<Delete><Object><Key>a</Key></Object></Delete>",
        "<Other><Object><Key>a</Key></Object></Other>",
    ];
    for doc in bad {
        assert!(parse_delete(doc.as_bytes()).is_err(), "accepted {doc:?}");
    }
    assert_eq!(
        parse_delete(b"<!DOCTYPE Delete><Delete><Object><Key>a</Key></Object></Delete>"),
        Err(XmlParseError::DocType)
    );
}

#[test]
fn deep_nesting_is_refused_without_recursing() {
    let depth = 100_000;
    let mut doc = String::from("<Delete><Object><Key>k</Key></Object>");
    doc.push_str(&"<a>".repeat(depth));
    doc.push_str(&"</a>".repeat(depth));
    doc.push_str("</Delete>");
    assert_eq!(parse_delete(doc.as_bytes()), Err(XmlParseError::TooDeep));

    let mut ok = String::from("<Delete><Object><Key>k</Key></Object>");
    ok.push_str(&"<a>".repeat(MAX_XML_DEPTH - 1));
    ok.push_str(&"</a>".repeat(MAX_XML_DEPTH - 1));
    ok.push_str("</Delete>");
    assert!(parse_delete(ok.as_bytes()).is_ok());
}

#[test]
fn create_bucket_configuration() {
    for empty in ["", " \r\n\t"] {
        assert_eq!(
            parse_create_bucket_configuration(empty.as_bytes()),
            Ok(CreateBucketConfiguration::default())
        );
    }
    let doc = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
               <LocationConstraint>eu-west-1</LocationConstraint>\
               <Bucket><Type>Directory</Type></Bucket></CreateBucketConfiguration>";
    assert_eq!(
        parse_create_bucket_configuration(doc.as_bytes()),
        Ok(CreateBucketConfiguration {
            location_constraint: Some("eu-west-1".into())
        })
    );
    for none in [
        "<CreateBucketConfiguration/>",
        "<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>",
    ] {
        assert_eq!(
            parse_create_bucket_configuration(none.as_bytes()),
            Ok(CreateBucketConfiguration::default()),
            "{none}"
        );
    }
    assert_eq!(
        parse_create_bucket_configuration(b"<Delete/>"),
        Err(XmlParseError::WrongRoot("CreateBucketConfiguration"))
    );
    assert!(parse_create_bucket_configuration(b"<?xml version=\"1.0\"?>").is_err());
}

#[test]
fn truncated_documents_are_errors_not_panics() {
    let create = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1\
         </LocationConstraint></CreateBucketConfiguration>";
    let delete = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>é &amp; ü</Key>\
         <VersionId>null</VersionId></Object><Quiet>true</Quiet></Delete>";
    assert!(parse_complete_multipart_upload(COMPLETE.as_bytes()).is_ok());
    assert!(parse_delete(delete.as_bytes()).is_ok());
    assert!(parse_create_bucket_configuration(create.as_bytes()).is_ok());
    for cut in 0..COMPLETE.len() {
        let r = parse_complete_multipart_upload(&COMPLETE.as_bytes()[..cut]);
        assert!(r.is_err(), "accepted a prefix of {cut} bytes");
    }
    for cut in 0..delete.len() {
        let r = parse_delete(&delete.as_bytes()[..cut]);
        assert!(r.is_err(), "accepted a prefix of {cut} bytes");
    }
    for cut in 1..create.len() {
        let r = parse_create_bucket_configuration(&create.as_bytes()[..cut]);
        assert!(r.is_err(), "accepted a prefix of {cut} bytes");
    }
}

fn xmlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("<Delete>".to_owned()),
        Just("</Delete>".to_owned()),
        Just("<CompleteMultipartUpload>".to_owned()),
        Just("</CompleteMultipartUpload>".to_owned()),
        Just("<CreateBucketConfiguration>".to_owned()),
        Just("</CreateBucketConfiguration>".to_owned()),
        Just("<Object>".to_owned()),
        Just("</Object>".to_owned()),
        Just("<Part>".to_owned()),
        Just("</Part>".to_owned()),
        Just("<Key>".to_owned()),
        Just("</Key>".to_owned()),
        Just("<PartNumber>".to_owned()),
        Just("</PartNumber>".to_owned()),
        Just("<ETag>".to_owned()),
        Just("</ETag>".to_owned()),
        Just("<Quiet>".to_owned()),
        Just("</Quiet>".to_owned()),
        Just("<LocationConstraint>".to_owned()),
        Just("</LocationConstraint>".to_owned()),
        Just("<Key/>".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("]]>".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<?xml version=\"1.0\"?>".to_owned()),
        Just("<!DOCTYPE x>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#x1;".to_owned()),
        Just("&#0;".to_owned()),
        Just("&".to_owned()),
        Just("<".to_owned()),
        Just("\"".to_owned()),
        Just(" a=\"1\"".to_owned()),
        Just("true".to_owned()),
        Just("1".to_owned()),
        "[a-z0-9 ]{0,5}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsers_never_panic_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_complete_multipart_upload(&body);
        let _ = parse_delete(&body);
        let _ = parse_create_bucket_configuration(&body);
    }

    #[test]
    fn parsers_never_panic_on_xmlish_text(body in xmlish()) {
        let _ = parse_complete_multipart_upload(body.as_bytes());
        let _ = parse_delete(body.as_bytes());
        let _ = parse_create_bucket_configuration(body.as_bytes());
    }

    #[test]
    fn delete_keys_written_by_a_client_come_back(keys in prop::collection::vec(tricky_string(), 1..20)) {
        let mut doc = String::from("<Delete>");
        for k in &keys {
            doc.push_str("<Object><Key>");
            doc.push_str(&escape_text(k));
            doc.push_str("</Key></Object>");
        }
        doc.push_str("</Delete>");
        let d = parse_delete(doc.as_bytes()).expect("valid");
        let got: Vec<_> = d.objects.into_iter().map(|o| o.key).collect();
        prop_assert_eq!(got, keys);
    }
}
