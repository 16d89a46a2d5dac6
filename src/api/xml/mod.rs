//! S3 XML bodies: the documents the gateway answers with and the few it
//! accepts, through quick-xml's serde support.
//!
//! Response types hold raw values: keys unencoded, ETags without quotes,
//! times as Unix milliseconds. Their `to_xml` adds what AWS adds (the XML
//! declaration, the S3 namespace, quotes around ETags, ISO-8601 times, and
//! URL-encoding of key-valued fields when the request asked for
//! `encoding-type=url`), so no handler can forget one of them. Element names
//! and order follow AWS's documented examples; SDKs look elements up by name,
//! so the order only matters to people diffing against AWS.
//!
//! Request parsers are strict about structure (UTF-8, one root element of the
//! expected name, well-formed, no DTD, bounded depth) and lenient about what
//! AWS is lenient about (namespace declarations or prefixes, unknown elements,
//! whitespace between elements). Every failure is an [`XmlParseError`], which
//! the handler answers as `MalformedXML`. Limiting the body size before
//! parsing is the caller's job.
//!
//! Characters XML cannot carry: an S3 key may hold any Unicode character, but
//! an XML 1.0 document may not contain U+0000–U+0008, U+000B, U+000C,
//! U+000E–U+001F, U+FFFE or U+FFFF, not even as character references. Like
//! AWS, we write them as hexadecimal character references (`&#x1;`): nothing
//! is lost and lenient parsers (quick-xml among them) read them back, while
//! strict ones (expat in botocore, Go's encoding/xml) reject the document as
//! they reject AWS's. The client's remedy is `encoding-type=url` on listings.
//! U+0000 becomes `&#x0;`, which no parser reads, so keys holding NUL are best
//! refused when they are written. CR is written as `&#13;` so that XML
//! end-of-line normalization cannot turn it into LF; TAB and LF are written
//! as they are, which element content preserves.
//!
//! The module is split the same way: [`responses`] holds the documents the
//! server renders, [`requests`] the ones it parses; this file holds what
//! both use (escaping, timestamps, the declaration, [`XmlParseError`]) and
//! re-exports every public item, so callers name everything as `xml::…`.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use quick_xml::se::{QuoteLevel, Serializer as XmlSerializer};
use serde::{Serialize, Serializer};
use time::OffsetDateTime;

pub(crate) mod acl;
pub(crate) mod attributes;
pub(crate) mod cors;
pub(crate) mod requests;
pub(crate) mod responses;
pub(crate) mod tagging;
#[cfg(test)]
mod tests;

pub(crate) use attributes::{AttributesPart, ObjectAttributes, ObjectParts};
pub(crate) use requests::{
    parse_complete_multipart_upload, parse_create_bucket_configuration, parse_delete,
    CompletedPart, MAX_DELETE_OBJECTS, MAX_XML_DEPTH,
};
pub(crate) use responses::{
    BucketInfo, Checksums, CommonPrefix, CompleteMultipartUploadResult, CopyObjectResult,
    CopyPartResult, DeleteError, DeleteResult, DeletedObject, EncodingType,
    InitiateMultipartUploadResult, ListAllMyBucketsResult, ListBucketResultV1, ListBucketResultV2,
    ListMultipartUploadsResult, ListPartsResult, ListVersionsResult, LocationConstraint,
    ObjectInfo, Owner, PartInfo, UploadInfo, VersionInfo,
};
pub(crate) use tagging::{parse_tagging, tagging_to_xml};

/// Starts every document, as in AWS's responses.
pub(crate) const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The namespace AWS puts on the root of every response document.
pub(crate) const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The latest time an S3 timestamp can show: four-digit years only.
const MAX_TIMESTAMP_MS: u64 = 253_402_300_799_999;

/// Bytes left as they are by `encoding-type=url`.
const KEY_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'*')
    .remove(b'/');

// ---------------------------------------------------------------------------
// Helpers

/// Formats Unix milliseconds as S3 shows times in XML, e.g.
/// `2009-10-12T17:50:30.000Z`.
///
/// Times after 9999-12-31T23:59:59.999Z are shown as that instant: SDKs
/// parse four-digit years only.
pub(crate) fn format_timestamp(ms_since_epoch: u64) -> String {
    let ms = ms_since_epoch.min(MAX_TIMESTAMP_MS);
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        // Unreachable: every clamped value is inside time's default range.
        Err(_) => "9999-12-31T23:59:59.999Z".to_owned(),
    }
}

/// Encodes a key-valued field for `encoding-type=url` the way AWS does:
/// ASCII letters, digits and `-` `.` `_` `*` `/` stay, every other byte of
/// the UTF-8 form becomes `%XX` (space is `%20`, `+` is `%2B`, `~` is
/// `%7E`), which SDKs decode with plain percent-decoding (botocore's
/// `unquote`) and the S3 conformance suites expect (`quux ab/` is listed
/// as `quux%20ab/`).
pub(crate) fn url_encode_key(key: &str) -> String {
    utf8_percent_encode(key, KEY_ENCODE_SET).to_string()
}

/// Escapes text for an XML element: markup characters as entities, CR and
/// the characters XML 1.0 cannot hold as character references (see the
/// module documentation).
pub(crate) fn escape_text(text: &str) -> Cow<'_, str> {
    match quick_xml::escape::escape(text) {
        Cow::Borrowed(b) => escape_non_xml_chars(b),
        Cow::Owned(o) => Cow::Owned(escape_non_xml_chars(&o).into_owned()),
    }
}

/// Characters an XML 1.0 document cannot contain. CR is legal but is handled
/// by quick-xml's escaping.
fn is_non_xml_char(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'
    )
}

/// Replaces characters XML 1.0 cannot hold with `&#xN;`, as AWS does. Only
/// applied to escaped text or to whole serialized documents, where such a
/// character can only come from a value.
fn escape_non_xml_chars(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_non_xml_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_non_xml_char(c) {
            out.push_str(&format!("&#x{:x};", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serializes `value` as the document `root`, with declaration and namespace.
pub(super) fn render<T: Serialize>(root: &'static str, value: &T) -> String {
    let mut body = String::new();
    let written = XmlSerializer::with_root(&mut body, Some(root)).and_then(|mut ser| {
        ser.set_quote_level(QuoteLevel::Full);
        ser.expand_empty_elements(true);
        value.serialize(ser)
    });
    // quick-xml fails only for type shapes XML cannot express (maps with
    // non-name keys, byte arrays, invalid root names), never for the strings
    // and numbers these types hold; every type is rendered by the tests.
    if let Err(e) = written {
        panic!("S3 response type <{root}> cannot be serialized: {e}");
    }
    let mut out = String::with_capacity(XML_DECLARATION.len() + body.len() + 64);
    out.push_str(XML_DECLARATION);
    match body.strip_prefix('<').and_then(|b| b.strip_prefix(root)) {
        Some(rest) => {
            out.push('<');
            out.push_str(root);
            out.push_str(" xmlns=\"");
            out.push_str(S3_XMLNS);
            out.push('"');
            out.push_str(&escape_non_xml_chars(rest));
        }
        // Unreachable: with_root always writes `<root` first.
        None => out.push_str(&escape_non_xml_chars(&body)),
    }
    out
}

fn ser_timestamp<S: Serializer>(ms: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_timestamp(*ms))
}

/// AWS shows ETags quoted; accepts a value that already has its quotes.
fn ser_etag<S: Serializer>(etag: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("\"{}\"", etag.trim_matches('"')))
}

fn url_encode_in_place(value: &mut String) {
    *value = url_encode_key(value);
}

fn url_encode_opt(value: &mut Option<String>) {
    if let Some(v) = value {
        url_encode_in_place(v);
    }
}

// ---------------------------------------------------------------------------
// Parse errors

/// Why a request body was refused; the handler answers `MalformedXML`
/// whatever the variant (see `From<XmlParseError> for S3Error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlParseError {
    /// The body is not UTF-8.
    #[error("the body is not UTF-8")]
    NotUtf8,
    /// The body holds no element.
    #[error("the body holds no XML element")]
    Empty,
    /// The body is not well-formed XML.
    #[error("the XML is not well-formed: {0}")]
    Syntax(String),
    /// The root element has another name than the operation's document.
    #[error("the root element is not <{0}>")]
    WrongRoot(&'static str),
    /// Elements nest deeper than [`MAX_XML_DEPTH`].
    #[error("the XML nests deeper than {MAX_XML_DEPTH} elements")]
    TooDeep,
    /// The body has a document type declaration (refused: no entity tricks).
    #[error("document type declarations are not accepted")]
    DocType,
    /// The document does not fit the operation's schema (missing or
    /// repeated element, a value of the wrong type).
    #[error("the XML does not fit the schema: {0}")]
    Schema(String),
    /// A list the schema requires to be non-empty is empty.
    #[error("the document has no <{0}> element")]
    Missing(&'static str),
    /// DeleteObjects names more than [`MAX_DELETE_OBJECTS`] keys.
    #[error("{0} objects to delete; at most {MAX_DELETE_OBJECTS} are allowed")]
    TooManyObjects(usize),
}
