//! GetObjectAttributes: what a client can learn of an object without
//! reading it (ETag, checksum, parts, storage class, size), as asked in
//! `x-amz-object-attributes`.

use actix_web::http::StatusCode;

use super::encryption::read_key;
use super::object::{checksum_elements, part_checksum_elements};
use super::versioning::{named_version, with_version_id};
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::{http_date, parse_max_keys};
use crate::api::xml::{AttributesPart, ObjectAttributes, ObjectParts};

/// Most parts in one answer (AWS's default and cap).
const MAX_PARTS: u32 = 1000;

/// The attributes a client may ask for.
const ATTRIBUTES: &[&str] = &[
    "ETag",
    "Checksum",
    "ObjectParts",
    "StorageClass",
    "ObjectSize",
];

/// GetObjectAttributes: the attributes `x-amz-object-attributes` names,
/// parts paginated by `x-amz-max-parts` and `x-amz-part-number-marker`.
pub(crate) async fn get(r: &S3Request, gw: &Gateway) -> S3Result {
    // One header with a comma list, or the header repeated (as some
    // SDKs send a list).
    let wanted: Vec<&str> = r
        .headers()
        .get_all("x-amz-object-attributes")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    if wanted.is_empty() || wanted.iter().any(|a| !ATTRIBUTES.contains(a)) {
        return Err(S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message("Invalid attribute name specified."));
    }
    let max_parts = parse_max_keys(r.header("x-amz-max-parts"), MAX_PARTS, MAX_PARTS)?;
    let marker = match r.header("x-amz-part-number-marker") {
        Some(m) => m.trim().parse::<u32>().map_err(|_| {
            S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message("Part number marker must be an integer")
        })?,
        None => 0,
    };
    let o = named_version(r, gw).await?;
    // An SSE-C object's attributes are its key holder's, as its data.
    read_key(r, gw, &o)?;
    let asked = |name: &str| wanted.contains(&name);
    let checksums = checksum_elements(&o.checksums);
    let object_parts = (asked("ObjectParts") && !o.parts.is_empty()).then(|| {
        let after: Vec<AttributesPart> = o
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| AttributesPart {
                part_number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                size: p.size,
                checksums: part_checksum_elements(&p.checksums),
            })
            .filter(|p| p.part_number > marker)
            .collect();
        let page: Vec<AttributesPart> = after.iter().take(max_parts as usize).cloned().collect();
        ObjectParts {
            parts_count: o.parts.len(),
            part_number_marker: marker,
            next_part_number_marker: page.last().map_or(marker, |p| p.part_number),
            max_parts,
            is_truncated: after.len() > page.len(),
            parts: page,
        }
    });
    let answer = ObjectAttributes {
        etag: asked("ETag").then(|| o.etag.clone()),
        checksum: (asked("Checksum") && !o.checksums.is_empty()).then_some(checksums),
        object_parts,
        storage_class: asked("StorageClass").then_some("STANDARD"),
        object_size: asked("ObjectSize").then_some(o.size),
    };
    let mut resp = xml(StatusCode::OK, answer.to_xml());
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&http_date(o.last_modified_ms)) {
        resp.headers_mut()
            .insert(actix_web::http::header::LAST_MODIFIED, v);
    }
    with_version_id(&mut resp, &o);
    Ok(resp)
}
