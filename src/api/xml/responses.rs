//! Documents the server renders: listings, multipart and copy results,
//! DeleteObjects answers. Each type holds raw values and its `to_xml` adds
//! what AWS adds (declaration, namespace, quoted ETags, ISO-8601 times,
//! `encoding-type=url`), so no handler can forget one of them.

use serde::{Serialize, Serializer};

use super::render::{
    render, ser_etag, ser_timestamp, url_encode_each, url_encode_in_place, url_encode_opt,
    url_encoded, EncodingType,
};
use crate::api::error::{S3Error, S3ErrorCode};

/// Owner of a bucket or object, and the `Initiator` of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Owner {
    /// Canonical user id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Display name; AWS is phasing it out, so it may be left out.
    #[serde(rename = "DisplayName", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// A rolled-up prefix in a listing (`CommonPrefixes`), of objects or of
/// uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CommonPrefix {
    /// The prefix up to and including the delimiter, unencoded.
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// Checksums of an object or part, as base64 of the big-endian digest.
///
/// Appears flattened in CompleteMultipartUpload, CopyObject, UploadPartCopy
/// and ListParts answers; unset ones are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Checksums {
    /// CRC-32 (IEEE) of the data, base64 of its 4 bytes (`ChecksumCRC32`).
    #[serde(rename = "ChecksumCRC32", skip_serializing_if = "Option::is_none")]
    pub crc32: Option<String>,
    /// CRC-32C (Castagnoli), base64 of its 4 bytes (`ChecksumCRC32C`).
    #[serde(rename = "ChecksumCRC32C", skip_serializing_if = "Option::is_none")]
    pub crc32c: Option<String>,
    /// CRC-64/NVME, base64 of its 8 bytes (`ChecksumCRC64NVME`).
    #[serde(rename = "ChecksumCRC64NVME", skip_serializing_if = "Option::is_none")]
    pub crc64nvme: Option<String>,
    /// SHA-1, base64 of its 20 bytes (`ChecksumSHA1`).
    #[serde(rename = "ChecksumSHA1", skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// SHA-256, base64 of its 32 bytes (`ChecksumSHA256`).
    #[serde(rename = "ChecksumSHA256", skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// `ChecksumType`: `FULL_OBJECT` or `COMPOSITE`.
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<String>,
}

/// A bucket in ListBuckets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct BucketInfo {
    /// The bucket's name, as stored (bucket names are already URL- and XML-safe).
    #[serde(rename = "Name")]
    pub name: String,
    /// Creation time, Unix milliseconds.
    #[serde(rename = "CreationDate", serialize_with = "ser_timestamp")]
    pub creation_date_ms: u64,
    /// The region it was created in.
    #[serde(rename = "BucketRegion")]
    pub region: String,
}

/// ListBuckets answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ListAllMyBucketsResult {
    /// The caller, who owns every bucket listed.
    #[serde(rename = "Owner")]
    pub owner: Owner,
    /// The caller's buckets, inside one `Buckets` element.
    #[serde(rename = "Buckets", serialize_with = "ser_buckets")]
    pub buckets: Vec<BucketInfo>,
    /// Where the next page starts, when this one is cut short.
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The `prefix` the listing was asked for.
    #[serde(rename = "Prefix", skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
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
    pub(crate) fn to_xml(&self) -> String {
        render("ListAllMyBucketsResult", self)
    }
}

/// GetBucketLocation answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocationConstraint {
    /// The bucket's region; `us-east-1` (or empty) is shown as an empty
    /// element, as AWS does for its oldest region.
    pub region: String,
}

impl LocationConstraint {
    /// The response document.
    pub(crate) fn to_xml(&self) -> String {
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

/// CreateMultipartUpload answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InitiateMultipartUploadResult {
    /// The bucket the upload will write to.
    pub bucket: String,
    /// The key the upload will create, unencoded (this answer has no `encoding-type`).
    pub key: String,
    /// The new upload's id; must be XML- and URL-safe.
    pub upload_id: String,
}

impl InitiateMultipartUploadResult {
    /// The response document.
    pub(crate) fn to_xml(&self) -> String {
        render("InitiateMultipartUploadResult", self)
    }
}

/// CompleteMultipartUpload answer (sent with status 200; a failure found
/// after the 200 has started is an `<Error>` document instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CompleteMultipartUploadResult {
    /// URL of the new object.
    pub location: String,
    /// The bucket of the new object.
    pub bucket: String,
    /// The key of the new object, unencoded.
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
    pub(crate) fn to_xml(&self) -> String {
        render("CompleteMultipartUploadResult", self)
    }
}

/// CopyObject answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CopyObjectResult {
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
    pub(crate) fn to_xml(&self) -> String {
        render("CopyObjectResult", self)
    }
}

/// UploadPartCopy answer: CopyObjectResult's shape under another root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CopyPartResult {
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
    pub(crate) fn to_xml(&self) -> String {
        render("CopyPartResult", self)
    }
}

/// A part in ListParts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PartInfo {
    /// 1..=10,000.
    pub part_number: u32,
    /// Upload time, Unix milliseconds.
    #[serde(rename = "LastModified", serialize_with = "ser_timestamp")]
    pub last_modified_ms: u64,
    /// ETag of the part without quotes.
    #[serde(rename = "ETag", serialize_with = "ser_etag")]
    pub etag: String,
    /// The part's size in bytes, as uploaded.
    pub size: u64,
    /// The part's checksums, if any (leave `checksum_type` unset).
    #[serde(flatten)]
    pub checksums: Checksums,
}

/// ListParts answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListPartsResult {
    /// The bucket the upload writes to.
    pub bucket: String,
    /// The key the upload will create, unencoded.
    pub key: String,
    /// The upload whose parts are listed, as the request named it.
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
    pub(crate) fn to_xml(&self) -> String {
        render("ListPartsResult", self)
    }
}

/// An in-progress upload in ListMultipartUploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UploadInfo {
    /// Object key, unencoded.
    pub key: String,
    /// The id the client passes to UploadPart, CompleteMultipartUpload or
    /// AbortMultipartUpload.
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
pub(crate) struct ListMultipartUploadsResult {
    /// The listed bucket, as named in the request.
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
    /// Keys rolled up at the delimiter, each prefix once (empty without a delimiter).
    pub common_prefixes: Vec<CommonPrefix>,
    /// Set from the request; `to_xml` then encodes KeyMarker, NextKeyMarker,
    /// Prefix, Delimiter, Key and CommonPrefixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<EncodingType>,
}

impl ListMultipartUploadsResult {
    /// The response document, with key fields encoded if asked.
    pub(crate) fn into_xml(self) -> String {
        let encoding = self.encoding_type;
        let doc = url_encoded(self, encoding, |e| {
            url_encode_in_place(&mut e.key_marker);
            url_encode_in_place(&mut e.next_key_marker);
            url_encode_opt(&mut e.prefix);
            url_encode_opt(&mut e.delimiter);
            url_encode_each(&mut e.uploads, |u| &mut u.key);
            url_encode_each(&mut e.common_prefixes, |p| &mut p.prefix);
        });
        render("ListMultipartUploadsResult", &doc)
    }
}

/// A key DeleteObjects removed (or found absent, which S3 also reports as
/// deleted). Left out of the answer in quiet mode. Elements in AWS's
/// order: Key, VersionId, DeleteMarker, DeleteMarkerVersionId.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeletedObject {
    /// The key as the request named it, unencoded.
    pub key: String,
    /// Version id, if the request named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The delete made a delete marker (no version named, versioning on or
    /// suspended), or removed the named version that was one. Written only
    /// when true.
    #[serde(skip_serializing_if = "is_false")]
    pub delete_marker: bool,
    /// The id of the delete marker made or removed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_marker_version_id: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A key DeleteObjects could not remove (an `Error` entry: Key, VersionId,
/// Code, Message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteError {
    /// The key as the request named it, unencoded.
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
    pub(crate) fn from_error(
        key: impl Into<String>,
        version_id: Option<String>,
        err: &S3Error,
    ) -> Self {
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
pub(crate) struct DeleteResult {
    /// Removed keys (empty in quiet mode).
    #[serde(rename = "Deleted")]
    pub deleted: Vec<DeletedObject>,
    /// Keys that could not be removed, each with its S3 error code.
    #[serde(rename = "Error")]
    pub errors: Vec<DeleteError>,
}

impl DeleteResult {
    /// The response document.
    pub(crate) fn to_xml(&self) -> String {
        render("DeleteResult", self)
    }
}
