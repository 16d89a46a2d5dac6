//! Unit tests of `api/xml/error_document.rs`: the exact `<Error>` documents
//! AWS sends, and what a client parser reads back from them.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::*;

#[test]
fn no_such_key_document_is_exactly_aws_shape() {
    let err = S3Error::new(S3ErrorCode::NoSuchKey).with_resource("/b/k");
    assert_eq!(
        err.to_xml("4442587FB7D0A2F9"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
         <Message>The specified key does not exist.</Message><Resource>/b/k</Resource>\
         <RequestId>4442587FB7D0A2F9</RequestId></Error>"
    );
    assert_eq!(err.http_status(), 404);
}

#[test]
fn extra_elements_follow_the_resource() {
    let err = S3Error::new(S3ErrorCode::InvalidRange)
        .with_resource("/b/k")
        .with_element("RangeRequested", "bytes=10-20")
        .with_element("ActualObjectSize", "5")
        .with_header("Content-Range", "bytes */5");
    assert_eq!(
        err.to_xml("r"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidRange</Code>\
         <Message>The requested range is not satisfiable</Message><Resource>/b/k</Resource>\
         <RangeRequested>bytes=10-20</RangeRequested><ActualObjectSize>5</ActualObjectSize>\
         <RequestId>r</RequestId></Error>"
    );
    assert_eq!(
        err.headers,
        vec![("Content-Range", "bytes */5".to_string())]
    );
}

#[test]
fn resource_is_omitted_when_none() {
    let err = S3Error::new(S3ErrorCode::SlowDown);
    assert_eq!(
        err.to_xml("r1"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>\
         <Message>Please reduce your request rate.</Message>\
         <RequestId>r1</RequestId></Error>"
    );
}

#[test]
fn text_is_escaped() {
    let err = S3Error::new(S3ErrorCode::InvalidArgument)
        .with_message("bad <value> & \"more\"")
        .with_resource("/b/a&b<c>\r");
    assert_eq!(
        err.to_xml("id&1"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code>\
         <Message>bad &lt;value&gt; &amp; &quot;more&quot;</Message>\
         <Resource>/b/a&amp;b&lt;c&gt;&#13;</Resource><RequestId>id&amp;1</RequestId></Error>"
    );
}

/// What a client reads back: (code, message, resource, request id).
fn client_view(doc: &str) -> (String, String, Option<String>, String) {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Error {
        code: String,
        message: String,
        resource: Option<String>,
        request_id: String,
    }
    let e: Error = quick_xml::de::from_str(doc).expect("client parses the error document");
    (e.code, e.message, e.resource, e.request_id)
}

#[test]
fn every_code_round_trips_through_a_client_parser() {
    for &code in S3ErrorCode::ALL {
        let err = S3Error::new(code).with_resource("/bucket/some key & <x>");
        let doc = err.to_xml("req-1");
        let (c, m, r, id) = client_view(&doc);
        assert_eq!(c, code.as_str());
        assert_eq!(m, code.default_message());
        assert_eq!(r.as_deref(), Some("/bucket/some key & <x>"));
        assert_eq!(id, "req-1");
        let mut reader = Reader::from_str(&doc);
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{code}: not well-formed: {e}"),
            }
        }
    }
}

#[test]
fn display_and_conversions() {
    let err = S3Error::from(S3ErrorCode::NoSuchBucket).with_resource("/b");
    assert_eq!(
        err.to_string(),
        "NoSuchBucket: The specified bucket does not exist (/b)"
    );
    let err = S3Error::from(XmlParseError::NotUtf8);
    assert_eq!(err.code, S3ErrorCode::MalformedXML);
    assert_eq!(err.http_status(), 400);
    let dyn_err: &dyn std::error::Error = &err;
    assert!(dyn_err.to_string().starts_with("MalformedXML: "));
}
