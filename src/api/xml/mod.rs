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
//! the handler answers as `MalformedXML`, except the few S3 answers with
//! another code (a CORS rule, a default retention period), which wrap it in
//! their document's own error type. Limiting the body size before parsing
//! is the caller's job.
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
//! server renders, `listing` the listings among them (written element by
//! element: a page holds a thousand entries), [`requests`] the ones it
//! parses, `render` what both use
//! (escaping, timestamps, the declaration), `parse_error` the
//! [`XmlParseError`] every parser returns and the limits it enforces, and
//! `error_document` the `<Error>` document of an `api::error::S3Error`
//! (this module imports `api::error`, never the reverse). Documents of one
//! sub-resource ([`acl`], [`cors`], [`tagging`], [`attributes`],
//! [`versioning`], [`object_lock`], [`lifecycle`]) have their own file.
//! This file only declares the modules and re-exports what callers name as
//! `xml::…`. The bodies' parsed values come from `api::request` and
//! `storage::meta`; neither imports this module.

mod error_document;
mod listing;
mod parse_error;
mod render;

pub(crate) mod acl;
pub(crate) mod attributes;
pub(crate) mod bucket_access;
pub(crate) mod cors;
pub(crate) mod encryption;
pub(crate) mod lifecycle;
pub(crate) mod notification;
pub(crate) mod object_lock;
pub(crate) mod requests;
pub(crate) mod responses;
pub(crate) mod select;
pub(crate) mod tagging;
#[cfg(test)]
mod tests;
pub(crate) mod version_listing;
pub(crate) mod versioning;

pub(crate) use crate::clock::format_timestamp;
pub(crate) use attributes::{AttributesPart, ObjectAttributes, ObjectParts};
pub(crate) use listing::{
    DeleteMarkerInfo, ListBucketResult, ListPaging, ListVersionsResult, ObjectInfo, VersionEntry,
    VersionInfo,
};
pub(crate) use object_lock::{
    legal_hold_to_xml, object_lock_configuration_to_xml, parse_legal_hold,
    parse_object_lock_configuration, parse_retention, retention_to_xml, ObjectLockParseError,
};
pub(crate) use render::{escape_text, Elements, EncodingType};
pub(crate) use requests::{
    parse_complete_multipart_upload, parse_create_bucket_configuration, parse_delete, CompletedPart,
};
pub(crate) use responses::{
    BucketInfo, Checksums, CommonPrefix, CompleteMultipartUploadResult, CopyObjectResult,
    CopyPartResult, DeleteError, DeleteResult, DeletedObject, InitiateMultipartUploadResult,
    ListAllMyBucketsResult, ListMultipartUploadsResult, ListPartsResult, LocationConstraint, Owner,
    PartInfo, UploadInfo,
};
pub(crate) use tagging::{parse_tagging, tagging_to_xml};
pub(crate) use versioning::{parse_versioning, versioning_configuration};

// Named only by the fuzzing entry points (compiled in tests too).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use parse_error::MAX_DELETE_OBJECTS;
