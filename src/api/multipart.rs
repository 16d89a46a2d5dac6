//! Multipart uploads: Create, UploadPart, UploadPartCopy, Complete (only
//! metadata: parts stay where they were written), Abort, ListParts,
//! ListMultipartUploads.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::access::{named_owner, owner_of, user_names};
use super::body::upload_body;
use super::checksum::multipart_etag;
use super::error::{S3Error, S3ErrorCode};
use super::object::{
    body_digests, checksum_header, copy_source, object_meta, write_condition, write_error,
};
use super::request::{parse_copy_source_range, parse_max_keys, validate_object_key};
use super::s3::{small_body, xml, Gateway, S3Request, S3Result};
use super::xml::{
    parse_complete_multipart_upload, Checksums, CompleteMultipartUploadResult, CompletedPart,
    CopyPartResult,
    InitiateMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult, PartInfo,
    UploadInfo,
};
use crate::actors::frontend::service::MAX_PART_BYTES;
use crate::metrics;
use crate::storage::meta::{MetaRead, MetaReadResult, MultipartUpload};

/// Largest CompleteMultipartUpload body (10,000 parts fit well within).
const MAX_COMPLETE_BODY: u64 = 4 << 20;

/// The upload named by `upload_id`, which must target this bucket and key.
async fn upload(r: &S3Request, gw: &Gateway, upload_id: &str) -> Result<MultipartUpload, S3Error> {
    Ok(gw.objects.upload(r.bucket(), r.key(), upload_id).await?)
}

/// CreateMultipartUpload.
pub(crate) async fn create(r: &S3Request, gw: &Gateway) -> S3Result {
    validate_object_key(r.key())?;
    let meta = object_meta(r)?;
    let upload_id = gw.objects.create_upload(r.bucket(), r.key(), meta).await?;
    let result = InitiateMultipartUploadResult {
        bucket: r.bucket().to_string(),
        key: r.key().to_string(),
        upload_id,
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// UploadPart.
pub(crate) async fn upload_part(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
    upload_id: &str,
    number: u32,
) -> S3Result {
    let upload = upload(r, gw, upload_id).await?;
    let (size, mut body, slot) = upload_body(r, payload, MAX_PART_BYTES).await?;
    let (part, digests) = gw
        .objects
        .upload_part(&upload, number, size, &mut body, || body_digests(&slot))
        .await
        .map_err(write_error)?;
    metrics::S3_BYTES_IN.inc_by(size);
    let mut resp = HttpResponse::Ok();
    resp.insert_header(("ETag", format!("\"{}\"", part.etag)));
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
    let src = copy_source(r, gw).await?;
    let range = match r.header("x-amz-copy-source-range") {
        Some(h) => parse_copy_source_range(h, src.size)?,
        None => 0..src.size,
    };
    let part = gw
        .objects
        .upload_part_copy(&upload, number, &src, range)
        .await?;
    let result = CopyPartResult {
        etag: part.etag,
        last_modified_ms: part.last_modified_ms,
        checksums: Checksums::default(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// CompleteMultipartUpload.
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
    let body = small_body(r, payload, MAX_COMPLETE_BODY).await?;
    let request = parse_complete_multipart_upload(&body)?;
    let parts = listed_parts(&request.parts)?;
    let Some(upload) = upload else {
        let gone = S3Error::new(S3ErrorCode::NoSuchUpload);
        return already_completed(r, gw, &parts).await?.ok_or(gone);
    };
    let mut md5s = Vec::with_capacity(parts.len());
    for (_, etag) in &parts {
        let mut md5 = [0u8; 16];
        hex::decode_to_slice(etag, &mut md5)
            .map_err(|_| S3Error::new(S3ErrorCode::InvalidPart))?;
        md5s.push(md5);
    }
    let etag = multipart_etag(&md5s);
    gw.objects
        .complete(&upload, parts, etag.clone(), write_condition(r)?)
        .await?;
    Ok(completed(&upload.bucket, &upload.key, etag))
}

/// The (part number, ETag) list of a CompleteMultipartUpload, in
/// ascending order. A part listed more than once (a client that
/// re-uploaded it and kept both answers) counts once, by its last entry;
/// a descending number is `InvalidPartOrder`.
fn listed_parts(parts: &[CompletedPart]) -> Result<Vec<(u32, String)>, S3Error> {
    let mut listed: Vec<(u32, String)> = Vec::with_capacity(parts.len());
    for p in parts {
        let entry = (p.part_number, p.etag.trim_matches('"').to_string());
        match listed.last_mut() {
            Some(last) if last.0 == p.part_number => *last = entry,
            Some(last) if last.0 > p.part_number => {
                return Err(S3Error::new(S3ErrorCode::InvalidPartOrder))
            }
            _ => listed.push(entry),
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
        && o
            .parts
            .iter()
            .zip(parts)
            .all(|(have, (n, etag))| have.part_number == *n && have.etag.trim_matches('"') == etag);
    Ok(same.then(|| completed(&o.bucket, &o.key, o.etag)))
}

/// A CompleteMultipartUpload's answer.
fn completed(bucket: &str, key: &str, etag: String) -> HttpResponse {
    let result = CompleteMultipartUploadResult {
        location: format!("/{bucket}/{key}"),
        bucket: bucket.to_string(),
        key: key.to_string(),
        etag,
        checksums: Checksums::default(),
    };
    xml(StatusCode::OK, result.to_xml())
}

/// AbortMultipartUpload.
pub(crate) async fn abort(r: &S3Request, gw: &Gateway, upload_id: &str) -> S3Result {
    let upload = upload(r, gw, upload_id).await?;
    gw.objects.abort(&upload).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// ListParts.
pub(crate) async fn list_parts(r: &S3Request, gw: &Gateway, upload_id: &str) -> S3Result {
    let upload = upload(r, gw, upload_id).await?;
    let max = parse_max_keys(r.q("max-parts"), 1000, 1000)?;
    let marker: u32 = match r.q("part-number-marker") {
        Some(m) => m
            .parse()
            .map_err(|_| S3Error::new(S3ErrorCode::InvalidArgument))?,
        None => 0,
    };
    let read = MetaRead::Parts {
        upload_id: upload.upload_id.clone(),
        part_number_marker: marker,
        max_parts: max as usize,
    };
    let MetaReadResult::Parts(page) = gw.objects.read(read).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
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
                checksums: Checksums::default(),
            })
            .collect(),
        initiator: owner_of(r, &upload.owner),
        owner: owner_of(r, &upload.owner),
        storage_class: "STANDARD".into(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// ListMultipartUploads.
pub(crate) async fn list_uploads(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    let max = parse_max_keys(r.q("max-uploads"), 1000, 1000)?;
    let read = MetaRead::Uploads {
        bucket: r.bucket().to_string(),
        prefix: r.q("prefix").unwrap_or_default().to_string(),
        key_marker: r
            .q("key-marker")
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        upload_id_marker: r
            .q("upload-id-marker")
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        max_uploads: max as usize,
    };
    let MetaReadResult::Uploads(page) = gw.objects.read(read).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
    let names = user_names(gw).await?;
    let result = ListMultipartUploadsResult {
        bucket: r.bucket().to_string(),
        key_marker: r.q("key-marker").unwrap_or_default().to_string(),
        upload_id_marker: r.q("upload-id-marker").unwrap_or_default().to_string(),
        next_key_marker: page.next_key_marker.unwrap_or_default(),
        next_upload_id_marker: page.next_upload_id_marker.unwrap_or_default(),
        prefix: r.q("prefix").map(str::to_string),
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
    Ok(xml(StatusCode::OK, result.to_xml()))
}
