//! Why a query cannot run, or stopped: the kinds S3 Select names (the API
//! edge maps each to its error code).

/// What went wrong, as S3 Select tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SelectErrorKind {
    /// The expression is not SQL this dialect reads.
    ParseUnexpectedToken,
    /// SQL it reads, but not what S3 Select runs (a join, a group by…).
    UnsupportedSyntax,
    /// A function it does not know.
    UnsupportedFunction,
    /// A function or operator given the wrong number or kind of values.
    InvalidArguments,
    /// A CAST that cannot be made.
    CastFailed,
    /// The CSV input is not CSV.
    CsvParsing,
    /// The JSON input is not JSON.
    JsonParsing,
    /// The input is not in the compression it was said to be in.
    InvalidCompression,
    /// One record is longer than [`super::limits::MAX_RECORD_BYTES`].
    RecordTooLarge,
    /// The expression is longer than [`super::limits::MAX_EXPRESSION_BYTES`].
    ExpressionTooLong,
    /// The object's bytes could not be read.
    Read,
    /// An answer frame could not be written (past the event stream's
    /// limits; not expected).
    Framing,
}

/// A query refused or stopped, with a message for the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SelectError {
    /// What went wrong.
    pub kind: SelectErrorKind,
    /// Said to the client.
    pub message: String,
}

impl SelectError {
    /// An error of `kind` saying `message`.
    pub(crate) fn new(kind: SelectErrorKind, message: impl Into<String>) -> Self {
        SelectError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for SelectError {}

/// A parse error at `what`.
pub(super) fn unexpected(what: impl std::fmt::Display) -> SelectError {
    SelectError::new(
        SelectErrorKind::ParseUnexpectedToken,
        format!("Unexpected token found {what}"),
    )
}
