//! Listing: ListObjects (V1), ListObjectsV2 and ListObjectVersions (every
//! object is its only version, "null").

use actix_web::http::StatusCode;

use super::access::owner_of;
use super::error::{S3Error, S3ErrorCode};
use super::request::{make_continuation_token, parse_continuation_token, parse_max_keys};
use super::s3::{xml, Gateway, S3Request, S3Result};
use super::xml::{
    CommonPrefix, EncodingType, ListBucketResultV1, ListBucketResultV2, ListVersionsResult,
    ObjectInfo, Owner, VersionInfo,
};
use crate::storage::meta::{ListPage, ListQuery, MetaRead, MetaReadResult, ObjectRecord};

/// One page of the bucket after `start_after`.
async fn page(
    r: &S3Request,
    gw: &Gateway,
    start_after: Option<String>,
    max_keys: u32,
) -> Result<ListPage, S3Error> {
    let bucket = r.bucket();
    gw.objects.bucket(bucket).await?;
    let query = ListQuery {
        prefix: r.q("prefix").unwrap_or_default().to_string(),
        delimiter: r
            .q("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
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

fn encoding(r: &S3Request) -> Result<Option<EncodingType>, S3Error> {
    match r.q("encoding-type") {
        None => Ok(None),
        Some(v) => EncodingType::from_query(v).map(Some).ok_or_else(|| {
            S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message("Invalid Encoding Method specified in Request")
        }),
    }
}

fn max_keys(r: &S3Request) -> Result<u32, S3Error> {
    Ok(parse_max_keys(r.q("max-keys"), 1000, 1000)?)
}

fn prefixes(page: &ListPage) -> Vec<CommonPrefix> {
    page.common_prefixes
        .iter()
        .map(|p| CommonPrefix { prefix: p.clone() })
        .collect()
}

/// The Contents entries of a page, each with `owner` if given.
fn contents(objects: Vec<ObjectRecord>, owner: Option<Owner>) -> Vec<ObjectInfo> {
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

/// ListObjects (V1).
pub(crate) async fn objects_v1(r: &S3Request, gw: &Gateway) -> S3Result {
    let max = max_keys(r)?;
    let marker = r.q("marker").filter(|m| !m.is_empty()).map(str::to_string);
    let page = page(r, gw, marker.clone(), max).await?;
    let delimiter = r
        .q("delimiter")
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let result = ListBucketResultV1 {
        name: r.bucket().to_string(),
        prefix: r.q("prefix").unwrap_or_default().to_string(),
        marker: marker.unwrap_or_default(),
        next_marker: if delimiter.is_some() {
            page.next_marker.clone()
        } else {
            None
        },
        max_keys: max,
        delimiter,
        is_truncated: page.is_truncated,
        encoding_type: encoding(r)?,
        common_prefixes: prefixes(&page),
        contents: contents(page.objects, Some(owner_of(r, ""))),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// ListObjectsV2.
pub(crate) async fn objects_v2(r: &S3Request, gw: &Gateway) -> S3Result {
    let max = max_keys(r)?;
    // An empty token is no token (clients send `continuation-token=`).
    let token = r
        .q("continuation-token")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let start_after = r
        .q("start-after")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let from = match &token {
        Some(t) => Some(parse_continuation_token(t)?),
        None => start_after.clone(),
    };
    let page = page(r, gw, from, max).await?;
    let fetch_owner = r.q("fetch-owner") == Some("true");
    let result = ListBucketResultV2 {
        name: r.bucket().to_string(),
        prefix: r.q("prefix").unwrap_or_default().to_string(),
        max_keys: max,
        delimiter: r
            .q("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        is_truncated: page.is_truncated,
        // Echoed as sent, an empty one too.
        continuation_token: r.q("continuation-token").map(str::to_string),
        next_continuation_token: page
            .next_marker
            .as_deref()
            .filter(|_| page.is_truncated)
            .map(make_continuation_token),
        start_after,
        encoding_type: encoding(r)?,
        common_prefixes: prefixes(&page),
        contents: contents(page.objects, fetch_owner.then(|| owner_of(r, ""))),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// ListObjectVersions: each object once, version "null", latest.
pub(crate) async fn versions(r: &S3Request, gw: &Gateway) -> S3Result {
    let max = max_keys(r)?;
    let marker = r
        .q("key-marker")
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    let page = page(r, gw, marker.clone(), max).await?;
    let result = ListVersionsResult {
        name: r.bucket().to_string(),
        prefix: r.q("prefix").unwrap_or_default().to_string(),
        key_marker: marker.unwrap_or_default(),
        version_id_marker: r.q("version-id-marker").unwrap_or_default().to_string(),
        next_key_marker: page.next_marker.clone().filter(|_| page.is_truncated),
        next_version_id_marker: page.is_truncated.then(|| "null".to_string()),
        max_keys: max,
        delimiter: r
            .q("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        is_truncated: page.is_truncated,
        encoding_type: encoding(r)?,
        common_prefixes: prefixes(&page),
        versions: page
            .objects
            .into_iter()
            .map(|o| VersionInfo {
                key: o.key,
                version_id: "null".into(),
                is_latest: true,
                last_modified_ms: o.last_modified_ms,
                etag: o.etag,
                size: o.size,
                storage_class: "STANDARD".into(),
                owner: owner_of(r, &o.owner),
            })
            .collect(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}
