//! Header values read as text, and the digit runs of ranges and offsets
//! read as numbers: the lexical pieces several parsers share.

/// A header value as text: UTF-8 when it is (what SDKs send for non-ASCII
/// user metadata), else each byte as a Latin-1 character (what HTTP/1.1
/// libraries that encode header strings as Latin-1 send). Both read back
/// as the string the client signed.
pub(crate) fn header_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Parses one or more ASCII digits, saturating at `u64::MAX`: a position past
/// any real object is still well formed, and saturating keeps its meaning.
pub(super) fn parse_digits_saturating(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

#[cfg(test)]
mod tests;
