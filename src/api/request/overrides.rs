//! GetObject's `response-*` query parameters, which override headers of a
//! successful response.

use super::error::HeaderError;

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
/// an anonymous user cannot make a public object serve as, say, `text/html`
/// ([`HeaderError::ResponseOverrideAnonymous`]). A value with control
/// characters is rejected with `InvalidArgument` because it could not be sent
/// as a header ([`HeaderError::ResponseOverrideControlCharacters`]).
pub(crate) fn validate_response_overrides(
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
            return Err(HeaderError::ResponseOverrideControlCharacters { parameter: param });
        }
    }
    if any && !authenticated {
        return Err(HeaderError::ResponseOverrideAnonymous);
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
pub(crate) fn response_overrides(query: &[(String, String)]) -> Vec<(&'static str, String)> {
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

#[cfg(test)]
mod tests;
