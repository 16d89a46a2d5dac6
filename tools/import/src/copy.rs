//! Carrying one key: its versions and delete markers written here oldest
//! first, each body streamed from the source's GET into this store's PUT
//! (never held whole), with its metadata, tags, retention and legal hold
//! in the same request. A multipart version is carried part by part, so
//! its ETag (`…-N`) comes out the same and can be compared.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, ObjectLockLegalHoldStatus, ObjectLockMode,
    ServerSideEncryption,
};
use aws_sdk_s3::Client;

use super::error::{s3_error, ImportError, Side};
use super::report::{KeyReport, Problem, Progress};
use super::versions::{KeyVersions, SourceVersion};
use predastore::client::S3ErrorCode;

/// What an import carries with: both clients, its rate limit and its
/// progress counters.
pub(super) struct Carrier {
    /// The source endpoint's client.
    pub(super) source: Client,
    /// This store's client.
    pub(super) here: Client,
    /// Bytes per second at most.
    pub(super) limit: Limiter,
    /// Counters the progress line and summary read.
    pub(super) progress: Progress,
}

/// A version that could not be carried.
enum VersionError {
    /// The source refuses to give it (SSE-C, denied): listed, the key goes on.
    NotCarried(String),
    /// A call failed: the key stops here (a rerun takes it up).
    Failed(ImportError),
}

impl From<ImportError> for VersionError {
    fn from(e: ImportError) -> Self {
        VersionError::Failed(e)
    }
}

/// Carries `key`'s versions. With `check`, the versions already here (a
/// run killed while carrying this key) are counted first and not written
/// again, and uploads it left unfinished are aborted.
pub(super) async fn carry_key(
    cx: &Carrier,
    bucket: &str,
    key: KeyVersions,
    check: bool,
) -> KeyReport {
    let mut report = KeyReport::new(&key.key);
    let mut skip = 0;
    if check {
        match already_here(&cx.here, bucket, &key.key).await {
            Ok(n) => skip = n.min(key.versions.len()),
            Err(e) => {
                report
                    .failed
                    .push(Problem::of_key(bucket, &key.key, e.to_string()));
                return report;
            }
        }
    }
    for v in &key.versions[..skip] {
        report.already_here += 1;
        cx.progress.done(v.size);
    }
    for v in &key.versions[skip..] {
        match carry_version(cx, bucket, &key.key, v).await {
            Ok(()) if v.delete_marker => report.delete_markers += 1,
            Ok(()) => {
                report.versions += 1;
                report.bytes += v.size;
            }
            Err(VersionError::NotCarried(why)) => {
                report
                    .not_carried
                    .push(Problem::of_version(bucket, &key.key, &v.version_id, why))
            }
            Err(VersionError::Failed(e)) => {
                report.failed.push(Problem::of_version(
                    bucket,
                    &key.key,
                    &v.version_id,
                    e.to_string(),
                ));
                break;
            }
        }
        cx.progress.done(v.size);
    }
    report
}

/// How many versions and delete markers `key` has here; unfinished
/// uploads of it are aborted.
async fn already_here(here: &Client, bucket: &str, key: &str) -> Result<usize, ImportError> {
    let mut count = 0;
    let mut marker: Option<(String, Option<String>)> = None;
    loop {
        let mut call = here.list_object_versions().bucket(bucket).prefix(key);
        if let Some((k, v)) = &marker {
            call = call.key_marker(k).set_version_id_marker(v.clone());
        }
        let page = call
            .send()
            .await
            .map_err(|e| s3_error(Side::Here, &format!("list versions of {bucket}/{key}"), e))?;
        let of_key = |k: Option<&str>| k == Some(key);
        count += page.versions().iter().filter(|v| of_key(v.key())).count();
        count += page
            .delete_markers()
            .iter()
            .filter(|m| of_key(m.key()))
            .count();
        match (page.is_truncated(), page.next_key_marker()) {
            (Some(true), Some(k)) if k == key => {
                marker = Some((
                    k.to_string(),
                    page.next_version_id_marker().map(str::to_string),
                ))
            }
            _ => break,
        }
    }
    let uploads = here
        .list_multipart_uploads()
        .bucket(bucket)
        .prefix(key)
        .send()
        .await
        .map_err(|e| s3_error(Side::Here, &format!("list uploads of {bucket}/{key}"), e))?;
    for upload in uploads.uploads() {
        if let (Some(k), Some(id)) = (upload.key(), upload.upload_id()) {
            if k == key {
                here.abort_multipart_upload()
                    .bucket(bucket)
                    .key(key)
                    .upload_id(id)
                    .send()
                    .await
                    .map_err(|e| {
                        s3_error(Side::Here, &format!("abort an upload of {bucket}/{key}"), e)
                    })?;
            }
        }
    }
    Ok(count)
}

/// Writes one version or delete marker here.
async fn carry_version(
    cx: &Carrier,
    bucket: &str,
    key: &str,
    v: &SourceVersion,
) -> Result<(), VersionError> {
    if v.delete_marker {
        cx.here
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| s3_error(Side::Here, &format!("delete {bucket}/{key}"), e))?;
        return Ok(());
    }
    cx.limit.take(v.size).await;
    let parts = multipart_parts(&v.etag);
    let first = get(cx, bucket, key, v, parts.map(|_| 1)).await?;
    let head = ObjectHead::read(cx, bucket, key, v, &first).await?;
    let (etag, by_parts) = match (parts, first.parts_count()) {
        (Some(_), Some(n)) if n >= 1 => (
            carry_parts(cx, bucket, key, v, &head, first, n).await?,
            true,
        ),
        _ => {
            let length = first.content_length().unwrap_or_default();
            if u64::try_from(length).ok() != Some(v.size) {
                return Err(size_differs(v.size, length));
            }
            let mut call = cx.here.put_object().bucket(bucket).key(key);
            call = head.apply_to_put(call);
            let put = call
                .content_length(length)
                .body(first.body)
                .send()
                .await
                .map_err(|e| s3_error(Side::Here, &format!("put {bucket}/{key}"), e))?;
            (put.e_tag().unwrap_or_default().to_string(), false)
        }
    };
    let etag = etag.trim_matches('"');
    // A multipart version a source will not give part by part lands as
    // one part: its ETag is this store's MD5, not the source's `…-N`.
    let comparable = head.comparable_etag && (parts.is_none() || by_parts);
    if comparable && etag != v.etag {
        return Err(VersionError::Failed(ImportError::Unreadable {
            what: format!("{bucket}/{key}"),
            message: format!("written with ETag {etag}, the source's is {}", v.etag),
        }));
    }
    Ok(())
}

/// The number of parts of a multipart ETag (`…-N`).
fn multipart_parts(etag: &str) -> Option<u32> {
    etag.rsplit_once('-').and_then(|(_, n)| n.parse().ok())
}

/// A GET of the version (or one of its parts).
async fn get(
    cx: &Carrier,
    bucket: &str,
    key: &str,
    v: &SourceVersion,
    part: Option<i32>,
) -> Result<GetObjectOutput, VersionError> {
    cx.source
        .get_object()
        .bucket(bucket)
        .key(key)
        .version_id(&v.version_id)
        .set_part_number(part)
        .send()
        .await
        .map_err(|e| {
            let e = s3_error(Side::Source, &format!("get {bucket}/{key}"), e);
            // The source holds it but will not give it (SSE-C without the
            // client's key, a denied version): nothing to retry.
            if e.answered(&[S3ErrorCode::InvalidRequest, S3ErrorCode::AccessDenied]) {
                VersionError::NotCarried(e.to_string())
            } else {
                VersionError::Failed(e)
            }
        })
}

/// Carries a multipart version part by part (`first` is part 1 of `n`);
/// its ETag here. An unfinished upload is aborted.
async fn carry_parts(
    cx: &Carrier,
    bucket: &str,
    key: &str,
    v: &SourceVersion,
    head: &ObjectHead,
    first: GetObjectOutput,
    n: i32,
) -> Result<String, VersionError> {
    let what = format!("upload {bucket}/{key}");
    let created = head
        .apply_to_create(cx.here.create_multipart_upload().bucket(bucket).key(key))
        .send()
        .await
        .map_err(|e| s3_error(Side::Here, &what, e))?;
    let upload_id = created.upload_id().unwrap_or_default().to_string();
    let outcome = async {
        let mut parts = Vec::new();
        let mut total = 0u64;
        let mut next = Some(first);
        for number in 1..=n {
            let part = match next.take() {
                Some(part) => part,
                None => get(cx, bucket, key, v, Some(number)).await?,
            };
            let length = part.content_length().unwrap_or_default();
            total += u64::try_from(length).unwrap_or_default();
            let uploaded = cx
                .here
                .upload_part()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .part_number(number)
                .content_length(length)
                .body(part.body)
                .send()
                .await
                .map_err(|e| s3_error(Side::Here, &what, e))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(uploaded.e_tag().map(str::to_string))
                    .build(),
            );
        }
        if total != v.size {
            return Err(size_differs(
                v.size,
                i64::try_from(total).unwrap_or(i64::MAX),
            ));
        }
        let done = cx
            .here
            .complete_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| s3_error(Side::Here, &what, e))?;
        Ok(done.e_tag().unwrap_or_default().to_string())
    }
    .await;
    if outcome.is_err() {
        // Best effort: a rerun aborts what is left, and so does lifecycle.
        let _ = cx
            .here
            .abort_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .send()
            .await;
    }
    outcome
}

/// The source gave another size than its listing said.
fn size_differs(listed: u64, got: i64) -> VersionError {
    VersionError::Failed(ImportError::Unreadable {
        what: "a version".into(),
        message: format!("the source listed {listed} bytes and sent {got}"),
    })
}

/// What a version is written with besides its bytes.
#[derive(Default)]
struct ObjectHead {
    content_type: Option<String>,
    content_encoding: Option<String>,
    content_disposition: Option<String>,
    content_language: Option<String>,
    cache_control: Option<String>,
    expires: Option<DateTime>,
    website_redirect: Option<String>,
    metadata: Option<HashMap<String, String>>,
    /// Tags, URL-encoded as `x-amz-tagging` takes them.
    tagging: Option<String>,
    lock_mode: Option<ObjectLockMode>,
    retain_until: Option<DateTime>,
    legal_hold: Option<ObjectLockLegalHoldStatus>,
    encryption: Option<ServerSideEncryption>,
    /// The source's ETag is its bytes' MD5 (not SSE-KMS or SSE-C), so the
    /// ETag here must be the same.
    comparable_etag: bool,
}

/// Sets every field of an [`ObjectHead`] on a PutObject or
/// CreateMultipartUpload call (they take the same headers).
macro_rules! with_head {
    ($call:expr, $h:expr) => {
        $call
            .set_content_type($h.content_type.clone())
            .set_content_encoding($h.content_encoding.clone())
            .set_content_disposition($h.content_disposition.clone())
            .set_content_language($h.content_language.clone())
            .set_cache_control($h.cache_control.clone())
            .set_expires($h.expires)
            .set_website_redirect_location($h.website_redirect.clone())
            .set_metadata($h.metadata.clone())
            .set_tagging($h.tagging.clone())
            .set_object_lock_mode($h.lock_mode.clone())
            .set_object_lock_retain_until_date($h.retain_until)
            .set_object_lock_legal_hold_status($h.legal_hold.clone())
            .set_server_side_encryption($h.encryption.clone())
    };
}

impl ObjectHead {
    /// Reads what `got` (the version's GET) tells, and its tags.
    async fn read(
        cx: &Carrier,
        bucket: &str,
        key: &str,
        v: &SourceVersion,
        got: &GetObjectOutput,
    ) -> Result<Self, VersionError> {
        let tagging = match got.tag_count() {
            Some(n) if n > 0 => {
                let tags = cx
                    .source
                    .get_object_tagging()
                    .bucket(bucket)
                    .key(key)
                    .version_id(&v.version_id)
                    .send()
                    .await
                    .map_err(|e| {
                        s3_error(Side::Source, &format!("get tags of {bucket}/{key}"), e)
                    })?;
                let mut form = form_urlencoded::Serializer::new(String::new());
                for tag in tags.tag_set() {
                    form.append_pair(tag.key(), tag.value());
                }
                Some(form.finish())
            }
            _ => None,
        };
        // A retention already over holds nothing (and S3 takes no date in
        // the past).
        let now = DateTime::from(std::time::SystemTime::now());
        let retain_until = got
            .object_lock_retain_until_date()
            .filter(|d| **d > now)
            .copied();
        let encryption = match got.server_side_encryption() {
            Some(ServerSideEncryption::Aes256) => Some(ServerSideEncryption::Aes256),
            Some(ServerSideEncryption::AwsKms | ServerSideEncryption::AwsKmsDsse) => {
                Some(ServerSideEncryption::AwsKms)
            }
            _ => None,
        };
        let content_encoding = got.content_encoding().and_then(|e| {
            let kept: Vec<&str> = e
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("aws-chunked"))
                .collect();
            (!kept.is_empty()).then(|| kept.join(","))
        });
        Ok(Self {
            content_type: got.content_type().map(str::to_string),
            content_encoding,
            content_disposition: got.content_disposition().map(str::to_string),
            content_language: got.content_language().map(str::to_string),
            cache_control: got.cache_control().map(str::to_string),
            expires: got
                .expires_string()
                .and_then(|s| DateTime::from_str(s, DateTimeFormat::HttpDate).ok()),
            website_redirect: got.website_redirect_location().map(str::to_string),
            metadata: got.metadata().filter(|m| !m.is_empty()).cloned(),
            tagging,
            lock_mode: retain_until.and(got.object_lock_mode().cloned()),
            retain_until: got.object_lock_mode().and(retain_until),
            legal_hold: got
                .object_lock_legal_hold_status()
                .filter(|s| **s == ObjectLockLegalHoldStatus::On)
                .cloned(),
            comparable_etag: matches!(encryption, None | Some(ServerSideEncryption::Aes256))
                && got.sse_customer_algorithm().is_none(),
            encryption,
        })
    }

    /// `call` with this head.
    fn apply_to_put(
        &self,
        call: aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder,
    ) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        with_head!(call, self)
    }

    /// `call` with this head.
    fn apply_to_create(
        &self,
        call: aws_sdk_s3::operation::create_multipart_upload::builders::CreateMultipartUploadFluentBuilder,
    ) -> aws_sdk_s3::operation::create_multipart_upload::builders::CreateMultipartUploadFluentBuilder
    {
        with_head!(call, self)
    }
}

/// At most so many bytes per second started, over all workers.
pub(super) struct Limiter {
    bytes_per_sec: u64,
    next: std::sync::Mutex<Instant>,
}

impl Limiter {
    /// A limit of `bytes_per_sec` (0: none).
    pub(super) fn new(bytes_per_sec: u64) -> Self {
        Self {
            bytes_per_sec,
            next: std::sync::Mutex::new(Instant::now()),
        }
    }

    /// Waits until `bytes` more may be sent.
    async fn take(&self, bytes: u64) {
        if self.bytes_per_sec == 0 {
            return;
        }
        let start = match self.next.lock() {
            Ok(mut next) => {
                let start = (*next).max(Instant::now());
                *next = start + Duration::from_secs_f64(bytes as f64 / self.bytes_per_sec as f64);
                start
            }
            Err(_) => return,
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_etag_tells_its_parts() {
        assert_eq!(
            multipart_parts("9b2cf535f27731c974343645a3985328-3"),
            Some(3)
        );
        assert_eq!(multipart_parts("9b2cf535f27731c974343645a3985328"), None);
        assert_eq!(multipart_parts("odd-etag"), None);
    }

    #[tokio::test]
    async fn the_limiter_spaces_versions_by_their_size() {
        let limit = Limiter::new(10_000);
        let start = Instant::now();
        limit.take(1000).await;
        limit.take(1000).await;
        limit.take(10).await;
        // 2,000 bytes at 10,000 per second before the third may start.
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(200), "{waited:?}");
        // No limit: nothing to wait for (a terabyte would take a day at
        // the rate above).
        let unlimited = Limiter::new(0);
        tokio::time::timeout(Duration::from_secs(60), unlimited.take(1 << 40))
            .await
            .expect("no limit waits for nothing");
    }
}
