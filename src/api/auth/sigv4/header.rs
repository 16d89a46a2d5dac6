//! The `Authorization: AWS4-HMAC-SHA256 ...` header and its parts.

use super::{AuthError, MalformedHeader, ALGORITHM};

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
    /// Parses `AKID/YYYYMMDD/region/service/aws4_request`.
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
            || region.is_empty()
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
mod tests {
    use super::*;
    use crate::api::auth::testing::s3_code;

    #[test]
    fn authorization_header_parsing() {
        let ok = AuthorizationHeader::parse(
            "AWS4-HMAC-SHA256 Credential=AK/with/slash/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(ok.credential.access_key, "AK/with/slash");
        assert_eq!(ok.credential.scope(), "20130524/us-east-1/s3/aws4_request");
        assert_eq!(ok.signed_headers, vec!["host", "x-amz-date"]);
        assert_eq!(ok.signature, "abc");

        let malformed = [
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=AK/2013052/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;a, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;host, Signature=a",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a, Extra=1",
            "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
            "AWS4-HMAC-SHA256 garbage",
            // The algorithm alone (AWS answers it as malformed).
            "AWS4-HMAC-SHA256",
        ];
        for m in malformed {
            assert_eq!(
                s3_code(AuthorizationHeader::parse(m).unwrap_err()),
                "AuthorizationHeaderMalformed",
                "{m}"
            );
        }
        for unsupported in ["AWS AKIA:sig", "AWS4-HMAC-SHA256x Credential=a"] {
            assert_eq!(
                s3_code(AuthorizationHeader::parse(unsupported).unwrap_err()),
                "InvalidArgument"
            );
        }
    }
}
