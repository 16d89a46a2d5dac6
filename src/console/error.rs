//! What can go wrong in the console, and the page or JSON each becomes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use super::render::error_page;
use crate::admin::service::AdminError;

/// A console failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConsoleError {
    /// No session, or it ended.
    #[error("sign in first")]
    SignInRequired,
    /// The page is for admin users.
    #[error("this page is for admin users (the user of PREDASTORE_ACCESS_KEY)")]
    NotAdmin,
    /// A state-changing request without the session's CSRF token.
    #[error("the request's CSRF token is missing or wrong; reload the page")]
    Csrf,
    /// A malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// The gateway refused the S3 request.
    #[error("{code}: {message}")]
    Gateway {
        /// Its HTTP status.
        status: u16,
        /// Its S3 error code.
        code: String,
        /// The gateway's `Message` element, shown to the user.
        message: String,
    },
    /// The gateway could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// An admin operation failed.
    #[error("{0}")]
    Admin(#[from] AdminError),
    /// Something broke that should not have.
    #[error("{0}")]
    Internal(String),
}

impl ConsoleError {
    /// The S3 error code, when the gateway gave one.
    pub(crate) fn gateway_code(&self) -> Option<&str> {
        match self {
            ConsoleError::Gateway { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignInRequired => StatusCode::SEE_OTHER,
            ConsoleError::NotAdmin | ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ConsoleError::Gateway { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY)
            }
            ConsoleError::Unreachable(_) => StatusCode::BAD_GATEWAY,
            ConsoleError::Admin(e) => match e {
                AdminError::NotFound(_) => StatusCode::NOT_FOUND,
                AdminError::Invalid(_) => StatusCode::BAD_REQUEST,
                AdminError::Refused(_) => StatusCode::CONFLICT,
                AdminError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AdminError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ConsoleError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(self, ConsoleError::SignInRequired) {
            return HttpResponse::SeeOther()
                .insert_header(("location", "/login"))
                .finish();
        }
        error_page(self.status_code(), &self.to_string())
    }
}

/// A console failure answered as JSON (the upload calls of the page's
/// script).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub(crate) struct JsonError(#[from] pub(crate) ConsoleError);

impl ResponseError for JsonError {
    fn status_code(&self) -> StatusCode {
        match self.0 {
            ConsoleError::SignInRequired => StatusCode::UNAUTHORIZED,
            ref e => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "error": self.0.to_string(),
            "code": self.0.gateway_code(),
        }))
    }
}
