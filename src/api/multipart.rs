//! Multipart uploads: Create, UploadPart, UploadPartCopy, Complete (only
//! metadata: parts stay where they were written), Abort, ListParts,
//! ListMultipartUploads.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::bucket::owner;
use super::checksum::{etag_hex, multipart_etag};
use super::error::{S3Error, S3ErrorCode};
use super::object::{copy_source, drop_data, object_meta, shard_sets, store_body, store_copy};
use super::request::{
    parse_copy_source_range, parse_max_keys, parse_part_number, validate_object_key,
};
use super::s3::{now_ms, small_body, xml, Gateway, S3Request, S3Result};
use super::xml::{
    parse_complete_multipart_upload, Checksums, CompleteMultipartUploadResult, CopyPartResult,
    InitiateMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult, PartInfo,
    UploadInfo,
};
use crate::actors::frontend::ShardSet;
use crate::storage::meta::{
    MetaOp, MetaOutcome, MetaRead, MetaReadResult, MultipartUpload, ObjectRecord, PartRecord,
};

/// Largest part S3 accepts.
const MAX_PART_BYTES: u64 = 5 << 30;
/// Largest CompleteMultipartUpload body (10,000 parts fit well within).
const MAX_COMPLETE_BODY: u64 = 4 << 20;

fn no_such_upload() -> S3Error {
    S3Error::new(S3ErrorCode::NoSuchUpload)
}

/// The upload named by `uploadId`, which must target this bucket and key.
async fn upload(r: &S3Request, gw: &Gateway) -> Result<MultipartUpload, S3Error> {
    let id = r.q("uploadId").unwrap_or_default();
    match gw.read(MetaRead::Upload(id.to_string())).await? {
        MetaReadResult::Upload(Some(u)) if u.bucket == r.bucket() && u.key == r.key() => Ok(u),
        _ => {
            gw.bucket(r.bucket()).await?;
            Err(no_such_upload())
        }
    }
}

fn part_set(p: &PartRecord, upload: &MultipartUpload) -> ShardSet {
    ShardSet {
        object_id: p.object_id,
        part: p.part_number,
        size: p.size,
        layout: upload.layout,
        nodes: p.shard_nodes.clone(),
    }
}

/// CreateMultipartUpload.
pub async fn create(r: &S3Request, gw: &Gateway) -> S3Result {
    validate_object_key(r.key())?;
    let meta = object_meta(r)?;
    let upload_id = format!("{:032x}", rand::random::<u128>());
    gw.submit(MetaOp::CreateMultipart {
        upload: MultipartUpload {
            bucket: r.bucket().to_string(),
            key: r.key().to_string(),
            upload_id: upload_id.clone(),
            initiated_ms: now_ms(),
            content_type: meta.content_type,
            user_metadata: meta.user_metadata,
            headers: meta.headers,
            layout: gw.objects.layout(),
        },
    })
    .await?;
    let result = InitiateMultipartUploadResult {
        bucket: r.bucket().to_string(),
        key: r.key().to_string(),
        upload_id,
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// Records the part just written as `set`; drops the part it replaced
/// (or, refused, itself).
async fn record_part(
    gw: &Gateway,
    upload: &MultipartUpload,
    set: ShardSet,
    etag: String,
    last_modified_ms: u64,
) -> Result<(), S3Error> {
    let part = PartRecord {
        upload_id: upload.upload_id.clone(),
        part_number: set.part,
        size: set.size,
        etag,
        object_id: set.object_id,
        shard_nodes: set.nodes,
        last_modified_ms,
    };
    let new = part_set(&part, upload);
    match gw.submit(MetaOp::PutPart { part }).await {
        Ok(MetaOutcome::PartReplaced(Some(old))) => {
            drop_data(gw, vec![part_set(&old, upload)]);
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => {
            drop_data(gw, vec![new]);
            Err(e)
        }
    }
}

/// UploadPart.
pub async fn upload_part(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let number = parse_part_number(r.q("partNumber").unwrap_or_default())?;
    let upload = upload(r, gw).await?;
    let (set, digests) = store_body(r, payload, gw, number, upload.layout, MAX_PART_BYTES).await?;
    let etag = etag_hex(&digests.md5);
    record_part(gw, &upload, set, etag.clone(), now_ms()).await?;
    let mut resp = HttpResponse::Ok();
    resp.insert_header(("ETag", format!("\"{etag}\"")));
    if let Some((alg, v)) = &digests.checksum {
        resp.insert_header((alg.header_name(), v.as_str()));
    }
    Ok(resp.finish())
}

/// UploadPartCopy (whole source, or `x-amz-copy-source-range`).
pub async fn upload_part_copy(r: &S3Request, gw: &Gateway) -> S3Result {
    let number = parse_part_number(r.q("partNumber").unwrap_or_default())?;
    let upload = upload(r, gw).await?;
    let src = copy_source(r, gw).await?;
    let range = match r.header("x-amz-copy-source-range") {
        Some(h) => parse_copy_source_range(h, src.size)?,
        None => 0..src.size,
    };
    if range.end - range.start > MAX_PART_BYTES {
        return Err(S3Error::new(S3ErrorCode::EntityTooLarge));
    }
    let (set, md5) = store_copy(gw, &src, range, number, upload.layout).await?;
    let etag = etag_hex(&md5);
    let last_modified_ms = now_ms();
    record_part(gw, &upload, set, etag.clone(), last_modified_ms).await?;
    let result = CopyPartResult {
        etag,
        last_modified_ms,
        checksums: Checksums::default(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// CompleteMultipartUpload.
pub async fn complete(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let upload = upload(r, gw).await?;
    let body = small_body(r, payload, MAX_COMPLETE_BODY).await?;
    let request = parse_complete_multipart_upload(&body)?;
    let mut md5s = Vec::with_capacity(request.parts.len());
    for p in &request.parts {
        let mut md5 = [0u8; 16];
        hex::decode_to_slice(p.etag.trim_matches('"'), &mut md5)
            .map_err(|_| S3Error::new(S3ErrorCode::InvalidPart))?;
        md5s.push(md5);
    }
    let etag = multipart_etag(&md5s);
    let template = ObjectRecord {
        bucket: upload.bucket.clone(),
        key: upload.key.clone(),
        object_id: rand::random(),
        size: 0,
        etag: etag.clone(),
        content_type: None,
        user_metadata: vec![],
        headers: vec![],
        checksums: vec![],
        last_modified_ms: now_ms(),
        layout: upload.layout,
        parts: vec![],
        shard_nodes: vec![],
        inline_data: None,
    };
    let outcome = gw
        .submit(MetaOp::CompleteMultipart {
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
            upload_id: upload.upload_id.clone(),
            parts: request
                .parts
                .iter()
                .map(|p| (p.part_number, p.etag.trim_matches('"').to_string()))
                .collect(),
            record_template: template,
        })
        .await?;
    if let MetaOutcome::Completed {
        replaced,
        unused_parts,
    } = outcome
    {
        let mut garbage: Vec<ShardSet> =
            unused_parts.iter().map(|p| part_set(p, &upload)).collect();
        if let Some(old) = replaced {
            garbage.extend(shard_sets(&old));
        }
        drop_data(gw, garbage);
    }
    let result = CompleteMultipartUploadResult {
        location: format!("/{}/{}", upload.bucket, upload.key),
        bucket: upload.bucket,
        key: upload.key,
        etag,
        checksums: Checksums::default(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// AbortMultipartUpload.
pub async fn abort(r: &S3Request, gw: &Gateway) -> S3Result {
    let upload = upload(r, gw).await?;
    let outcome = gw
        .submit(MetaOp::AbortMultipart {
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
            upload_id: upload.upload_id.clone(),
        })
        .await?;
    if let MetaOutcome::Aborted { parts } = outcome {
        drop_data(gw, parts.iter().map(|p| part_set(p, &upload)).collect());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// ListParts.
pub async fn list_parts(r: &S3Request, gw: &Gateway) -> S3Result {
    let upload = upload(r, gw).await?;
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
    let MetaReadResult::Parts(page) = gw.read(read).await? else {
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
        initiator: owner(&r.auth.access_key),
        owner: owner(&r.auth.access_key),
        storage_class: "STANDARD".into(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// ListMultipartUploads.
pub async fn list_uploads(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.bucket(r.bucket()).await?;
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
    let MetaReadResult::Uploads(page) = gw.read(read).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
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
                initiator: owner(&r.auth.access_key),
                owner: owner(&r.auth.access_key),
                storage_class: "STANDARD".into(),
                initiated_ms: u.initiated_ms,
            })
            .collect(),
        common_prefixes: vec![],
        encoding_type: None,
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}
