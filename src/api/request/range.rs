//! The GET/HEAD `Range` header (RFC 9110 §14), as S3 applies it.

use std::ops::Range;

use super::error::HeaderError;
use super::text::parse_digits_saturating;

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
/// `Err(RangeNotSatisfiable)` (S3's `InvalidRange`, 416) when nothing
/// overlaps: `a >= size` (so any `bytes=a-…` on an empty object) or
/// `bytes=-0`.
///
/// A suffix range on an empty object (`bytes=-5`, size 0) is `Ok(None)`:
/// RFC 9110 counts a non-zero suffix as satisfiable, yet no Content-Range can
/// describe zero bytes, and AWS is reported to answer 200 with an empty body.
pub(crate) fn parse_range(
    header: &str,
    object_size: u64,
) -> Result<Option<Range<u64>>, HeaderError> {
    let Some(spec) = parse_single_byte_range(header) else {
        return Ok(None);
    };
    let unsatisfiable = || HeaderError::RangeNotSatisfiable {
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

#[cfg(test)]
mod tests;
