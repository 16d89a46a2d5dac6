//! [`S3Error`]: the code, message and extra elements and headers one
//! rejected request is answered with. Its `<Error>` document is rendered
//! by `api::xml`, which imports this module (never the reverse).

use std::fmt;

use super::code::S3ErrorCode;

/// An error to answer an S3 request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Error {
    /// Decides the `Code` element and the HTTP status.
    pub code: S3ErrorCode,
    /// Text of the `Message` element: AWS's default for the code unless a
    /// more specific one was set.
    pub message: String,
    /// The `Resource` element (e.g. `/bucket/key`), omitted when `None`.
    pub resource: Option<String>,
    /// Elements some codes carry after `Resource` (e.g. InvalidRange's
    /// `RangeRequested` and `ActualObjectSize`), in order.
    pub elements: Vec<(&'static str, String)>,
    /// Response headers some codes carry (e.g. InvalidRange's
    /// `Content-Range: bytes */<len>`, or `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

impl S3Error {
    /// An error with AWS's default message and no resource.
    pub(crate) fn new(code: S3ErrorCode) -> Self {
        S3Error {
            code,
            message: code.default_message().to_owned(),
            resource: None,
            elements: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds an element to the `<Error>` document (after `Resource`).
    pub(crate) fn with_element(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.elements.push((name, value.into()));
        self
    }

    /// Adds a header to the error response.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Replaces the message with a more specific one.
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Names the bucket or object the error is about.
    pub(crate) fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The HTTP status to answer with.
    pub(crate) fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl From<S3ErrorCode> for S3Error {
    fn from(code: S3ErrorCode) -> Self {
        S3Error::new(code)
    }
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)?;
        if let Some(resource) = &self.resource {
            write!(f, " ({resource})")?;
        }
        Ok(())
    }
}

impl std::error::Error for S3Error {}
