//! The S3 `<Error>` document: how an [`S3Error`] is rendered for the client,
//! and the one code every refused request body ([`XmlParseError`]) is
//! answered with. It lives on the XML side so `api::error` stays a leaf
//! that knows codes and messages but no markup.

use super::parse_error::XmlParseError;
use super::render::{escape_text, XML_DECLARATION};
use crate::api::error::{S3Error, S3ErrorCode};

impl S3Error {
    /// The `<Error>` document, in the element order AWS sends.
    ///
    /// Text is escaped like every other S3 document of this crate (see
    /// `xml::escape_text`), so a key in `resource` cannot break the markup.
    pub(crate) fn to_xml(&self, request_id: &str) -> String {
        let mut out = String::with_capacity(160 + self.message.len());
        out.push_str(XML_DECLARATION);
        out.push_str("<Error><Code>");
        out.push_str(self.code.as_str());
        out.push_str("</Code><Message>");
        out.push_str(&escape_text(&self.message));
        out.push_str("</Message>");
        if let Some(resource) = &self.resource {
            out.push_str("<Resource>");
            out.push_str(&escape_text(resource));
            out.push_str("</Resource>");
        }
        for (name, value) in &self.elements {
            out.push('<');
            out.push_str(name);
            out.push('>');
            out.push_str(&escape_text(value));
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        out.push_str("<RequestId>");
        out.push_str(&escape_text(request_id));
        out.push_str("</RequestId></Error>");
        out
    }
}

/// Any rejected request body is `MalformedXML` to the client; the parser's
/// reason is for logs, so the message stays AWS's.
impl From<XmlParseError> for S3Error {
    fn from(_: XmlParseError) -> Self {
        S3Error::new(S3ErrorCode::MalformedXML)
    }
}

#[cfg(test)]
mod tests;
