//! The typed arguments of the operations that take query parameters,
//! parsed by the router once. A bad value is kept as its S3 error
//! ([`Arg`]) and told where the operation judges it (after authorization,
//! in the order the handler reads its arguments), so every request is
//! answered exactly as when handlers parsed the query themselves.

use super::query::Query;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::{parse_continuation_token, parse_max_keys, parse_part_number};
use crate::api::xml::EncodingType;
use crate::storage::meta::version::VersionRef;

/// A parsed query argument, or the S3 error its value earns, which the
/// handler returns at the point it reads the argument.
pub(crate) type Arg<T> = Result<T, S3Error>;

/// The most entries any listing page holds, and its default size.
const PAGE_CAP: u32 = 1000;

/// Most buckets on one ListBuckets page (AWS's `max-buckets` limit).
pub(crate) const MAX_BUCKETS: u32 = 10_000;

fn invalid(message: &str) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidArgument).with_message(message)
}

/// A page size parameter (`max-keys`, `max-parts`, `max-uploads`):
/// 1000 when absent, at most 1000.
fn page_size(q: &Query<'_>, name: &str) -> Arg<u32> {
    parse_max_keys(q.get(name), PAGE_CAP, PAGE_CAP).map_err(S3Error::from)
}

/// ListBuckets' pagination and filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListBucketsArgs {
    /// `max-buckets`: 1 to 10,000 buckets a page; 10,000 when absent.
    pub max_buckets: Arg<u32>,
    /// The last bucket name of the previous page, decoded from a non-empty
    /// `continuation-token` (base64url of the name).
    pub after: Arg<Option<String>>,
    /// `prefix` as sent: only names starting with it are listed, and the
    /// answer echoes it.
    pub prefix: Option<String>,
    /// `bucket-region`: only buckets of that region are listed.
    pub bucket_region: Option<String>,
}

impl ListBucketsArgs {
    pub(super) fn parse(q: &Query<'_>) -> ListBucketsArgs {
        let max_buckets = match q.get("max-buckets") {
            None => Ok(MAX_BUCKETS),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_BUCKETS).contains(n))
                .ok_or_else(|| invalid("max-buckets must be 1 to 10000")),
        };
        let after = match q.non_empty("continuation-token") {
            None => Ok(None),
            Some(t) => decode_bucket_token(&t)
                .map(Some)
                .ok_or_else(|| invalid("The continuation token provided is incorrect")),
        };
        ListBucketsArgs {
            max_buckets,
            after,
            prefix: q.owned("prefix"),
            bucket_region: q.owned("bucket-region"),
        }
    }
}

/// A ListBuckets continuation token: the last name listed, base64url.
pub(crate) fn encode_bucket_token(name: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name)
}

fn decode_bucket_token(token: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// What the three object listings share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListArgs {
    /// `prefix` (empty when absent): only keys starting with it are
    /// listed.
    pub prefix: String,
    /// `delimiter`, when non-empty: keys with it past the prefix are
    /// rolled up into common prefixes.
    pub delimiter: Option<String>,
    /// `max-keys`: entries a page holds, 1000 when absent, at most 1000.
    pub max_keys: Arg<u32>,
    /// `encoding-type`: `url` asks for URL-encoded keys; any other value
    /// is `InvalidArgument`.
    pub encoding: Arg<Option<EncodingType>>,
}

impl ListArgs {
    fn parse(q: &Query<'_>) -> ListArgs {
        let encoding = match q.get("encoding-type") {
            None => Ok(None),
            Some(v) => EncodingType::from_query(v)
                .map(Some)
                .ok_or_else(|| invalid("Invalid Encoding Method specified in Request")),
        };
        ListArgs {
            prefix: q.get("prefix").unwrap_or_default().to_string(),
            delimiter: q.non_empty("delimiter"),
            max_keys: page_size(q, "max-keys"),
            encoding,
        }
    }
}

/// ListObjects (V1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListV1Args {
    /// Prefix, delimiter, page size and encoding.
    pub list: ListArgs,
    /// `marker`, when non-empty: list the keys after it.
    pub marker: Option<String>,
}

impl ListV1Args {
    pub(super) fn parse(q: &Query<'_>) -> ListV1Args {
        ListV1Args {
            list: ListArgs::parse(q),
            marker: q.non_empty("marker"),
        }
    }
}

/// ListObjectsV2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListV2Args {
    /// Prefix, delimiter, page size and encoding.
    pub list: ListArgs,
    /// `continuation-token` as sent, an empty one too (the answer echoes
    /// it).
    pub continuation_token: Option<String>,
    /// The key a non-empty `continuation-token` resumes after; a token
    /// that does not decode is `InvalidArgument`.
    pub resume_after: Arg<Option<String>>,
    /// `start-after`, when non-empty: list the keys after it (a
    /// continuation token wins).
    pub start_after: Option<String>,
    /// `fetch-owner=true`: each entry names its owner.
    pub fetch_owner: bool,
}

impl ListV2Args {
    pub(super) fn parse(q: &Query<'_>) -> ListV2Args {
        let resume_after = match q.non_empty("continuation-token") {
            None => Ok(None),
            Some(t) => parse_continuation_token(&t)
                .map(Some)
                .map_err(S3Error::from),
        };
        ListV2Args {
            list: ListArgs::parse(q),
            continuation_token: q.owned("continuation-token"),
            resume_after,
            start_after: q.non_empty("start-after"),
            fetch_owner: q.get("fetch-owner") == Some("true"),
        }
    }
}

/// ListObjectVersions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListVersionsArgs {
    /// Prefix, delimiter, page size and encoding.
    pub list: ListArgs,
    /// `key-marker`, when non-empty: list the keys after it.
    pub key_marker: Option<String>,
    /// `version-id-marker` as sent (empty when absent), echoed.
    pub version_id_marker: String,
    /// The same, read: the version of `key_marker` to start after.
    pub version_marker: Arg<Option<VersionRef>>,
}

impl ListVersionsArgs {
    pub(super) fn parse(q: &Query<'_>) -> ListVersionsArgs {
        ListVersionsArgs {
            list: ListArgs::parse(q),
            key_marker: q.non_empty("key-marker"),
            version_id_marker: q.get("version-id-marker").unwrap_or_default().to_string(),
            version_marker: match q.non_empty("version-id-marker") {
                None => Ok(None),
                Some(id) => VersionRef::parse(&id).map(Some).ok_or_else(|| {
                    S3Error::new(S3ErrorCode::InvalidArgument)
                        .with_message("Invalid version id specified")
                }),
            },
        }
    }
}

/// ListMultipartUploads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListUploadsArgs {
    /// `prefix` as sent: only uploads of keys starting with it are
    /// listed, and the answer echoes it.
    pub prefix: Option<String>,
    /// `key-marker` as sent: list the uploads after this key (an empty
    /// one is none).
    pub key_marker: Option<String>,
    /// `upload-id-marker` as sent: with `key-marker`, the uploads of that
    /// key after this one (an empty one is none).
    pub upload_id_marker: Option<String>,
    /// `max-uploads`: uploads a page holds, 1000 when absent, at most 1000.
    pub max_uploads: Arg<u32>,
}

impl ListUploadsArgs {
    pub(super) fn parse(q: &Query<'_>) -> ListUploadsArgs {
        ListUploadsArgs {
            prefix: q.owned("prefix"),
            key_marker: q.owned("key-marker"),
            upload_id_marker: q.owned("upload-id-marker"),
            max_uploads: page_size(q, "max-uploads"),
        }
    }
}

/// ListParts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListPartsArgs {
    /// The `uploadId` whose parts are listed.
    pub upload_id: String,
    /// `max-parts`: parts a page holds, 1000 when absent, at most 1000.
    pub max_parts: Arg<u32>,
    /// `part-number-marker`: list the parts numbered above it (0 when
    /// absent); not a number is `InvalidArgument`.
    pub part_number_marker: Arg<u32>,
}

impl ListPartsArgs {
    pub(super) fn parse(q: &Query<'_>, upload_id: String) -> ListPartsArgs {
        let part_number_marker = match q.get("part-number-marker") {
            Some(m) => m
                .parse()
                .map_err(|_| S3Error::new(S3ErrorCode::InvalidArgument)),
            None => Ok(0),
        };
        ListPartsArgs {
            upload_id,
            max_parts: page_size(q, "max-parts"),
            part_number_marker,
        }
    }
}

/// GetObject and HeadObject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadArgs {
    /// `partNumber`: read only that part of a multipart object (1 to
    /// 10,000); told after the object's conditions are judged.
    pub part_number: Arg<Option<u32>>,
    /// `versionId`: the version asked for (`InvalidArgument` if it names
    /// none this store could have written).
    pub version: Arg<Option<VersionRef>>,
}

impl ReadArgs {
    pub(super) fn parse(q: &Query<'_>) -> ReadArgs {
        let part_number = match q.get("partNumber") {
            None => Ok(None),
            Some(v) => parse_part_number(v).map(Some).map_err(S3Error::from),
        };
        ReadArgs {
            part_number,
            version: version_arg(q),
        }
    }
}

/// The `versionId` a request names, if any; one this store could not
/// have written is `InvalidArgument`, as AWS answers it.
pub(crate) fn version_arg(q: &Query<'_>) -> Arg<Option<VersionRef>> {
    match q.get("versionId") {
        None => Ok(None),
        Some(id) => VersionRef::parse(id).map(Some).ok_or_else(|| {
            S3Error::new(S3ErrorCode::InvalidArgument).with_message("Invalid version id specified")
        }),
    }
}
