//! Object operations: PutObject, GetObject/HeadObject, DeleteObject,
//! DeleteObjects, CopyObject; and the pieces multipart shares with them
//! (stored headers, reading an object's data, dropping replaced data).

use std::ops::Range;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, HttpResponseBuilder};
use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

use super::body::{checked_body, declared_length, SummarySlot};
use super::checksum::{etag_hex, ChecksumAlgorithm, Checksummer, Digests};
use super::error::{S3Error, S3ErrorCode};
use super::request::{
    evaluate_conditions, http_date, parse_copy_source, parse_range, response_overrides,
    user_metadata, validate_object_key, validate_response_overrides, ConditionTarget, Conditions,
};
use super::s3::{new_object_id, now_ms, small_body, xml, Gateway, S3Request, S3Result};
use super::xml::{
    parse_delete, Checksums, CopyObjectResult, DeleteError, DeleteResult, DeletedObject,
};
use crate::actors::frontend::{FrontendError, ShardSet, WriteError};
use crate::metrics;
use crate::storage::meta::{ErasureLayout, MetaOp, MetaOutcome, ObjectRecord};

/// Headers stored with an object and returned on GET/HEAD.
const STORED_HEADERS: &[&str] = &[
    "content-encoding",
    "content-disposition",
    "content-language",
    "cache-control",
    "expires",
];

/// Largest DeleteObjects request body.
const MAX_DELETE_BODY: u64 = 2 << 20;

/// What a request says about the object besides its bytes.
pub struct ObjectMeta {
    /// Content-Type.
    pub content_type: Option<String>,
    /// `x-amz-meta-*`.
    pub user_metadata: Vec<(String, String)>,
    /// [`STORED_HEADERS`] present.
    pub headers: Vec<(String, String)>,
}

/// Reads the metadata headers of a PUT, COPY (REPLACE) or multipart create.
pub fn object_meta(r: &S3Request) -> Result<ObjectMeta, S3Error> {
    let all = r
        .http
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
    Ok(ObjectMeta {
        content_type: r.header("content-type").map(str::to_string),
        user_metadata: user_metadata(all)?,
        headers: STORED_HEADERS
            .iter()
            .filter_map(|h| Some((h.to_string(), r.header(h)?.to_string())))
            .collect(),
    })
}

/// Maps a failed write to its S3 error.
pub fn write_error(e: WriteError<S3Error>) -> S3Error {
    match e {
        WriteError::Body(e) => e,
        WriteError::Store(e) => e.into(),
    }
}

/// The digests of a body that ended cleanly.
pub fn summary(slot: &SummarySlot) -> Result<Digests, S3Error> {
    slot.lock()
        .ok()
        .and_then(|s| s.as_ref().map(|s| s.digests.clone()))
        .ok_or_else(|| S3Error::new(S3ErrorCode::InternalError))
}

/// Shards of the object data of `record` (each part's, for multipart;
/// none for an object kept inline).
pub fn shard_sets(record: &ObjectRecord) -> Vec<ShardSet> {
    if record.inline_data.is_some() {
        return vec![];
    }
    if record.parts.is_empty() {
        return vec![ShardSet {
            object_id: record.object_id,
            part: 0,
            size: record.size,
            layout: record.layout,
            nodes: record.shard_nodes.clone(),
        }];
    }
    record
        .parts
        .iter()
        .map(|p| ShardSet {
            object_id: p.object_id,
            part: p.part_number,
            size: p.size,
            layout: record.layout,
            nodes: p.shard_nodes.clone(),
        })
        .collect()
}

/// Deletes the data of a replaced or removed version in the background.
pub fn drop_data(gw: &Gateway, sets: Vec<ShardSet>) {
    let objects = gw.objects.clone();
    actix_web::rt::spawn(async move {
        for set in sets {
            objects.delete(&set).await;
        }
    });
}

/// The bytes of `range` of an object, part after part.
pub fn data_stream(
    gw: &Gateway,
    record: &ObjectRecord,
    range: Range<u64>,
) -> impl Stream<Item = Result<Bytes, FrontendError>> + 'static {
    if let Some(data) = &record.inline_data {
        let len = data.len() as u64;
        let (start, end) = (range.start.min(len), range.end.min(len));
        let piece = (start < end).then(|| Ok(data.slice(start as usize..end as usize)));
        return futures::stream::iter(piece).left_stream();
    }
    let objects = gw.objects.clone();
    let mut offset = 0u64;
    let mut pieces = Vec::new();
    for set in shard_sets(record) {
        let part = offset..offset + set.size;
        offset += set.size;
        let start = range.start.max(part.start);
        let end = range.end.min(part.end);
        if start < end {
            pieces.push((set, (start - part.start)..(end - part.start)));
        }
    }
    futures::stream::iter(pieces)
        .flat_map(move |(set, sub)| objects.read(set, sub))
        .right_stream()
}

/// Reads a small body whole, to be kept inline; fails unless it has
/// exactly `size` bytes.
async fn collect_inline<S, E>(body: &mut S, size: u64) -> Result<Bytes, S3Error>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    S3Error: From<E>,
{
    let mut data = BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
    while let Some(chunk) = body.next().await {
        data.extend_from_slice(&chunk?);
        if data.len() as u64 > size {
            break;
        }
    }
    if data.len() as u64 != size {
        return Err(S3Error::new(S3ErrorCode::IncompleteBody));
    }
    Ok(data.freeze())
}

/// The shard set standing for a new object kept inline: its id and size
/// (no shards are written).
fn inline_set(size: u64, layout: ErasureLayout) -> ShardSet {
    ShardSet {
        object_id: new_object_id(),
        part: 0,
        size,
        layout,
        nodes: vec![],
    }
}

/// Takes a PutObject body: whole if it is at most `PREDASTORE_INLINE_BYTES`,
/// else into new shards. The shard set, the inline bytes and the digests.
async fn store_object_body(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> Result<(ShardSet, Option<Bytes>, Digests), S3Error> {
    let layout = gw.objects.layout();
    let size = declared_length(r.http.headers(), &r.auth)?;
    if size > gw.max_object_bytes {
        return Err(S3Error::new(S3ErrorCode::EntityTooLarge));
    }
    if size > gw.inline_bytes {
        let (set, digests) = store_body(r, payload, gw, 0, layout, gw.max_object_bytes).await?;
        return Ok((set, None, digests));
    }
    let (mut body, slot) = checked_body(payload, r.http.headers(), &r.auth, size)?;
    let data = collect_inline(&mut body, size).await?;
    metrics::S3_BYTES_IN.inc_by(size);
    Ok((inline_set(size, layout), Some(data), summary(&slot)?))
}

/// Copies a whole object for CopyObject: inline if it is small enough,
/// else into new shards. The shard set, the inline bytes and the MD5.
async fn copy_object_data(
    gw: &Gateway,
    source: &ObjectRecord,
) -> Result<(ShardSet, Option<Bytes>, [u8; 16]), S3Error> {
    let layout = gw.objects.layout();
    if source.size > gw.inline_bytes {
        let (set, md5) = store_copy(gw, source, 0..source.size, 0, layout).await?;
        return Ok((set, None, md5));
    }
    let mut body = Box::pin(data_stream(gw, source, 0..source.size));
    let data = collect_inline(&mut body, source.size).await?;
    let mut hasher = Checksummer::new(None);
    hasher.update(&data);
    Ok((
        inline_set(source.size, layout),
        Some(data),
        hasher.finish().md5,
    ))
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// The checksum of a finished body as stored.
pub fn stored_checksums(d: &Digests) -> Vec<(String, String)> {
    d.checksum
        .iter()
        .map(|(alg, v)| (alg.as_str().to_ascii_lowercase(), v.clone()))
        .collect()
}

/// The checksum elements of a response.
pub fn checksum_elements(stored: &[(String, String)]) -> Checksums {
    let mut c = Checksums::default();
    for (alg, v) in stored {
        let v = Some(v.clone());
        match alg.as_str() {
            "crc32" => c.crc32 = v,
            "crc32c" => c.crc32c = v,
            "crc64nvme" => c.crc64nvme = v,
            "sha1" => c.sha1 = v,
            "sha256" => c.sha256 = v,
            _ => {}
        }
    }
    c
}

fn checksum_header(alg: &str) -> Option<&'static str> {
    alg.parse::<ChecksumAlgorithm>()
        .ok()
        .map(|a| a.header_name())
}

/// Streams a request body into new shards of `layout`; the shard set and
/// the body's digests.
pub async fn store_body(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
    part: u32,
    layout: ErasureLayout,
    max: u64,
) -> Result<(ShardSet, Digests), S3Error> {
    let size = declared_length(r.http.headers(), &r.auth)?;
    if size > max {
        return Err(S3Error::new(S3ErrorCode::EntityTooLarge));
    }
    let (mut body, slot) = checked_body(payload, r.http.headers(), &r.auth, size)?;
    let set = gw
        .objects
        .new_shard_set(new_object_id(), part, size, layout);
    gw.objects
        .write(&set, &mut body)
        .await
        .map_err(write_error)?;
    metrics::S3_BYTES_IN.inc_by(size);
    Ok((set, summary(&slot)?))
}

/// Copies `range` of `source` into new shards; the shard set and MD5.
pub async fn store_copy(
    gw: &Gateway,
    source: &ObjectRecord,
    range: Range<u64>,
    part: u32,
    layout: ErasureLayout,
) -> Result<(ShardSet, [u8; 16]), S3Error> {
    let hasher = Arc::new(Mutex::new(Checksummer::new(None)));
    let h = hasher.clone();
    let mut body = Box::pin(data_stream(gw, source, range.clone()).map(move |chunk| {
        if let (Ok(c), Ok(mut h)) = (&chunk, h.lock()) {
            h.update(c);
        }
        chunk
    }));
    let set = gw
        .objects
        .new_shard_set(new_object_id(), part, range.end - range.start, layout);
    gw.objects
        .write(&set, &mut body)
        .await
        .map_err(|e| match e {
            WriteError::Body(e) | WriteError::Store(e) => S3Error::from(e),
        })?;
    let md5 = hasher
        .lock()
        .map(|mut h| {
            std::mem::replace(&mut *h, Checksummer::new(None))
                .finish()
                .md5
        })
        .map_err(|_| S3Error::new(S3ErrorCode::InternalError))?;
    Ok((set, md5))
}

/// The record of a single-part object just written as `set` (or kept as
/// `inline_data`) for the request's bucket and key.
fn single_part_record(
    r: &S3Request,
    set: ShardSet,
    inline_data: Option<Bytes>,
    etag: String,
    meta: ObjectMeta,
    checksums: Vec<(String, String)>,
    last_modified_ms: u64,
) -> ObjectRecord {
    ObjectRecord {
        bucket: r.bucket().to_string(),
        key: r.key().to_string(),
        object_id: set.object_id,
        size: set.size,
        etag,
        content_type: meta.content_type,
        user_metadata: meta.user_metadata,
        headers: meta.headers,
        checksums,
        last_modified_ms,
        layout: set.layout,
        parts: vec![],
        shard_nodes: match inline_data {
            Some(_) => vec![],
            None => set.nodes,
        },
        inline_data,
    }
}

/// Commits `record`, then drops the version it replaced (or, refused, the
/// new data).
async fn commit(gw: &Gateway, record: ObjectRecord, if_absent: bool) -> Result<(), S3Error> {
    let new = shard_sets(&record);
    match gw.submit(MetaOp::PutObject { record, if_absent }).await {
        Ok(MetaOutcome::Replaced(Some(old))) => {
            drop_data(gw, shard_sets(&old));
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => {
            drop_data(gw, new);
            Err(e)
        }
    }
}

/// PutObject.
pub async fn put(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let (bucket, key) = (r.bucket(), r.key());
    validate_object_key(key)?;
    let meta = object_meta(r)?;
    let if_absent = match r.header("if-none-match") {
        None => false,
        Some("*") => true,
        Some(_) => {
            return Err(S3Error::new(S3ErrorCode::NotImplemented)
                .with_message("If-None-Match takes only *"))
        }
    };
    gw.bucket_precheck(bucket).await?;
    let (set, inline_data, digests) = store_object_body(r, payload, gw).await?;
    let etag = etag_hex(&digests.md5);
    let checksums = stored_checksums(&digests);
    let record = single_part_record(
        r,
        set,
        inline_data,
        etag.clone(),
        meta,
        checksums.clone(),
        now_ms(),
    );
    commit(gw, record, if_absent).await?;
    let mut resp = HttpResponse::Ok();
    resp.insert_header(("ETag", quoted(&etag)));
    for (alg, v) in &checksums {
        if let Some(h) = checksum_header(alg) {
            resp.insert_header((h, v.as_str()));
        }
    }
    Ok(resp.finish())
}

fn conditions(r: &S3Request, prefix: &str) -> Conditions {
    let h = |name: &str| r.header(&format!("{prefix}{name}")).map(str::to_string);
    Conditions {
        if_match: h("if-match"),
        if_none_match: h("if-none-match"),
        if_modified_since: h("if-modified-since"),
        if_unmodified_since: h("if-unmodified-since"),
    }
}

fn object_headers(resp: &mut HttpResponseBuilder, o: &ObjectRecord) {
    resp.insert_header(("ETag", quoted(&o.etag)))
        .insert_header(("Last-Modified", http_date(o.last_modified_ms)))
        .insert_header(("Accept-Ranges", "bytes"))
        .insert_header((
            "Content-Type",
            o.content_type
                .clone()
                .unwrap_or_else(|| "binary/octet-stream".into()),
        ));
    for (k, v) in &o.user_metadata {
        resp.insert_header((format!("x-amz-meta-{k}"), v.as_str()));
    }
    for (k, v) in &o.headers {
        resp.insert_header((k.as_str(), v.as_str()));
    }
    if !o.parts.is_empty() {
        resp.insert_header(("x-amz-mp-parts-count", o.parts.len().to_string()));
    }
}

/// GetObject and HeadObject.
pub async fn get(r: &S3Request, gw: &Gateway) -> S3Result {
    let o = gw.object(r.bucket(), r.key()).await?;
    evaluate_conditions(
        &conditions(r, ""),
        &quoted(&o.etag),
        o.last_modified_ms,
        ConditionTarget::Object,
    )?;
    validate_response_overrides(&r.query, true)?;
    let range = match r.header("range") {
        Some(h) => parse_range(h, o.size)?,
        None => None,
    };
    let mut resp = HttpResponse::build(if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    });
    object_headers(&mut resp, &o);
    if range.is_none()
        && r.header("x-amz-checksum-mode")
            .is_some_and(|m| m.eq_ignore_ascii_case("enabled"))
    {
        for (alg, v) in &o.checksums {
            if let Some(h) = checksum_header(alg) {
                resp.insert_header((h, v.as_str()));
            }
        }
    }
    for (h, v) in response_overrides(&r.query) {
        resp.insert_header((h, v));
    }
    let range = match range {
        Some(range) => {
            resp.insert_header((
                "Content-Range",
                format!("bytes {}-{}/{}", range.start, range.end - 1, o.size),
            ));
            range
        }
        None => 0..o.size,
    };
    let len = range.end - range.start;
    resp.no_chunking(len);
    if r.http.method() == actix_web::http::Method::HEAD {
        return Ok(resp.streaming(futures::stream::empty::<Result<Bytes, actix_web::Error>>()));
    }
    let stream = data_stream(gw, &o, range).map(|chunk| match chunk {
        Ok(c) => {
            metrics::S3_BYTES_OUT.inc_by(c.len() as u64);
            Ok(c)
        }
        // The status is sent; breaking the stream tells the client.
        Err(e) => Err(actix_web::error::ErrorInternalServerError(e.to_string())),
    });
    Ok(resp.streaming(stream))
}

/// DeleteObject (a missing key is not an error).
pub async fn delete(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.bucket(r.bucket()).await?;
    let outcome = gw
        .submit(MetaOp::DeleteObject {
            bucket: r.bucket().to_string(),
            key: r.key().to_string(),
        })
        .await?;
    if let MetaOutcome::Removed(Some(old)) = outcome {
        drop_data(gw, shard_sets(&old));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// DeleteObjects (quiet or verbose).
pub async fn delete_many(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    gw.bucket(r.bucket()).await?;
    let body = small_body(r, payload, MAX_DELETE_BODY).await?;
    let request = parse_delete(&body)?;
    let deletes = request.objects.iter().map(|o| {
        gw.submit(MetaOp::DeleteObject {
            bucket: r.bucket().to_string(),
            key: o.key.clone(),
        })
    });
    let outcomes = futures::future::join_all(deletes).await;
    let mut result = DeleteResult::default();
    for (o, outcome) in request.objects.into_iter().zip(outcomes) {
        match outcome {
            Ok(outcome) => {
                if let MetaOutcome::Removed(Some(old)) = outcome {
                    drop_data(gw, shard_sets(&old));
                }
                if !request.quiet {
                    result.deleted.push(DeletedObject {
                        key: o.key,
                        version_id: o.version_id,
                    });
                }
            }
            Err(e) => result
                .errors
                .push(DeleteError::from_error(o.key, o.version_id, &e)),
        }
    }
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// The source of a copy, after its conditions.
pub async fn copy_source(r: &S3Request, gw: &Gateway) -> Result<ObjectRecord, S3Error> {
    let src = parse_copy_source(r.header("x-amz-copy-source").unwrap_or_default())?;
    let o = gw.object(&src.bucket, &src.key).await?;
    evaluate_conditions(
        &conditions(r, "x-amz-copy-source-"),
        &quoted(&o.etag),
        o.last_modified_ms,
        ConditionTarget::CopySource,
    )?;
    Ok(o)
}

/// CopyObject (COPY or REPLACE metadata).
pub async fn copy(r: &S3Request, gw: &Gateway) -> S3Result {
    let (bucket, key) = (r.bucket(), r.key());
    validate_object_key(key)?;
    gw.bucket(bucket).await?;
    let src = copy_source(r, gw).await?;
    let replace = match r.header("x-amz-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(_) => {
            return Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message("Unknown metadata directive."))
        }
    };
    if !replace && src.bucket == bucket && src.key == key {
        return Err(S3Error::new(S3ErrorCode::InvalidRequest).with_message(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let (set, inline_data, md5) = copy_object_data(gw, &src).await?;
    let meta = if replace {
        object_meta(r)?
    } else {
        ObjectMeta {
            content_type: src.content_type.clone(),
            user_metadata: src.user_metadata.clone(),
            headers: src.headers.clone(),
        }
    };
    // A single-part copy of a multipart object gets a plain MD5 ETag.
    let etag = etag_hex(&md5);
    let checksums = if src.parts.is_empty() {
        src.checksums.clone()
    } else {
        vec![]
    };
    let last_modified_ms = now_ms();
    let record = single_part_record(
        r,
        set,
        inline_data,
        etag.clone(),
        meta,
        checksums.clone(),
        last_modified_ms,
    );
    commit(gw, record, false).await?;
    let result = CopyObjectResult {
        etag,
        last_modified_ms,
        checksums: checksum_elements(&checksums),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}
