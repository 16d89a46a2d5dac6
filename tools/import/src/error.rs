//! The import's one error type: which end a failed call went to and the
//! S3 error code it was answered with, kept as text (this is a client).

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use predastore::client::S3ErrorCode;

/// Which end of the import a call went to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Side {
    /// The endpoint read from.
    Source,
    /// This store.
    Here,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Here => "here",
        })
    }
}

/// Why an import, or a part of it, could not go on.
#[derive(Debug, thiserror::Error)]
pub(super) enum ImportError {
    /// An S3 call was answered with an error (`code`), or got no answer.
    #[error("{side}: {what}: {}{message}", code.as_ref().map(|c| format!("{c}: ")).unwrap_or_default())]
    Call {
        side: Side,
        what: String,
        code: Option<String>,
        message: String,
    },
    /// An answer or a body was not what it should be.
    #[error("{what}: {message}")]
    Unreadable { what: String, message: String },
    /// The state file could not be read or written.
    #[error("state file {path}: {message}")]
    State { path: String, message: String },
}

/// An SDK error as an [`ImportError`]: the S3 error code if one came.
pub(super) fn s3_error<E>(side: Side, what: &str, e: SdkError<E, HttpResponse>) -> ImportError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message) = match &e {
        SdkError::ServiceError(service) => (
            service
                .err()
                .code()
                .map(str::to_string)
                .or_else(|| Some(format!("HTTP {}", service.raw().status().as_u16()))),
            service.err().message().unwrap_or_default().to_string(),
        ),
        _ => (None, DisplayErrorContext(&e).to_string()),
    };
    ImportError::Call {
        side,
        what: what.to_string(),
        code,
        message,
    }
}

impl ImportError {
    /// Whether an S3 call was answered with one of `codes`: the one place
    /// the wire's code text is read as the store's typed codes.
    pub(super) fn answered(&self, codes: &[S3ErrorCode]) -> bool {
        match self {
            ImportError::Call {
                code: Some(code), ..
            } => codes.iter().any(|c| c.as_str() == code),
            _ => false,
        }
    }
}
