//! Admin API errors: an HTTP status and a JSON body
//! `{"error": "<Code>", "message": "…"}`; the CLI prints the message.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::admin::service::AdminError;

/// An admin call's failure as answered.
#[derive(Debug, Serialize, thiserror::Error)]
#[error("{error}: {message}")]
pub(crate) struct AdminHttpError {
    /// Machine-readable code.
    pub error: &'static str,
    /// For people.
    pub message: String,
    #[serde(skip)]
    status: u16,
}

impl AdminHttpError {
    fn new(status: u16, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            error,
            message: message.into(),
            status,
        }
    }

    /// 401: no bearer token.
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            401,
            "Unauthorized",
            "admin calls need Authorization: Bearer <PREDASTORE_ADMIN_TOKEN>",
        )
    }

    /// 403: a token that is not the admin token.
    pub(crate) fn forbidden(message: &str) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// 400: a request that cannot be parsed.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 503: the store cannot answer now.
    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "Unavailable", message)
    }

    /// An IAM refusal: its status, its code, its message.
    pub(crate) fn iam(status: u16, code: &'static str, message: String) -> Self {
        Self::new(status, code, message)
    }

    /// 404: no such endpoint or thing.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }
}

impl From<AdminError> for AdminHttpError {
    fn from(e: AdminError) -> Self {
        let message = e.to_string();
        match e {
            AdminError::NotFound(_) => Self::new(404, "NotFound", message),
            AdminError::Invalid(_) => Self::new(400, "BadRequest", message),
            AdminError::Refused(_) => Self::new(409, "Refused", message),
            AdminError::Unavailable(_) => Self::new(503, "Unavailable", message),
            AdminError::Internal(_) => Self::new(500, "Internal", message),
        }
    }
}

impl ResponseError for AdminHttpError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(self)
    }
}
