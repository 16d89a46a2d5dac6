//! Unit tests of the S3 XML documents, read back the way an SDK reads them.
//! Shared fixtures, client-side views and the tests of the shared helpers
//! live here; the document tests are in `tests/responses.rs`,
//! `tests/versions.rs` (ListObjectVersions), `tests/listing.rs` (listing
//! pages byte for byte) and `tests/requests.rs`.

use std::borrow::Cow;

use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Deserialize;

use super::parse_error::*;
use super::render::*;
use super::*;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::clock::MAX_TIMESTAMP_MS;

mod listing;
mod requests;
mod responses;
mod versions;

const XMLNS_ATTR: &str = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

// Client-side views: what an SDK reads out of our documents. Every value
// is kept as the string the client sees, so the tests compare the wire,
// not our own types.

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct COwner {
    #[serde(rename = "ID")]
    id: String,
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CObject {
    key: String,
    last_modified: String,
    #[serde(rename = "ETag")]
    etag: String,
    size: u64,
    storage_class: String,
    owner: Option<COwner>,
    checksum_algorithm: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CPrefix {
    prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CListV1 {
    name: String,
    prefix: String,
    marker: String,
    next_marker: Option<String>,
    max_keys: u32,
    delimiter: Option<String>,
    is_truncated: bool,
    encoding_type: Option<String>,
    #[serde(default)]
    contents: Vec<CObject>,
    #[serde(default)]
    common_prefixes: Vec<CPrefix>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CListV2 {
    name: String,
    prefix: String,
    max_keys: u32,
    key_count: usize,
    delimiter: Option<String>,
    is_truncated: bool,
    continuation_token: Option<String>,
    next_continuation_token: Option<String>,
    start_after: Option<String>,
    encoding_type: Option<String>,
    #[serde(default)]
    contents: Vec<CObject>,
    #[serde(default)]
    common_prefixes: Vec<CPrefix>,
}

fn owner() -> Owner {
    Owner {
        id: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a".into(),
        display_name: Some("webfile".into()),
    }
}

fn object(key: &str) -> ObjectInfo {
    ObjectInfo {
        key: key.into(),
        last_modified_ms: 1_255_369_830_000,
        etag: "fba9dede5f27731c9771645a39863328".into(),
        checksum_algorithm: None,
        size: 434_234,
        storage_class: "STANDARD".into(),
        owner: Some(owner()),
    }
}

fn parse<'de, T: Deserialize<'de>>(doc: &'de str) -> T {
    assert!(doc.starts_with(XML_DECLARATION), "no declaration: {doc}");
    quick_xml::de::from_str(doc).unwrap_or_else(|e| panic!("client cannot parse: {e}\n{doc}"))
}

/// The root element carries the S3 namespace.
fn assert_root(doc: &str, root: &str) {
    let expected = format!("{XML_DECLARATION}<{root}{XMLNS_ATTR}>");
    assert!(doc.starts_with(&expected), "bad root in {doc}");
    assert!(doc.ends_with(&format!("</{root}>")), "bad end in {doc}");
}

/// Reads every event with quick-xml's reader, resolving references, as a
/// strict-enough client would.
fn assert_well_formed(doc: &str) {
    let mut reader = Reader::from_str(doc);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::GeneralRef(r)) if r.is_char_ref() => {
                assert!(
                    matches!(r.resolve_char_ref(), Ok(Some(_))),
                    "bad ref in {doc}"
                );
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}\n{doc}"),
        }
    }
}

fn xml10_char(c: char) -> bool {
    !is_non_xml_char(c)
}

/// A V1 listing with keys that need escaping and encoding (shared by the
/// listing tests and the round-trip properties).
fn v1() -> ListBucketResult {
    ListBucketResult {
        name: "bucket".into(),
        prefix: "photos/ 2006/".into(),
        page: ListPaging::Marker {
            marker: "photos/ 2006/a+b".into(),
            next_marker: Some("photos/ 2006/z z".into()),
        },
        max_keys: 1000,
        delimiter: Some("/".into()),
        is_truncated: true,
        encoding_type: None,
        contents: vec![object("photos/ 2006/my image.jpg"), {
            let mut o = object("photos/ 2006/b&c\"d'e<f>");
            o.checksum_algorithm = Some("CRC32".into());
            o
        }],
        common_prefixes: vec![CommonPrefix {
            prefix: "photos/ 2006/feb ruary/".into(),
        }],
    }
}

/// A V2 listing with continuation tokens and a start-after.
fn v2() -> ListBucketResult {
    ListBucketResult {
        name: "bucket".into(),
        prefix: "a b/".into(),
        max_keys: 2,
        delimiter: Some("/".into()),
        is_truncated: true,
        page: ListPaging::Token {
            continuation_token: Some("MS0xLTI=".into()),
            next_continuation_token: Some("Mi0zLTQ=".into()),
            start_after: Some("a b/0".into()),
        },
        encoding_type: None,
        contents: vec![
            ObjectInfo {
                owner: None,
                ..object("a b/1")
            },
            ObjectInfo {
                owner: None,
                ..object("a b/2")
            },
        ],
        common_prefixes: vec![CommonPrefix {
            prefix: "a b/c/".into(),
        }],
    }
}

// --- helpers and escaping ----------------------------------------------

#[test]
fn timestamps_have_milliseconds_and_z() {
    assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(
        format_timestamp(1_255_369_830_000),
        "2009-10-12T17:50:30.000Z"
    );
    assert_eq!(
        format_timestamp(1_255_369_830_007),
        "2009-10-12T17:50:30.007Z"
    );
    assert_eq!(
        format_timestamp(951_782_400_000),
        "2000-02-29T00:00:00.000Z"
    );
    assert_eq!(
        format_timestamp(1_709_251_199_999),
        "2024-02-29T23:59:59.999Z"
    );
    assert_eq!(
        format_timestamp(946_684_799_001),
        "1999-12-31T23:59:59.001Z"
    );
    assert_eq!(
        format_timestamp(MAX_TIMESTAMP_MS),
        "9999-12-31T23:59:59.999Z"
    );
    assert_eq!(
        format_timestamp(MAX_TIMESTAMP_MS + 1),
        "9999-12-31T23:59:59.999Z"
    );
    assert_eq!(format_timestamp(u64::MAX), "9999-12-31T23:59:59.999Z");
}

#[test]
fn url_encoding_matches_aws_examples() {
    assert_eq!(url_encode_key("a b.txt"), "a%20b.txt");
    assert_eq!(url_encode_key("a+b.txt"), "a%2Bb.txt");
    assert_eq!(url_encode_key("100%.csv"), "100%25.csv");
    assert_eq!(url_encode_key("한글/x.txt"), "%ED%95%9C%EA%B8%80/x.txt");
    assert_eq!(url_encode_key("run books/x.txt"), "run%20books/x.txt");
    assert_eq!(url_encode_key("test_file(3).png"), "test_file%283%29.png");
    assert_eq!(url_encode_key("file=123"), "file%3D123");
    assert_eq!(url_encode_key("a-b_c.d*e~f"), "a-b_c.d*e%7Ef");
    assert_eq!(url_encode_key("\u{1}\r\n&<>"), "%01%0D%0A%26%3C%3E");
    assert_eq!(url_encode_key(""), "");
}

/// Form-style decoding, as botocore's `unquote_plus` does it.
fn unquote_plus(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .expect("decodes to UTF-8")
        .into_owned()
}

#[test]
fn characters_xml_cannot_hold_become_hex_references() {
    let mut r = v1();
    r.contents = vec![object("a\u{1}b\u{1b}c\u{fffe}\r\n\td")];
    let doc = r.clone().into_xml();
    assert!(
        doc.contains("<Key>a&#x1;b&#x1b;c&#xfffe;&#13;\n\td</Key>"),
        "{doc}"
    );
    assert!(doc.chars().all(xml10_char));
    let c: CListV1 = parse(&doc);
    assert_eq!(c.contents[0].key, "a\u{1}b\u{1b}c\u{fffe}\r\n\td");
    // NUL is written, but no parser can read it back.
    r.contents = vec![object("a\0b")];
    assert!(r.into_xml().contains("<Key>a&#x0;b</Key>"));
}

#[test]
fn escape_text_handles_markup_and_control_characters() {
    assert_eq!(escape_text("plain"), "plain");
    assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
    assert_eq!(
        escape_text("<a href=\"x\">&'\r\u{7}</a>"),
        "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;&#x7;&lt;/a&gt;"
    );
    assert_eq!(escape_text("\u{7}"), "&#x7;");
}

fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z&<>\"' \r\n\t/+%~*()\u{1}-\u{1f}é한😀\u{fffe}\u{ffff}]{0,40}",
        any::<String>(),
    ]
    .prop_map(|s| s.replace('\0', ""))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn keys_round_trip_through_a_client_parser(
        key in tricky_string(),
        prefix in tricky_string(),
        marker in tricky_string(),
    ) {
        let mut r = v1();
        r.prefix = prefix.clone();
        if let ListPaging::Marker { marker: m, .. } = &mut r.page {
            *m = marker.clone();
        }
        r.contents = vec![object(&key)];
        r.common_prefixes = vec![CommonPrefix { prefix: key.clone() }];
        let doc = r.into_xml();
        prop_assert!(doc.chars().all(xml10_char));
        assert_well_formed(&doc);
        if key.chars().chain(prefix.chars()).chain(marker.chars()).all(xml10_char) {
            // Then the document is strictly valid XML 1.0 as well.
            prop_assert!(!doc.contains("&#x"), "{}", doc);
        }
        let c: CListV1 = parse(&doc);
        prop_assert_eq!(&c.prefix, &prefix);
        prop_assert_eq!(&c.marker, &marker);
        prop_assert_eq!(&c.contents[0].key, &key);
        prop_assert_eq!(&c.common_prefixes[0].prefix, &key);
    }

    #[test]
    fn url_encoded_keys_are_plain_ascii_and_decode_back(key in tricky_string()) {
        let encoded = url_encode_key(&key);
        prop_assert!(encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._*/+%".contains(&b)));
        prop_assert_eq!(unquote_plus(&encoded), key.clone());

        let mut r = v2();
        r.encoding_type = Some(EncodingType::Url);
        r.contents = vec![object(&key)];
        let c: CListV2 = parse(&r.into_xml());
        prop_assert_eq!(unquote_plus(&c.contents[0].key), key);
    }

    #[test]
    fn error_documents_round_trip(message in tricky_string(), resource in tricky_string()) {
        let doc = S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message(message.clone())
            .with_resource(resource.clone())
            .to_xml("id");
        prop_assert!(doc.chars().all(xml10_char));
        assert_well_formed(&doc);
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct E { message: String, resource: String }
        let e: E = quick_xml::de::from_str(&doc).expect("parses");
        prop_assert_eq!(e.message, message);
        prop_assert_eq!(e.resource, resource);
    }
}
