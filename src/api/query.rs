//! The query string of a request, decoded once: authentication and the
//! operation handlers read the same pairs.

use percent_encoding::percent_decode_str;

/// Decodes a raw query string (without the leading `?`) into `(name, value)`
/// pairs in request order.
///
/// `+` is a space and `%XX` escapes are decoded once, so `%2B` is a literal
/// `+` (SDKs send a space as `%20` and `+` as `%2B`). A name without `=` has
/// an empty value; empty pieces (`a=1&&b=2`) are skipped. Bytes that are not
/// UTF-8 become U+FFFD.
pub(crate) fn parse(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn plus_is_a_space_and_percent_2b_a_plus() {
        assert_eq!(
            parse("a=b+c%2Bd%20e&k%2B=%3D=x"),
            pairs(&[("a", "b c+d e"), ("k+", "==x")])
        );
    }

    #[test]
    fn bare_names_empty_pieces_and_order() {
        assert_eq!(
            parse("uploads&&b=2&a=&a=1"),
            pairs(&[("uploads", ""), ("b", "2"), ("a", ""), ("a", "1")])
        );
        assert_eq!(parse(""), pairs(&[]));
    }

    #[test]
    fn bad_utf8_is_replaced() {
        assert_eq!(parse("p=%FFx"), pairs(&[("p", "\u{FFFD}x")]));
    }
}
