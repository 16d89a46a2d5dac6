//! What every document of the module shares: the XML declaration and S3
//! namespace, escaping of text (markup and the characters XML 1.0 cannot
//! hold, see the module documentation of `api::xml`), S3 timestamps, ETag
//! quoting, `encoding-type=url` key encoding, and the two ways a document
//! is written: quick-xml's serializer, and [`Elements`] (element by
//! element) for the listings and IAM's answers.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use quick_xml::se::{QuoteLevel, Serializer as XmlSerializer};
use serde::{Serialize, Serializer};

use crate::clock::{format_timestamp, write_timestamp};

/// Starts every document, as in AWS's responses.
pub(crate) const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The namespace AWS puts on the root of every response document.
pub(crate) const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Bytes left as they are by `encoding-type=url`.
const KEY_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'*')
    .remove(b'/');

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
pub(super) fn is_non_xml_char(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'
    )
}

/// Whether `text` has a byte that starts or is a character XML 1.0 cannot
/// hold: a control byte other than TAB, LF and CR, or 0xEF (U+FFFE and
/// U+FFFF begin with it). A byte test runs over a whole listing document
/// at memory speed; most documents have no such byte, and the rest are
/// checked character by character.
fn may_hold_non_xml_chars(text: &str) -> bool {
    text.bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF)
}

/// Replaces characters XML 1.0 cannot hold with `&#xN;`, as AWS does. Only
/// applied to escaped text or to whole serialized documents, where such a
/// character can only come from a value.
pub(super) fn escape_non_xml_chars(text: &str) -> Cow<'_, str> {
    if !may_hold_non_xml_chars(text) || !text.chars().any(is_non_xml_char) {
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
    // and numbers these types hold; every type is rendered by the tests. Were
    // it to fail, the client gets the empty root rather than half a document.
    if let Err(e) = written {
        tracing::error!(root, error = %e, "S3 response type cannot be serialized");
        body = format!("<{root}></{root}>");
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

pub(super) fn ser_timestamp<S: Serializer>(ms: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_timestamp(*ms))
}

/// AWS shows ETags quoted; accepts a value that already has its quotes.
pub(super) fn ser_etag<S: Serializer>(etag: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&quoted_etag(etag))
}

/// An ETag without the quotes it may be stored with.
fn unquoted_etag(etag: &str) -> &str {
    etag.trim_matches('"')
}

/// An ETag as shown: quoted once, however it is stored (always `"`,
/// [`unquoted_etag`], `"`).
fn quoted_etag(etag: &str) -> Cow<'_, str> {
    let bare = unquoted_etag(etag);
    if etag.len() == bare.len() + 2 && etag.starts_with('"') && etag.ends_with('"') {
        // Stored quoted once, as objects' ETags are: shown as it is.
        return Cow::Borrowed(etag);
    }
    Cow::Owned(format!("\"{bare}\""))
}

/// A document written element by element: the listings, whose pages
/// carry a thousand entries (quick-xml's serializer spent ~2.7 µs on each,
/// checking every element name as it wrote it: half of a page's CPU), and
/// IAM's and STS's flat answers. Values are escaped as the serializer
/// escapes them ([`escape_text`]), so the listings read as they did (their
/// tests hold the bytes).
pub(crate) struct Elements {
    out: String,
}

impl Elements {
    /// Starts the document `root` in namespace `ns`, with the declaration,
    /// in a buffer of `capacity` bytes.
    pub(crate) fn new(root: &str, ns: &str, capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        out.push_str(XML_DECLARATION);
        out.push('<');
        out.push_str(root);
        out.push_str(" xmlns=\"");
        out.push_str(ns);
        out.push_str("\">");
        Self { out }
    }

    /// `<name>`.
    pub(crate) fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>value</name>`, the value escaped.
    pub(crate) fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape_text(value));
        self.close(name)
    }

    /// [`text`](Self::text) if there is a value; nothing if not.
    pub(crate) fn text_opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }

    /// `<name>value</name>` for a number or a boolean (nothing to escape).
    pub(crate) fn value(&mut self, name: &str, value: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write as _;
        self.open(name);
        // Writing to a String cannot fail.
        let _ = write!(self.out, "{value}");
        self.close(name)
    }

    /// A time, as S3 shows times in XML.
    pub(crate) fn timestamp(&mut self, name: &str, ms: u64) -> &mut Self {
        self.open(name);
        write_timestamp(&mut self.out, ms);
        self.close(name)
    }

    /// An ETag as [`quoted_etag`] shows it, escaped (the quotes as
    /// `&quot;`) without building the quoted string first.
    pub(crate) fn etag(&mut self, name: &str, etag: &str) -> &mut Self {
        self.open(name);
        self.out.push_str("&quot;");
        self.out.push_str(&escape_text(unquoted_etag(etag)));
        self.out.push_str("&quot;");
        self.close(name)
    }

    /// Closes the root and gives the document.
    pub(crate) fn finish(mut self, root: &str) -> String {
        self.close(root);
        self.out
    }
}

pub(super) fn url_encode_in_place(value: &mut String) {
    *value = url_encode_key(value);
}

pub(super) fn url_encode_opt(value: &mut Option<String>) {
    if let Some(v) = value {
        url_encode_in_place(v);
    }
}

/// `encoding-type` of a listing request; AWS knows only `url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EncodingType {
    /// Key-valued fields are URL-encoded, see
    /// [`url_encode_key`].
    Url,
}

impl EncodingType {
    /// Parses the `encoding-type` query value; `None` means the caller answers
    /// `InvalidArgument`, as AWS does.
    pub(crate) fn from_query(value: &str) -> Option<EncodingType> {
        (value == "url").then_some(EncodingType::Url)
    }

    /// The value as the request and the answer carry it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EncodingType::Url => "url",
        }
    }
}

impl Serialize for EncodingType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `value`, with its key-valued fields URL-encoded by `encode` when the
/// request asked for `encoding-type=url`: the one path every listing's
/// `into_xml` takes (in place: a page of a thousand keys is not copied).
pub(super) fn url_encoded<T>(
    mut value: T,
    encoding: Option<EncodingType>,
    encode: impl FnOnce(&mut T),
) -> T {
    match encoding {
        None => {}
        Some(EncodingType::Url) => encode(&mut value),
    }
    value
}

/// URL-encodes the key-valued `field` of every item of a listing.
pub(super) fn url_encode_each<T>(items: &mut [T], field: impl Fn(&mut T) -> &mut String) {
    for item in items {
        url_encode_in_place(field(item));
    }
}
