//! Multipart uploads: Create, UploadPart, UploadPartCopy, Complete (only
//! metadata: parts stay where they were written), Abort, ListParts,
//! ListMultipartUploads; with the lifecycle headers that announce when an
//! upload is aborted or its object expires ([`super::lifecycle`]).

use std::collections::BTreeMap;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::complete_body;
use super::body::upload_body;
use super::encryption::{add_sse_headers, completing_customer, sse_headers, upload_key};
use super::lifecycle::{abort_headers, completed_expiration, created_abort_headers, expiration};
use super::object::{
    body_digests, checksum_elements, checksum_header, copy_source, object_meta,
    part_checksum_elements, write_condition, write_error,
};
use super::part_checksum::{
    self, algorithm_of, check_expected, object_checksum, upload_checksum, upload_headers,
};
use crate::api::access::{named_owner, user_names};
use crate::api::checksum::multipart_etag;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::{parse_copy_source_range, validate_object_key};
use crate::api::router::{ListPartsArgs, ListUploadsArgs};
use crate::api::xml::{
    parse_complete_multipart_upload, Checksums, CompleteMultipartUploadResult, CompletedPart,
    CopyPartResult, InitiateMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult,
    PartInfo, UploadInfo,
};
use crate::clock::now_ms;
use crate::metrics;
use crate::object::service::MAX_PART_BYTES;
use crate::storage::meta::{MetaRead, MetaReadResult, MultipartUpload, PartRecord, UploadChecksum};

/// Largest CompleteMultipartUpload body (10,000 parts fit well within).
const MAX_COMPLETE_BODY: u64 = 4 << 20;

/// The upload named by `upload_id`, which must target this bucket and key.
async fn upload(r: &S3Request, gw: &Gateway, upload_id: &str) -> Result<MultipartUpload, S3Error> {
    Ok(gw.objects.upload(r.bucket(), r.key(), upload_id).await?)
}

/// CreateMultipartUpload: records the upload with the object's metadata
/// and checksum algorithm, and answers its id.
pub(crate) async fn create(r: &S3Request, gw: &Gateway) -> S3Result {
    validate_object_key(r.key())?;
    let meta = object_meta(r, gw)?;
    let customer = meta.sse.customer().cloned();
    let checksum = upload_checksum(r)?;
    let before_ms = now_ms();
    let upload = gw
        .objects
        .create_upload(r.bucket(), r.key(), meta, checksum.clone())
        .await?;
    let upload_id = upload.upload_id.clone();
    let abort = created_abort_headers(gw, (r.bucket(), r.key()), &upload_id, before_ms).await;
    let result = InitiateMultipartUploadResult {
        bucket: r.bucket().to_string(),
        key: r.key().to_string(),
        upload_id,
    };
    let mut resp = xml(StatusCode::OK, result.to_xml());
    add_sse_headers(&mut resp, upload.encryption.as_ref(), customer.as_ref());
    for (name, value) in checksum.iter().flat_map(upload_headers) {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(HeaderName::from_static(name), v);
        }
    }
    for (name, value) in abort {
        resp.headers_mut().insert(name, value);
    }
    Ok(resp)
}

/// UploadPart: streams part `number` of the upload to the storage nodes
/// and answers its ETag and checksum.
pub(crate) async fn upload_part(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
    upload_id: &str,
    number: u32,
) -> S3Result {
    let upload = upload(r, gw, upload_id).await?;
    let (key, customer) = upload_key(r, gw, &upload)?;
    let required = upload.checksum.as_ref().and_then(algorithm_of);
    let (size, mut body, slot) = upload_body(r, payload, MAX_PART_BYTES, required).await?;
    let (part, digests) = gw
        .objects
        .upload_part((&upload, key), number, size, &mut body, || {
            body_digests(&slot)
        })
        .await
        .map_err(write_error)?;
    metrics::S3_BYTES_IN.inc_by(size);
    let mut resp = HttpResponse::Ok();
    resp.insert_header(("ETag", format!("\"{}\"", part.etag)));
    sse_headers(&mut resp, upload.encryption.as_ref(), customer.as_ref());
    for (alg, v) in &digests.checksums {
        if let Some(h) = checksum_header(alg) {
            resp.insert_header((h, v.as_str()));
        }
    }
    Ok(resp.finish())
}

/// UploadPartCopy (whole source, or `x-amz-copy-source-range`).
pub(crate) async fn upload_part_copy(
    r: &S3Request,
    gw: &Gateway,
    upload_id: &str,
    number: u32,
) -> S3Result {
    let upload = upload(r, gw, upload_id).await?;
    let (src, src_key) = copy_source(r, gw).await?;
    let (key, customer) = upload_key(r, gw, &upload)?;
    let range = match r.header("x-amz-copy-source-range") {
        Some(h) => parse_copy_source_range(h, src.size)?,
        None => 0..src.size,
    };
    let part = gw
        .objects
        .upload_part_copy((&upload, key), number, (&src, src_key), range)
        .await?;
    let result = CopyPartResult {
        etag: part.etag,
        last_modified_ms: part.last_modified_ms,
        checksums: Checksums::default(),
    };
    let mut resp = xml(StatusCode::OK, result.to_xml());
    add_sse_headers(&mut resp, upload.encryption.as_ref(), customer.as_ref());
    Ok(resp)
}

/// CompleteMultipartUpload: commits the listed parts as the object (or,
/// sent again after success, answers the same result).
pub(crate) async fn complete(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
    upload_id: &str,
) -> S3Result {
    let upload = match upload(r, gw, upload_id).await {
        Ok(upload) => Some(upload),
        Err(e) if e.code == S3ErrorCode::NoSuchUpload => None,
        Err(e) => return Err(e),
    };
    let body = complete_body(r, payload, MAX_COMPLETE_BODY).await?;
    let request = parse_complete_multipart_upload(&body)?;
    let listed = listed_parts(&request.parts)?;
    let parts: Vec<(u32, String)> = listed
        .iter()
        .map(|p| (p.part_number, p.etag.trim_matches('"').to_string()))
        .collect();
    let Some(upload) = upload else {
        let gone = S3Error::new(S3ErrorCode::NoSuchUpload);
        return already_completed(r, gw, &parts).await?.ok_or(gone);
    };
    let customer = completing_customer(r, gw, &upload)?;
    let mut md5s = Vec::with_capacity(parts.len());
    for (_, etag) in &parts {
        let mut md5 = [0u8; 16];
        hex::decode_to_slice(etag, &mut md5).map_err(|_| S3Error::new(S3ErrorCode::InvalidPart))?;
        md5s.push(md5);
    }
    let etag = multipart_etag(&md5s);
    let checksums = match &upload.checksum {
        Some(c) => vec![(
            c.algorithm.clone(),
            completed_checksum(r, gw, &upload, c, &listed).await?,
        )],
        None => vec![],
    };
    let version = gw
        .objects
        .complete(
            &upload,
            parts,
            (etag.clone(), checksums.clone()),
            write_condition(r)?,
        )
        .await?;
    let mut resp = completed(&upload.bucket, &upload.key, etag, &checksums);
    if let Some(v) = version {
        if let Ok(value) = HeaderValue::from_str(&v.to_id()) {
            resp.headers_mut()
                .insert(HeaderName::from_static("x-amz-version-id"), value);
        }
    }
    add_sse_headers(&mut resp, upload.encryption.as_ref(), customer.as_ref());
    let object = (upload.bucket.as_str(), upload.key.as_str());
    if let Some((name, value)) = completed_expiration(gw, object, version).await {
        resp.headers_mut().insert(name, value);
    }
    Ok(resp)
}

/// The checksum of the object a Complete makes of `listed` (see
/// [`super::part_checksum`]): each part's as uploaded (which the list, if
/// it gives one, must match: else `InvalidPart`), then the object's,
/// which must match the one the request sends (else `BadDigest`).
async fn completed_checksum(
    r: &S3Request,
    gw: &Gateway,
    upload: &MultipartUpload,
    checksum: &UploadChecksum,
    listed: &[&CompletedPart],
) -> Result<String, S3Error> {
    let invalid_part = || S3Error::new(S3ErrorCode::InvalidPart);
    let algorithm = algorithm_of(checksum).ok_or_else(invalid_part)?;
    let stored = all_parts(gw, &upload.upload_id).await?;
    let mut inputs = Vec::with_capacity(listed.len());
    for p in listed {
        let part = stored.get(&p.part_number).ok_or_else(invalid_part)?;
        let value = part
            .checksums
            .iter()
            .find(|(a, _)| *a == checksum.algorithm)
            .map(|(_, v)| v.as_str())
            .ok_or_else(invalid_part)?;
        if part_checksum::listed(&p.checksums, algorithm).is_some_and(|given| given != value) {
            return Err(invalid_part());
        }
        inputs.push((part.size, value));
    }
    let value =
        object_checksum(algorithm, checksum.full_object, &inputs).ok_or_else(invalid_part)?;
    check_expected(r, algorithm, &value)?;
    Ok(value)
}

/// Every part uploaded so far, by number.
async fn all_parts(gw: &Gateway, upload_id: &str) -> Result<BTreeMap<u32, PartRecord>, S3Error> {
    let mut parts = BTreeMap::new();
    let mut marker = 0;
    loop {
        let read = MetaRead::Parts {
            upload_id: upload_id.to_string(),
            part_number_marker: marker,
            max_parts: 1000,
        };
        let MetaReadResult::Parts(page) = gw.objects.read(read).await? else {
            return Err(S3Error::new(S3ErrorCode::InternalError));
        };
        parts.extend(page.parts.into_iter().map(|p| (p.part_number, p)));
        match page.next_part_number_marker {
            Some(next) if page.is_truncated && next > marker => marker = next,
            _ => return Ok(parts),
        }
    }
}

/// The parts a CompleteMultipartUpload lists, in ascending order. A part
/// listed more than once (a client that re-uploaded it and kept both
/// answers) counts once, by its last entry; a descending number is
/// `InvalidPartOrder`.
fn listed_parts(parts: &[CompletedPart]) -> Result<Vec<&CompletedPart>, S3Error> {
    let mut listed: Vec<&CompletedPart> = Vec::with_capacity(parts.len());
    for p in parts {
        match listed.last_mut() {
            Some(last) if last.part_number == p.part_number => *last = p,
            Some(last) if last.part_number > p.part_number => {
                return Err(S3Error::new(S3ErrorCode::InvalidPartOrder))
            }
            _ => listed.push(p),
        }
    }
    Ok(listed)
}

/// The answer to a CompleteMultipartUpload sent again after it succeeded
/// (its answer lost, or a client that retries): when the key's current
/// version is the object those parts made, the same result; `None`
/// otherwise.
async fn already_completed(
    r: &S3Request,
    gw: &Gateway,
    parts: &[(u32, String)],
) -> Result<Option<HttpResponse>, S3Error> {
    let Ok(o) = gw.objects.object(r.bucket(), r.key()).await else {
        return Ok(None);
    };
    let same = !o.parts.is_empty()
        && o.parts.len() == parts.len()
        && o.parts
            .iter()
            .zip(parts)
            .all(|(have, (n, etag))| have.part_number == *n && have.etag.trim_matches('"') == etag);
    if !same {
        return Ok(None);
    }
    let mut resp = completed(&o.bucket, &o.key, o.etag.clone(), &o.checksums);
    if let Some((name, value)) = expiration(gw, &o).await {
        resp.headers_mut().insert(name, value);
    }
    Ok(Some(resp))
}

/// A CompleteMultipartUpload's answer.
fn completed(
    bucket: &str,
    key: &str,
    etag: String,
    checksums: &[(String, String)],
) -> HttpResponse {
    let result = CompleteMultipartUploadResult {
        location: format!("/{bucket}/{key}"),
        bucket: bucket.to_string(),
        key: key.to_string(),
        etag,
        checksums: checksum_elements(checksums),
    };
    xml(StatusCode::OK, result.to_xml())
}

/// AbortMultipartUpload: drops the upload and its parts (204).
pub(crate) async fn abort(r: &S3Request, gw: &Gateway, upload_id: &str) -> S3Result {
    let upload = upload(r, gw, upload_id).await?;
    gw.objects.abort(&upload).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// ListParts: a page of the upload's parts after `part-number-marker`.
pub(crate) async fn list_parts(r: &S3Request, gw: &Gateway, args: ListPartsArgs) -> S3Result {
    let upload = upload(r, gw, &args.upload_id).await?;
    let max = args.max_parts?;
    let marker = args.part_number_marker?;
    let read = MetaRead::Parts {
        upload_id: upload.upload_id.clone(),
        part_number_marker: marker,
        max_parts: max as usize,
    };
    let MetaReadResult::Parts(page) = gw.objects.read(read).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
    let abort = abort_headers(gw, (&upload.bucket, &upload.key), upload.initiated_ms).await;
    let names = user_names(gw).await?;
    let result = ListPartsResult {
        bucket: upload.bucket,
        key: upload.key,
        upload_id: upload.upload_id,
        part_number_marker: marker,
        next_part_number_marker: page.next_part_number_marker.unwrap_or_default(),
        max_parts: max,
        is_truncated: page.is_truncated,
        parts: page
            .parts
            .into_iter()
            .map(|p| PartInfo {
                part_number: p.part_number,
                last_modified_ms: p.last_modified_ms,
                etag: p.etag,
                size: p.size,
                checksums: part_checksum_elements(&p.checksums),
            })
            .collect(),
        initiator: named_owner(r, &names, &upload.owner),
        owner: named_owner(r, &names, &upload.owner),
        storage_class: "STANDARD".into(),
    };
    let mut resp = xml(StatusCode::OK, result.to_xml());
    for (name, value) in abort {
        resp.headers_mut().insert(name, value);
    }
    Ok(resp)
}

/// ListMultipartUploads: a page of the bucket's uploads in progress,
/// after `key-marker` / `upload-id-marker`.
pub(crate) async fn list_uploads(r: &S3Request, gw: &Gateway, args: ListUploadsArgs) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    let max = args.max_uploads?;
    let non_empty = |v: &Option<String>| v.clone().filter(|m| !m.is_empty());
    let read = MetaRead::Uploads {
        bucket: r.bucket().to_string(),
        prefix: args.prefix.clone().unwrap_or_default(),
        key_marker: non_empty(&args.key_marker),
        upload_id_marker: non_empty(&args.upload_id_marker),
        max_uploads: max as usize,
    };
    let MetaReadResult::Uploads(page) = gw.objects.read(read).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
    let names = user_names(gw).await?;
    let result = ListMultipartUploadsResult {
        bucket: r.bucket().to_string(),
        key_marker: args.key_marker.unwrap_or_default(),
        upload_id_marker: args.upload_id_marker.unwrap_or_default(),
        next_key_marker: page.next_key_marker.unwrap_or_default(),
        next_upload_id_marker: page.next_upload_id_marker.unwrap_or_default(),
        prefix: args.prefix,
        delimiter: None,
        max_uploads: max,
        is_truncated: page.is_truncated,
        uploads: page
            .uploads
            .into_iter()
            .map(|u| UploadInfo {
                key: u.key,
                upload_id: u.upload_id,
                initiator: named_owner(r, &names, &u.owner),
                owner: named_owner(r, &names, &u.owner),
                storage_class: "STANDARD".into(),
                initiated_ms: u.initiated_ms,
            })
            .collect(),
        common_prefixes: vec![],
        encoding_type: None,
    };
    Ok(xml(StatusCode::OK, result.into_xml()))
}
