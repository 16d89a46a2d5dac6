//! Conditional requests: `If-Match`, `If-None-Match`, `If-Modified-Since`
//! and `If-Unmodified-Since` (RFC 9110 §13), and the
//! `x-amz-copy-source-if-*` headers that apply them to a copy source.

use super::dates::parse_http_date_secs;
use super::error::HeaderError;

/// The four conditional headers, as raw values.
///
/// For GET/HEAD fill it from `If-Match`, `If-None-Match`, `If-Modified-Since`
/// and `If-Unmodified-Since`; for CopyObject and UploadPartCopy from the
/// `x-amz-copy-source-if-*` headers of the same names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Conditions {
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
pub(crate) enum ConditionTarget {
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

use crate::clock::now_secs;

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
///    likewise. Skipped when `If-None-Match` is present, and when the date
///    is in the future (no valid validator).
///
/// ETag lists may mix quoted and bare tags, and `*` matches any existing
/// object. `If-Match` uses strong comparison, so a `W/` tag never satisfies
/// it; `If-None-Match` uses weak comparison. Dates compare at whole seconds
/// (Last-Modified is sent at that precision), and a date that does not parse
/// is ignored, as RFC 9110 requires and S3 does.
///
/// `etag` may be given with or without quotes.
pub(crate) fn evaluate_conditions(
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
        // A date in the future is not a valid validator (RFC 9110
        // §13.1.3): the condition is ignored and the object sent.
        None => cond
            .if_modified_since
            .as_deref()
            .and_then(parse_http_date_secs)
            .filter(|&since| modified_secs <= since && since <= now_secs())
            .map(|_| ConditionHeader::ModifiedSince),
    };
    match unchanged {
        Some(which) => Err(target.not_modified(which)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
