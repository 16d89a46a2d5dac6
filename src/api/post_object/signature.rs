//! Who sent a form upload: the signature of its POST policy. A form
//! without a `policy` field is anonymous. With one, it is signed with
//! SigV4 (`x-amz-algorithm`, `x-amz-credential`, `x-amz-date`,
//! `x-amz-signature`: HMAC-SHA256 of the base64 policy under the
//! credential's signing key) or SigV2 (`AWSAccessKeyId`, `signature`:
//! HMAC-SHA1 of the base64 policy under the secret). The key's secret is
//! found and the signature compared as for any request ([`crate::api::auth`]).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use subtle::ConstantTimeEq;

use super::form::field;
use crate::api::auth::sigv2::check_signature;
use crate::api::auth::sigv4::{AuthError, Credential, MalformedQuery, SigningKey, ALGORITHM};
use crate::api::context::Caller;
use crate::api::context::Gateway;
use crate::api::error::{in_region, S3Error, S3ErrorCode};

/// A field the signature needs is missing (AWS's wording: the field as
/// the documentation spells it).
fn missing(name: &str) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidArgument)
        .with_message(format!(
            "Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields."
        ))
        .with_element("ArgumentName", name)
        .with_element("ArgumentValue", "")
}

fn required<'a>(fields: &'a [(String, String)], name: &str) -> Result<&'a str, S3Error> {
    field(fields, &name.to_ascii_lowercase()).ok_or_else(|| missing(name))
}

/// The user who signed the form's policy, `None` for a form without one
/// (anonymous). A missing signature field is `InvalidArgument`, an
/// unknown key `InvalidAccessKeyId`, a signature that does not match
/// `SignatureDoesNotMatch`.
pub(crate) async fn signer(
    fields: &[(String, String)],
    gw: &Gateway,
) -> Result<Option<Caller>, S3Error> {
    let Some(policy) = field(fields, "policy") else {
        return Ok(None);
    };
    let key = match field(fields, "x-amz-algorithm") {
        Some(algorithm) => {
            if algorithm != ALGORITHM {
                return Err(S3Error::new(S3ErrorCode::InvalidArgument)
                    .with_message(format!(
                        "Unsupported algorithm: {algorithm}. Only {ALGORITHM} is supported."
                    ))
                    .with_element("ArgumentName", "x-amz-algorithm")
                    .with_element("ArgumentValue", algorithm));
            }
            let credential = required(fields, "X-Amz-Credential")?;
            required(fields, "X-Amz-Date")?;
            let signature = required(fields, "X-Amz-Signature")?;
            let credential = Credential::parse(credential).ok_or_else(|| {
                S3Error::new(S3ErrorCode::InvalidArgument)
                    .with_message(format!("Invalid credential: {credential}"))
                    .with_element("ArgumentName", "x-amz-credential")
                    .with_element("ArgumentValue", credential)
            })?;
            if credential.region != gw.region {
                return Err(in_region(
                    AuthError::MalformedQuery(MalformedQuery::WrongRegion),
                    &gw.region,
                ));
            }
            let key = gw.key_for(&credential.access_key).await?;
            let signing = SigningKey::derive(
                &key.secret,
                &credential.date,
                &credential.region,
                &credential.service,
            );
            let expected = signing.sign_hex(policy.as_bytes());
            if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
                return Err(AuthError::SignatureMismatch.into());
            }
            key
        }
        None => {
            let access_key = required(fields, "AWSAccessKeyId")?;
            let signature = required(fields, "Signature")?;
            let key = gw.key_for(access_key).await?;
            let signature = STANDARD
                .decode(signature.trim().as_bytes())
                .map_err(|_| AuthError::SignatureMismatch)?;
            check_signature(&key.secret, policy, &signature)?;
            key
        }
    };
    // Temporary credentials sign a form with their token as a field.
    key.check_token(field(fields, "x-amz-security-token"))?;
    Ok(Some(key.caller))
}
