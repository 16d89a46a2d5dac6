//! Object operations: PutObject, GetObject/HeadObject, DeleteObject,
//! DeleteObjects, CopyObject; and the request pieces multipart shares with
//! them (stored headers, body digests, checksum elements). The object's
//! life itself is the object service's ([`crate::object`]); when the
//! bucket's lifecycle rules will expire it is announced by the headers of
//! [`super::lifecycle`].

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, HttpResponseBuilder};
use bytes::Bytes;
use futures::StreamExt;

use super::body::small_body;
use super::body::upload_body;
use super::encryption::{read_key, source_key, sse_headers, write_sse};
use super::lifecycle::{expiration, read_expiration};
use super::object_lock::{bypass_governance, lock_headers};
use super::part_checksum::checksum_type;
use super::versioning::{marker_error, version_headers, version_of};
use crate::api::access::{
    check_expected_owner, hide_missing, new_object_access, policy_of, require_delete,
    require_object, require_source,
};
use crate::api::body::{CheckedBody, SummarySlot};
use crate::api::checksum::{ChecksumAlgorithm, Digests};
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::{
    evaluate_conditions, header_text, http_date, parse_copy_source, parse_http_date_secs,
    parse_range, parse_tagging_directive, parse_tagging_header, response_overrides, user_metadata,
    validate_object_key, validate_response_overrides, ConditionTarget, Conditions,
    TaggingDirective,
};
use crate::api::router::ReadArgs;
use crate::api::xml::{
    parse_delete, Checksums, CopyObjectResult, DeleteError, DeleteResult, DeletedObject,
};
use crate::metrics;
use crate::object::service::MAX_PART_BYTES;
use crate::object::sse::{DataKey, SseRequest};
use crate::object::{NewObject, ObjectDigests, ObjectMeta, WriteError};
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::{DeleteCondition, ObjectRecord, Tags, WriteCondition};

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

/// The tags `x-amz-tagging` gives (none when absent).
fn tags_in_header(r: &S3Request) -> Result<Tags, S3Error> {
    Ok(match r.header("x-amz-tagging") {
        Some(v) => parse_tagging_header(v)?,
        None => Tags::new(),
    })
}

/// Reads the metadata and encryption headers of a PUT, COPY (REPLACE) or
/// multipart create.
pub(crate) fn object_meta(r: &S3Request, gw: &Gateway) -> Result<ObjectMeta, S3Error> {
    let texts: Vec<(&str, std::borrow::Cow<'_, str>)> = r
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str(), header_text(v.as_bytes())))
        .collect();
    let all = texts.iter().map(|(n, v)| (*n, v.as_ref()));
    let mut headers: Vec<(String, String)> = STORED_HEADERS
        .iter()
        .filter_map(|h| Some((h.to_string(), r.header(h)?.to_string())))
        .collect();
    // `aws-chunked` describes how this request's body was sent, not the
    // object: `gzip, aws-chunked` is stored as `gzip`, and a lone
    // `aws-chunked` not at all.
    headers.retain_mut(|(name, value)| {
        if name == "content-encoding" {
            *value = value
                .split(',')
                .map(str::trim)
                .filter(|c| !c.eq_ignore_ascii_case("aws-chunked") && !c.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
        }
        !value.is_empty()
    });
    let (owner, acl) = new_object_access(r)?;
    Ok(ObjectMeta {
        content_type: r.header("content-type").map(str::to_string),
        user_metadata: user_metadata(all)?,
        headers,
        tags: tags_in_header(r)?,
        owner,
        acl,
        lock: lock_headers(r)?,
        sse: write_sse(r, gw)?,
    })
}

/// Maps a failed write of the object service to its S3 error.
pub(crate) fn write_error<E: Into<S3Error>>(e: WriteError<S3Error, E>) -> S3Error {
    match e {
        WriteError::Body(e) => e,
        WriteError::Store(e) => e.into(),
    }
}

/// The digests of a body that ended cleanly, as the object service keeps
/// them.
pub(crate) fn body_digests(slot: &SummarySlot) -> Option<ObjectDigests> {
    let digests = slot.lock().ok()?.as_ref()?.digests.clone();
    Some(ObjectDigests {
        md5: digests.md5,
        checksums: stored_checksums(&digests),
    })
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// The checksum of a finished body as stored.
fn stored_checksums(d: &Digests) -> Vec<(String, String)> {
    d.checksum
        .iter()
        .map(|(alg, v)| (alg.as_str().to_ascii_lowercase(), v.clone()))
        .collect()
}

/// The checksum elements of a response, with the checksum's type.
pub(crate) fn checksum_elements(stored: &[(String, String)]) -> Checksums {
    let mut c = Checksums::default();
    for (alg, v) in stored {
        c.checksum_type = Some(checksum_type(v).to_string());
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

/// The checksum elements of one part in a listing (the type is the
/// object's or the upload's, given once).
pub(crate) fn part_checksum_elements(stored: &[(String, String)]) -> Checksums {
    Checksums {
        checksum_type: None,
        ..checksum_elements(stored)
    }
}

/// The response header of a stored checksum algorithm.
pub(crate) fn checksum_header(alg: &str) -> Option<&'static str> {
    alg.parse::<ChecksumAlgorithm>()
        .ok()
        .map(|a| a.header_name())
}

/// PutObject: streams the body to the storage nodes, then commits the
/// object (unless a write condition fails) and answers its ETag.
pub(crate) async fn put(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let plan = plan_put(r, gw).await?;
    let (size, mut body, slot) = upload_body(r, payload, MAX_PART_BYTES, None).await?;
    let (mut resp, _) = write_put(r, gw, plan, size, &mut body, &slot).await?;
    Ok(resp.finish())
}

/// What a PutObject writes besides its body, read from the request's
/// headers: a form upload (PostObject) makes the same from its fields.
pub(crate) struct PutPlan {
    meta: ObjectMeta,
    condition: WriteCondition,
}

/// Every check of a PutObject before its body is read: the key, the
/// metadata headers, the write condition, the bucket, the digest Object
/// Lock asks for.
pub(crate) async fn plan_put(r: &S3Request, gw: &Gateway) -> Result<PutPlan, S3Error> {
    validate_object_key(r.key())?;
    let meta = object_meta(r, gw)?;
    let condition = write_condition(r)?;
    gw.objects.bucket_precheck(r.bucket()).await?;
    // As AWS: Content-MD5, a checksum header, or a checksum the SDK
    // sends as a trailer (`x-amz-sdk-checksum-algorithm`, its default for
    // a streamed body).
    let has_digest = r.header("content-md5").is_some()
        || r.header("x-amz-sdk-checksum-algorithm").is_some()
        || r.header("x-amz-trailer")
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("x-amz-checksum-"))
        || r.headers()
            .keys()
            .any(|h| h.as_str().starts_with("x-amz-checksum-"));
    if meta.lock.is_set() && !has_digest {
        return Err(S3Error::new(S3ErrorCode::InvalidRequest).with_message(
            "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
        ));
    }
    Ok(PutPlan { meta, condition })
}

/// Writes the object `plan` describes with the `size` bytes of `body`
/// (checked: its summary appears in `slot`), and answers `200` with the
/// headers of a stored object (ETag, version, checksums, expiration),
/// with the record written.
pub(crate) async fn write_put(
    r: &S3Request,
    gw: &Gateway,
    plan: PutPlan,
    size: u64,
    body: &mut CheckedBody,
    slot: &SummarySlot,
) -> Result<(HttpResponseBuilder, ObjectRecord), S3Error> {
    let customer = plan.meta.sse.customer().cloned();
    let new = NewObject {
        bucket: r.bucket().to_string(),
        key: r.key().to_string(),
        size,
        meta: plan.meta,
        condition: plan.condition,
    };
    let written = gw
        .objects
        .put(new, body, || body_digests(slot))
        .await
        .map_err(write_error)?;
    let record = written.record;
    metrics::S3_BYTES_IN.inc_by(size);
    let mut resp = HttpResponse::Ok();
    resp.insert_header(("ETag", quoted(&record.etag)));
    if let Some(v) = written.version {
        resp.insert_header(("x-amz-version-id", v.to_id()));
    }
    sse_headers(&mut resp, record.encryption.as_ref(), customer.as_ref());
    for (alg, v) in &record.checksums {
        if let Some(h) = checksum_header(alg) {
            resp.insert_header((h, v.as_str()));
        }
    }
    if let Some(h) = expiration(gw, &record).await {
        resp.insert_header(h);
    }
    Ok((resp, record))
}

/// The condition of a conditional write: `If-None-Match: *` (create
/// only), `If-None-Match: <etag>` (not over that version) or
/// `If-Match: <etag>` (replace only that version), checked when the write
/// commits. Both at once are refused.
pub(crate) fn write_condition(r: &S3Request) -> Result<WriteCondition, S3Error> {
    match (r.header("if-none-match"), r.header("if-match")) {
        (None, None) => Ok(WriteCondition::Always),
        (Some("*"), None) => Ok(WriteCondition::IfAbsent),
        (None, Some(etag)) => Ok(WriteCondition::IfMatch(
            etag.trim().trim_matches('"').to_string(),
        )),
        (Some(etag), None) => Ok(WriteCondition::IfNoneMatch(
            etag.trim().trim_matches('"').to_string(),
        )),
        (Some(_), Some(_)) => Err(S3Error::new(S3ErrorCode::NotImplemented)
            .with_message("If-Match and If-None-Match cannot be combined on a write")),
    }
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
        // Non-ASCII values go back as the UTF-8 bytes they came as.
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(format!("x-amz-meta-{k}")),
            HeaderValue::from_bytes(v.as_bytes()),
        ) {
            resp.insert_header((name, value));
        }
    }
    for (k, v) in &o.headers {
        resp.insert_header((k.as_str(), v.as_str()));
    }
    if !o.tags.is_empty() {
        resp.insert_header(("x-amz-tagging-count", o.tags.len().to_string()));
    }
}

/// The addressed object's current version, or the error reading it
/// gets: `NoSuchKey` naming the delete marker that is latest, if one is.
pub(crate) async fn current_object(r: &S3Request, gw: &Gateway) -> Result<ObjectRecord, S3Error> {
    match gw.objects.object(r.bucket(), r.key()).await {
        Ok(o) => Ok(o),
        Err(e) => {
            let e = hide_missing(r, e.into());
            if e.code != S3ErrorCode::NoSuchKey {
                return Err(e);
            }
            Err(match gw.objects.latest_marker(r.bucket(), r.key()).await {
                Some(m) => marker_error(&m, false),
                None => e.with_header("x-amz-delete-marker", "false".to_owned()),
            })
        }
    }
}

/// `o`'s bytes in `range`, with the first piece read before the answer's
/// status: an object that cannot be read now (too few of its shards can
/// be) is answered with the error (503 and Retry-After), not with a 200
/// whose body breaks off.
pub(crate) async fn readable_data(
    gw: &Gateway,
    o: &ObjectRecord,
    range: std::ops::Range<u64>,
    key: Option<&DataKey>,
) -> Result<
    impl futures::Stream<Item = Result<Bytes, crate::object::ObjectError>> + Unpin + 'static,
    S3Error,
> {
    let mut data = gw.objects.read_data(o, range, key);
    let first = match data.next().await {
        Some(Ok(piece)) => Some(Ok(piece)),
        Some(Err(e)) => return Err(e.into()),
        None => None,
    };
    Ok(futures::stream::iter(first).chain(data))
}

/// GetObject and HeadObject.
pub(crate) async fn get(r: &S3Request, gw: &Gateway, args: ReadArgs) -> S3Result {
    let named_version = matches!(args.version, Ok(Some(_)));
    let o = match args.version? {
        Some(v) => {
            let o = gw
                .objects
                .object_version(r.bucket(), r.key(), v)
                .await
                .map_err(|e| hide_missing(r, e.into()))?;
            if o.delete_marker {
                return Err(marker_error(&o, true));
            }
            o
        }
        None => current_object(r, gw).await?,
    };
    require_object(r, &o)?;
    let part = args.part_number?;
    let by_part = match (part, r.header("range")) {
        (Some(_), Some(_)) => {
            return Err(S3Error::new(S3ErrorCode::InvalidRequest)
                .with_message("Cannot specify both Range header and partNumber query parameter."))
        }
        (Some(n), None) => Some(part_range(&o, n)?),
        (None, _) => None,
    };
    // An SSE-C object's key is checked before anything else of it is
    // told (its ETag in a 304, its bytes).
    let (data_key, customer) = read_key(r, gw, &o)?;
    let etag = quoted(&o.etag);
    evaluate_conditions(
        &conditions(r, ""),
        &etag,
        o.last_modified_ms,
        ConditionTarget::Object,
    )
    .map_err(|e| {
        // A 304 tells the client which version it already has.
        let e = S3Error::from(e);
        match e.code {
            S3ErrorCode::NotModified => e
                .with_header("ETag", etag.clone())
                .with_header("Last-Modified", http_date(o.last_modified_ms)),
            _ => e,
        }
    })?;
    validate_response_overrides(&r.query, true)?;
    let range = match (by_part, r.header("range")) {
        (Some(range), _) => range,
        (None, Some(h)) => parse_range(h, o.size)?,
        (None, None) => None,
    };
    let mut resp = HttpResponse::build(if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    });
    object_headers(&mut resp, &o);
    sse_headers(&mut resp, o.encryption.as_ref(), customer.as_ref());
    version_headers(r, &mut resp, &o);
    if let Some(h) = read_expiration(gw, &o, named_version).await {
        resp.insert_header(h);
    }
    if part.is_some() && !o.parts.is_empty() {
        resp.insert_header(("x-amz-mp-parts-count", o.parts.len().to_string()));
    }
    let checksum_mode = r
        .header("x-amz-checksum-mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("enabled"));
    // A part of a multipart object: its own checksum, always (as AWS);
    // the whole object: its checksum when asked for.
    let shown: &[(String, String)] = match part {
        Some(n) if !o.parts.is_empty() => o
            .parts
            .get(n.saturating_sub(1) as usize)
            .map_or(&[], |p| p.checksums.as_slice()),
        _ if range.is_none() && checksum_mode => &o.checksums,
        _ => &[],
    };
    for (alg, v) in shown {
        if let Some(h) = checksum_header(alg) {
            resp.insert_header((h, v.as_str()));
        }
    }
    if let (Some(_), Some((_, v))) = (shown.first(), o.checksums.first()) {
        resp.insert_header(("x-amz-checksum-type", checksum_type(v)));
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
    let stream = readable_data(gw, &o, range, data_key.as_ref())
        .await?
        .map(|chunk| match chunk {
            Ok(c) => {
                metrics::S3_BYTES_OUT.inc_by(c.len() as u64);
                Ok(c)
            }
            // The status is sent; breaking the stream tells the client.
            Err(e) => Err(actix_web::error::ErrorInternalServerError(e.to_string())),
        });
    Ok(resp.streaming(stream))
}

/// The bytes of the `n`-th part of `o` (GET/HEAD with `partNumber`, 1 is
/// the first): `None` for part 1 of a single-part object (the whole
/// object, as AWS answers); `400 InvalidPart` past the last part (as AWS
/// answers a part the object does not have).
fn part_range(o: &ObjectRecord, n: u32) -> Result<Option<std::ops::Range<u64>>, S3Error> {
    if o.parts.is_empty() && n == 1 {
        return Ok(None);
    }
    let index = usize::try_from(n - 1).unwrap_or(usize::MAX);
    let Some(part) = o.parts.get(index) else {
        return Err(S3Error::new(S3ErrorCode::InvalidPart)
            .with_message(format!("The object has no part {n}.")));
    };
    let start: u64 = o.parts[..index].iter().map(|p| p.size).sum();
    Ok(Some(start..start + part.size))
}

/// DeleteObject (a missing key is not an error), conditional on
/// `If-Match`, `x-amz-if-match-last-modified-time` and
/// `x-amz-if-match-size` when given.
pub(crate) async fn delete(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    let condition = delete_condition(r)?;
    let mut resp = HttpResponse::NoContent();
    match version_of(r)? {
        Some(version) => {
            let removed = gw
                .objects
                .delete_version(r.bucket(), r.key(), version, bypass_governance(r, r.key()))
                .await?;
            resp.insert_header(("x-amz-version-id", version.to_id()));
            if removed == Some(true) {
                resp.insert_header(("x-amz-delete-marker", "true"));
            }
        }
        None => {
            if let Some(marker) = gw.objects.delete(r.bucket(), r.key(), condition).await? {
                resp.insert_header(("x-amz-version-id", marker.to_id()));
                resp.insert_header(("x-amz-delete-marker", "true"));
            }
        }
    }
    Ok(resp.finish())
}

/// The condition headers of a DeleteObject.
fn delete_condition(r: &S3Request) -> Result<DeleteCondition, S3Error> {
    let invalid = |name: &str| {
        S3Error::new(S3ErrorCode::InvalidArgument).with_message(format!("Invalid {name} header"))
    };
    let last_modified_s = match r.header("x-amz-if-match-last-modified-time") {
        None => None,
        Some(v) => Some(
            parse_http_date_secs(v).ok_or_else(|| invalid("x-amz-if-match-last-modified-time"))?,
        ),
    };
    let size = match r.header("x-amz-if-match-size") {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse()
                .map_err(|_| invalid("x-amz-if-match-size"))?,
        ),
    };
    Ok(DeleteCondition {
        etag: r
            .header("if-match")
            .map(|e| e.trim().trim_matches('"').to_string()),
        last_modified_s,
        size,
    })
}

/// DeleteObjects (quiet or verbose).
pub(crate) async fn delete_many(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    let body = small_body(r, payload, MAX_DELETE_BODY).await?;
    let request = parse_delete(&body)?;
    let deletes = request.objects.iter().map(|o| async move {
        require_delete(r, &o.key, o.version_id.is_some())?;
        let bypass = bypass_governance(r, &o.key);
        match o.version_id.as_deref() {
            None => gw
                .objects
                .delete(r.bucket(), &o.key, o.condition.clone())
                .await
                .map(|marker| (marker.map(|m| m.to_id()), None))
                .map_err(S3Error::from),
            Some(id) => {
                let version = VersionRef::parse(id).ok_or_else(|| {
                    S3Error::new(S3ErrorCode::NoSuchVersion)
                        .with_message("The specified version does not exist.")
                })?;
                let removed = gw
                    .objects
                    .delete_version(r.bucket(), &o.key, version, bypass)
                    .await?;
                Ok((None, removed.filter(|m| *m).map(|_| id.to_owned())))
            }
        }
    });
    let outcomes = futures::future::join_all(deletes).await;
    let mut result = DeleteResult::default();
    for (o, outcome) in request.objects.into_iter().zip(outcomes) {
        match outcome {
            Ok((new_marker, removed_marker)) => {
                if !request.quiet {
                    let marker = new_marker.is_some() || removed_marker.is_some();
                    result.deleted.push(DeletedObject {
                        key: o.key,
                        version_id: o.version_id,
                        delete_marker: marker,
                        delete_marker_version_id: new_marker.or(removed_marker),
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

/// The source of a copy and its data key (an SSE-C source's key checked
/// before its conditions tell anything of it), after its conditions.
pub(crate) async fn copy_source(
    r: &S3Request,
    gw: &Gateway,
) -> Result<(ObjectRecord, Option<DataKey>), S3Error> {
    let src = parse_copy_source(r.header("x-amz-copy-source").unwrap_or_default())?;
    let bucket = gw.objects.bucket_precheck(&src.bucket).await?;
    check_expected_owner(r.headers(), "x-amz-source-expected-bucket-owner", &bucket)?;
    let o = match src.version {
        Some(v) => gw.objects.object_version(&src.bucket, &src.key, v).await?,
        None => gw.objects.object(&src.bucket, &src.key).await?,
    };
    if o.delete_marker {
        // AWS: a delete marker is no copy source.
        return Err(S3Error::new(S3ErrorCode::InvalidRequest)
            .with_message("The source of a copy request may not specifically refer to a delete marker by version id."));
    }
    let policy = policy_of(gw, &bucket);
    require_source(r, &bucket, policy.as_deref(), &o, src.version.is_some())?;
    let key = source_key(r, gw, &o)?;
    evaluate_conditions(
        &conditions(r, "x-amz-copy-source-"),
        &quoted(&o.etag),
        o.last_modified_ms,
        ConditionTarget::CopySource,
    )?;
    Ok((o, key))
}

/// CopyObject (COPY or REPLACE metadata).
pub(crate) async fn copy(r: &S3Request, gw: &Gateway) -> S3Result {
    let (bucket, key) = (r.bucket(), r.key());
    validate_object_key(key)?;
    let (src, src_key) = copy_source(r, gw).await?;
    let sse = write_sse(r, gw)?;
    let replace = match r.header("x-amz-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(_) => {
            return Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message("Unknown metadata directive."))
        }
    };
    // Copying an older version onto its key is how a version is restored.
    let names_version = r
        .header("x-amz-copy-source")
        .is_some_and(|h| h.contains("versionId="));
    let encrypts = !matches!(sse, SseRequest::Default);
    if !replace && src.bucket == bucket && src.key == key && !names_version && !encrypts {
        return Err(S3Error::new(S3ErrorCode::InvalidRequest).with_message(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let mut meta = if replace {
        object_meta(r, gw)?
    } else {
        let (owner, acl) = new_object_access(r)?;
        ObjectMeta::of(&src, owner, acl)
    };
    let customer = sse.customer().cloned();
    meta.sse = sse;
    meta.tags = match parse_tagging_directive(r.header("x-amz-tagging-directive"))? {
        TaggingDirective::Copy => src.tags.clone(),
        TaggingDirective::Replace => tags_in_header(r)?,
    };
    meta.lock = lock_headers(r)?;
    // A single-part copy of a multipart object gets a plain MD5 ETag.
    let checksums = if src.parts.is_empty() {
        src.checksums.clone()
    } else {
        vec![]
    };
    let written = gw
        .objects
        .copy((&src, src_key), (bucket, key), meta, checksums)
        .await?;
    let record = written.record;
    let expires = expiration(gw, &record).await;
    let result = CopyObjectResult {
        etag: record.etag,
        last_modified_ms: record.last_modified_ms,
        checksums: checksum_elements(&record.checksums),
    };
    let mut resp = HttpResponse::Ok();
    if let Some(v) = written.version {
        resp.insert_header(("x-amz-version-id", v.to_id()));
    }
    sse_headers(&mut resp, record.encryption.as_ref(), customer.as_ref());
    if src.versioned {
        resp.insert_header(("x-amz-copy-source-version-id", src.version_ref().to_id()));
    }
    if let Some(h) = expires {
        resp.insert_header(h);
    }
    Ok(resp.content_type("application/xml").body(result.to_xml()))
}
