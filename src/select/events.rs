//! S3 Select's answer on the wire: AWS's event stream, each message a
//! length-prefixed, CRC32-checked frame with string headers
//! (`:message-type`, `:event-type`, `:content-type`) and a payload.
//! Frames are written by `aws-smithy-eventstream`, the SDKs' own codec.

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;

use super::error::SelectError;

/// Byte counts the Stats and Progress events report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Bytes of the object read (compressed, if it is).
    pub scanned: u64,
    /// Bytes after decompression.
    pub processed: u64,
    /// Bytes of records sent.
    pub returned: u64,
}

fn header(name: &'static str, value: impl Into<String>) -> Header {
    Header::new(name, HeaderValue::String(value.into().into()))
}

/// One event frame of `event_type` with `payload`.
fn event(
    event_type: &'static str,
    content_type: Option<&'static str>,
    payload: Bytes,
) -> Result<Bytes, SelectError> {
    let mut m = Message::new(payload)
        .add_header(header(":message-type", "event"))
        .add_header(header(":event-type", event_type));
    if let Some(c) = content_type {
        m = m.add_header(header(":content-type", c));
    }
    encode(&m)
}

/// The frame of `m`. Writing fails only past the format's limits (a
/// 16 MiB payload, a 32 KiB header value); payloads are far smaller by
/// construction and error messages are cut short, so a `Framing` error
/// (which ends the answer with an error frame) is not expected.
fn encode(m: &Message) -> Result<Bytes, SelectError> {
    let mut out = Vec::with_capacity(m.payload().len() + 128);
    aws_smithy_eventstream::frame::write_message_to(m, &mut out)
        .map(|()| Bytes::from(out))
        .map_err(|e| {
            SelectError::new(
                super::SelectErrorKind::Framing,
                format!("The answer could not be framed: {e}"),
            )
        })
}

/// The longest error message sent (a message quoting a huge field is
/// cut, on a character boundary).
const MAX_MESSAGE_BYTES: usize = 1024;

fn shortened(message: &str) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.to_string();
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", message.get(..end).unwrap_or_default())
}

/// A `Records` event carrying result bytes.
pub(crate) fn records(payload: Bytes) -> Result<Bytes, SelectError> {
    event("Records", Some("application/octet-stream"), payload)
}

fn counts_xml(root: &str, c: Counts) -> Bytes {
    Bytes::from(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root} xmlns=\"\"><BytesScanned>{}</BytesScanned><BytesProcessed>{}</BytesProcessed><BytesReturned>{}</BytesReturned></{root}>",
        c.scanned, c.processed, c.returned
    ))
}

/// A `Progress` event (sent when the request asked for progress).
pub(crate) fn progress(c: Counts) -> Result<Bytes, SelectError> {
    event("Progress", Some("text/xml"), counts_xml("Progress", c))
}

/// The `Stats` event, after the last record.
pub(crate) fn stats(c: Counts) -> Result<Bytes, SelectError> {
    event("Stats", Some("text/xml"), counts_xml("Stats", c))
}

/// A `Cont` event: the query goes on (a keep-alive, no payload).
pub(crate) fn cont() -> Result<Bytes, SelectError> {
    event("Cont", None, Bytes::new())
}

/// The `End` event: the answer is complete.
pub(crate) fn end() -> Result<Bytes, SelectError> {
    event("End", None, Bytes::new())
}

/// An error message, ending the stream; `code` is S3's error code.
/// If even that cannot be framed (a code past the format's limits), the
/// message is left out.
pub(crate) fn error(code: &str, e: &SelectError) -> Bytes {
    let frame = |message: String| {
        let m = Message::new(Bytes::new())
            .add_header(header(":message-type", "error"))
            .add_header(header(":error-code", code))
            .add_header(header(":error-message", message));
        encode(&m)
    };
    frame(shortened(&e.message))
        .or_else(|_| frame(String::new()))
        .unwrap_or_default()
}

/// A string header of a frame read back (the tests and the fuzz target
/// read answers).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn text(m: &Message, name: &str) -> Option<String> {
    m.headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            HeaderValue::String(s) => Some(s.as_str().to_string()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_eventstream::frame::read_message_from;

    #[test]
    fn frames_read_back_as_written() {
        let frame = records(Bytes::from_static(b"a,b\n")).unwrap();
        let m = read_message_from(frame.clone()).unwrap();
        assert_eq!(text(&m, ":event-type").as_deref(), Some("Records"));
        assert_eq!(text(&m, ":message-type").as_deref(), Some("event"));
        assert_eq!(m.payload().as_ref(), b"a,b\n");
        let counts = Counts {
            scanned: 10,
            processed: 20,
            returned: 4,
        };
        let m = read_message_from(stats(counts).unwrap()).unwrap();
        let payload = String::from_utf8(m.payload().to_vec()).unwrap();
        assert!(
            payload.contains("<BytesProcessed>20</BytesProcessed>"),
            "{payload}"
        );
        let e = SelectError::new(super::super::SelectErrorKind::CastFailed, "no");
        let m = read_message_from(error("CastFailed", &e)).unwrap();
        assert_eq!(text(&m, ":error-code").as_deref(), Some("CastFailed"));
        let m = read_message_from(cont().unwrap()).unwrap();
        assert_eq!(text(&m, ":event-type").as_deref(), Some("Cont"));
        assert!(m.payload().is_empty());

        // A message quoting a huge value is cut, still framed.
        let huge = SelectError::new(
            super::super::SelectErrorKind::CastFailed,
            "é".repeat(40_000),
        );
        let m = read_message_from(error("CastFailed", &huge)).unwrap();
        let said = text(&m, ":error-message").unwrap();
        assert!(
            said.len() <= MAX_MESSAGE_BYTES + 3 && said.ends_with('…'),
            "{}",
            said.len()
        );

        // A damaged frame is refused, not misread.
        let mut bad = frame.to_vec();
        let last = bad.len() - 5;
        bad[last] ^= 0xff;
        assert!(read_message_from(Bytes::from(bad)).is_err());
        assert!(read_message_from(frame.slice(..frame.len() - 1)).is_err());
    }
}
