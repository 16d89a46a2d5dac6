//! IAM's and STS's errors as they answer them: a code, an HTTP status and
//! a message in an `<ErrorResponse>` document. Every lower layer's error
//! is mapped here, in exhaustive matches.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::xml::escape;
use crate::api::auth::sigv4::AuthError;
use crate::identity::IdentityError;
use crate::object::ObjectError;
use crate::storage::meta::iam::IamErrorKind;

/// One IAM/STS error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IamApiError {
    /// IAM's code (`NoSuchEntity`, …).
    pub code: &'static str,
    /// Its HTTP status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
}

impl IamApiError {
    /// An error with `code`, `status` and `message`.
    pub(crate) fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        IamApiError {
            code,
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            message: message.into(),
        }
    }

    /// `ValidationError` (400): a parameter missing or out of bounds.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationError", 400, message)
    }

    /// `AccessDenied` (403) for `action` on `resource`.
    pub(crate) fn denied(arn: &str, action: &str, resource: &str) -> Self {
        Self::new(
            "AccessDenied",
            403,
            format!("User: {arn} is not authorized to perform: {action} on resource: {resource}"),
        )
    }

    /// `NoSuchEntity` (404).
    pub(crate) fn no_such(message: impl Into<String>) -> Self {
        Self::new("NoSuchEntity", 404, message)
    }

    /// The `<ErrorResponse>` answer, in namespace `ns`.
    pub(crate) fn response(&self, ns: &str, request_id: &str) -> HttpResponse {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{ns}\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            if self.status.is_server_error() { "Receiver" } else { "Sender" },
            self.code,
            escape(&self.message),
            escape(request_id),
        );
        HttpResponse::build(self.status)
            .content_type("text/xml")
            .body(body)
    }
}

impl From<IdentityError> for IamApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Refused(r) => {
                let (code, status) = match r.kind {
                    IamErrorKind::NoSuchEntity => ("NoSuchEntity", 404),
                    IamErrorKind::EntityAlreadyExists => ("EntityAlreadyExists", 409),
                    IamErrorKind::DeleteConflict => ("DeleteConflict", 409),
                    IamErrorKind::LimitExceeded => ("LimitExceeded", 409),
                    IamErrorKind::InvalidInput => ("InvalidInput", 400),
                };
                IamApiError::new(code, status, r.message)
            }
            IdentityError::MalformedPolicy(m) => {
                IamApiError::new("MalformedPolicyDocument", 400, m)
            }
            IdentityError::Store(e) => e.into(),
        }
    }
}

impl From<ObjectError> for IamApiError {
    fn from(e: ObjectError) -> Self {
        tracing::warn!(error = %e, "IAM request failed in the store");
        // IAM's state lives in the metadata: a store that cannot reach it
        // now is unavailable; anything else is a fault.
        let unavailable = IamApiError::new(
            "ServiceUnavailable",
            503,
            "The service is temporarily unavailable; try again.",
        );
        let failure = IamApiError::new(
            "ServiceFailure",
            500,
            "The request failed because of an unknown error.",
        );
        match e {
            ObjectError::Metadata(_) | ObjectError::Data(_) => unavailable,
            ObjectError::NoSuchBucket(_)
            | ObjectError::NoSuchKey { .. }
            | ObjectError::NoSuchVersion { .. }
            | ObjectError::NoSuchUpload
            | ObjectError::TooLarge { .. }
            | ObjectError::IncompleteBody { .. }
            | ObjectError::Refused(_)
            | ObjectError::Encryption(_)
            | ObjectError::Internal(_) => failure,
        }
    }
}

impl From<AuthError> for IamApiError {
    fn from(e: AuthError) -> Self {
        let (code, status, message) = match e {
            AuthError::UnknownAccessKey => (
                "InvalidClientTokenId",
                403,
                "The security token included in the request is invalid.",
            ),
            AuthError::InvalidToken => (
                "InvalidClientTokenId",
                403,
                "The security token included in the request is invalid.",
            ),
            AuthError::ExpiredToken => (
                "ExpiredToken",
                400,
                "The security token included in the request is expired",
            ),
            AuthError::KeysUnreadable => (
                "ServiceUnavailable",
                503,
                "The service is temporarily unavailable; try again.",
            ),
            AuthError::SignatureMismatch => (
                "SignatureDoesNotMatch",
                403,
                "The request signature we calculated does not match the signature you provided.",
            ),
            AuthError::RequestTimeTooSkewed | AuthError::Expired | AuthError::NotYetValid => {
                ("RequestExpired", 400, "Request has expired.")
            }
            AuthError::Anonymous => (
                "MissingAuthenticationToken",
                403,
                "Request is missing Authentication Token",
            ),
            AuthError::TwoMechanisms
            | AuthError::UnsupportedAuthorization
            | AuthError::MalformedHeader(_)
            | AuthError::MalformedQuery(_)
            | AuthError::IncompleteV2Query
            | AuthError::MalformedV2Header
            | AuthError::InvalidDate
            | AuthError::HostNotSigned
            | AuthError::UnsignedAmzHeader
            | AuthError::MissingContentSha256
            | AuthError::RepeatedContentSha256
            | AuthError::InvalidContentSha256
            | AuthError::ContentSha256Mismatch => (
                "IncompleteSignature",
                400,
                "The request signature does not conform to AWS standards.",
            ),
        };
        IamApiError::new(code, status, message)
    }
}
