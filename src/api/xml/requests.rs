//! Documents the server parses: CompleteMultipartUpload, DeleteObjects and
//! CreateBucket bodies. Structure is checked strictly before serde sees the
//! text (see the parent module), and every failure is an [`XmlParseError`].

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::parse_error::{XmlParseError, MAX_DELETE_OBJECTS, MAX_XML_DEPTH};
use super::responses::Checksums;
use crate::api::request::parse_http_date_secs;
use crate::storage::meta::DeleteCondition;

/// CompleteMultipartUpload request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompleteMultipartUpload {
    /// Parts as listed; order and existence are checked by the caller
    /// (`InvalidPartOrder`, `InvalidPart`).
    pub parts: Vec<CompletedPart>,
}

/// One part of a CompleteMultipartUpload request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompletedPart {
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
pub(crate) struct Delete {
    /// Report only failures.
    pub quiet: bool,
    /// 1..=1000 keys, as listed.
    pub objects: Vec<ObjectIdentifier>,
}

/// One key of a DeleteObjects request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectIdentifier {
    /// Object key, as sent (character references already resolved).
    pub key: String,
    /// Version id, if given.
    pub version_id: Option<String>,
    /// What the current version must be for it to be deleted (`ETag`,
    /// `LastModifiedTime`, `Size`).
    pub condition: DeleteCondition,
}

/// CreateBucket request body (which may be absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CreateBucketConfiguration {
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
    #[serde(rename = "ETag", default)]
    etag: Option<String>,
    #[serde(rename = "LastModifiedTime", default)]
    last_modified_time: Option<String>,
    #[serde(rename = "Size", default)]
    size: Option<u64>,
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
pub(super) fn check_document<'a>(
    body: &'a [u8],
    root: &'static str,
) -> Result<&'a str, XmlParseError> {
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

pub(super) fn schema(e: quick_xml::DeError) -> XmlParseError {
    XmlParseError::Schema(e.to_string())
}

/// An optional element's text, trimmed; an empty element counts as absent
/// (as S3 reads `<Status/>` in PutBucketVersioning).
pub(super) fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Strips the quotes (and stray whitespace) clients may or may not put
/// around an ETag.
fn unquote_etag(etag: &str) -> String {
    etag.trim().trim_matches('"').to_owned()
}

/// Parses a CompleteMultipartUpload body; at least one `Part` is required.
pub(crate) fn parse_complete_multipart_upload(
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
pub(crate) fn parse_delete(body: &[u8]) -> Result<Delete, XmlParseError> {
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
        .map(|o| {
            let last_modified_s = match o.last_modified_time.as_deref() {
                None => None,
                Some(t) => Some(parse_timestamp_secs(t).ok_or_else(|| {
                    XmlParseError::Schema(format!("LastModifiedTime {t:?} is not a timestamp"))
                })?),
            };
            Ok(ObjectIdentifier {
                key: o.key,
                version_id: o.version_id,
                condition: DeleteCondition {
                    etag: o.etag.map(|e| e.trim().trim_matches('"').to_string()),
                    last_modified_s,
                    size: o.size,
                },
            })
        })
        .collect::<Result<_, XmlParseError>>()?;
    Ok(Delete {
        quiet: raw.quiet,
        objects,
    })
}

/// Whole seconds since the epoch of a timestamp as SDKs write it in a
/// DeleteObjects body: an HTTP date (the API model's format for
/// `LastModifiedTime`) or ISO 8601 (`2024-01-02T03:04:05.000Z`).
fn parse_timestamp_secs(text: &str) -> Option<u64> {
    if let Some(secs) = parse_http_date_secs(text) {
        return Some(secs);
    }
    let t =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    u64::try_from(t.unix_timestamp()).ok()
}

/// Parses a CreateBucket body; an empty (or all-whitespace) body is the
/// default configuration.
pub(crate) fn parse_create_bucket_configuration(
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
