//! The `Authorization: AWS4-HMAC-SHA256 ...` header and its parts.

use super::error::{AuthError, MalformedHeader};
use super::scheme::ALGORITHM;

/// The `Credential` component: access key id and credential scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credential {
    /// Access key id used to look up the secret.
    pub access_key: String,
    /// Scope date, `YYYYMMDD`.
    pub date: String,
    /// Scope region, e.g. `us-east-1`.
    pub region: String,
    /// Scope service, `s3` for this API.
    pub service: String,
}

impl Credential {
    /// Parses `AKID/YYYYMMDD/region/service/aws4_request`. The region may
    /// be empty (botocore signs so with `region_name=''`, as Ceph's
    /// conformance suite makes its IAM, STS and some S3 clients); the
    /// caller decides whether that region is taken.
    ///
    /// Returns `None` when the shape is wrong so each caller can map it to
    /// its own error (header or query parameter).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        // The access key is everything before the last four components.
        let mut it = value.rsplitn(5, '/');
        let terminator = it.next()?;
        let service = it.next()?;
        let region = it.next()?;
        let date = it.next()?;
        let access_key = it.next()?;
        if terminator != "aws4_request"
            || access_key.is_empty()
            || service.is_empty()
            || date.len() != 8
            || !date.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(Credential {
            access_key: access_key.to_owned(),
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
        })
    }

    /// The credential scope `date/region/service/aws4_request`.
    pub(crate) fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorizationHeader {
    /// Access key and scope.
    pub credential: Credential,
    /// Lower-case names of the signed headers, in the order sent.
    pub signed_headers: Vec<String>,
    /// Claimed signature, hex as sent.
    pub signature: String,
}

impl AuthorizationHeader {
    /// Parses the header value; any deviation from the SigV4 form is an error.
    pub(crate) fn parse(value: &str) -> Result<Self, AuthError> {
        let value = value.trim();
        let malformed = AuthError::MalformedHeader;
        let rest = match value.strip_prefix(ALGORITHM) {
            Some(rest) if rest.starts_with(' ') => rest,
            // The algorithm alone: AWS calls that malformed, not unsupported.
            Some("") => return Err(malformed(MalformedHeader::MissingCredential)),
            _ => return Err(AuthError::UnsupportedAuthorization),
        };
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        for component in rest.split(',') {
            let component = component.trim();
            let (key, val) = component
                .split_once('=')
                .ok_or(malformed(MalformedHeader::NotKeyValue))?;
            let slot = match key {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed_headers,
                "Signature" => &mut signature,
                _ => return Err(malformed(MalformedHeader::UnknownComponent)),
            };
            if slot.replace(val).is_some() {
                return Err(malformed(MalformedHeader::DuplicateComponent));
            }
        }
        let credential = credential.ok_or(malformed(MalformedHeader::MissingCredential))?;
        let signed_headers =
            signed_headers.ok_or(malformed(MalformedHeader::MissingSignedHeaders))?;
        let signature = signature.ok_or(malformed(MalformedHeader::MissingSignature))?;
        let credential =
            Credential::parse(credential).ok_or(malformed(MalformedHeader::Credential))?;
        let signed_headers = parse_signed_headers(signed_headers)
            .ok_or(malformed(MalformedHeader::SignedHeaders))?;
        if signature.is_empty() {
            return Err(malformed(MalformedHeader::EmptySignature));
        }
        Ok(AuthorizationHeader {
            credential,
            signed_headers,
            signature: signature.to_owned(),
        })
    }
}

/// Splits `a;b;c`; names must be non-empty, lower-case tokens, unique.
pub(super) fn parse_signed_headers(v: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for name in v.split(';') {
        let valid = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'-' | b'_' | b'.' | b'!' | b'#' | b'$' | b'%' | b'&')
                    || matches!(b, b'\'' | b'*' | b'+' | b'^' | b'`' | b'|' | b'~')
            });
        if !valid || out.iter().any(|h| h == name) {
            return None;
        }
        out.push(name.to_owned());
    }
    Some(out)
}

#[cfg(test)]
mod tests;
