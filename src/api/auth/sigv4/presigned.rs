//! Presigned URLs: the `X-Amz-*` query parameters.

use super::date::parse_amz_date;
use super::error::{AuthError, MalformedQuery};
use super::header::{parse_signed_headers, Credential};
use super::scheme::{ALGORITHM, MAX_PRESIGNED_EXPIRES};

/// The SigV4 parameters of a presigned URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PresignedParams {
    /// Access key and scope from `X-Amz-Credential`.
    pub credential: Credential,
    /// Request time from `X-Amz-Date`, `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    /// Validity in seconds from `X-Amz-Expires`, `1..=604800`.
    pub expires: u64,
    /// Lower-case signed header names from `X-Amz-SignedHeaders`.
    pub signed_headers: Vec<String>,
    /// Claimed signature from `X-Amz-Signature`.
    pub signature: String,
}

impl PresignedParams {
    /// Extracts and validates the `X-Amz-*` parameters from the decoded
    /// query (see `api::query::parse`).
    pub(crate) fn parse(query: &[(String, String)]) -> Result<Self, AuthError> {
        let err = AuthError::MalformedQuery;
        let mut algorithm = None;
        let mut credential = None;
        let mut date = None;
        let mut expires = None;
        let mut signed_headers = None;
        let mut signature = None;
        for (name, value) in query {
            let slot = match name.as_str() {
                "X-Amz-Algorithm" => &mut algorithm,
                "X-Amz-Credential" => &mut credential,
                "X-Amz-Date" => &mut date,
                "X-Amz-Expires" => &mut expires,
                "X-Amz-SignedHeaders" => &mut signed_headers,
                "X-Amz-Signature" => &mut signature,
                _ => continue,
            };
            // Decoding put U+FFFD where the escapes were not UTF-8; no valid
            // value of these parameters has one.
            if value.contains(char::REPLACEMENT_CHARACTER) {
                return Err(err(MalformedQuery::NotUtf8));
            }
            if slot.replace(value.as_str()).is_some() {
                return Err(err(MalformedQuery::Repeated));
            }
        }
        let missing = || err(MalformedQuery::Missing);
        let algorithm = algorithm.ok_or_else(missing)?;
        let credential = credential.ok_or_else(missing)?;
        let amz_date = date.ok_or_else(missing)?;
        let expires = expires.ok_or_else(missing)?;
        let signed_headers = signed_headers.ok_or_else(missing)?;
        let signature = signature.ok_or_else(missing)?;
        if algorithm != ALGORITHM {
            return Err(err(MalformedQuery::Algorithm));
        }
        let credential = Credential::parse(credential).ok_or(err(MalformedQuery::Credential))?;
        if parse_amz_date(amz_date).is_none() {
            return Err(err(MalformedQuery::Date));
        }
        let expires = parse_expires(expires)?;
        let signed_headers =
            parse_signed_headers(signed_headers).ok_or(err(MalformedQuery::SignedHeaders))?;
        if signature.is_empty() {
            return Err(err(MalformedQuery::EmptySignature));
        }
        Ok(PresignedParams {
            credential,
            amz_date: amz_date.to_owned(),
            expires,
            signed_headers,
            signature: signature.to_owned(),
        })
    }
}

pub(super) fn parse_expires(v: &str) -> Result<u64, AuthError> {
    let err = AuthError::MalformedQuery;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if v.strip_prefix('-').is_some_and(digits) {
        return Err(err(MalformedQuery::ExpiresNegative));
    }
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(MalformedQuery::ExpiresNotNumber));
    }
    // Too many digits to fit is certainly more than a week.
    let n: u64 = v.parse().unwrap_or(u64::MAX);
    if n == 0 {
        return Err(err(MalformedQuery::ExpiresZero));
    }
    if n > MAX_PRESIGNED_EXPIRES {
        return Err(err(MalformedQuery::ExpiresTooLong));
    }
    Ok(n)
}
