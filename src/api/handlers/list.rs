//! Listing: ListObjects (V1), ListObjectsV2 and ListObjectVersions (every
//! object is its only version, "null").

use actix_web::http::StatusCode;

use crate::api::access::owner_of;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::make_continuation_token;
use crate::api::router::{ListArgs, ListV1Args, ListV2Args, ListVersionsArgs};
use crate::api::xml::{
    CommonPrefix, DeleteMarkerInfo, ListBucketResult, ListPaging, ListVersionsResult, ObjectInfo,
    Owner, VersionEntry, VersionInfo,
};
use crate::storage::meta::{
    ListPage, ListQuery, ListedObject, MetaRead, MetaReadResult, VersionsQuery,
};

/// One page of the bucket after `start_after`, `max_keys` entries at
/// most.
async fn page(
    r: &S3Request,
    gw: &Gateway,
    args: &ListArgs,
    start_after: Option<String>,
    max_keys: u32,
) -> Result<ListPage, S3Error> {
    let bucket = r.bucket();
    gw.objects.bucket(bucket).await?;
    let query = ListQuery {
        prefix: args.prefix.clone(),
        delimiter: args.delimiter.clone(),
        start_after,
        max_keys: max_keys as usize,
    };
    match gw
        .objects
        .read(MetaRead::Objects {
            bucket: bucket.to_string(),
            query,
        })
        .await?
    {
        // `max-keys=0` asks for no entry: AWS answers an empty page that
        // is not truncated.
        MetaReadResult::Objects(page) if max_keys == 0 => Ok(ListPage {
            is_truncated: false,
            next_marker: None,
            ..page
        }),
        MetaReadResult::Objects(page) => Ok(page),
        _ => Err(S3Error::new(S3ErrorCode::InternalError)),
    }
}

fn prefixes(page: &ListPage) -> Vec<CommonPrefix> {
    page.common_prefixes
        .iter()
        .map(|p| CommonPrefix { prefix: p.clone() })
        .collect()
}

/// The Contents entries of a page, each with `owner` if given.
fn contents(objects: Vec<ListedObject>, owner: Option<Owner>) -> Vec<ObjectInfo> {
    objects
        .into_iter()
        .map(|o| ObjectInfo {
            key: o.key,
            last_modified_ms: o.last_modified_ms,
            etag: o.etag,
            checksum_algorithm: None,
            size: o.size,
            storage_class: "STANDARD".into(),
            owner: owner.clone(),
        })
        .collect()
}

/// ListObjects (V1): a page after `marker`; `NextMarker` only with a
/// delimiter, as AWS.
pub(crate) async fn objects_v1(r: &S3Request, gw: &Gateway, args: ListV1Args) -> S3Result {
    let ListV1Args { list, marker } = args;
    let max = list.max_keys.clone()?;
    let page = page(r, gw, &list, marker.clone(), max).await?;
    let result = ListBucketResult {
        name: r.bucket().to_string(),
        prefix: list.prefix,
        page: ListPaging::Marker {
            marker: marker.unwrap_or_default(),
            next_marker: if list.delimiter.is_some() {
                page.next_marker.clone()
            } else {
                None
            },
        },
        max_keys: max,
        delimiter: list.delimiter,
        is_truncated: page.is_truncated,
        encoding_type: list.encoding?,
        common_prefixes: prefixes(&page),
        contents: contents(page.objects, Some(owner_of(r, ""))),
    };
    Ok(xml(StatusCode::OK, result.into_xml()))
}

/// ListObjectsV2: a page after the continuation token's key, else after
/// `start-after`; owners only with `fetch-owner=true`.
pub(crate) async fn objects_v2(r: &S3Request, gw: &Gateway, args: ListV2Args) -> S3Result {
    let ListV2Args {
        list,
        continuation_token,
        resume_after,
        start_after,
        fetch_owner,
    } = args;
    let max = list.max_keys.clone()?;
    let from = match resume_after? {
        Some(key) => Some(key),
        None => start_after.clone(),
    };
    let page = page(r, gw, &list, from, max).await?;
    let result = ListBucketResult {
        name: r.bucket().to_string(),
        prefix: list.prefix,
        max_keys: max,
        delimiter: list.delimiter,
        is_truncated: page.is_truncated,
        page: ListPaging::Token {
            // Echoed as sent, an empty one too.
            continuation_token,
            next_continuation_token: page
                .next_marker
                .as_deref()
                .filter(|_| page.is_truncated)
                .map(make_continuation_token),
            start_after,
        },
        encoding_type: list.encoding?,
        common_prefixes: prefixes(&page),
        contents: contents(page.objects, fetch_owner.then(|| owner_of(r, ""))),
    };
    Ok(xml(StatusCode::OK, result.into_xml()))
}

/// ListObjectVersions: every version and delete marker, newest first
/// within a key.
pub(crate) async fn versions(r: &S3Request, gw: &Gateway, args: ListVersionsArgs) -> S3Result {
    let ListVersionsArgs {
        list,
        key_marker,
        version_id_marker,
        version_marker,
    } = args;
    let max = list.max_keys.clone()?;
    let version_marker = version_marker?;
    if version_marker.is_some() && key_marker.is_none() {
        return Err(S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message("A version-id marker cannot be specified without a key marker."));
    }
    let query = VersionsQuery {
        prefix: list.prefix.clone(),
        delimiter: list.delimiter.clone(),
        key_marker: key_marker.clone(),
        version_marker,
        max_keys: usize::try_from(max).unwrap_or(usize::MAX),
    };
    let read = MetaRead::Versions {
        bucket: r.bucket().to_owned(),
        query,
    };
    let MetaReadResult::Versions(page) = gw.objects.read(read).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
    let entries = page
        .entries
        .into_iter()
        .map(|e| {
            let owner = owner_of(r, &e.owner);
            if e.delete_marker {
                VersionEntry::DeleteMarker(DeleteMarkerInfo {
                    key: e.key,
                    version_id: e.version.to_id(),
                    is_latest: e.is_latest,
                    last_modified_ms: e.last_modified_ms,
                    owner,
                })
            } else {
                VersionEntry::Version(VersionInfo {
                    key: e.key,
                    version_id: e.version.to_id(),
                    is_latest: e.is_latest,
                    last_modified_ms: e.last_modified_ms,
                    etag: e.etag,
                    size: e.size,
                    storage_class: "STANDARD".into(),
                    checksum_algorithm: None,
                    owner,
                })
            }
        })
        .collect();
    let result = ListVersionsResult {
        name: r.bucket().to_string(),
        prefix: list.prefix,
        key_marker: key_marker.unwrap_or_default(),
        version_id_marker,
        next_key_marker: page.next_key_marker,
        next_version_id_marker: page.next_version_marker.map(|v| v.to_id()),
        max_keys: max,
        delimiter: list.delimiter,
        is_truncated: page.is_truncated,
        encoding_type: list.encoding?,
        common_prefixes: page
            .common_prefixes
            .into_iter()
            .map(|prefix| CommonPrefix { prefix })
            .collect(),
        entries,
    };
    Ok(xml(StatusCode::OK, result.into_xml()))
}
