//! Request headers that ask for a feature the store does not have. AWS
//! would act on each (encrypt, lock, archive, redirect); quietly
//! storing the object without it would let the client believe it had
//! happened, so such a request is refused before anything is stored.

use super::error::HeaderError;

/// Which headers an operation is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderScope {
    /// An operation that creates an object, an upload or a bucket: every
    /// header below.
    Create,
    /// An operation that reads an object or writes a part: the headers of
    /// customer-provided encryption keys, which a part or a read would
    /// have to honour.
    CustomerKeys,
}

/// Storage classes AWS knows; all but `STANDARD` are refused as not
/// implemented, anything else is `InvalidStorageClass`.
const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
];

/// Server-side encryption methods AWS knows (all refused as not
/// implemented; another value is `InvalidArgument`).
const SSE_METHODS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];

/// Prefixes of headers refused whatever their value, by scope.
const ALWAYS_REFUSED: &[(&str, HeaderScope)] = &[
    (
        "x-amz-server-side-encryption-customer-",
        HeaderScope::CustomerKeys,
    ),
    (
        "x-amz-copy-source-server-side-encryption-customer-",
        HeaderScope::CustomerKeys,
    ),
    ("x-amz-server-side-encryption-", HeaderScope::Create),
    ("x-amz-website-redirect-location", HeaderScope::Create),
    ("x-amz-write-offset-bytes", HeaderScope::Create),
];

/// Refuses the first header in `headers` (lower-case names) that asks for
/// a feature the store lacks, for an operation of `scope`.
pub(crate) fn check_unsupported_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    scope: HeaderScope,
) -> Result<(), HeaderError> {
    let unsupported = |name: &str| Err(HeaderError::UnsupportedHeader(name.to_string()));
    for (name, value) in headers {
        let refused = ALWAYS_REFUSED.iter().any(|(prefix, s)| {
            name.starts_with(prefix) && (*s == HeaderScope::CustomerKeys || scope == *s)
        });
        if refused {
            return unsupported(name);
        }
        if scope != HeaderScope::Create {
            continue;
        }
        match name {
            "x-amz-server-side-encryption" if !SSE_METHODS.contains(&value) => {
                return Err(HeaderError::InvalidEncryptionMethod)
            }
            "x-amz-storage-class" if value != "STANDARD" => {
                return if STORAGE_CLASSES.contains(&value) {
                    unsupported(name)
                } else {
                    Err(HeaderError::InvalidStorageClass)
                };
            }
            "x-amz-server-side-encryption" => return unsupported(name),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
