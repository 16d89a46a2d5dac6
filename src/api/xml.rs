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

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use quick_xml::events::Event;
use quick_xml::se::{QuoteLevel, Serializer as XmlSerializer};
use quick_xml::Reader;
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use super::error::{S3Error, S3ErrorCode};

/// Starts every document, as in AWS's responses.
pub const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The namespace AWS puts on the root of every response document.
pub const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Most keys one DeleteObjects request may name (AWS's limit).
pub const MAX_DELETE_OBJECTS: usize = 1000;

/// Deepest element nesting a request body may have. S3's request documents
/// are three levels deep; the cap keeps unknown nested elements from costing
/// stack in the deserializer.
pub const MAX_XML_DEPTH: usize = 32;

/// The latest time an S3 timestamp can show: four-digit years only.
const MAX_TIMESTAMP_MS: u64 = 253_402_300_799_999;

/// Bytes left as they are by `encoding-type=url`; space becomes `+`.
const KEY_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'*')
    .remove(b'/')
    .remove(b' ');

// ---------------------------------------------------------------------------
// Helpers

/// Formats Unix milliseconds as S3 shows times in XML, e.g.
/// `2009-10-12T17:50:30.000Z`.
///
/// Times after 9999-12-31T23:59:59.999Z are shown as that instant: SDKs
/// parse four-digit years only.
pub fn format_timestamp(ms_since_epoch: u64) -> String {
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

/// Encodes a key-valued field for `encoding-type=url` the way AWS does.
///
/// AWS encodes like Java's `URLEncoder` but leaves `/` alone: ASCII letters,
/// digits and `-` `.` `_` `*` `/` stay, space becomes `+`, every other byte
/// of the UTF-8 form becomes `%XX` (so `+` is `%2B`, `~` is `%7E`). Measured
/// against AWS: `a b.txt` → `a+b.txt`, `a+b.txt` → `a%2Bb.txt`,
/// `test_file(3).png` → `test_file%283%29.png`. Clients decode with
/// form-style unquoting (botocore's `unquote_plus`, Go's `QueryUnescape`,
/// Java's `URLDecoder`), which this inverts exactly; a client that decodes
/// with plain percent-decoding gets `+` for a space, as it would from AWS.
pub fn url_encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + key.len() / 2);
    for chunk in utf8_percent_encode(key, KEY_ENCODE_SET) {
        if chunk.contains(' ') {
            out.push_str(&chunk.replace(' ', "+"));
        } else {
            out.push_str(chunk);
        }
    }
    out
}

/// Escapes text for an XML element: markup characters as entities, CR and
/// the characters XML 1.0 cannot hold as character references (see the
/// module documentation).
pub fn escape_text(text: &str) -> Cow<'_, str> {
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
fn render<T: Serialize>(root: &'static str, value: &T) -> String {
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
// Response types

/// `encoding-type` of a listing request; AWS knows only `url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingType {
    /// Key-valued fields are URL-encoded, see [`url_encode_key`].
    Url,
}

impl EncodingType {
    /// Parses the `encoding-type` query value; `None` means the caller answers
    /// `InvalidArgument`, as AWS does.
    pub fn from_query(value: &str) -> Option<EncodingType> {
        (value == "url").then_some(EncodingType::Url)
    }
}

impl Serialize for EncodingType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            EncodingType::Url => serializer.serialize_str("url"),
        }
    }
}

/// Owner of a bucket or object, and the `Initiator` of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    /// Canonical user id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Display name; AWS is phasing it out, so it may be left out.
    #[serde(rename = "DisplayName", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// Checksums of an object or part, as base64 of the big-endian digest.
///
/// Appears flattened in CompleteMultipartUpload, CopyObject, UploadPartCopy
/// and ListParts answers; unset ones are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Checksums {
    /// `ChecksumCRC32`.
    #[serde(rename = "ChecksumCRC32", skip_serializing_if = "Option::is_none")]
    pub crc32: Option<String>,
    /// `ChecksumCRC32C`.
    #[serde(rename = "ChecksumCRC32C", skip_serializing_if = "Option::is_none")]
    pub crc32c: Option<String>,
    /// `ChecksumCRC64NVME`.
    #[serde(rename = "ChecksumCRC64NVME", skip_serializing_if = "Option::is_none")]
    pub crc64nvme: Option<String>,
    /// `ChecksumSHA1`.
    #[serde(rename = "ChecksumSHA1", skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// `ChecksumSHA256`.
    #[serde(rename = "ChecksumSHA256", skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// `ChecksumType`: `FULL_OBJECT` or `COMPOSITE`.
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<String>,
}

/// A bucket in ListBuckets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketInfo {
    /// Bucket name.
    #[serde(rename = "Name")]
    pub name: String,
    /// Creation time, Unix milliseconds.
    #[serde(rename = "CreationDate", serialize_with = "ser_timestamp")]
    pub creation_date_ms: u64,
}

/// ListBuckets answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListAllMyBucketsResult {
    /// The caller.
    #[serde(rename = "Owner")]
    pub owner: Owner,
    /// The caller's buckets, inside one `Buckets` element.
    #[serde(rename = "Buckets", serialize_with = "ser_buckets")]
    pub buckets: Vec<BucketInfo>,
}

fn ser_buckets<S: Serializer>(buckets: &[BucketInfo], serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Buckets<'a> {
        #[serde(rename = "Bucket")]
        bucket: &'a [BucketInfo],
    }
    Buckets { bucket: buckets }.serialize(serializer)
}

impl ListAllMyBucketsResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("ListAllMyBucketsResult", self)
    }
}

/// GetBucketLocation answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationConstraint {
    /// The bucket's region; `us-east-1` (or empty) is shown as an empty
    /// element, as AWS does for its oldest region.
    pub region: String,
}

impl LocationConstraint {
    /// The response document.
    pub fn to_xml(&self) -> String {
        #[derive(Serialize)]
        struct Wire<'a> {
            #[serde(rename = "$text", skip_serializing_if = "Option::is_none")]
            region: Option<&'a str>,
        }
        let region = match self.region.as_str() {
            "" | "us-east-1" => None,
            r => Some(r),
        };
        render("LocationConstraint", &Wire { region })
    }
}

/// An object in a listing (`Contents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectInfo {
    /// Object key, unencoded.
    #[serde(rename = "Key")]
    pub key: String,
    /// Last write, Unix milliseconds.
    #[serde(rename = "LastModified", serialize_with = "ser_timestamp")]
    pub last_modified_ms: u64,
    /// ETag without quotes (quotes are added on output).
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// Algorithm of the object's additional checksum, if it has one.
    #[serde(rename = "ChecksumAlgorithm", skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<String>,
    /// Size in bytes.
    #[serde(rename = "Size")]
    pub size: u64,
    /// Storage class, `STANDARD` for us.
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    /// Always set in ListObjects V1; in V2 only with `fetch-owner=true`.
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
}

/// A rolled-up prefix in a listing (`CommonPrefixes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommonPrefix {
    /// The prefix up to and including the delimiter, unencoded.
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

fn url_encode_listing(contents: &mut [ObjectInfo], common_prefixes: &mut [CommonPrefix]) {
    for o in contents {
        url_encode_in_place(&mut o.key);
    }
    for p in common_prefixes {
        url_encode_in_place(&mut p.prefix);
    }
}

/// ListObjects (V1) answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBucketResultV1 {
    /// Bucket name.
    pub name: String,
    /// The request's `prefix` (empty if none).
    pub prefix: String,
    /// The request's `marker` (empty if none).
    pub marker: String,
    /// Where the next page starts; AWS sends it when truncated with a delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// The request's `max-keys`.
    pub max_keys: u32,
    /// The request's `delimiter`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// More results follow.
    pub is_truncated: bool,
    /// Set from the request; `to_xml` then encodes Prefix, Marker,
    /// NextMarker, Delimiter, Key and CommonPrefixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<EncodingType>,
    /// Objects, in key order; each carries its `Owner`.
    pub contents: Vec<ObjectInfo>,
    /// Rolled-up prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
}

impl ListBucketResultV1 {
    /// The response document, with key fields encoded if asked.
    pub fn to_xml(&self) -> String {
        if self.encoding_type.is_none() {
            return render("ListBucketResult", self);
        }
        let mut encoded = self.clone();
        url_encode_in_place(&mut encoded.prefix);
        url_encode_in_place(&mut encoded.marker);
        url_encode_opt(&mut encoded.next_marker);
        url_encode_opt(&mut encoded.delimiter);
        url_encode_listing(&mut encoded.contents, &mut encoded.common_prefixes);
        render("ListBucketResult", &encoded)
    }
}

/// ListObjectsV2 answer. `KeyCount` is computed: Contents plus
/// CommonPrefixes, as AWS counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListBucketResultV2 {
    /// Bucket name.
    pub name: String,
    /// The request's `prefix` (empty if none).
    pub prefix: String,
    /// The request's `max-keys`.
    pub max_keys: u32,
    /// The request's `delimiter`, if any.
    pub delimiter: Option<String>,
    /// More results follow.
    pub is_truncated: bool,
    /// The request's `continuation-token`; opaque, never URL-encoded, so it
    /// must be made of XML-safe characters (e.g. base64url).
    pub continuation_token: Option<String>,
    /// Token for the next page, when truncated; same rules.
    pub next_continuation_token: Option<String>,
    /// The request's `start-after`, if any.
    pub start_after: Option<String>,
    /// Set from the request; `to_xml` then encodes Prefix, Delimiter,
    /// StartAfter, Key and CommonPrefixes.
    pub encoding_type: Option<EncodingType>,
    /// Objects; `owner` set only with `fetch-owner=true`.
    pub contents: Vec<ObjectInfo>,
    /// Rolled-up prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
}

impl ListBucketResultV2 {
    /// The response document, with key fields encoded if asked.
    pub fn to_xml(&self) -> String {
        if self.encoding_type.is_none() {
            return render("ListBucketResult", &ListV2Wire::from(self));
        }
        let mut encoded = self.clone();
        url_encode_in_place(&mut encoded.prefix);
        url_encode_opt(&mut encoded.delimiter);
        url_encode_opt(&mut encoded.start_after);
        url_encode_listing(&mut encoded.contents, &mut encoded.common_prefixes);
        render("ListBucketResult", &ListV2Wire::from(&encoded))
    }
}

/// ListBucketResultV2 as written, with the computed `KeyCount`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListV2Wire<'a> {
    name: &'a str,
    prefix: &'a str,
    max_keys: u32,
    key_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    delimiter: Option<&'a str>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    continuation_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_continuation_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_after: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding_type: Option<EncodingType>,
    contents: &'a [ObjectInfo],
    common_prefixes: &'a [CommonPrefix],
}

impl<'a> From<&'a ListBucketResultV2> for ListV2Wire<'a> {
    fn from(r: &'a ListBucketResultV2) -> Self {
        ListV2Wire {
            name: &r.name,
            prefix: &r.prefix,
            max_keys: r.max_keys,
            key_count: r.contents.len() + r.common_prefixes.len(),
            delimiter: r.delimiter.as_deref(),
            is_truncated: r.is_truncated,
            continuation_token: r.continuation_token.as_deref(),
            next_continuation_token: r.next_continuation_token.as_deref(),
            start_after: r.start_after.as_deref(),
            encoding_type: r.encoding_type,
            contents: &r.contents,
            common_prefixes: &r.common_prefixes,
        }
    }
}

/// An object version in ListObjectVersions. Without bucket versioning every
/// object has one version: id `null`, latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionInfo {
    /// Object key, unencoded.
    pub key: String,
    /// `null` for objects written without versioning.
    pub version_id: String,
    /// Whether this is the current version.
    pub is_latest: bool,
    /// Last write, Unix milliseconds.
    #[serde(rename = "LastModified", serialize_with = "ser_timestamp")]
    pub last_modified_ms: u64,
    /// ETag without quotes.
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// Size in bytes.
    pub size: u64,
    /// Storage class, `STANDARD` for us.
    pub storage_class: String,
    /// Object owner.
    pub owner: Owner,
}

/// ListObjectVersions answer (no `DeleteMarker` entries: no versioning yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListVersionsResult {
    /// Bucket name.
    pub name: String,
    /// The request's `prefix` (empty if none).
    pub prefix: String,
    /// The request's `key-marker` (empty if none).
    pub key_marker: String,
    /// The request's `version-id-marker` (empty if none).
    pub version_id_marker: String,
    /// Where the next page starts, when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    /// Version where the next page starts, when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_version_id_marker: Option<String>,
    /// The request's `max-keys`.
    pub max_keys: u32,
    /// The request's `delimiter`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// More results follow.
    pub is_truncated: bool,
    /// Set from the request; `to_xml` then encodes Prefix, KeyMarker,
    /// NextKeyMarker, Delimiter, Key and CommonPrefixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<EncodingType>,
    /// Versions, in key order.
    #[serde(rename = "Version")]
    pub versions: Vec<VersionInfo>,
    /// Rolled-up prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
}

impl ListVersionsResult {
    /// The response document, with key fields encoded if asked.
    pub fn to_xml(&self) -> String {
        if self.encoding_type.is_none() {
            return render("ListVersionsResult", self);
        }
        let mut encoded = self.clone();
        url_encode_in_place(&mut encoded.prefix);
        url_encode_in_place(&mut encoded.key_marker);
        url_encode_opt(&mut encoded.next_key_marker);
        url_encode_opt(&mut encoded.delimiter);
        for v in &mut encoded.versions {
            url_encode_in_place(&mut v.key);
        }
        for p in &mut encoded.common_prefixes {
            url_encode_in_place(&mut p.prefix);
        }
        render("ListVersionsResult", &encoded)
    }
}

/// CreateMultipartUpload answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateMultipartUploadResult {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// The new upload's id; must be XML- and URL-safe.
    pub upload_id: String,
}

impl InitiateMultipartUploadResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("InitiateMultipartUploadResult", self)
    }
}

/// CompleteMultipartUpload answer (sent with status 200; a failure found
/// after the 200 has started is an `<Error>` document instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteMultipartUploadResult {
    /// URL of the new object.
    pub location: String,
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Multipart ETag (`<md5 of part md5s>-<parts>`) without quotes.
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// Whole-object or composite checksums, if any were requested.
    #[serde(flatten)]
    pub checksums: Checksums,
}

impl CompleteMultipartUploadResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("CompleteMultipartUploadResult", self)
    }
}

/// CopyObject answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyObjectResult {
    /// ETag of the new object without quotes.
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// Time of the copy, Unix milliseconds.
    #[serde(rename = "LastModified", serialize_with = "ser_timestamp")]
    pub last_modified_ms: u64,
    /// Checksums of the new object, if any.
    #[serde(flatten)]
    pub checksums: Checksums,
}

impl CopyObjectResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("CopyObjectResult", self)
    }
}

/// UploadPartCopy answer: CopyObjectResult's shape under another root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyPartResult {
    /// ETag of the new part without quotes.
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// Time of the copy, Unix milliseconds.
    #[serde(rename = "LastModified", serialize_with = "ser_timestamp")]
    pub last_modified_ms: u64,
    /// Checksums of the new part, if any.
    #[serde(flatten)]
    pub checksums: Checksums,
}

impl CopyPartResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("CopyPartResult", self)
    }
}

/// A part in ListParts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartInfo {
    /// 1..=10,000.
    pub part_number: u32,
    /// Upload time, Unix milliseconds.
    #[serde(rename = "LastModified", serialize_with = "ser_timestamp")]
    pub last_modified_ms: u64,
    /// ETag of the part without quotes.
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// Size in bytes.
    pub size: u64,
    /// The part's checksums, if any (leave `checksum_type` unset).
    #[serde(flatten)]
    pub checksums: Checksums,
}

/// ListParts answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartsResult {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// The upload's id.
    pub upload_id: String,
    /// The request's `part-number-marker` (0 if none).
    pub part_number_marker: u32,
    /// Last part number in this page (the next page's marker).
    pub next_part_number_marker: u32,
    /// The request's `max-parts`.
    pub max_parts: u32,
    /// More parts follow.
    pub is_truncated: bool,
    /// Parts in ascending part number.
    #[serde(rename = "Part")]
    pub parts: Vec<PartInfo>,
    /// Who started the upload.
    pub initiator: Owner,
    /// Who will own the object.
    pub owner: Owner,
    /// Storage class of the upload.
    pub storage_class: String,
}

impl ListPartsResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("ListPartsResult", self)
    }
}

/// An in-progress upload in ListMultipartUploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UploadInfo {
    /// Object key, unencoded.
    pub key: String,
    /// The upload's id.
    pub upload_id: String,
    /// Who started the upload.
    pub initiator: Owner,
    /// Who will own the object.
    pub owner: Owner,
    /// Storage class of the upload.
    pub storage_class: String,
    /// Start time, Unix milliseconds.
    #[serde(rename = "Initiated", serialize_with = "ser_timestamp")]
    pub initiated_ms: u64,
}

/// ListMultipartUploads answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMultipartUploadsResult {
    /// Bucket name.
    pub bucket: String,
    /// The request's `key-marker` (empty if none).
    pub key_marker: String,
    /// The request's `upload-id-marker` (empty if none).
    pub upload_id_marker: String,
    /// Key where the next page starts (empty if not truncated).
    pub next_key_marker: String,
    /// Upload id where the next page starts (empty if not truncated).
    pub next_upload_id_marker: String,
    /// The request's `prefix`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The request's `delimiter`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The request's `max-uploads`.
    pub max_uploads: u32,
    /// More uploads follow.
    pub is_truncated: bool,
    /// Uploads, by key then start time.
    #[serde(rename = "Upload")]
    pub uploads: Vec<UploadInfo>,
    /// Rolled-up prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
    /// Set from the request; `to_xml` then encodes KeyMarker, NextKeyMarker,
    /// Prefix, Delimiter, Key and CommonPrefixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<EncodingType>,
}

impl ListMultipartUploadsResult {
    /// The response document, with key fields encoded if asked.
    pub fn to_xml(&self) -> String {
        if self.encoding_type.is_none() {
            return render("ListMultipartUploadsResult", self);
        }
        let mut encoded = self.clone();
        url_encode_in_place(&mut encoded.key_marker);
        url_encode_in_place(&mut encoded.next_key_marker);
        url_encode_opt(&mut encoded.prefix);
        url_encode_opt(&mut encoded.delimiter);
        for u in &mut encoded.uploads {
            url_encode_in_place(&mut u.key);
        }
        for p in &mut encoded.common_prefixes {
            url_encode_in_place(&mut p.prefix);
        }
        render("ListMultipartUploadsResult", &encoded)
    }
}

/// A key DeleteObjects removed (or found absent, which S3 also reports as
/// deleted). Left out of the answer in quiet mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeletedObject {
    /// Object key.
    pub key: String,
    /// Version id, if the request named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

/// A key DeleteObjects could not remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteError {
    /// Object key.
    pub key: String,
    /// Version id, if the request named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Why, as an S3 error code.
    pub code: S3ErrorCode,
    /// Human-readable reason.
    pub message: String,
}

impl DeleteError {
    /// The entry for `key` failing with `err`.
    pub fn from_error(key: impl Into<String>, version_id: Option<String>, err: &S3Error) -> Self {
        DeleteError {
            key: key.into(),
            version_id,
            code: err.code,
            message: err.message.clone(),
        }
    }
}

/// DeleteObjects answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeleteResult {
    /// Removed keys (empty in quiet mode).
    #[serde(rename = "Deleted")]
    pub deleted: Vec<DeletedObject>,
    /// Keys that failed.
    #[serde(rename = "Error")]
    pub errors: Vec<DeleteError>,
}

impl DeleteResult {
    /// The response document.
    pub fn to_xml(&self) -> String {
        render("DeleteResult", self)
    }
}

// ---------------------------------------------------------------------------
// Request types

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

/// CompleteMultipartUpload request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteMultipartUpload {
    /// Parts as listed; order and existence are checked by the caller
    /// (`InvalidPartOrder`, `InvalidPart`).
    pub parts: Vec<CompletedPart>,
}

/// One part of a CompleteMultipartUpload request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedPart {
    /// As sent; the range 1..=10,000 is checked by the caller.
    pub part_number: u32,
    /// ETag with surrounding quotes and whitespace removed (clients send it
    /// either way).
    pub etag: String,
    /// Checksums the client computed for the part, if any
    /// (`checksum_type` is never set).
    pub checksums: Checksums,
}

/// DeleteObjects request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    /// Report only failures.
    pub quiet: bool,
    /// 1..=1000 keys, as listed.
    pub objects: Vec<ObjectIdentifier>,
}

/// One key of a DeleteObjects request. Conditional-delete fields (`ETag`,
/// `LastModifiedTime`, `Size`) are not supported and are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIdentifier {
    /// Object key, as sent (character references already resolved).
    pub key: String,
    /// Version id, if given.
    pub version_id: Option<String>,
}

/// CreateBucket request body (which may be absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateBucketConfiguration {
    /// Requested region; `None` when absent or empty (meaning us-east-1).
    pub location_constraint: Option<String>,
}

#[derive(Deserialize)]
struct RawComplete {
    #[serde(rename = "Part", default)]
    parts: Vec<RawPart>,
}

#[derive(Deserialize)]
struct RawPart {
    #[serde(rename = "PartNumber")]
    part_number: u32,
    #[serde(rename = "ETag")]
    etag: String,
    #[serde(rename = "ChecksumCRC32", default)]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", default)]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", default)]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1", default)]
    sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256", default)]
    sha256: Option<String>,
}

#[derive(Deserialize)]
struct RawDelete {
    #[serde(rename = "Quiet", default)]
    quiet: bool,
    #[serde(rename = "Object", default, deserialize_with = "de_capped_objects")]
    objects: CappedList<RawObject>,
}

#[derive(Deserialize)]
struct RawObject {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "VersionId", default)]
    version_id: Option<String>,
}

#[derive(Deserialize)]
struct RawCreateBucket {
    #[serde(rename = "LocationConstraint", default)]
    location_constraint: Option<String>,
}

/// A repeated element kept up to [`MAX_DELETE_OBJECTS`] entries, with the
/// full count, so an oversized list costs no more memory than the limit.
struct CappedList<T> {
    items: Vec<T>,
    total: usize,
}

impl<T> Default for CappedList<T> {
    fn default() -> Self {
        CappedList {
            items: Vec::new(),
            total: 0,
        }
    }
}

fn de_capped_objects<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<CappedList<RawObject>, D::Error> {
    struct CappedVisitor;

    impl<'de> Visitor<'de> for CappedVisitor {
        type Value = CappedList<RawObject>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of Object elements")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut list = CappedList::default();
            loop {
                if list.items.len() < MAX_DELETE_OBJECTS {
                    match seq.next_element::<RawObject>()? {
                        Some(o) => list.items.push(o),
                        None => break,
                    }
                } else if seq.next_element::<IgnoredAny>()?.is_none() {
                    break;
                }
                list.total += 1;
            }
            Ok(list)
        }
    }

    deserializer.deserialize_seq(CappedVisitor)
}

/// Checks what serde does not: UTF-8, well-formedness to the end, one root of
/// the expected name, no DTD, bounded depth, known entities. Returns the text
/// without a byte-order mark.
fn check_document<'a>(body: &'a [u8], root: &'static str) -> Result<&'a str, XmlParseError> {
    let text = std::str::from_utf8(body).map_err(|_| XmlParseError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |e: &dyn std::fmt::Display| XmlParseError::Syntax(e.to_string());
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| syntax(&e))?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                if depth == 0 {
                    if seen_root {
                        return Err(syntax(&"more than one root element"));
                    }
                    seen_root = true;
                    if e.local_name().as_ref() != root {
                        return Err(XmlParseError::WrongRoot(root));
                    }
                }
                for attr in e.attributes() {
                    attr.map_err(|e| syntax(&e))?;
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return Err(XmlParseError::TooDeep);
                    }
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 && !t.bytes().all(is_xml_space) => {
                return Err(syntax(&"text outside the root element"));
            }
            Event::CData(_) if depth == 0 => {
                return Err(syntax(&"text outside the root element"));
            }
            Event::GeneralRef(r) => {
                if depth == 0 {
                    return Err(syntax(&"text outside the root element"));
                }
                if r.is_char_ref() {
                    if !matches!(r.resolve_char_ref(), Ok(Some(_))) {
                        return Err(syntax(&"invalid character reference"));
                    }
                } else if !matches!(&**r, "amp" | "lt" | "gt" | "apos" | "quot") {
                    return Err(syntax(&"unknown entity"));
                }
            }
            Event::DocType(_) => return Err(XmlParseError::DocType),
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(syntax(&"unclosed element"));
    }
    if !seen_root {
        return Err(XmlParseError::Empty);
    }
    Ok(text)
}

/// XML's whitespace: space, tab, CR, LF.
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn schema(e: quick_xml::DeError) -> XmlParseError {
    XmlParseError::Schema(e.to_string())
}

/// Strips the quotes (and stray whitespace) clients may or may not put
/// around an ETag.
fn unquote_etag(etag: &str) -> String {
    etag.trim().trim_matches('"').to_owned()
}

/// Parses a CompleteMultipartUpload body; at least one `Part` is required.
pub fn parse_complete_multipart_upload(
    body: &[u8],
) -> Result<CompleteMultipartUpload, XmlParseError> {
    let text = check_document(body, "CompleteMultipartUpload")?;
    let raw: RawComplete = quick_xml::de::from_str(text).map_err(schema)?;
    if raw.parts.is_empty() {
        return Err(XmlParseError::Missing("Part"));
    }
    let parts = raw
        .parts
        .into_iter()
        .map(|p| CompletedPart {
            part_number: p.part_number,
            etag: unquote_etag(&p.etag),
            checksums: Checksums {
                crc32: p.crc32,
                crc32c: p.crc32c,
                crc64nvme: p.crc64nvme,
                sha1: p.sha1,
                sha256: p.sha256,
                checksum_type: None,
            },
        })
        .collect();
    Ok(CompleteMultipartUpload { parts })
}

/// Parses a DeleteObjects body: 1..=[`MAX_DELETE_OBJECTS`] objects, each
/// with a `Key`.
pub fn parse_delete(body: &[u8]) -> Result<Delete, XmlParseError> {
    let text = check_document(body, "Delete")?;
    let raw: RawDelete = quick_xml::de::from_str(text).map_err(schema)?;
    if raw.objects.total > MAX_DELETE_OBJECTS {
        return Err(XmlParseError::TooManyObjects(raw.objects.total));
    }
    if raw.objects.items.is_empty() {
        return Err(XmlParseError::Missing("Object"));
    }
    let objects = raw
        .objects
        .items
        .into_iter()
        .map(|o| ObjectIdentifier {
            key: o.key,
            version_id: o.version_id,
        })
        .collect();
    Ok(Delete {
        quiet: raw.quiet,
        objects,
    })
}

/// Parses a CreateBucket body; an empty (or all-whitespace) body is the
/// default configuration.
pub fn parse_create_bucket_configuration(
    body: &[u8],
) -> Result<CreateBucketConfiguration, XmlParseError> {
    if body.iter().copied().all(is_xml_space) {
        return Ok(CreateBucketConfiguration::default());
    }
    let text = check_document(body, "CreateBucketConfiguration")?;
    let raw: RawCreateBucket = quick_xml::de::from_str(text).map_err(schema)?;
    Ok(CreateBucketConfiguration {
        location_constraint: raw.location_constraint.filter(|l| !l.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;
    use serde::Deserialize;

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

    // --- helpers -----------------------------------------------------------

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
        assert_eq!(url_encode_key("a b.txt"), "a+b.txt");
        assert_eq!(url_encode_key("a+b.txt"), "a%2Bb.txt");
        assert_eq!(url_encode_key("100%.csv"), "100%25.csv");
        assert_eq!(url_encode_key("한글/x.txt"), "%ED%95%9C%EA%B8%80/x.txt");
        assert_eq!(url_encode_key("run books/x.txt"), "run+books/x.txt");
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

    // --- response documents ------------------------------------------------

    #[test]
    fn initiate_document_is_exact() {
        let doc = InitiateMultipartUploadResult {
            bucket: "b".into(),
            key: "a&b".into(),
            upload_id: "VXBsb2FkSWQ".into(),
        }
        .to_xml();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult \
             xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>\
             <Key>a&amp;b</Key><UploadId>VXBsb2FkSWQ</UploadId></InitiateMultipartUploadResult>"
        );
    }

    #[test]
    fn list_buckets() {
        let r = ListAllMyBucketsResult {
            owner: owner(),
            buckets: vec![
                BucketInfo {
                    name: "quotes".into(),
                    creation_date_ms: 1_172_262_720_000,
                },
                BucketInfo {
                    name: "samples".into(),
                    creation_date_ms: 1_172_262_720_001,
                },
            ],
        };
        let doc = r.to_xml();
        assert_root(&doc, "ListAllMyBucketsResult");
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CBucket {
            name: String,
            creation_date: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CBuckets {
            #[serde(default)]
            bucket: Vec<CBucket>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            owner: COwner,
            buckets: CBuckets,
        }
        let c: C = parse(&doc);
        assert_eq!(c.owner.id, owner().id);
        assert_eq!(c.owner.display_name.as_deref(), Some("webfile"));
        let names: Vec<_> = c.buckets.bucket.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["quotes", "samples"]);
        assert_eq!(
            c.buckets.bucket[0].creation_date,
            "2007-02-23T20:32:00.000Z"
        );
        assert_eq!(
            c.buckets.bucket[1].creation_date,
            "2007-02-23T20:32:00.001Z"
        );

        let empty = ListAllMyBucketsResult {
            owner: Owner {
                id: "x".into(),
                display_name: None,
            },
            buckets: vec![],
        }
        .to_xml();
        assert!(empty.contains("<Buckets></Buckets>"), "{empty}");
        assert!(!empty.contains("DisplayName"), "{empty}");
        let c: C = parse(&empty);
        assert!(c.buckets.bucket.is_empty());
    }

    #[test]
    fn location_constraint() {
        let east = LocationConstraint {
            region: "us-east-1".into(),
        }
        .to_xml();
        assert_eq!(
            east,
            format!("{XML_DECLARATION}<LocationConstraint{XMLNS_ATTR}></LocationConstraint>")
        );
        let west = LocationConstraint {
            region: "eu-west-1".into(),
        }
        .to_xml();
        assert_eq!(
            west,
            format!(
                "{XML_DECLARATION}<LocationConstraint{XMLNS_ATTR}>eu-west-1</LocationConstraint>"
            )
        );
        #[derive(Deserialize)]
        struct C {
            #[serde(rename = "$text", default)]
            region: String,
        }
        assert_eq!(parse::<C>(&east).region, "");
        assert_eq!(parse::<C>(&west).region, "eu-west-1");
    }

    fn v1() -> ListBucketResultV1 {
        ListBucketResultV1 {
            name: "bucket".into(),
            prefix: "photos/ 2006/".into(),
            marker: "photos/ 2006/a+b".into(),
            next_marker: Some("photos/ 2006/z z".into()),
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

    #[test]
    fn list_objects_v1() {
        let r = v1();
        let doc = r.to_xml();
        assert_root(&doc, "ListBucketResult");
        assert_well_formed(&doc);
        let c: CListV1 = parse(&doc);
        assert_eq!(c.name, "bucket");
        assert_eq!(c.prefix, r.prefix);
        assert_eq!(c.marker, r.marker);
        assert_eq!(c.next_marker, r.next_marker);
        assert_eq!(c.max_keys, 1000);
        assert_eq!(c.delimiter.as_deref(), Some("/"));
        assert!(c.is_truncated);
        assert_eq!(c.encoding_type, None);
        assert_eq!(c.contents.len(), 2);
        for (got, want) in c.contents.iter().zip(&r.contents) {
            assert_eq!(got.key, want.key);
            assert_eq!(got.last_modified, "2009-10-12T17:50:30.000Z");
            assert_eq!(got.etag, "\"fba9dede5f27731c9771645a39863328\"");
            assert_eq!(got.size, 434_234);
            assert_eq!(got.storage_class, "STANDARD");
            assert_eq!(
                got.owner.as_ref().map(|o| o.id.as_str()),
                Some(owner().id.as_str())
            );
            assert_eq!(got.checksum_algorithm, want.checksum_algorithm);
        }
        assert_eq!(c.common_prefixes.len(), 1);
        assert_eq!(c.common_prefixes[0].prefix, "photos/ 2006/feb ruary/");
        // AWS shows ETags with escaped quotes.
        assert!(doc.contains("<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>"));
    }

    #[test]
    fn list_objects_v1_minimal_leaves_optional_elements_out() {
        let r = ListBucketResultV1 {
            name: "b".into(),
            prefix: String::new(),
            marker: String::new(),
            next_marker: None,
            max_keys: 1000,
            delimiter: None,
            is_truncated: false,
            encoding_type: None,
            contents: vec![],
            common_prefixes: vec![],
        };
        let doc = r.to_xml();
        assert_eq!(
            doc,
            format!(
                "{XML_DECLARATION}<ListBucketResult{XMLNS_ATTR}><Name>b</Name><Prefix></Prefix>\
                 <Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>\
                 </ListBucketResult>"
            )
        );
        let c: CListV1 = parse(&doc);
        assert!(c.contents.is_empty() && c.common_prefixes.is_empty());
        assert_eq!(c.next_marker, None);
        assert_eq!(c.delimiter, None);
    }

    #[test]
    fn list_objects_v1_url_encoding() {
        let mut r = v1();
        r.encoding_type = Some(EncodingType::Url);
        let doc = r.to_xml();
        let c: CListV1 = parse(&doc);
        assert_eq!(c.encoding_type.as_deref(), Some("url"));
        assert_eq!(c.prefix, "photos/+2006/");
        assert_eq!(c.marker, "photos/+2006/a%2Bb");
        assert_eq!(c.next_marker.as_deref(), Some("photos/+2006/z+z"));
        assert_eq!(c.delimiter.as_deref(), Some("/"));
        assert_eq!(c.contents[0].key, "photos/+2006/my+image.jpg");
        assert_eq!(c.contents[1].key, "photos/+2006/b%26c%22d%27e%3Cf%3E");
        assert_eq!(c.common_prefixes[0].prefix, "photos/+2006/feb+ruary/");
        // What the client ends up with after decoding.
        for (got, want) in c.contents.iter().zip(&v1().contents) {
            assert_eq!(unquote_plus(&got.key), want.key);
        }
        assert_eq!(unquote_plus(&c.marker), v1().marker);
    }

    fn v2() -> ListBucketResultV2 {
        ListBucketResultV2 {
            name: "bucket".into(),
            prefix: "a b/".into(),
            max_keys: 2,
            delimiter: Some("/".into()),
            is_truncated: true,
            continuation_token: Some("MS0xLTI=".into()),
            next_continuation_token: Some("Mi0zLTQ=".into()),
            start_after: Some("a b/0".into()),
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

    #[test]
    fn list_objects_v2() {
        let r = v2();
        let doc = r.to_xml();
        assert_root(&doc, "ListBucketResult");
        let c: CListV2 = parse(&doc);
        assert_eq!(c.name, "bucket");
        assert_eq!(c.prefix, "a b/");
        assert_eq!(c.max_keys, 2);
        assert_eq!(c.key_count, 3);
        assert_eq!(c.delimiter.as_deref(), Some("/"));
        assert!(c.is_truncated);
        assert_eq!(c.continuation_token.as_deref(), Some("MS0xLTI="));
        assert_eq!(c.next_continuation_token.as_deref(), Some("Mi0zLTQ="));
        assert_eq!(c.start_after.as_deref(), Some("a b/0"));
        assert_eq!(c.encoding_type, None);
        assert!(c.contents.iter().all(|o| o.owner.is_none()));
        assert!(!doc.contains("<Owner>"));
        let keys: Vec<_> = c.contents.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, ["a b/1", "a b/2"]);
        assert_eq!(c.common_prefixes[0].prefix, "a b/c/");

        // fetch-owner=true
        let mut with_owner = v2();
        with_owner.contents[0].owner = Some(owner());
        let c: CListV2 = parse(&with_owner.to_xml());
        assert_eq!(
            c.contents[0].owner.as_ref().map(|o| o.id.clone()),
            Some(owner().id)
        );
    }

    #[test]
    fn list_objects_v2_url_encoding_leaves_tokens_alone() {
        let mut r = v2();
        r.encoding_type = Some(EncodingType::Url);
        let c: CListV2 = parse(&r.to_xml());
        assert_eq!(c.encoding_type.as_deref(), Some("url"));
        assert_eq!(c.prefix, "a+b/");
        assert_eq!(c.start_after.as_deref(), Some("a+b/0"));
        assert_eq!(c.contents[0].key, "a+b/1");
        assert_eq!(c.common_prefixes[0].prefix, "a+b/c/");
        assert_eq!(c.continuation_token.as_deref(), Some("MS0xLTI="));
        assert_eq!(c.next_continuation_token.as_deref(), Some("Mi0zLTQ="));
        assert_eq!(c.key_count, 3);
    }

    #[test]
    fn list_object_versions() {
        let r = ListVersionsResult {
            name: "bucket".into(),
            prefix: "my".into(),
            key_marker: String::new(),
            version_id_marker: String::new(),
            next_key_marker: Some("my second image.jpg".into()),
            next_version_id_marker: Some("null".into()),
            max_keys: 1,
            delimiter: None,
            is_truncated: true,
            encoding_type: None,
            versions: vec![VersionInfo {
                key: "my image.jpg".into(),
                version_id: "null".into(),
                is_latest: true,
                last_modified_ms: 1_255_369_830_000,
                etag: "\"fba9dede5f27731c9771645a39863328\"".into(),
                size: 434_234,
                storage_class: "STANDARD".into(),
                owner: owner(),
            }],
            common_prefixes: vec![],
        };
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CVersion {
            key: String,
            version_id: String,
            is_latest: bool,
            last_modified: String,
            #[serde(rename = "ETag")]
            etag: String,
            size: u64,
            storage_class: String,
            owner: COwner,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            name: String,
            prefix: String,
            key_marker: String,
            version_id_marker: String,
            next_key_marker: Option<String>,
            next_version_id_marker: Option<String>,
            max_keys: u32,
            is_truncated: bool,
            encoding_type: Option<String>,
            #[serde(default)]
            version: Vec<CVersion>,
        }
        let doc = r.to_xml();
        assert_root(&doc, "ListVersionsResult");
        let c: C = parse(&doc);
        assert_eq!(c.name, "bucket");
        assert_eq!(c.prefix, "my");
        assert_eq!(c.key_marker, "");
        assert_eq!(c.version_id_marker, "");
        assert_eq!(c.next_key_marker.as_deref(), Some("my second image.jpg"));
        assert_eq!(c.next_version_id_marker.as_deref(), Some("null"));
        assert_eq!(c.max_keys, 1);
        assert!(c.is_truncated);
        let v = &c.version[0];
        assert_eq!(v.key, "my image.jpg");
        assert_eq!(v.version_id, "null");
        assert!(v.is_latest);
        assert_eq!(v.last_modified, "2009-10-12T17:50:30.000Z");
        // An ETag given with its quotes is not quoted twice.
        assert_eq!(v.etag, "\"fba9dede5f27731c9771645a39863328\"");
        assert_eq!(v.size, 434_234);
        assert_eq!(v.storage_class, "STANDARD");
        assert_eq!(v.owner.id, owner().id);

        let mut enc = r.clone();
        enc.encoding_type = Some(EncodingType::Url);
        let c: C = parse(&enc.to_xml());
        assert_eq!(c.encoding_type.as_deref(), Some("url"));
        assert_eq!(c.version[0].key, "my+image.jpg");
        assert_eq!(c.next_key_marker.as_deref(), Some("my+second+image.jpg"));
        assert_eq!(c.next_version_id_marker.as_deref(), Some("null"));
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct CChecksums {
        #[serde(rename = "ChecksumCRC32")]
        crc32: Option<String>,
        #[serde(rename = "ChecksumCRC32C")]
        crc32c: Option<String>,
        #[serde(rename = "ChecksumCRC64NVME")]
        crc64nvme: Option<String>,
        #[serde(rename = "ChecksumSHA1")]
        sha1: Option<String>,
        #[serde(rename = "ChecksumSHA256")]
        sha256: Option<String>,
        #[serde(rename = "ChecksumType")]
        checksum_type: Option<String>,
    }

    fn all_checksums() -> Checksums {
        Checksums {
            crc32: Some("i9aeUg==".into()),
            crc32c: Some("yZRlqg==".into()),
            crc64nvme: Some("iFH2Cv9dfmA=".into()),
            sha1: Some("qZk+NkcGgWq6PiVxeFDCbJzQ2J0=".into()),
            sha256: Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into()),
            checksum_type: Some("FULL_OBJECT".into()),
        }
    }

    fn client_checksums(c: &Checksums) -> CChecksums {
        CChecksums {
            crc32: c.crc32.clone(),
            crc32c: c.crc32c.clone(),
            crc64nvme: c.crc64nvme.clone(),
            sha1: c.sha1.clone(),
            sha256: c.sha256.clone(),
            checksum_type: c.checksum_type.clone(),
        }
    }

    #[test]
    fn complete_multipart_upload_result() {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            location: String,
            bucket: String,
            key: String,
            #[serde(rename = "ETag")]
            etag: String,
            // Spelled out: quick-xml's deserializer cannot flatten.
            #[serde(rename = "ChecksumCRC32")]
            crc32: Option<String>,
            #[serde(rename = "ChecksumCRC32C")]
            crc32c: Option<String>,
            #[serde(rename = "ChecksumCRC64NVME")]
            crc64nvme: Option<String>,
            #[serde(rename = "ChecksumSHA1")]
            sha1: Option<String>,
            #[serde(rename = "ChecksumSHA256")]
            sha256: Option<String>,
            #[serde(rename = "ChecksumType")]
            checksum_type: Option<String>,
        }
        impl C {
            fn checksums(&self) -> CChecksums {
                CChecksums {
                    crc32: self.crc32.clone(),
                    crc32c: self.crc32c.clone(),
                    crc64nvme: self.crc64nvme.clone(),
                    sha1: self.sha1.clone(),
                    sha256: self.sha256.clone(),
                    checksum_type: self.checksum_type.clone(),
                }
            }
        }
        let mut r = CompleteMultipartUploadResult {
            location: "http://localhost:9000/b/k%20x".into(),
            bucket: "b".into(),
            key: "k x".into(),
            etag: "3858f62230ac3c915f300c664312c11f-9".into(),
            checksums: Checksums::default(),
        };
        let doc = r.to_xml();
        assert_root(&doc, "CompleteMultipartUploadResult");
        assert!(!doc.contains("Checksum"), "{doc}");
        let c: C = parse(&doc);
        assert_eq!(c.location, r.location);
        assert_eq!(c.bucket, "b");
        assert_eq!(c.key, "k x");
        assert_eq!(c.etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
        assert_eq!(c.checksums(), CChecksums::default());

        r.checksums = all_checksums();
        let c: C = parse(&r.to_xml());
        assert_eq!(c.checksums(), client_checksums(&all_checksums()));
    }

    #[test]
    fn copy_results_share_a_shape_under_their_roots() {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            #[serde(rename = "ETag")]
            etag: String,
            last_modified: String,
            #[serde(rename = "ChecksumCRC32")]
            crc32: Option<String>,
            #[serde(rename = "ChecksumCRC32C")]
            crc32c: Option<String>,
        }
        let object = CopyObjectResult {
            etag: "9b2cf535f27731c974343645a3985328".into(),
            last_modified_ms: 1_255_369_830_000,
            checksums: Checksums {
                crc32c: Some("yZRlqg==".into()),
                ..Checksums::default()
            },
        };
        let part = CopyPartResult {
            etag: object.etag.clone(),
            last_modified_ms: object.last_modified_ms,
            checksums: object.checksums.clone(),
        };
        for (doc, root) in [
            (object.to_xml(), "CopyObjectResult"),
            (part.to_xml(), "CopyPartResult"),
        ] {
            assert_root(&doc, root);
            let c: C = parse(&doc);
            assert_eq!(c.etag, "\"9b2cf535f27731c974343645a3985328\"");
            assert_eq!(c.last_modified, "2009-10-12T17:50:30.000Z");
            assert_eq!(c.crc32c.as_deref(), Some("yZRlqg=="));
            assert_eq!(c.crc32, None);
        }
    }

    #[test]
    fn list_parts() {
        let r = ListPartsResult {
            bucket: "b".into(),
            key: "k".into(),
            upload_id: "u1".into(),
            part_number_marker: 1,
            next_part_number_marker: 3,
            max_parts: 2,
            is_truncated: true,
            parts: vec![
                PartInfo {
                    part_number: 2,
                    last_modified_ms: 1_291_039_026_000,
                    etag: "7778aef83f66abc1fa1e8477f296d394".into(),
                    size: 10_485_760,
                    checksums: Checksums {
                        sha256: Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into()),
                        ..Checksums::default()
                    },
                },
                PartInfo {
                    part_number: 3,
                    last_modified_ms: 1_291_039_026_001,
                    etag: "aaaa18db4cc2f85cedef654fccc4a4x8".into(),
                    size: 10_485_760,
                    checksums: Checksums::default(),
                },
            ],
            initiator: owner(),
            owner: Owner {
                id: "o".into(),
                display_name: None,
            },
            storage_class: "STANDARD".into(),
        };
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CPart {
            part_number: u32,
            last_modified: String,
            #[serde(rename = "ETag")]
            etag: String,
            size: u64,
            #[serde(rename = "ChecksumSHA256")]
            sha256: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            bucket: String,
            key: String,
            upload_id: String,
            part_number_marker: u32,
            next_part_number_marker: u32,
            max_parts: u32,
            is_truncated: bool,
            #[serde(default)]
            part: Vec<CPart>,
            initiator: COwner,
            owner: COwner,
            storage_class: String,
        }
        let doc = r.to_xml();
        assert_root(&doc, "ListPartsResult");
        let c: C = parse(&doc);
        assert_eq!(
            (c.bucket.as_str(), c.key.as_str(), c.upload_id.as_str()),
            ("b", "k", "u1")
        );
        assert_eq!(
            (c.part_number_marker, c.next_part_number_marker, c.max_parts),
            (1, 3, 2)
        );
        assert!(c.is_truncated);
        assert_eq!(c.part.len(), 2);
        assert_eq!(c.part[0].part_number, 2);
        assert_eq!(c.part[0].last_modified, "2010-11-29T13:57:06.000Z");
        assert_eq!(c.part[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
        assert_eq!(c.part[0].size, 10_485_760);
        assert_eq!(c.part[0].sha256, r.parts[0].checksums.sha256);
        assert_eq!(c.part[1].sha256, None);
        assert_eq!(c.initiator.id, owner().id);
        assert_eq!(
            c.owner,
            COwner {
                id: "o".into(),
                display_name: None
            }
        );
        assert_eq!(c.storage_class, "STANDARD");
    }

    #[test]
    fn list_multipart_uploads() {
        let upload = |key: &str, id: &str| UploadInfo {
            key: key.into(),
            upload_id: id.into(),
            initiator: owner(),
            owner: owner(),
            storage_class: "STANDARD".into(),
            initiated_ms: 1_291_039_026_000,
        };
        let r = ListMultipartUploadsResult {
            bucket: "b".into(),
            key_marker: String::new(),
            upload_id_marker: String::new(),
            next_key_marker: "my movie.m2ts".into(),
            next_upload_id_marker: "u3".into(),
            prefix: None,
            delimiter: Some("/".into()),
            max_uploads: 3,
            is_truncated: true,
            uploads: vec![upload("my divisor", "u1"), upload("my movie.m2ts", "u3")],
            common_prefixes: vec![CommonPrefix {
                prefix: "photos/".into(),
            }],
            encoding_type: None,
        };
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CUpload {
            key: String,
            upload_id: String,
            initiator: COwner,
            owner: COwner,
            storage_class: String,
            initiated: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            bucket: String,
            key_marker: String,
            upload_id_marker: String,
            next_key_marker: String,
            next_upload_id_marker: String,
            prefix: Option<String>,
            delimiter: Option<String>,
            max_uploads: u32,
            is_truncated: bool,
            #[serde(default)]
            upload: Vec<CUpload>,
            #[serde(default)]
            common_prefixes: Vec<CPrefix>,
            encoding_type: Option<String>,
        }
        let doc = r.to_xml();
        assert_root(&doc, "ListMultipartUploadsResult");
        let c: C = parse(&doc);
        assert_eq!(c.bucket, "b");
        assert_eq!(
            (c.key_marker.as_str(), c.upload_id_marker.as_str()),
            ("", "")
        );
        assert_eq!(c.next_key_marker, "my movie.m2ts");
        assert_eq!(c.next_upload_id_marker, "u3");
        assert_eq!(c.prefix, None);
        assert_eq!(c.delimiter.as_deref(), Some("/"));
        assert_eq!(c.max_uploads, 3);
        assert!(c.is_truncated);
        assert_eq!(c.upload.len(), 2);
        assert_eq!(c.upload[1].key, "my movie.m2ts");
        assert_eq!(c.upload[1].upload_id, "u3");
        assert_eq!(c.upload[1].initiator.id, owner().id);
        assert_eq!(c.upload[1].owner.id, owner().id);
        assert_eq!(c.upload[1].storage_class, "STANDARD");
        assert_eq!(c.upload[1].initiated, "2010-11-29T13:57:06.000Z");
        assert_eq!(c.common_prefixes[0].prefix, "photos/");
        assert_eq!(c.encoding_type, None);

        let mut enc = r.clone();
        enc.encoding_type = Some(EncodingType::Url);
        let c: C = parse(&enc.to_xml());
        assert_eq!(c.encoding_type.as_deref(), Some("url"));
        assert_eq!(c.next_key_marker, "my+movie.m2ts");
        assert_eq!(c.upload[0].key, "my+divisor");
        assert_eq!(c.next_upload_id_marker, "u3");
    }

    #[test]
    fn delete_result() {
        let r = DeleteResult {
            deleted: vec![
                DeletedObject {
                    key: "sample1.txt".into(),
                    version_id: None,
                },
                DeletedObject {
                    key: "a<b".into(),
                    version_id: Some("null".into()),
                },
            ],
            errors: vec![DeleteError::from_error(
                "sample2.txt",
                None,
                &S3Error::new(S3ErrorCode::AccessDenied),
            )],
        };
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CDeleted {
            key: String,
            version_id: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct CError {
            key: String,
            code: String,
            message: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct C {
            #[serde(default)]
            deleted: Vec<CDeleted>,
            #[serde(default)]
            error: Vec<CError>,
        }
        let doc = r.to_xml();
        assert_root(&doc, "DeleteResult");
        let c: C = parse(&doc);
        assert_eq!(c.deleted.len(), 2);
        assert_eq!(c.deleted[0].key, "sample1.txt");
        assert_eq!(c.deleted[0].version_id, None);
        assert_eq!(c.deleted[1].key, "a<b");
        assert_eq!(c.deleted[1].version_id.as_deref(), Some("null"));
        assert_eq!(c.error.len(), 1);
        assert_eq!(c.error[0].key, "sample2.txt");
        assert_eq!(c.error[0].code, "AccessDenied");
        assert_eq!(c.error[0].message, "Access Denied");

        let quiet = DeleteResult::default().to_xml();
        assert_eq!(
            quiet,
            format!("{XML_DECLARATION}<DeleteResult{XMLNS_ATTR}></DeleteResult>")
        );
    }

    #[test]
    fn characters_xml_cannot_hold_become_hex_references() {
        let mut r = v1();
        r.contents = vec![object("a\u{1}b\u{1b}c\u{fffe}\r\n\td")];
        let doc = r.to_xml();
        assert!(
            doc.contains("<Key>a&#x1;b&#x1b;c&#xfffe;&#13;\n\td</Key>"),
            "{doc}"
        );
        assert!(doc.chars().all(xml10_char));
        let c: CListV1 = parse(&doc);
        assert_eq!(c.contents[0].key, "a\u{1}b\u{1b}c\u{fffe}\r\n\td");
        // NUL is written, but no parser can read it back.
        r.contents = vec![object("a\0b")];
        assert!(r.to_xml().contains("<Key>a&#x0;b</Key>"));
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
            r.marker = marker.clone();
            r.contents = vec![object(&key)];
            r.common_prefixes = vec![CommonPrefix { prefix: key.clone() }];
            let doc = r.to_xml();
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
            let c: CListV2 = parse(&r.to_xml());
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

    // --- request documents -------------------------------------------------

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
            ("<CompleteMultipartUpload/>", |e| *e == XmlParseError::Missing("Part")),
            ("<CompleteMultipartUpload></CompleteMultipartUpload>", |e| {
                *e == XmlParseError::Missing("Part")
            }),
            ("<Delete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Delete>", |e| {
                *e == XmlParseError::WrongRoot("CompleteMultipartUpload")
            }),
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
            parse_complete_multipart_upload(
                b"<CompleteMultipartUpload>\xff</CompleteMultipartUpload>"
            ),
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
}
