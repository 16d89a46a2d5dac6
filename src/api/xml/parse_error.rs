//! Why a request body was refused ([`XmlParseError`]), and the limits the
//! parsers hold every body to.

/// Most keys one DeleteObjects request may name (AWS's limit).
pub(crate) const MAX_DELETE_OBJECTS: usize = 1000;

/// Deepest element nesting a request body may have. S3's request documents
/// are three levels deep; the cap keeps unknown nested elements from costing
/// stack in the deserializer.
pub(crate) const MAX_XML_DEPTH: usize = 32;

/// Why a request body was refused; the handler answers `MalformedXML`
/// whatever the variant (see `From<XmlParseError> for S3Error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum XmlParseError {
    /// The body is not UTF-8.
    #[error("the body is not UTF-8")]
    NotUtf8,
    /// The body holds no element.
    #[error("the body holds no XML element")]
    Empty,
    /// The body is not well-formed XML.
    #[error("the XML is not well-formed: {0}")]
    Syntax(String),
    /// The root element has another name than the operation's document.
    #[error("the root element is not <{0}>")]
    WrongRoot(&'static str),
    /// Elements nest deeper than [`MAX_XML_DEPTH`].
    #[error("the XML nests deeper than {MAX_XML_DEPTH} elements")]
    TooDeep,
    /// The body has a document type declaration (refused: no entity tricks).
    #[error("document type declarations are not accepted")]
    DocType,
    /// The document does not fit the operation's schema (missing or
    /// repeated element, a value of the wrong type).
    #[error("the XML does not fit the schema: {0}")]
    Schema(String),
    /// An element the document requires is absent or empty (for a list:
    /// has no entry).
    #[error("the document has no <{0}> element")]
    Missing(&'static str),
    /// An element holds a value outside the ones S3 defines for it: an
    /// unknown status or mode, a number that is not one, an unreadable date.
    #[error("<{element}> cannot be {value:?}")]
    InvalidValue {
        /// The element, e.g. `Status`.
        element: &'static str,
        /// What it held, as sent (trimmed).
        value: String,
    },
    /// Two elements that exclude each other are both present (`Days` and
    /// `Years` of a default retention).
    #[error("<{0}> and <{1}> cannot both be given")]
    Conflict(&'static str, &'static str),
    /// DeleteObjects names more than [`MAX_DELETE_OBJECTS`] keys.
    #[error("{0} objects to delete; at most {MAX_DELETE_OBJECTS} are allowed")]
    TooManyObjects(usize),
}
