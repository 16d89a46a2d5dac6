//! A form upload's fields as the headers of the PutObject it amounts to:
//! what `handlers::object` reads to store the object (type, metadata,
//! ACL, tags, checksums) and what authorization reads of a write (the
//! ACL, the tags). The request's own headers that describe the form, not
//! the object (its type, length, digests, `x-amz-*`), are dropped.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::parse_tagging;

/// Headers of the object a field of the same name (any case) sets.
const OBJECT_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-md5",
    "content-type",
    "expires",
];

/// `x-amz-*` fields that sign the form, not describe the object.
const SIGNATURE_FIELDS: &[&str] = &[
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-signature",
    "x-amz-security-token",
];

/// What `x-amz-tagging` leaves as is: RFC 3986's unreserved characters.
const TAG_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Whether a header of the form request itself describes the object (and
/// is replaced by the form's fields).
fn describes_object(name: &str) -> bool {
    OBJECT_HEADERS.contains(&name)
        || name.starts_with("x-amz-")
        || matches!(
            name,
            "content-length" | "transfer-encoding" | "if-match" | "if-none-match"
        )
}

fn bad_field(name: &str) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidArgument)
        .with_message(format!("Invalid value of the form field {name}."))
        .with_element("ArgumentName", name.to_string())
}

/// The headers of the PutObject the form's `fields` (lower-case names,
/// first value of each) describe, on top of the form request's `base`
/// headers that describe the request (host, origin, user agent). `acl`
/// becomes `x-amz-acl`; `tagging`, a `Tagging` XML document, becomes
/// `x-amz-tagging` in its URL form.
pub(crate) fn object_headers(
    base: &HeaderMap,
    fields: &[(String, String)],
) -> Result<HeaderMap, S3Error> {
    let mut out = HeaderMap::new();
    for (name, value) in base {
        if !describes_object(name.as_str()) {
            out.append(name.clone(), value.clone());
        }
    }
    for (name, value) in fields {
        let (header, value) = match name.as_str() {
            "acl" => ("x-amz-acl".to_string(), value.clone()),
            "tagging" => ("x-amz-tagging".to_string(), tagging_header(value)?),
            n if OBJECT_HEADERS.contains(&n) => (n.to_string(), value.clone()),
            n if n.starts_with("x-amz-") && !SIGNATURE_FIELDS.contains(&n) => {
                (n.to_string(), value.clone())
            }
            _ => continue,
        };
        let (Ok(header), Ok(value)) = (
            HeaderName::try_from(header),
            HeaderValue::from_str(value.trim()),
        ) else {
            return Err(bad_field(name));
        };
        if !out.contains_key(&header) {
            out.insert(header, value);
        }
    }
    Ok(out)
}

/// A `Tagging` document as `x-amz-tagging` carries it (`k=v&k2=v2`).
fn tagging_header(xml: &str) -> Result<String, S3Error> {
    let tags = parse_tagging(xml.as_bytes())?;
    Ok(tags
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, TAG_VALUE),
                utf8_percent_encode(v, TAG_VALUE)
            )
        })
        .collect::<Vec<_>>()
        .join("&"))
}
