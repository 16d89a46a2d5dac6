//! [`RequestParts`]: the request being authenticated, as plain strings, so
//! the checks of this module never see an HTTP framework's types.

/// Framework-independent description of the request being authenticated.
///
/// `path` must be the raw, still percent-encoded path from the request line;
/// `query` holds the query string decoded once by `api::query::parse`
/// (the canonical query re-encodes it). `headers` holds every header
/// as `(name, value)` with lower-cased names; a header sent several times
/// appears several times. The `host` header must be present (for HTTP/2 the
/// caller passes `:authority` as `host`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestParts<'a> {
    /// HTTP method, e.g. `GET`.
    pub method: &'a str,
    /// Raw request path, still percent-encoded as received.
    pub path: &'a str,
    /// Decoded query parameters, in request order; empty when absent.
    pub query: &'a [(String, String)],
    /// Request headers with lower-cased names, duplicates allowed.
    pub headers: &'a [(String, String)],
}

impl<'a> RequestParts<'a> {
    /// All values of header `name` (case-insensitive), in request order.
    pub(crate) fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        let headers: &'a [(String, String)] = self.headers;
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of header `name` when it is present exactly once.
    ///
    /// Returns `Ok(None)` when absent and `Err(())` when repeated, so callers
    /// can reject ambiguous security headers.
    pub(super) fn single_header(&self, name: &str) -> Result<Option<&'a str>, ()> {
        let mut values = self.header_values(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(());
        }
        Ok(first)
    }
}
