//! The listing documents, ListObjects (V1 and V2) and ListObjectVersions:
//! a page carries up to a thousand entries, so they are written element by
//! element ([`Elements`]) rather than through serde, in AWS's element
//! order, with `encoding-type=url` applied in place.

use super::render::{
    url_encode_each, url_encode_in_place, url_encode_opt, url_encoded, Elements, EncodingType,
    S3_XMLNS,
};
use super::responses::{CommonPrefix, Owner};

/// An object in a listing (`Contents`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectInfo {
    /// Object key, unencoded.
    pub key: String,
    /// Last write, Unix milliseconds.
    pub last_modified_ms: u64,
    /// ETag without quotes (quotes are added on output).
    pub etag: String,
    /// Algorithm of the object's additional checksum, if it has one.
    pub checksum_algorithm: Option<String>,
    /// The whole object's size in bytes.
    pub size: u64,
    /// Storage class, `STANDARD` for us.
    pub storage_class: String,
    /// Always set in ListObjects V1; in V2 only with `fetch-owner=true`.
    pub owner: Option<Owner>,
}

impl ObjectInfo {
    fn write(&self, w: &mut Elements) {
        w.open("Contents")
            .text("Key", &self.key)
            .timestamp("LastModified", self.last_modified_ms)
            .etag("ETag", &self.etag)
            .text_opt("ChecksumAlgorithm", self.checksum_algorithm.as_deref())
            .value("Size", self.size)
            .text("StorageClass", &self.storage_class);
        if let Some(owner) = &self.owner {
            write_owner(w, owner);
        }
        w.close("Contents");
    }
}

/// `<Owner>`: its ID, and its display name if it has one.
fn write_owner(w: &mut Elements, owner: &Owner) {
    w.open("Owner")
        .text("ID", &owner.id)
        .text_opt("DisplayName", owner.display_name.as_deref())
        .close("Owner");
}

/// Every `CommonPrefixes` element of a page.
fn write_common_prefixes(w: &mut Elements, prefixes: &[CommonPrefix]) {
    for p in prefixes {
        w.open("CommonPrefixes")
            .text("Prefix", &p.prefix)
            .close("CommonPrefixes");
    }
}

/// Room for a page: the document's head, and about this much per entry.
const ENTRY_BYTES: usize = 256;

/// A ListObjects answer, V1 or V2: one document, `ListBucketResult`, whose
/// paging elements differ by version ([`ListPaging`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListBucketResult {
    /// The listed bucket, as named in the request.
    pub name: String,
    /// The request's `prefix` (empty if none).
    pub prefix: String,
    /// The request's `max-keys`.
    pub max_keys: u32,
    /// The request's `delimiter`, if any.
    pub delimiter: Option<String>,
    /// More results follow.
    pub is_truncated: bool,
    /// Set from the request; `to_xml` then encodes Delimiter, Key,
    /// CommonPrefixes and the page's key-valued elements.
    pub encoding_type: Option<EncodingType>,
    /// Objects, in key order; `owner` always set in V1, in V2 only with
    /// `fetch-owner=true`.
    pub contents: Vec<ObjectInfo>,
    /// Keys rolled up at the delimiter, each prefix once (empty without a
    /// delimiter).
    pub common_prefixes: Vec<CommonPrefix>,
    /// Where this page starts and the next one does.
    pub page: ListPaging,
}

/// How a listing pages: by key (V1) or by opaque token (V2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListPaging {
    /// ListObjects (V1).
    Marker {
        /// The request's `marker` (empty if none).
        marker: String,
        /// Where the next page starts; AWS sends it when truncated with a
        /// delimiter.
        next_marker: Option<String>,
    },
    /// ListObjectsV2. `KeyCount` is computed: Contents plus
    /// CommonPrefixes, as AWS counts it.
    Token {
        /// The request's `continuation-token`; opaque, never URL-encoded,
        /// so it must be made of XML-safe characters (e.g. base64url).
        continuation_token: Option<String>,
        /// Token for the next page, when truncated; same rules.
        next_continuation_token: Option<String>,
        /// The request's `start-after`, if any.
        start_after: Option<String>,
    },
}

impl ListBucketResult {
    /// The response document, with key fields encoded if asked.
    pub(crate) fn into_xml(self) -> String {
        let encoding = self.encoding_type;
        let doc = url_encoded(self, encoding, |e| {
            url_encode_opt(&mut e.delimiter);
            url_encode_each(&mut e.contents, |o| &mut o.key);
            url_encode_each(&mut e.common_prefixes, |p| &mut p.prefix);
            match &mut e.page {
                ListPaging::Marker {
                    marker,
                    next_marker,
                } => {
                    // The top-level Prefix of a V1 listing stays as it is:
                    // AWS does not encode it, and SDKs (botocore) do not
                    // decode it.
                    url_encode_in_place(marker);
                    url_encode_opt(next_marker);
                }
                ListPaging::Token { start_after, .. } => {
                    url_encode_in_place(&mut e.prefix);
                    url_encode_opt(start_after);
                }
            }
        });
        doc.write()
    }

    /// The document, in AWS's element order for either version (the
    /// elements of the other version left out).
    fn write(&self) -> String {
        const ROOT: &str = "ListBucketResult";
        let entries = self.contents.len() + self.common_prefixes.len();
        let mut w = Elements::new(ROOT, S3_XMLNS, ENTRY_BYTES * (entries + 2));
        w.text("Name", &self.name).text("Prefix", &self.prefix);
        if let ListPaging::Marker {
            marker,
            next_marker,
        } = &self.page
        {
            w.text("Marker", marker)
                .text_opt("NextMarker", next_marker.as_deref());
        }
        w.value("MaxKeys", self.max_keys);
        if let ListPaging::Token { .. } = &self.page {
            w.value("KeyCount", entries);
        }
        w.text_opt("Delimiter", self.delimiter.as_deref())
            .value("IsTruncated", self.is_truncated);
        if let ListPaging::Token {
            continuation_token,
            next_continuation_token,
            start_after,
        } = &self.page
        {
            w.text_opt("ContinuationToken", continuation_token.as_deref())
                .text_opt("NextContinuationToken", next_continuation_token.as_deref())
                .text_opt("StartAfter", start_after.as_deref());
        }
        w.text_opt("EncodingType", self.encoding_type.map(EncodingType::as_str));
        for object in &self.contents {
            object.write(&mut w);
        }
        write_common_prefixes(&mut w, &self.common_prefixes);
        w.finish(ROOT)
    }
}

/// An object version in ListObjectVersions (a `Version` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionInfo {
    /// Object key, unencoded.
    pub key: String,
    /// The version's id; `null` for one written while versioning was never
    /// on or suspended.
    pub version_id: String,
    /// Whether this is the key's current version.
    pub is_latest: bool,
    /// Last write, Unix milliseconds.
    pub last_modified_ms: u64,
    /// This version's ETag, without quotes (added on output).
    pub etag: String,
    /// Algorithm of the version's additional checksum, if it has one.
    pub checksum_algorithm: Option<String>,
    /// This version's size in bytes.
    pub size: u64,
    /// Storage class, `STANDARD` for us.
    pub storage_class: String,
    /// Who owns this version; every entry carries it, as in AWS's answer.
    pub owner: Owner,
}

/// A delete marker in ListObjectVersions (a `DeleteMarker` entry): a
/// version without data that makes its key read as absent while latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeleteMarkerInfo {
    /// Object key, unencoded.
    pub key: String,
    /// The marker's version id (`null` when made while suspended).
    pub version_id: String,
    /// Whether the marker is the key's current version.
    pub is_latest: bool,
    /// When the delete made it, Unix milliseconds.
    pub last_modified_ms: u64,
    /// Who made it.
    pub owner: Owner,
}

/// One entry of ListObjectVersions, written as a `Version` or a
/// `DeleteMarker` element in the order of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VersionEntry {
    /// A version with data.
    Version(VersionInfo),
    /// A delete marker.
    DeleteMarker(DeleteMarkerInfo),
}

impl VersionEntry {
    /// The entry's key, whichever kind it is, for `encoding-type=url`.
    fn key_mut(&mut self) -> &mut String {
        match self {
            VersionEntry::Version(v) => &mut v.key,
            VersionEntry::DeleteMarker(m) => &mut m.key,
        }
    }

    fn write(&self, w: &mut Elements) {
        match self {
            VersionEntry::Version(v) => {
                w.open("Version")
                    .text("Key", &v.key)
                    .text("VersionId", &v.version_id)
                    .value("IsLatest", v.is_latest)
                    .timestamp("LastModified", v.last_modified_ms)
                    .etag("ETag", &v.etag)
                    .text_opt("ChecksumAlgorithm", v.checksum_algorithm.as_deref())
                    .value("Size", v.size)
                    .text("StorageClass", &v.storage_class);
                write_owner(w, &v.owner);
                w.close("Version");
            }
            VersionEntry::DeleteMarker(m) => {
                w.open("DeleteMarker")
                    .text("Key", &m.key)
                    .text("VersionId", &m.version_id)
                    .value("IsLatest", m.is_latest)
                    .timestamp("LastModified", m.last_modified_ms);
                write_owner(w, &m.owner);
                w.close("DeleteMarker");
            }
        }
    }
}

/// ListObjectVersions answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListVersionsResult {
    /// The listed bucket, as named in the request.
    pub name: String,
    /// The request's `prefix` (empty if none).
    pub prefix: String,
    /// The request's `key-marker` (empty if none).
    pub key_marker: String,
    /// The request's `version-id-marker` (empty if none).
    pub version_id_marker: String,
    /// Where the next page starts, when truncated.
    pub next_key_marker: Option<String>,
    /// Version where the next page starts, when truncated.
    pub next_version_id_marker: Option<String>,
    /// The request's `max-keys`.
    pub max_keys: u32,
    /// The request's `delimiter`, if any.
    pub delimiter: Option<String>,
    /// More results follow.
    pub is_truncated: bool,
    /// Set from the request; `to_xml` then encodes Prefix, KeyMarker,
    /// NextKeyMarker, Delimiter, Key (of versions and delete markers) and
    /// CommonPrefixes.
    pub encoding_type: Option<EncodingType>,
    /// Versions and delete markers, written in this order: by key, and
    /// within a key newest first, both kinds mixed, as S3 lists them.
    pub entries: Vec<VersionEntry>,
    /// Keys rolled up at the delimiter, each prefix once (empty without a delimiter).
    pub common_prefixes: Vec<CommonPrefix>,
}

impl ListVersionsResult {
    /// The response document, with key fields encoded if asked.
    pub(crate) fn into_xml(self) -> String {
        let encoding = self.encoding_type;
        let doc = url_encoded(self, encoding, |e| {
            url_encode_in_place(&mut e.prefix);
            url_encode_in_place(&mut e.key_marker);
            url_encode_opt(&mut e.next_key_marker);
            url_encode_opt(&mut e.delimiter);
            url_encode_each(&mut e.entries, VersionEntry::key_mut);
            url_encode_each(&mut e.common_prefixes, |p| &mut p.prefix);
        });
        doc.write()
    }

    /// The document, in AWS's element order.
    fn write(&self) -> String {
        const ROOT: &str = "ListVersionsResult";
        let entries = self.entries.len() + self.common_prefixes.len();
        let mut w = Elements::new(ROOT, S3_XMLNS, ENTRY_BYTES * (entries + 2));
        w.text("Name", &self.name)
            .text("Prefix", &self.prefix)
            .text("KeyMarker", &self.key_marker)
            .text("VersionIdMarker", &self.version_id_marker)
            .text_opt("NextKeyMarker", self.next_key_marker.as_deref())
            .text_opt(
                "NextVersionIdMarker",
                self.next_version_id_marker.as_deref(),
            )
            .value("MaxKeys", self.max_keys)
            .text_opt("Delimiter", self.delimiter.as_deref())
            .value("IsTruncated", self.is_truncated)
            .text_opt("EncodingType", self.encoding_type.map(EncodingType::as_str));
        for entry in &self.entries {
            entry.write(&mut w);
        }
        write_common_prefixes(&mut w, &self.common_prefixes);
        w.finish(ROOT)
    }
}
