//! S3 semantics of request headers and query parameters, kept free of any
//! HTTP framework.
//!
//! The HTTP edge (actix-web) pulls raw `&str` values out of the request and
//! passes them here. That keeps the S3-specific rules (which malformed input
//! S3 ignores and which it rejects, and with which error code) in one place
//! that can be unit tested without building requests. Each rejection is a
//! [`HeaderError`], which carries the S3 error code and HTTP status to send.
//!
//! Where AWS behaviour is not written down, the choice made here comes from
//! behaviour other S3 implementers have observed against AWS. The notes on
//! each function say which.

use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use percent_encoding::percent_decode_str;

/// Longest object key S3 accepts, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// S3's limit on user metadata: the sum of the name and value lengths in
/// bytes, counted without the `x-amz-meta-` prefix.
pub const MAX_USER_METADATA_BYTES: usize = 2048;

/// Highest part number multipart uploads accept.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// Last second `http_date` can format (9999-12-31T23:59:59Z). Four-digit
/// years are all IMF-fixdate allows, and `httpdate` panics after that.
const MAX_HTTP_DATE_SECS: u64 = 253_402_300_799;

const USER_META_PREFIX: &str = "x-amz-meta-";

const COPY_SOURCE_RANGE_FORM: &str = "The x-amz-copy-source-range value must be of the form \
     bytes=first-last where first and last are the zero-based offsets of the first and last \
     bytes to copy";

/// Why a header or parameter was rejected, one variant per S3 error code.
///
/// `Display` gives the text for the `<Message>` element of the S3 error body.
/// The fields hold the extra elements S3 adds for that code, or detail worth
/// logging.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// `InvalidRange` (416): no byte of the requested range exists.
    #[error("The requested range is not satisfiable")]
    InvalidRange {
        /// The `Range` header as received, for `<RangeRequested>`.
        requested: String,
        /// Object size, for `<ActualObjectSize>` and `Content-Range: bytes */size`.
        object_size: u64,
    },
    /// `InvalidArgument` (400): a parameter has a value S3 refuses.
    #[error("{message}")]
    InvalidArgument {
        /// Header or query parameter at fault, for `<ArgumentName>`.
        argument: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// `InvalidBucketName` (400): the name breaks the bucket naming rules.
    #[error("The specified bucket is not valid.")]
    InvalidBucketName {
        /// The rejected name, for `<BucketName>`.
        bucket: String,
        /// Which rule was broken; for logs, since S3's message never varies.
        reason: &'static str,
    },
    /// `PreconditionFailed` (412): a conditional header evaluated false.
    #[error("At least one of the pre-conditions you specified did not hold")]
    PreconditionFailed {
        /// Header that failed, for `<Condition>`.
        condition: &'static str,
    },
    /// `304 Not Modified`: not an error for the client; send no body.
    #[error("Not Modified")]
    NotModified,
    /// `InvalidRequest` (400): the request combines things S3 disallows.
    #[error("{message}")]
    InvalidRequest {
        /// Human-readable explanation.
        message: String,
    },
    /// `KeyTooLongError` (400): the key is over [`MAX_KEY_BYTES`].
    #[error("Your key is too long")]
    KeyTooLongError {
        /// Key length in bytes.
        size: usize,
        /// The limit, [`MAX_KEY_BYTES`].
        max: usize,
    },
    /// `MetadataTooLarge` (400): user metadata is over [`MAX_USER_METADATA_BYTES`].
    #[error("Your metadata headers exceed the maximum allowed metadata size.")]
    MetadataTooLarge {
        /// Measured size, for `<Size>`.
        size: usize,
        /// The limit, for `<MaxSizeAllowed>`.
        max: usize,
    },
}

impl HeaderError {
    /// S3 error code for the `<Code>` element.
    pub fn s3_code(&self) -> &'static str {
        match self {
            Self::InvalidRange { .. } => "InvalidRange",
            Self::InvalidArgument { .. } => "InvalidArgument",
            Self::InvalidBucketName { .. } => "InvalidBucketName",
            Self::PreconditionFailed { .. } => "PreconditionFailed",
            Self::NotModified => "NotModified",
            Self::InvalidRequest { .. } => "InvalidRequest",
            Self::KeyTooLongError { .. } => "KeyTooLongError",
            Self::MetadataTooLarge { .. } => "MetadataTooLarge",
        }
    }

    /// HTTP status S3 answers with for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::InvalidRange { .. } => 416,
            Self::PreconditionFailed { .. } => 412,
            Self::NotModified => 304,
            Self::InvalidArgument { .. }
            | Self::InvalidBucketName { .. }
            | Self::InvalidRequest { .. }
            | Self::KeyTooLongError { .. }
            | Self::MetadataTooLarge { .. } => 400,
        }
    }

    fn invalid_argument(argument: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            argument,
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------------------
// Range
// ---------------------------------------------------------------------------

/// One well-formed byte-range-spec (RFC 9110 §14.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteRangeSpec {
    /// `first-last`, with `first <= last` already checked.
    Closed(u64, u64),
    /// `first-`
    From(u64),
    /// `-n`: the last n bytes.
    Suffix(u64),
}

/// Parses one or more ASCII digits, saturating at `u64::MAX`: a position past
/// any real object is still well formed, and saturating keeps its meaning.
fn parse_digits_saturating(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

fn parse_byte_range_spec(spec: &str) -> Option<ByteRangeSpec> {
    let (first, last) = spec.split_once('-')?;
    if first.is_empty() {
        return parse_digits_saturating(last).map(ByteRangeSpec::Suffix);
    }
    let first = parse_digits_saturating(first)?;
    if last.is_empty() {
        return Some(ByteRangeSpec::From(first));
    }
    let last = parse_digits_saturating(last)?;
    // RFC 9110 §14.1.1: last < first makes the spec invalid, not unsatisfiable.
    (first <= last).then_some(ByteRangeSpec::Closed(first, last))
}

/// Returns the single byte-range-spec of a `Range` header, or `None` when S3
/// would ignore the header.
fn parse_single_byte_range(header: &str) -> Option<ByteRangeSpec> {
    let (unit, set) = header.trim().split_once('=')?;
    // Range units are case-insensitive (RFC 9110 §14.1).
    if !unit.eq_ignore_ascii_case("bytes") {
        return None;
    }
    // RFC 9110 §5.6.1: empty list elements are allowed and carry no meaning.
    let mut specs = set.split(',').map(str::trim).filter(|s| !s.is_empty());
    let only = specs.next()?;
    if specs.next().is_some() {
        return None;
    }
    parse_byte_range_spec(only)
}

/// Resolves a GET/HEAD `Range` header against an object of `object_size` bytes.
///
/// `Ok(None)` means "ignore the header and send the whole object with 200",
/// which is what S3 does for anything it cannot use:
/// - a syntactically invalid value, another unit than `bytes`, or a spec whose
///   last position is below the first (`bytes=5-2`): RFC 9110 calls these
///   invalid, and AWS has been observed to answer 200 with the whole object;
/// - several ranges (`bytes=0-1,3-4`): S3 does not do multipart/byteranges and
///   answers 200 with the whole object.
///
/// `Ok(Some(r))` is a satisfiable range for a 206, with `r.end` exclusive and
/// never past the object:
/// - `bytes=a-b`: `a..min(b+1, size)`;
/// - `bytes=a-`: `a..size`;
/// - `bytes=-n`: the last `n` bytes, or the whole object when `n >= size`.
///
/// `Err(InvalidRange)` (416) when nothing overlaps: `a >= size` (so any
/// `bytes=a-…` on an empty object) or `bytes=-0`.
///
/// A suffix range on an empty object (`bytes=-5`, size 0) is `Ok(None)`:
/// RFC 9110 counts a non-zero suffix as satisfiable, yet no Content-Range can
/// describe zero bytes, and AWS is reported to answer 200 with an empty body.
pub fn parse_range(header: &str, object_size: u64) -> Result<Option<Range<u64>>, HeaderError> {
    let Some(spec) = parse_single_byte_range(header) else {
        return Ok(None);
    };
    let unsatisfiable = || HeaderError::InvalidRange {
        requested: header.to_owned(),
        object_size,
    };
    match spec {
        ByteRangeSpec::Closed(first, last) => {
            if first >= object_size {
                return Err(unsatisfiable());
            }
            Ok(Some(first..last.saturating_add(1).min(object_size)))
        }
        ByteRangeSpec::From(first) => {
            if first >= object_size {
                return Err(unsatisfiable());
            }
            Ok(Some(first..object_size))
        }
        ByteRangeSpec::Suffix(0) => Err(unsatisfiable()),
        ByteRangeSpec::Suffix(_) if object_size == 0 => Ok(None),
        ByteRangeSpec::Suffix(n) => Ok(Some(object_size - n.min(object_size)..object_size)),
    }
}

// ---------------------------------------------------------------------------
// Conditional requests
// ---------------------------------------------------------------------------

/// The four conditional headers, as raw values.
///
/// For GET/HEAD fill it from `If-Match`, `If-None-Match`, `If-Modified-Since`
/// and `If-Unmodified-Since`; for CopyObject and UploadPartCopy from the
/// `x-amz-copy-source-if-*` headers of the same names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    /// `If-Match` / `x-amz-copy-source-if-match`.
    pub if_match: Option<String>,
    /// `If-None-Match` / `x-amz-copy-source-if-none-match`.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` / `x-amz-copy-source-if-modified-since`.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` / `x-amz-copy-source-if-unmodified-since`.
    pub if_unmodified_since: Option<String>,
}

/// What the conditions guard, which decides how a "not modified" outcome is
/// reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionTarget {
    /// GetObject / HeadObject: "not modified" is a 304.
    Object,
    /// The source of CopyObject / UploadPartCopy: there is no cached copy to
    /// reuse, so S3 answers 412 instead of 304.
    CopySource,
}

#[derive(Clone, Copy)]
enum ConditionHeader {
    Match,
    NoneMatch,
    ModifiedSince,
    UnmodifiedSince,
}

impl ConditionTarget {
    fn header_name(self, which: ConditionHeader) -> &'static str {
        use ConditionHeader as H;
        match (self, which) {
            (Self::Object, H::Match) => "If-Match",
            (Self::Object, H::NoneMatch) => "If-None-Match",
            (Self::Object, H::ModifiedSince) => "If-Modified-Since",
            (Self::Object, H::UnmodifiedSince) => "If-Unmodified-Since",
            (Self::CopySource, H::Match) => "x-amz-copy-source-if-match",
            (Self::CopySource, H::NoneMatch) => "x-amz-copy-source-if-none-match",
            (Self::CopySource, H::ModifiedSince) => "x-amz-copy-source-if-modified-since",
            (Self::CopySource, H::UnmodifiedSince) => "x-amz-copy-source-if-unmodified-since",
        }
    }

    fn not_modified(self, which: ConditionHeader) -> HeaderError {
        match self {
            Self::Object => HeaderError::NotModified,
            Self::CopySource => HeaderError::PreconditionFailed {
                condition: self.header_name(which),
            },
        }
    }
}

/// An entity tag from a request header, with quotes removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntityTag<'a> {
    weak: bool,
    opaque: &'a str,
}

impl<'a> EntityTag<'a> {
    /// Lenient: quotes are optional, because S3 clients often send bare hex.
    fn parse(s: &'a str) -> Self {
        let s = s.trim();
        let (weak, rest) = match s.strip_prefix("W/") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let opaque = rest
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(rest);
        Self { weak, opaque }
    }
}

enum EntityTagList<'a> {
    Any,
    Tags(Vec<EntityTag<'a>>),
}

/// Splits an `If-Match` / `If-None-Match` value. Commas inside quotes belong
/// to the tag (RFC 9110 allows them in opaque-tag), so this is not a plain
/// `split(',')`.
fn parse_etag_list(value: &str) -> EntityTagList<'_> {
    let value = value.trim();
    if value == "*" {
        return EntityTagList::Any;
    }
    let mut tags = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            break;
        }
        let (weak, body) = match rest.strip_prefix("W/") {
            Some(body) => (true, body),
            None => (false, rest),
        };
        if let Some(quoted) = body.strip_prefix('"') {
            // An unterminated quote takes the rest of the value as the tag.
            let end = quoted.find('"').unwrap_or(quoted.len());
            tags.push(EntityTag {
                weak,
                opaque: &quoted[..end],
            });
            rest = quoted.get(end + 1..).unwrap_or("");
        } else {
            let end = body.find(',').unwrap_or(body.len());
            tags.push(EntityTag {
                weak,
                opaque: body[..end].trim(),
            });
            rest = &body[end..];
        }
    }
    EntityTagList::Tags(tags)
}

#[derive(Clone, Copy)]
enum Comparison {
    /// If-Match: both tags strong and equal (RFC 9110 §8.8.3.2).
    Strong,
    /// If-None-Match: opaque parts equal, weakness ignored.
    Weak,
}

fn etag_list_matches(list: &str, current: &EntityTag<'_>, comparison: Comparison) -> bool {
    match parse_etag_list(list) {
        EntityTagList::Any => true,
        EntityTagList::Tags(tags) => tags.iter().any(|tag| {
            tag.opaque == current.opaque
                && match comparison {
                    Comparison::Strong => !tag.weak && !current.weak,
                    Comparison::Weak => true,
                }
        }),
    }
}

/// Seconds since the epoch of an HTTP-date in any of the three forms RFC 9110
/// requires recipients to accept; `None` for anything else.
fn parse_http_date_secs(value: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

/// Evaluates conditional headers against the object's current ETag and
/// Last-Modified, in the order of RFC 9110 §13.2.2 that S3 documents:
///
/// 1. `If-Match` present and false → 412.
/// 2. Otherwise `If-Unmodified-Since` modified after the date → 412. It is
///    skipped when `If-Match` is present, so If-Match true with
///    If-Unmodified-Since false succeeds, as S3 documents.
/// 3. `If-None-Match` matches → 304 for [`ConditionTarget::Object`], 412 for
///    [`ConditionTarget::CopySource`].
/// 4. Otherwise `If-Modified-Since` not modified since the date → 304 / 412
///    likewise. Skipped when `If-None-Match` is present.
///
/// ETag lists may mix quoted and bare tags, and `*` matches any existing
/// object. `If-Match` uses strong comparison, so a `W/` tag never satisfies
/// it; `If-None-Match` uses weak comparison. Dates compare at whole seconds
/// (Last-Modified is sent at that precision), and a date that does not parse
/// is ignored, as RFC 9110 requires and S3 does.
///
/// `etag` may be given with or without quotes.
pub fn evaluate_conditions(
    cond: &Conditions,
    etag: &str,
    last_modified_ms: u64,
    target: ConditionTarget,
) -> Result<(), HeaderError> {
    let current = EntityTag::parse(etag);
    let modified_secs = last_modified_ms / 1000;

    // Steps 1-2: is the object still in the state the client expects?
    let failed = match cond.if_match.as_deref() {
        Some(list) => (!etag_list_matches(list, &current, Comparison::Strong))
            .then_some(ConditionHeader::Match),
        None => cond
            .if_unmodified_since
            .as_deref()
            .and_then(parse_http_date_secs)
            .filter(|&since| modified_secs > since)
            .map(|_| ConditionHeader::UnmodifiedSince),
    };
    if let Some(which) = failed {
        return Err(HeaderError::PreconditionFailed {
            condition: target.header_name(which),
        });
    }

    // Steps 3-4: does the client already hold this version?
    let unchanged = match cond.if_none_match.as_deref() {
        Some(list) => etag_list_matches(list, &current, Comparison::Weak)
            .then_some(ConditionHeader::NoneMatch),
        None => cond
            .if_modified_since
            .as_deref()
            .and_then(parse_http_date_secs)
            .filter(|&since| modified_secs <= since)
            .map(|_| ConditionHeader::ModifiedSince),
    };
    match unchanged {
        Some(which) => Err(target.not_modified(which)),
        None => Ok(()),
    }
}

/// Formats a time in milliseconds since the epoch as an IMF-fixdate, the form
/// HTTP requires for `Last-Modified`, `Expires` and `Date`.
///
/// Milliseconds are dropped because the format has none. Times after year
/// 9999 are clamped to its last second, since the format cannot show them.
pub fn http_date(ms: u64) -> String {
    let secs = (ms / 1000).min(MAX_HTTP_DATE_SECS);
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// Prefixes AWS reserves for its own use.
const RESERVED_BUCKET_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];

/// Suffixes AWS reserves for access-point aliases, Multi-Region Access Points,
/// directory buckets and table buckets.
const RESERVED_BUCKET_SUFFIXES: [&str; 5] =
    ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/// Four all-digit labels, the shape AWS forbids so a bucket name is never
/// mistaken for an IPv4 address in virtual-host addressing.
fn looks_like_ipv4(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    labels.len() == 4
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks AWS's naming rules for general purpose buckets, so names stay valid
/// as DNS labels for virtual-host addressing and stay portable to AWS.
///
/// Rules: 3–63 characters; only `a-z`, `0-9`, `.` and `-`; first and last
/// character a letter or digit; no `..`; not four all-digit labels (IP form);
/// none of the reserved prefixes `xn--`, `sthree-`, `amzn-s3-demo-`; none of
/// the reserved suffixes `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`,
/// `--table-s3`.
pub fn validate_bucket_name(name: &str) -> Result<(), HeaderError> {
    let reject = |reason| {
        Err(HeaderError::InvalidBucketName {
            bucket: name.to_owned(),
            reason,
        })
    };
    if !(3..=63).contains(&name.len()) {
        return reject("must be between 3 and 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return reject("may only contain lowercase letters, digits, '.' and '-'");
    }
    let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !alnum(name.as_bytes().first()) || !alnum(name.as_bytes().last()) {
        return reject("must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return reject("must not contain two adjacent periods");
    }
    if looks_like_ipv4(name) {
        return reject("must not be formatted as an IP address");
    }
    if RESERVED_BUCKET_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return reject("must not start with a reserved prefix");
    }
    if RESERVED_BUCKET_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return reject("must not end with a reserved suffix");
    }
    Ok(())
}

/// Checks that an object key is one S3 could store: non-empty and at most
/// [`MAX_KEY_BYTES`] bytes of UTF-8.
///
/// An empty key is `InvalidArgument`; an over-long one `KeyTooLongError`.
pub fn validate_object_key(key: &str) -> Result<(), HeaderError> {
    if key.is_empty() {
        return Err(HeaderError::invalid_argument(
            "key",
            "Object key must not be empty",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(HeaderError::KeyTooLongError {
            size: key.len(),
            max: MAX_KEY_BYTES,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Copy
// ---------------------------------------------------------------------------

/// The object named by `x-amz-copy-source`, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySource {
    /// Source bucket, not yet checked against the naming rules.
    pub bucket: String,
    /// Source key, checked with [`validate_object_key`].
    pub key: String,
    /// `Some("null")` when the client asked for the null version explicitly;
    /// predastore has no versioning, so no other value is accepted.
    pub version_id: Option<String>,
}

/// Parses `x-amz-copy-source`: `bucket/key` or `/bucket/key`, percent-encoded,
/// optionally followed by `?versionId=…`.
///
/// The query is split off before decoding, so a `?` inside a key must arrive
/// as `%3F`. The path is then decoded as a whole and split at the first `/`;
/// bucket names cannot contain `/`, so clients that encode the separator as
/// `%2F` work too. `+` stays a literal plus (path encoding, not a form).
///
/// Rejected with `InvalidArgument`:
/// - a missing bucket or key, or a path that is not UTF-8 once decoded;
/// - the access point ARN form (`arn:aws:s3:…:accesspoint/…/object/…`),
///   because predastore has no access points;
/// - a `versionId` other than `null` ("Invalid version id specified"),
///   because predastore keeps only the null version;
/// - any other query parameter, which most likely means an unencoded `?` in
///   the key, and guessing would copy the wrong object.
///
/// A key over 1024 bytes is `KeyTooLongError`.
pub fn parse_copy_source(header: &str) -> Result<CopySource, HeaderError> {
    const ARG: &str = "x-amz-copy-source";
    let raw = header.trim();
    let (path, query) = match raw.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (raw, None),
    };
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| HeaderError::invalid_argument(ARG, "Copy Source is not valid UTF-8"))?;
    let decoded = decoded.strip_prefix('/').unwrap_or(&decoded);
    if decoded.starts_with("arn:") {
        return Err(HeaderError::invalid_argument(
            ARG,
            "Access point ARNs are not supported as a copy source",
        ));
    }
    let missing = || {
        HeaderError::invalid_argument(
            ARG,
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        )
    };
    let (bucket, key) = decoded.split_once('/').ok_or_else(missing)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(missing());
    }
    validate_object_key(key)?;

    let mut version_id = None;
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name != "versionId" {
            return Err(HeaderError::invalid_argument(
                ARG,
                "Copy Source may only carry a versionId parameter; encode '?' in keys as %3F",
            ));
        }
        let value = percent_decode_str(value).decode_utf8_lossy();
        if value != "null" {
            return Err(HeaderError::invalid_argument(
                ARG,
                "Invalid version id specified",
            ));
        }
        version_id = Some(value.into_owned());
    }

    Ok(CopySource {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        version_id,
    })
}

/// Parses UploadPartCopy's `x-amz-copy-source-range` against the source size.
///
/// Unlike `Range`, only `bytes=first-last` is allowed (no open or suffix
/// forms, no lists), and a bad value is an error, not ignored. AWS answers
/// `InvalidArgument` (400) in both cases, not `InvalidRange`:
/// - wrong form: "The x-amz-copy-source-range value must be of the form
///   bytes=first-last where first and last are the zero-based offsets of the
///   first and last bytes to copy";
/// - `last >= source_size`: "Range specified is not valid for source object of
///   size: N". `first > last` gets the same answer.
///
/// Returns `first..last + 1`.
pub fn parse_copy_source_range(header: &str, source_size: u64) -> Result<Range<u64>, HeaderError> {
    const ARG: &str = "x-amz-copy-source-range";
    let form = || HeaderError::invalid_argument(ARG, COPY_SOURCE_RANGE_FORM);
    let spec = header.trim().strip_prefix("bytes=").ok_or_else(form)?;
    let (first, last) = spec.split_once('-').ok_or_else(form)?;
    let first = parse_digits_saturating(first).ok_or_else(form)?;
    let last = parse_digits_saturating(last).ok_or_else(form)?;
    if first > last || last >= source_size {
        return Err(HeaderError::invalid_argument(
            ARG,
            format!("Range specified is not valid for source object of size: {source_size}"),
        ));
    }
    Ok(first..last + 1)
}

// ---------------------------------------------------------------------------
// GetObject response overrides
// ---------------------------------------------------------------------------

/// Query parameters that override a GetObject response header, and the
/// header each sets. Header names are lowercase, as `http::HeaderName`
/// requires for static names.
const RESPONSE_OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

fn override_header(param: &str) -> Option<(&'static str, &'static str)> {
    RESPONSE_OVERRIDES
        .iter()
        .copied()
        .find(|(p, _)| *p == param)
}

/// Checks the `response-*` query parameters before a GetObject is served.
///
/// S3 refuses them on anonymous requests with `InvalidRequest` ("Request
/// specific response headers cannot be used for anonymous GET requests."), so
/// an anonymous user cannot make a public object serve as, say, `text/html`. A
/// value with control characters is rejected with `InvalidArgument` because it
/// could not be sent as a header.
pub fn validate_response_overrides(
    query: &[(String, String)],
    authenticated: bool,
) -> Result<(), HeaderError> {
    let mut any = false;
    for (name, value) in query {
        let Some((param, _)) = override_header(name) else {
            continue;
        };
        any = true;
        if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(HeaderError::invalid_argument(
                param,
                "Header value contains control characters",
            ));
        }
    }
    if any && !authenticated {
        return Err(HeaderError::InvalidRequest {
            message: "Request specific response headers cannot be used for anonymous GET requests."
                .to_owned(),
        });
    }
    Ok(())
}

/// Maps GetObject's `response-*` query parameters to the headers to set on a
/// successful response.
///
/// Values must already be percent-decoded. Parameter names are matched
/// exactly (S3 defines them in lowercase). A parameter given twice keeps the
/// last value, in the position of the first. Call
/// [`validate_response_overrides`] first.
pub fn response_overrides(query: &[(String, String)]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (name, value) in query {
        let Some((_, header)) = override_header(name) else {
            continue;
        };
        match out.iter_mut().find(|(h, _)| *h == header) {
            Some(slot) => slot.1.clone_from(value),
            None => out.push((header, value.clone())),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// User metadata
// ---------------------------------------------------------------------------

/// Collects `x-amz-meta-*` headers into user metadata.
///
/// Names lose the prefix and are lowercased (header names are
/// case-insensitive, and S3 returns them lowercase); first-seen order is kept.
/// A name that appears more than once gets its values joined with `,`, as S3
/// documents for repeated metadata headers. An empty name (`x-amz-meta-`) is
/// `InvalidArgument`.
///
/// The size is the sum of name and value bytes without the prefix. Above
/// [`MAX_USER_METADATA_BYTES`] the result is `MetadataTooLarge` (400).
pub fn user_metadata<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(String, String)>, HeaderError> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (name, value) in headers {
        let Some(prefix) = name.get(..USER_META_PREFIX.len()) else {
            continue;
        };
        if !prefix.eq_ignore_ascii_case(USER_META_PREFIX) {
            continue;
        }
        let suffix = name[USER_META_PREFIX.len()..].to_ascii_lowercase();
        if suffix.is_empty() {
            return Err(HeaderError::invalid_argument(
                "x-amz-meta-",
                "User metadata name must not be empty",
            ));
        }
        match index.get(&suffix) {
            Some(&i) => {
                let existing = &mut entries[i].1;
                existing.push(',');
                existing.push_str(value);
            }
            None => {
                index.insert(suffix.clone(), entries.len());
                entries.push((suffix, value.to_owned()));
            }
        }
    }
    let size: usize = entries.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_USER_METADATA_BYTES {
        return Err(HeaderError::MetadataTooLarge {
            size,
            max: MAX_USER_METADATA_BYTES,
        });
    }
    Ok(entries)
}

// ---------------------------------------------------------------------------
// Listing and multipart parameters
// ---------------------------------------------------------------------------

/// Parses a listing's `max-keys`: absent gives `default`, and values above
/// `cap` are lowered to it, as S3 never returns more than 1000 keys a page.
///
/// Anything that is not a non-negative integer within Java `int` range (S3's
/// own limit) is `InvalidArgument`. `0` is valid and asks for an empty page.
pub fn parse_max_keys(v: Option<&str>, default: u32, cap: u32) -> Result<u32, HeaderError> {
    let Some(v) = v else {
        return Ok(default.min(cap));
    };
    let n = v
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
        .ok_or_else(|| {
            HeaderError::invalid_argument(
                "max-keys",
                "Provided max-keys not an integer or within integer range",
            )
        })?;
    // The filter above bounds n to 0..=i32::MAX, which always fits.
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(n.min(cap))
}

/// Parses `partNumber`, which S3 limits to 1..=10000.
pub fn parse_part_number(v: &str) -> Result<u32, HeaderError> {
    v.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            HeaderError::invalid_argument(
                "partNumber",
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })
}

/// Builds a ListObjectsV2 continuation token from the last key of a page.
///
/// Base64url without padding, so it survives a query string unescaped and
/// clients treat it as opaque instead of as a key. It is not secret: it only
/// carries the key the client just received.
pub fn make_continuation_token(last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(last_key.as_bytes())
}

/// Recovers the key from a token made by [`make_continuation_token`].
///
/// Anything that does not decode to a non-empty UTF-8 key is `InvalidArgument`
/// with S3's message "The continuation token provided is incorrect", so a
/// forged or truncated token fails instead of silently restarting the list.
pub fn parse_continuation_token(token: &str) -> Result<String, HeaderError> {
    let incorrect = || {
        HeaderError::invalid_argument(
            "continuation-token",
            "The continuation token provided is incorrect",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| incorrect())?;
    let key = String::from_utf8(bytes).map_err(|_| incorrect())?;
    if key.is_empty() {
        return Err(incorrect());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    // ----- HeaderError -----

    #[test]
    fn error_codes_and_statuses() {
        let cases = [
            (
                HeaderError::InvalidRange {
                    requested: "bytes=9-".into(),
                    object_size: 1,
                },
                "InvalidRange",
                416,
            ),
            (
                HeaderError::invalid_argument("x", "m"),
                "InvalidArgument",
                400,
            ),
            (
                HeaderError::InvalidBucketName {
                    bucket: "A".into(),
                    reason: "r",
                },
                "InvalidBucketName",
                400,
            ),
            (
                HeaderError::PreconditionFailed {
                    condition: "If-Match",
                },
                "PreconditionFailed",
                412,
            ),
            (HeaderError::NotModified, "NotModified", 304),
            (
                HeaderError::InvalidRequest {
                    message: "m".into(),
                },
                "InvalidRequest",
                400,
            ),
            (
                HeaderError::KeyTooLongError {
                    size: 2000,
                    max: 1024,
                },
                "KeyTooLongError",
                400,
            ),
            (
                HeaderError::MetadataTooLarge {
                    size: 3000,
                    max: 2048,
                },
                "MetadataTooLarge",
                400,
            ),
        ];
        for (err, code, status) in cases {
            assert_eq!(err.s3_code(), code);
            assert_eq!(err.http_status(), status, "{code}");
        }
    }

    #[test]
    fn error_display_is_the_s3_message() {
        let err = HeaderError::invalid_argument("max-keys", "bad max-keys");
        assert_eq!(err.to_string(), "bad max-keys");
        assert_eq!(
            HeaderError::KeyTooLongError { size: 1, max: 1 }.to_string(),
            "Your key is too long"
        );
    }

    // ----- parse_range -----

    fn invalid_range(header: &str, size: u64) -> HeaderError {
        HeaderError::InvalidRange {
            requested: header.into(),
            object_size: size,
        }
    }

    #[test]
    fn range_closed() {
        assert_eq!(parse_range("bytes=0-0", 10), Ok(Some(0..1)));
        assert_eq!(parse_range("bytes=2-5", 10), Ok(Some(2..6)));
        assert_eq!(parse_range("bytes=0-9", 10), Ok(Some(0..10)));
    }

    #[test]
    fn range_closed_end_is_clamped() {
        assert_eq!(parse_range("bytes=5-100", 10), Ok(Some(5..10)));
        assert_eq!(
            parse_range("bytes=5-99999999999999999999999999", 10),
            Ok(Some(5..10))
        );
    }

    #[test]
    fn range_open_ended() {
        assert_eq!(parse_range("bytes=0-", 10), Ok(Some(0..10)));
        assert_eq!(parse_range("bytes=9-", 10), Ok(Some(9..10)));
    }

    #[test]
    fn range_suffix() {
        assert_eq!(parse_range("bytes=-3", 10), Ok(Some(7..10)));
        assert_eq!(parse_range("bytes=-10", 10), Ok(Some(0..10)));
    }

    #[test]
    fn range_suffix_larger_than_object_is_whole_object() {
        assert_eq!(parse_range("bytes=-11", 10), Ok(Some(0..10)));
        assert_eq!(
            parse_range("bytes=-99999999999999999999999", 10),
            Ok(Some(0..10))
        );
    }

    #[test]
    fn range_start_at_or_past_end_is_unsatisfiable() {
        assert_eq!(
            parse_range("bytes=10-", 10),
            Err(invalid_range("bytes=10-", 10))
        );
        assert_eq!(
            parse_range("bytes=10-20", 10),
            Err(invalid_range("bytes=10-20", 10))
        );
        assert_eq!(
            parse_range("bytes=99999999999999999999999-", 10),
            Err(invalid_range("bytes=99999999999999999999999-", 10))
        );
    }

    #[test]
    fn range_zero_suffix_is_unsatisfiable() {
        assert_eq!(
            parse_range("bytes=-0", 10),
            Err(invalid_range("bytes=-0", 10))
        );
        assert_eq!(
            parse_range("bytes=-0", 0),
            Err(invalid_range("bytes=-0", 0))
        );
    }

    #[test]
    fn range_on_empty_object() {
        assert_eq!(
            parse_range("bytes=0-", 0),
            Err(invalid_range("bytes=0-", 0))
        );
        assert_eq!(
            parse_range("bytes=0-0", 0),
            Err(invalid_range("bytes=0-0", 0))
        );
        // Non-zero suffix: whole (empty) object with 200, see the doc comment.
        assert_eq!(parse_range("bytes=-5", 0), Ok(None));
        // Invalid syntax is ignored before size matters.
        assert_eq!(parse_range("bytes=x-", 0), Ok(None));
    }

    #[test]
    fn range_reversed_is_ignored() {
        assert_eq!(parse_range("bytes=5-2", 10), Ok(None));
        assert_eq!(parse_range("bytes=1-0", 4), Ok(None));
        // Reversed wins over out-of-range: invalid, so ignored, not 416.
        assert_eq!(parse_range("bytes=50-20", 10), Ok(None));
    }

    #[test]
    fn range_multiple_is_ignored() {
        assert_eq!(parse_range("bytes=0-1,3-4", 10), Ok(None));
        assert_eq!(parse_range("bytes=0-1, 3-4", 10), Ok(None));
        assert_eq!(parse_range("bytes=20-30,40-50", 10), Ok(None));
    }

    #[test]
    fn range_empty_list_elements_are_skipped() {
        assert_eq!(parse_range("bytes=0-1,", 10), Ok(Some(0..2)));
        assert_eq!(parse_range("bytes= , 0-1", 10), Ok(Some(0..2)));
        assert_eq!(parse_range("bytes=,", 10), Ok(None));
    }

    #[test]
    fn range_syntax_errors_are_ignored() {
        for h in [
            "",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=abc",
            "bytes=1",
            "bytes=a-b",
            "bytes=1-b",
            "bytes=+1-2",
            "bytes=1--2",
            "bytes=1-2-3",
            "bytes=0x10-",
            "bytes=１-２",
            "items=0-1",
            "bytes 0-1",
            "=0-1",
        ] {
            assert_eq!(parse_range(h, 10), Ok(None), "{h:?}");
        }
    }

    #[test]
    fn range_unit_is_case_insensitive_and_value_trimmed() {
        assert_eq!(parse_range("Bytes=0-1", 10), Ok(Some(0..2)));
        assert_eq!(parse_range("  bytes=0-1  ", 10), Ok(Some(0..2)));
    }

    #[test]
    fn range_at_u64_limits() {
        let max = u64::MAX;
        assert_eq!(
            parse_range(&format!("bytes={}-", max - 1), max),
            Ok(Some(max - 1..max))
        );
        assert_eq!(
            parse_range(&format!("bytes=0-{max}"), max),
            Ok(Some(0..max))
        );
        assert_eq!(parse_range("bytes=-1", max), Ok(Some(max - 1..max)));
    }

    // ----- evaluate_conditions -----

    const ETAG: &str = "\"abc123\"";
    // 2024-01-02T03:04:05.678Z
    const MODIFIED_MS: u64 = 1_704_164_645_678;
    const AT_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:05 GMT";
    const BEFORE_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:04 GMT";
    const AFTER_MODIFIED: &str = "Tue, 02 Jan 2024 03:04:06 GMT";

    fn eval(cond: &Conditions) -> Result<(), HeaderError> {
        evaluate_conditions(cond, ETAG, MODIFIED_MS, ConditionTarget::Object)
    }

    fn eval_copy(cond: &Conditions) -> Result<(), HeaderError> {
        evaluate_conditions(cond, ETAG, MODIFIED_MS, ConditionTarget::CopySource)
    }

    fn if_match(v: &str) -> Conditions {
        Conditions {
            if_match: Some(v.into()),
            ..Default::default()
        }
    }

    fn if_none_match(v: &str) -> Conditions {
        Conditions {
            if_none_match: Some(v.into()),
            ..Default::default()
        }
    }

    fn if_modified_since(v: &str) -> Conditions {
        Conditions {
            if_modified_since: Some(v.into()),
            ..Default::default()
        }
    }

    fn if_unmodified_since(v: &str) -> Conditions {
        Conditions {
            if_unmodified_since: Some(v.into()),
            ..Default::default()
        }
    }

    fn failed(condition: &'static str) -> Result<(), HeaderError> {
        Err(HeaderError::PreconditionFailed { condition })
    }

    #[test]
    fn conditions_absent_pass() {
        assert_eq!(eval(&Conditions::default()), Ok(()));
        assert_eq!(eval_copy(&Conditions::default()), Ok(()));
    }

    #[test]
    fn if_match_forms() {
        for v in [
            "\"abc123\"",
            "abc123",
            "*",
            " * ",
            "\"x\", \"abc123\"",
            "\"x\",abc123",
            "x, abc123 ,y",
        ] {
            assert_eq!(eval(&if_match(v)), Ok(()), "{v:?}");
        }
        for v in [
            "\"other\"",
            "other",
            "\"x\", \"y\"",
            "",
            "\"\"",
            "\"ABC123\"",
        ] {
            assert_eq!(eval(&if_match(v)), failed("If-Match"), "{v:?}");
        }
    }

    #[test]
    fn if_match_uses_strong_comparison() {
        assert_eq!(eval(&if_match("W/\"abc123\"")), failed("If-Match"));
        assert_eq!(eval(&if_match("W/\"abc123\", \"abc123\"")), Ok(()));
    }

    #[test]
    fn stored_etag_may_be_bare() {
        let cond = if_match("\"abc123\"");
        assert_eq!(
            evaluate_conditions(&cond, "abc123", MODIFIED_MS, ConditionTarget::Object),
            Ok(())
        );
    }

    #[test]
    fn etag_list_keeps_commas_inside_quotes() {
        let cond = if_match("\"a,b\", \"c\"");
        assert_eq!(
            evaluate_conditions(&cond, "\"a,b\"", 0, ConditionTarget::Object),
            Ok(())
        );
        assert_eq!(
            evaluate_conditions(&cond, "\"a\"", 0, ConditionTarget::Object),
            failed("If-Match")
        );
    }

    #[test]
    fn etag_list_tolerates_unterminated_quote() {
        assert_eq!(eval(&if_match("\"abc123")), Ok(()));
        assert_eq!(eval(&if_match("\"x\", \"abc12")), failed("If-Match"));
    }

    #[test]
    fn multipart_style_etag_matches() {
        let etag = "\"d41d8cd98f00b204e9800998ecf8427e-3\"";
        let cond = if_none_match("d41d8cd98f00b204e9800998ecf8427e-3");
        assert_eq!(
            evaluate_conditions(&cond, etag, 0, ConditionTarget::Object),
            Err(HeaderError::NotModified)
        );
    }

    #[test]
    fn if_none_match_forms() {
        for v in [
            "\"abc123\"",
            "abc123",
            "*",
            "W/\"abc123\"",
            "\"x\", W/\"abc123\"",
        ] {
            assert_eq!(
                eval(&if_none_match(v)),
                Err(HeaderError::NotModified),
                "{v:?}"
            );
        }
        for v in ["\"other\"", "W/\"other\"", ""] {
            assert_eq!(eval(&if_none_match(v)), Ok(()), "{v:?}");
        }
    }

    #[test]
    fn if_none_match_on_copy_source_is_412() {
        assert_eq!(
            eval_copy(&if_none_match("\"abc123\"")),
            failed("x-amz-copy-source-if-none-match")
        );
    }

    #[test]
    fn if_modified_since_rules() {
        assert_eq!(eval(&if_modified_since(BEFORE_MODIFIED)), Ok(()));
        // Equal at second precision: the 678 ms are not a modification.
        assert_eq!(
            eval(&if_modified_since(AT_MODIFIED)),
            Err(HeaderError::NotModified)
        );
        assert_eq!(
            eval(&if_modified_since(AFTER_MODIFIED)),
            Err(HeaderError::NotModified)
        );
    }

    #[test]
    fn if_modified_since_on_copy_source_is_412() {
        assert_eq!(
            eval_copy(&if_modified_since(AT_MODIFIED)),
            failed("x-amz-copy-source-if-modified-since")
        );
        assert_eq!(eval_copy(&if_modified_since(BEFORE_MODIFIED)), Ok(()));
    }

    #[test]
    fn if_unmodified_since_rules() {
        assert_eq!(
            eval(&if_unmodified_since(BEFORE_MODIFIED)),
            failed("If-Unmodified-Since")
        );
        assert_eq!(eval(&if_unmodified_since(AT_MODIFIED)), Ok(()));
        assert_eq!(eval(&if_unmodified_since(AFTER_MODIFIED)), Ok(()));
        assert_eq!(
            eval_copy(&if_unmodified_since(BEFORE_MODIFIED)),
            failed("x-amz-copy-source-if-unmodified-since")
        );
    }

    #[test]
    fn all_three_http_date_forms_are_accepted() {
        for date in [
            "Tue, 02 Jan 2024 03:04:05 GMT",
            "Tuesday, 02-Jan-24 03:04:05 GMT",
            "Tue Jan  2 03:04:05 2024",
        ] {
            assert_eq!(
                eval(&if_modified_since(date)),
                Err(HeaderError::NotModified),
                "{date:?}"
            );
        }
    }

    #[test]
    fn unparsable_dates_are_ignored() {
        for date in ["", "yesterday", "2024-01-02T03:04:05Z", "1704164645"] {
            assert_eq!(eval(&if_modified_since(date)), Ok(()), "{date:?}");
            assert_eq!(eval(&if_unmodified_since(date)), Ok(()), "{date:?}");
        }
    }

    #[test]
    fn if_match_true_overrides_failed_if_unmodified_since() {
        let cond = Conditions {
            if_match: Some(ETAG.into()),
            if_unmodified_since: Some(BEFORE_MODIFIED.into()),
            ..Default::default()
        };
        assert_eq!(eval(&cond), Ok(()));
        assert_eq!(eval_copy(&cond), Ok(()));
    }

    #[test]
    fn if_match_false_wins_over_everything() {
        let cond = Conditions {
            if_match: Some("\"nope\"".into()),
            if_none_match: Some(ETAG.into()),
            if_modified_since: Some(AFTER_MODIFIED.into()),
            if_unmodified_since: Some(AFTER_MODIFIED.into()),
        };
        assert_eq!(eval(&cond), failed("If-Match"));
    }

    #[test]
    fn failed_if_unmodified_since_precedes_if_none_match() {
        let cond = Conditions {
            if_none_match: Some(ETAG.into()),
            if_unmodified_since: Some(BEFORE_MODIFIED.into()),
            ..Default::default()
        };
        assert_eq!(eval(&cond), failed("If-Unmodified-Since"));
    }

    #[test]
    fn if_none_match_false_with_if_modified_since_true_is_304() {
        // S3's documented case: If-None-Match matches (evaluates false) and
        // If-Modified-Since says modified (true) → 304.
        let cond = Conditions {
            if_none_match: Some(ETAG.into()),
            if_modified_since: Some(BEFORE_MODIFIED.into()),
            ..Default::default()
        };
        assert_eq!(eval(&cond), Err(HeaderError::NotModified));
        assert_eq!(eval_copy(&cond), failed("x-amz-copy-source-if-none-match"));
    }

    #[test]
    fn if_none_match_true_ignores_if_modified_since() {
        let cond = Conditions {
            if_none_match: Some("\"other\"".into()),
            if_modified_since: Some(AFTER_MODIFIED.into()),
            ..Default::default()
        };
        assert_eq!(eval(&cond), Ok(()));
    }

    #[test]
    fn if_match_true_then_if_none_match_still_applies() {
        let cond = Conditions {
            if_match: Some("*".into()),
            if_none_match: Some("*".into()),
            ..Default::default()
        };
        assert_eq!(eval(&cond), Err(HeaderError::NotModified));
    }

    // ----- http_date -----

    #[test]
    fn http_date_formats_imf_fixdate() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(MODIFIED_MS), AT_MODIFIED);
        assert_eq!(http_date(999), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn http_date_clamps_after_year_9999() {
        assert_eq!(http_date(u64::MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn http_date_round_trips_through_conditions() {
        let cond = if_modified_since(&http_date(MODIFIED_MS));
        assert_eq!(eval(&cond), Err(HeaderError::NotModified));
    }

    // ----- validate_bucket_name -----

    fn bucket_reason(name: &str) -> Option<&'static str> {
        match validate_bucket_name(name) {
            Ok(()) => None,
            Err(HeaderError::InvalidBucketName { bucket, reason }) => {
                assert_eq!(bucket, name);
                Some(reason)
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn bucket_names_accepted() {
        for name in [
            "abc",
            "my-bucket",
            "my.bucket.name",
            "1bucket",
            "bucket1",
            "a-b.c-d",
            "192.168.5",
            "192.168.5.4.5",
            "1.2.3.a",
            "xn-bucket",
            "sthree",
            "s3alias",
            "bucket-s3alias1",
            &"a".repeat(63),
        ] {
            assert_eq!(bucket_reason(name), None, "{name:?}");
        }
    }

    #[test]
    fn bucket_name_length() {
        assert!(bucket_reason("ab").is_some());
        assert!(bucket_reason("").is_some());
        assert!(bucket_reason(&"a".repeat(64)).is_some());
    }

    #[test]
    fn bucket_name_characters() {
        for name in [
            "MyBucket",
            "my_bucket",
            "my bucket",
            "bücket",
            "my/bucket",
            "a:b",
        ] {
            assert!(bucket_reason(name).is_some(), "{name:?}");
        }
    }

    #[test]
    fn bucket_name_ends() {
        for name in ["-bucket", "bucket-", ".bucket", "bucket."] {
            assert_eq!(
                bucket_reason(name),
                Some("must begin and end with a letter or digit"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn bucket_name_adjacent_periods() {
        assert_eq!(
            bucket_reason("my..bucket"),
            Some("must not contain two adjacent periods")
        );
    }

    #[test]
    fn bucket_name_ip_address() {
        for name in ["192.168.5.4", "1.2.3.4", "999.999.999.999", "0000.0.0.0"] {
            assert_eq!(
                bucket_reason(name),
                Some("must not be formatted as an IP address"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn bucket_name_reserved_prefixes_and_suffixes() {
        for name in [
            "xn--bucket",
            "sthree-bucket",
            "sthree-configurator",
            "amzn-s3-demo-bucket",
        ] {
            assert_eq!(
                bucket_reason(name),
                Some("must not start with a reserved prefix"),
                "{name:?}"
            );
        }
        for name in [
            "bucket-s3alias",
            "bucket--ol-s3",
            "bucket.mrap",
            "bucket--x-s3",
            "bucket--table-s3",
        ] {
            assert_eq!(
                bucket_reason(name),
                Some("must not end with a reserved suffix"),
                "{name:?}"
            );
        }
    }

    // ----- validate_object_key -----

    #[test]
    fn object_key_limits() {
        assert_eq!(validate_object_key("a"), Ok(()));
        assert_eq!(validate_object_key(&"k".repeat(1024)), Ok(()));
        assert_eq!(
            validate_object_key(&"k".repeat(1025)),
            Err(HeaderError::KeyTooLongError {
                size: 1025,
                max: 1024
            })
        );
        assert_eq!(
            validate_object_key("").map_err(|e| e.s3_code()),
            Err("InvalidArgument")
        );
    }

    #[test]
    fn object_key_limit_counts_bytes_not_chars() {
        // 'é' is two bytes: 512 of them fit, 513 do not.
        assert_eq!(validate_object_key(&"é".repeat(512)), Ok(()));
        assert_eq!(
            validate_object_key(&"é".repeat(513)),
            Err(HeaderError::KeyTooLongError {
                size: 1026,
                max: 1024
            })
        );
    }

    // ----- parse_copy_source -----

    fn source(bucket: &str, key: &str, version: Option<&str>) -> CopySource {
        CopySource {
            bucket: bucket.into(),
            key: key.into(),
            version_id: version.map(Into::into),
        }
    }

    #[test]
    fn copy_source_plain_and_leading_slash() {
        assert_eq!(parse_copy_source("bkt/key"), Ok(source("bkt", "key", None)));
        assert_eq!(
            parse_copy_source("/bkt/key"),
            Ok(source("bkt", "key", None))
        );
        assert_eq!(
            parse_copy_source("bkt/dir/sub/file.txt"),
            Ok(source("bkt", "dir/sub/file.txt", None))
        );
    }

    #[test]
    fn copy_source_is_percent_decoded() {
        assert_eq!(
            parse_copy_source("/bkt/my%20file%3F.txt"),
            Ok(source("bkt", "my file?.txt", None))
        );
        assert_eq!(
            parse_copy_source("bkt/caf%C3%A9"),
            Ok(source("bkt", "café", None))
        );
        // Encoded separator, as sent by clients that escape the whole value.
        assert_eq!(
            parse_copy_source("bkt%2Fa%2Fb"),
            Ok(source("bkt", "a/b", None))
        );
        // '+' is a literal plus in path encoding.
        assert_eq!(parse_copy_source("bkt/a+b"), Ok(source("bkt", "a+b", None)));
        // Key that starts with a slash.
        assert_eq!(parse_copy_source("/bkt//k"), Ok(source("bkt", "/k", None)));
    }

    #[test]
    fn copy_source_null_version() {
        assert_eq!(
            parse_copy_source("/bkt/key?versionId=null"),
            Ok(source("bkt", "key", Some("null")))
        );
        assert_eq!(
            parse_copy_source("/bkt/key?"),
            Ok(source("bkt", "key", None))
        );
    }

    #[test]
    fn copy_source_other_versions_rejected() {
        for h in [
            "/bkt/key?versionId=3HL4kqtJlcpXroDTDmJ",
            "/bkt/key?versionId=",
            "/bkt/key?versionId",
            "/bkt/key?versionId=null&versionId=abc",
        ] {
            let err = parse_copy_source(h).expect_err(h);
            assert_eq!(err.s3_code(), "InvalidArgument", "{h}");
            assert_eq!(err.to_string(), "Invalid version id specified", "{h}");
        }
    }

    #[test]
    fn copy_source_unknown_query_rejected() {
        let err = parse_copy_source("/bkt/what?is=this").expect_err("query");
        assert_eq!(err.s3_code(), "InvalidArgument");
    }

    #[test]
    fn copy_source_missing_parts() {
        for h in [
            "",
            "/",
            "bkt",
            "/bkt",
            "bkt/",
            "/bkt/",
            "//key",
            "/bkt?versionId=null",
        ] {
            let err = parse_copy_source(h).expect_err(h);
            assert_eq!(err.s3_code(), "InvalidArgument", "{h:?}");
        }
    }

    #[test]
    fn copy_source_access_point_arn_rejected() {
        for h in [
            "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/object/key",
            "/arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fmy-ap%2Fobject%2Fkey",
        ] {
            let err = parse_copy_source(h).expect_err(h);
            assert_eq!(err.s3_code(), "InvalidArgument", "{h}");
        }
    }

    #[test]
    fn copy_source_invalid_utf8_rejected() {
        let err = parse_copy_source("bkt/%FF%FE").expect_err("utf8");
        assert_eq!(err.s3_code(), "InvalidArgument");
    }

    #[test]
    fn copy_source_key_too_long() {
        let header = format!("bkt/{}", "k".repeat(1025));
        assert_eq!(
            parse_copy_source(&header),
            Err(HeaderError::KeyTooLongError {
                size: 1025,
                max: 1024
            })
        );
    }

    // ----- parse_copy_source_range -----

    #[test]
    fn copy_source_range_valid() {
        assert_eq!(parse_copy_source_range("bytes=0-9", 10), Ok(0..10));
        assert_eq!(parse_copy_source_range("bytes=3-3", 10), Ok(3..4));
        assert_eq!(parse_copy_source_range("bytes=5-8", 10), Ok(5..9));
    }

    #[test]
    fn copy_source_range_bad_form() {
        for h in [
            "0-9",
            "bytes=0-",
            "bytes=-5",
            "bytes=0-1,3-4",
            "bytes=a-b",
            "bytes=",
            "Bytes=0-1",
            "bytes=0",
            "",
        ] {
            let err = parse_copy_source_range(h, 10).expect_err(h);
            assert_eq!(err.s3_code(), "InvalidArgument", "{h:?}");
            assert_eq!(err.http_status(), 400);
            assert_eq!(err.to_string(), COPY_SOURCE_RANGE_FORM, "{h:?}");
        }
    }

    #[test]
    fn copy_source_range_outside_source() {
        for h in [
            "bytes=0-10",
            "bytes=10-12",
            "bytes=5-2",
            "bytes=0-99999999999999999999999",
        ] {
            let err = parse_copy_source_range(h, 10).expect_err(h);
            assert_eq!(
                err,
                HeaderError::invalid_argument(
                    "x-amz-copy-source-range",
                    "Range specified is not valid for source object of size: 10"
                ),
                "{h}"
            );
        }
        assert!(parse_copy_source_range("bytes=0-0", 0).is_err());
    }

    // ----- response overrides -----

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn response_overrides_maps_all_six() {
        let q = query(&[
            ("response-content-type", "text/plain"),
            ("response-content-language", "en"),
            ("response-expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
            ("response-cache-control", "no-cache"),
            (
                "response-content-disposition",
                "attachment; filename=\"a.txt\"",
            ),
            ("response-content-encoding", "gzip"),
            ("prefix", "ignored"),
        ]);
        assert_eq!(
            response_overrides(&q),
            vec![
                ("content-type", "text/plain".to_owned()),
                ("content-language", "en".to_owned()),
                ("expires", "Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
                ("cache-control", "no-cache".to_owned()),
                (
                    "content-disposition",
                    "attachment; filename=\"a.txt\"".to_owned()
                ),
                ("content-encoding", "gzip".to_owned()),
            ]
        );
    }

    #[test]
    fn response_overrides_last_value_wins_and_names_are_exact() {
        let q = query(&[
            ("response-content-type", "a/b"),
            ("Response-Content-Type", "ignored/case"),
            ("response-cache-control", "x"),
            ("response-content-type", "c/d"),
        ]);
        assert_eq!(
            response_overrides(&q),
            vec![
                ("content-type", "c/d".to_owned()),
                ("cache-control", "x".to_owned()),
            ]
        );
        assert!(response_overrides(&[]).is_empty());
    }

    #[test]
    fn response_overrides_need_authentication() {
        let q = query(&[("response-content-type", "text/html")]);
        assert_eq!(validate_response_overrides(&q, true), Ok(()));
        let err = validate_response_overrides(&q, false).expect_err("anonymous");
        assert_eq!(err.s3_code(), "InvalidRequest");
        assert_eq!(
            err.to_string(),
            "Request specific response headers cannot be used for anonymous GET requests."
        );
        // No overrides: anonymous is fine.
        assert_eq!(
            validate_response_overrides(&query(&[("versionId", "null")]), false),
            Ok(())
        );
    }

    #[test]
    fn response_override_control_characters_rejected() {
        let q = query(&[("response-content-disposition", "a\r\nSet-Cookie: x=y")]);
        assert_eq!(
            validate_response_overrides(&q, true).map_err(|e| e.s3_code()),
            Err("InvalidArgument")
        );
        let tab = query(&[("response-content-disposition", "a\tb")]);
        assert_eq!(validate_response_overrides(&tab, true), Ok(()));
    }

    // ----- user_metadata -----

    #[test]
    fn user_metadata_collects_in_order() {
        let headers = [
            ("content-type", "text/plain"),
            ("x-amz-meta-Zeta", "1"),
            ("X-Amz-Meta-alpha", "2"),
            ("x-amz-metadata-directive", "REPLACE"),
            ("x-amz-meta-mid", ""),
        ];
        assert_eq!(
            user_metadata(headers),
            Ok(vec![
                ("zeta".to_owned(), "1".to_owned()),
                ("alpha".to_owned(), "2".to_owned()),
                ("mid".to_owned(), String::new()),
            ])
        );
    }

    #[test]
    fn user_metadata_joins_repeated_names() {
        let headers = [
            ("x-amz-meta-a", "1"),
            ("x-amz-meta-b", "x"),
            ("X-AMZ-META-A", "2"),
        ];
        assert_eq!(
            user_metadata(headers),
            Ok(vec![
                ("a".to_owned(), "1,2".to_owned()),
                ("b".to_owned(), "x".to_owned()),
            ])
        );
    }

    #[test]
    fn user_metadata_empty_name_rejected() {
        assert_eq!(
            user_metadata([("x-amz-meta-", "v")]).map_err(|e| e.s3_code()),
            Err("InvalidArgument")
        );
    }

    #[test]
    fn user_metadata_size_limit() {
        // "k" + 2047 bytes = 2048: exactly at the limit.
        let at_limit = "v".repeat(2047);
        assert!(user_metadata([("x-amz-meta-k", at_limit.as_str())]).is_ok());
        let over = "v".repeat(2048);
        assert_eq!(
            user_metadata([("x-amz-meta-k", over.as_str())]),
            Err(HeaderError::MetadataTooLarge {
                size: 2049,
                max: 2048
            })
        );
        // Spread over several headers, the prefix is not counted.
        let chunk = "v".repeat(1000);
        assert!(user_metadata([
            ("x-amz-meta-a", chunk.as_str()),
            ("x-amz-meta-b", chunk.as_str())
        ])
        .is_ok());
        let err = user_metadata([
            ("x-amz-meta-a", chunk.as_str()),
            ("x-amz-meta-b", chunk.as_str()),
            ("x-amz-meta-c", chunk.as_str()),
        ])
        .expect_err("too large");
        assert_eq!(err.s3_code(), "MetadataTooLarge");
        assert_eq!(err.http_status(), 400);
    }

    #[test]
    fn user_metadata_handles_non_ascii_header_names() {
        // Slicing at the prefix length must not split a character.
        assert_eq!(user_metadata([("x-amz-metaé-a", "v")]), Ok(vec![]));
        assert_eq!(user_metadata([("é", "v")]), Ok(vec![]));
    }

    // ----- parse_max_keys / parse_part_number -----

    #[test]
    fn max_keys() {
        assert_eq!(parse_max_keys(None, 1000, 1000), Ok(1000));
        assert_eq!(parse_max_keys(None, 5000, 1000), Ok(1000));
        assert_eq!(parse_max_keys(Some("0"), 1000, 1000), Ok(0));
        assert_eq!(parse_max_keys(Some("25"), 1000, 1000), Ok(25));
        assert_eq!(parse_max_keys(Some("+25"), 1000, 1000), Ok(25));
        assert_eq!(parse_max_keys(Some("5000"), 1000, 1000), Ok(1000));
        assert_eq!(parse_max_keys(Some("2147483647"), 1000, 1000), Ok(1000));
        for v in [
            "",
            "-1",
            "abc",
            "1.5",
            " 5",
            "2147483648",
            "99999999999999999999",
        ] {
            let err = parse_max_keys(Some(v), 1000, 1000).expect_err(v);
            assert_eq!(err.s3_code(), "InvalidArgument", "{v:?}");
        }
    }

    #[test]
    fn part_number() {
        assert_eq!(parse_part_number("1"), Ok(1));
        assert_eq!(parse_part_number("10000"), Ok(10_000));
        assert_eq!(parse_part_number("0042"), Ok(42));
        for v in ["0", "10001", "-1", "", "abc", "1.0", "4294967296"] {
            let err = parse_part_number(v).expect_err(v);
            assert_eq!(err.s3_code(), "InvalidArgument", "{v:?}");
        }
    }

    // ----- continuation tokens -----

    #[test]
    fn continuation_token_round_trip() {
        for key in [
            "a",
            "photos/2024/01/img.jpg",
            "日本語/キー",
            "sp ace+plus?&=",
        ] {
            let token = make_continuation_token(key);
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{token}"
            );
            assert_eq!(parse_continuation_token(&token).as_deref(), Ok(key));
        }
    }

    #[test]
    fn continuation_token_garbage_rejected() {
        let bad_utf8 = URL_SAFE_NO_PAD.encode([0xff, 0xfe]);
        for token in ["", "!!!", "a", "YQ==", "a b", "+/+/", bad_utf8.as_str()] {
            let err = parse_continuation_token(token).expect_err(token);
            assert_eq!(err.s3_code(), "InvalidArgument", "{token:?}");
            assert_eq!(
                err.to_string(),
                "The continuation token provided is incorrect"
            );
        }
    }

    // ----- property tests -----

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_range_never_panics_and_stays_in_bounds(header in ".*", size in any::<u64>()) {
                if let Ok(Some(r)) = parse_range(&header, size) {
                    prop_assert!(r.start < r.end);
                    prop_assert!(r.end <= size);
                }
            }

            #[test]
            fn parse_range_on_range_like_input(
                header in "[bB]ytes=[0-9]{0,22}-[0-9]{0,22}(,[0-9]{0,3}-[0-9]{0,3})?",
                size in prop_oneof![Just(0u64), 1u64..100, any::<u64>()],
            ) {
                match parse_range(&header, size) {
                    Ok(Some(r)) => {
                        prop_assert!(r.start < r.end && r.end <= size);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        prop_assert_eq!(e.http_status(), 416);
                    }
                }
            }

            #[test]
            fn parse_range_closed_matches_model(a in 0u64..200, b in 0u64..200, size in 0u64..150) {
                let got = parse_range(&format!("bytes={a}-{b}"), size);
                if a > b {
                    prop_assert_eq!(got, Ok(None));
                } else if a >= size {
                    prop_assert!(got.is_err());
                } else {
                    prop_assert_eq!(got, Ok(Some(a..(b + 1).min(size))));
                }
            }

            #[test]
            fn parse_range_suffix_matches_model(n in 0u64..200, size in 0u64..150) {
                let got = parse_range(&format!("bytes=-{n}"), size);
                if n == 0 {
                    prop_assert!(got.is_err());
                } else if size == 0 {
                    prop_assert_eq!(got, Ok(None));
                } else {
                    prop_assert_eq!(got, Ok(Some(size.saturating_sub(n)..size)));
                }
            }

            #[test]
            fn copy_source_range_within_source(header in ".*", size in any::<u64>()) {
                if let Ok(r) = parse_copy_source_range(&header, size) {
                    prop_assert!(r.start < r.end && r.end <= size);
                }
            }

            #[test]
            fn continuation_token_round_trips(key in ".+") {
                let token = make_continuation_token(&key);
                prop_assert_eq!(parse_continuation_token(&token), Ok(key));
            }

            #[test]
            fn continuation_token_parse_never_panics(token in ".*") {
                let _ = parse_continuation_token(&token);
            }

            #[test]
            fn bucket_validator_never_panics(name in ".*") {
                let _ = validate_bucket_name(&name);
            }

            #[test]
            fn accepted_bucket_names_obey_the_basic_rules(name in "[a-z0-9.-]{1,70}") {
                if validate_bucket_name(&name).is_ok() {
                    prop_assert!((3..=63).contains(&name.len()));
                    prop_assert!(!name.contains(".."));
                    prop_assert!(!name.starts_with(['.', '-']));
                    prop_assert!(!name.ends_with(['.', '-']));
                }
            }

            #[test]
            fn conditions_never_panic(
                if_match in proptest::option::of(".*"),
                if_none_match in proptest::option::of(".*"),
                if_modified_since in proptest::option::of(".*"),
                if_unmodified_since in proptest::option::of(".*"),
                etag in ".*",
                ms in any::<u64>(),
                copy in any::<bool>(),
            ) {
                let cond = Conditions { if_match, if_none_match, if_modified_since, if_unmodified_since };
                let target = if copy { ConditionTarget::CopySource } else { ConditionTarget::Object };
                let _ = evaluate_conditions(&cond, &etag, ms, target);
            }

            #[test]
            fn http_date_parses_back_to_the_same_second(ms in 0u64..=253_402_300_799_999) {
                let formatted = http_date(ms);
                let parsed = httpdate::parse_http_date(&formatted).ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_secs());
                prop_assert_eq!(parsed, Some(ms / 1000));
            }

            #[test]
            fn copy_source_round_trips_encoded_keys(
                bucket in "[a-z0-9]{3,20}",
                key in "[^\u{0}]{1,60}",
                slash in any::<bool>(),
            ) {
                let encoded = percent_encoding::utf8_percent_encode(&key, percent_encoding::NON_ALPHANUMERIC);
                let header = format!("{}{bucket}/{encoded}", if slash { "/" } else { "" });
                let parsed = parse_copy_source(&header);
                prop_assert_eq!(parsed, Ok(CopySource { bucket, key, version_id: None }));
            }

            #[test]
            fn copy_source_never_panics(header in ".*") {
                let _ = parse_copy_source(&header);
            }

            #[test]
            fn user_metadata_never_panics(pairs in proptest::collection::vec((".*", ".*"), 0..8)) {
                let _ = user_metadata(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            }
        }
    }
}
