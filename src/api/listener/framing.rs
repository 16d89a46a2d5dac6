//! Where each request starts and ends in a connection's byte stream, so the
//! listener can act on request heads before the HTTP layer parses them.
//!
//! Two things are done to a head on its way through:
//! - **HEAD becomes GET with a marker header** ([`HEAD_MARKER`]). The HTTP
//!   layer (actix-http) keeps "the last request decoded was a HEAD" as one
//!   flag per connection, and decodes pipelined requests before it answers
//!   the one in front: a GET followed by a pipelined HEAD lost its body,
//!   and a HEAD followed by a GET lost its answer. With no HEAD on the
//!   wire that flag never lies; the marker lets the app restore the method
//!   and send the answer without a body (see `super::head`).
//! - **A head S3 refuses is replaced** by a one-line request carrying
//!   [`REFUSED_MARKER`] (and `Connection: close`), so it is answered in
//!   order, with an S3 XML error, instead of the HTTP layer's bare 400 or
//!   431: a header section over AWS's 8 KiB (the HTTP layer takes at most
//!   96 headers), a request target longer than the HTTP layer can hold
//!   (a key that long is far over S3's 1024 bytes), and a head with both
//!   `Content-Length` and `Transfer-Encoding` (RFC 9112 §6.1: refused, and
//!   the connection closed after). The listener refuses a head that is
//!   still unfinished at its head timeout the same way.
//!
//! Bodies pass unchanged; their framing (`Content-Length`, chunked) is
//! followed only to find the next head. A head the tracker cannot read
//! (garbage, a framing the HTTP layer will refuse, an upgrade) switches it
//! to passing everything through: the HTTP layer answers and closes.

use bytes::{BufMut, BytesMut};

/// Marks a request that arrived as HEAD (see the module documentation).
pub(crate) const HEAD_MARKER: &str = "x-predastore-head";

/// Marks the stand-in for a refused head; its value is the reason.
pub(crate) const REFUSED_MARKER: &str = "x-predastore-refused";

/// Why a head was refused (the value of [`REFUSED_MARKER`], and the
/// malformed-request metric's label).
pub(crate) const HEADER_SECTION_TOO_LARGE: &str = "header_section_too_large";

/// A head that names one of the listener's own markers.
pub(crate) const RESERVED_HEADER: &str = "reserved_header";

/// A request target too long for the HTTP layer, mostly path: its key is
/// far over S3's limit.
pub(crate) const KEY_TOO_LONG: &str = "key_too_long";

/// A request target too long for the HTTP layer, mostly query.
pub(crate) const URI_TOO_LONG: &str = "uri_too_long";

/// A head still unfinished when the listener's head timeout ran out.
pub(crate) const HEAD_TIMEOUT: &str = "head_timeout";

/// A head with both `Content-Length` and `Transfer-Encoding`.
pub(crate) const LENGTH_AND_TRANSFER_ENCODING: &str = "length_and_transfer_encoding";

/// AWS's limit on a request's header section (names, values, separators).
pub(crate) const MAX_HEADER_SECTION_BYTES: usize = 8 << 10;

/// The most headers the HTTP layer parses.
const MAX_HEADERS: usize = 96;

/// Headers parsed to tell "too many" from "malformed".
const PARSED_HEADERS: usize = 256;

/// The longest request target the HTTP layer takes (the `http` crate's
/// limit on a URI).
pub(crate) const MAX_TARGET_BYTES: usize = u16::MAX as usize - 1;

/// A head (request line included) still unfinished at this size is refused
/// as too large: room for the longest target and the largest section.
const MAX_HEAD_BYTES: usize = 96 << 10;

/// A chunk-size or trailer line longer than this is not a chunked body.
const MAX_CHUNK_LINE: usize = 4 << 10;

/// What the tracker expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A request head; `scanned` bytes were already searched for its end.
    Head { scanned: usize },
    /// `left` bytes of a `Content-Length` body.
    Body { left: u64 },
    /// A chunk-size line of a chunked body.
    ChunkSize,
    /// `left` bytes of chunk data, then its CRLF.
    ChunkData { left: u64 },
    /// The CRLF after a chunk's data.
    ChunkEnd,
    /// Trailer lines, up to an empty one.
    Trailers,
    /// Framing unknown: everything passes.
    Passthrough,
    /// A head was refused, or a chunked body broke: everything after it is
    /// dropped.
    Closed,
}

/// Follows the requests of one connection (see the module documentation).
#[derive(Debug)]
pub(crate) struct RequestFraming {
    state: State,
}

impl Default for RequestFraming {
    fn default() -> Self {
        RequestFraming {
            state: State::Head { scanned: 0 },
        }
    }
}

/// How the framing of a head's body is declared.
enum BodyFraming {
    None,
    Length(u64),
    Chunked,
    /// Both `Content-Length` and `Transfer-Encoding`.
    Both,
    Unknown,
}

impl RequestFraming {
    /// Moves what can be framed from `input` to `out`, rewritten where
    /// needed; an unfinished head (or chunk line) stays in `input` until
    /// more bytes come. Returns the reason when a head was refused.
    pub(crate) fn feed(
        &mut self,
        input: &mut BytesMut,
        out: &mut BytesMut,
    ) -> Option<&'static str> {
        loop {
            if input.is_empty() {
                return None;
            }
            match self.state {
                State::Head { scanned } => {
                    let from = scanned.saturating_sub(3);
                    // Bare-LF line ends are the HTTP layer's to answer.
                    let crlf = find(&input[from..], b"\r\n\r\n");
                    if find(&input[from..], b"\n\n").is_some_and(|lf| crlf.is_none_or(|c| lf < c)) {
                        self.state = State::Passthrough;
                        continue;
                    }
                    let Some(end) = crlf.map(|i| from + i + 4) else {
                        // The target so far (the line may be unfinished).
                        let target = input.splitn(3, |b| *b == b' ').nth(1);
                        if let Some(reason) = target.and_then(long_target) {
                            return Some(self.refuse(input, out, reason));
                        }
                        if input.len() > MAX_HEAD_BYTES {
                            return Some(self.refuse(input, out, HEADER_SECTION_TOO_LARGE));
                        }
                        self.state = State::Head {
                            scanned: input.len(),
                        };
                        return None;
                    };
                    let head = input.split_to(end);
                    if let Err(reason) = self.pass_head(&head, out) {
                        return Some(self.refuse(input, out, reason));
                    }
                }
                State::Body { left } | State::ChunkData { left } => {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    out.put(input.split_to(n));
                    let left = left - n as u64;
                    self.state = match (self.state, left) {
                        (State::Body { .. }, 0) => State::Head { scanned: 0 },
                        (State::Body { .. }, left) => State::Body { left },
                        (_, 0) => State::ChunkEnd,
                        (_, left) => State::ChunkData { left },
                    };
                }
                State::ChunkSize | State::Trailers => {
                    let Some(eol) = find(input, b"\r\n") else {
                        if input.len() > MAX_CHUNK_LINE {
                            self.state = State::Closed;
                        }
                        return None;
                    };
                    let line = input.split_to(eol + 2);
                    self.state = match self.state {
                        State::ChunkSize => match chunk_size(&line[..eol]) {
                            Some(0) => State::Trailers,
                            Some(size) => State::ChunkData { left: size },
                            // A broken chunked body is withheld and the
                            // input ends there (see [`Self::is_closed`]).
                            None => {
                                self.state = State::Closed;
                                input.clear();
                                return None;
                            }
                        },
                        _ if eol == 0 => State::Head { scanned: 0 },
                        _ => State::Trailers,
                    };
                    out.put(line);
                }
                State::ChunkEnd => {
                    if input.len() < 2 {
                        return None;
                    }
                    self.state = if input.starts_with(b"\r\n") {
                        out.put(input.split_to(2));
                        State::ChunkSize
                    } else {
                        State::Closed
                    };
                }
                State::Passthrough => out.put(input.split()),
                State::Closed => {
                    input.clear();
                    return None;
                }
            }
        }
    }

    /// Whether the input ends here: a head was refused or a chunked body
    /// broke. The connection reads as closed from then on, so the HTTP
    /// layer sees the body end early (the handler answers it at once) and
    /// closes after its answer instead of waiting for more body.
    pub(crate) fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Whether the next bytes belong to a request head (an unfinished head
    /// waits in the caller's input).
    pub(crate) fn in_head(&self) -> bool {
        matches!(self.state, State::Head { .. })
    }

    /// Passes one complete head (rewritten if it is a HEAD) and sets the
    /// state for its body; `Err` with the reason to refuse it.
    fn pass_head(&mut self, head: &[u8], out: &mut BytesMut) -> Result<(), &'static str> {
        let mut headers = [httparse::EMPTY_HEADER; PARSED_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(head) {
            Ok(httparse::Status::Complete(_)) => {}
            Err(httparse::Error::TooManyHeaders) => return Err(HEADER_SECTION_TOO_LARGE),
            // The HTTP layer refuses what httparse refuses.
            Ok(httparse::Status::Partial) | Err(_) => {
                self.state = State::Passthrough;
                out.put_slice(head);
                return Ok(());
            }
        }
        if let Some(reason) = request.path.and_then(|p| long_target(p.as_bytes())) {
            return Err(reason);
        }
        let section: usize = request
            .headers
            .iter()
            .map(|h| h.name.len() + h.value.len() + 4)
            .sum();
        if request.headers.len() > MAX_HEADERS || section > MAX_HEADER_SECTION_BYTES {
            return Err(HEADER_SECTION_TOO_LARGE);
        }
        if request.headers.iter().any(|h| {
            h.name.eq_ignore_ascii_case(HEAD_MARKER) || h.name.eq_ignore_ascii_case(REFUSED_MARKER)
        }) {
            return Err(RESERVED_HEADER);
        }
        let upgrade = request.method == Some("CONNECT")
            || request
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("upgrade"));
        self.state = match (upgrade, body_framing(request.headers)) {
            (_, BodyFraming::Both) => return Err(LENGTH_AND_TRANSFER_ENCODING),
            (true, _) | (_, BodyFraming::Unknown) => State::Passthrough,
            (false, BodyFraming::None) => State::Head { scanned: 0 },
            (false, BodyFraming::Length(0)) => State::Head { scanned: 0 },
            (false, BodyFraming::Length(left)) => State::Body { left },
            (false, BodyFraming::Chunked) => State::ChunkSize,
        };
        match (request.method, find(head, b"\r\n")) {
            (Some("HEAD"), Some(line_end)) if head.starts_with(b"HEAD ") => {
                out.put_slice(b"GET");
                out.put_slice(&head[4..line_end]);
                out.put_slice(format!("\r\n{HEAD_MARKER}: 1").as_bytes());
                out.put_slice(&head[line_end..]);
            }
            _ => out.put_slice(head),
        }
        Ok(())
    }

    /// Replaces a refused head with its stand-in and drops the rest.
    pub(crate) fn refuse(
        &mut self,
        input: &mut BytesMut,
        out: &mut BytesMut,
        reason: &'static str,
    ) -> &'static str {
        input.clear();
        out.put_slice(
            format!(
                "GET / HTTP/1.1\r\nhost: predastore\r\n{REFUSED_MARKER}: {reason}\r\nconnection: close\r\n\r\n"
            )
                .as_bytes(),
        );
        self.state = State::Closed;
        reason
    }
}

/// How a head declares its body, as RFC 9112 §6.3 reads it: chunked when
/// it is the last transfer coding, else one `Content-Length`.
fn body_framing(headers: &[httparse::Header<'_>]) -> BodyFraming {
    let mut length: Option<u64> = None;
    let mut bad_length = false;
    let mut chunked = None;
    for h in headers {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.rsplit(',').next())
                .map(|c| c.trim().eq_ignore_ascii_case("chunked"));
            chunked = Some(last == Some(true));
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok());
            match (value, length) {
                (Some(v), None) if !bad_length => length = Some(v),
                (Some(v), Some(l)) if v == l => {}
                _ => bad_length = true,
            }
        }
    }
    match (chunked, length, bad_length) {
        (Some(_), _, true) | (Some(_), Some(_), _) => BodyFraming::Both,
        (_, _, true) => BodyFraming::Unknown,
        (Some(true), None, _) => BodyFraming::Chunked,
        (None, Some(n), _) => BodyFraming::Length(n),
        (None, None, _) => BodyFraming::None,
        (Some(false), None, _) => BodyFraming::Unknown,
    }
}

/// Why a request `target` (or its start) is refused, if it is longer than
/// the HTTP layer takes: [`KEY_TOO_LONG`] when the path is the longer part,
/// else [`URI_TOO_LONG`].
fn long_target(target: &[u8]) -> Option<&'static str> {
    if target.len() <= MAX_TARGET_BYTES {
        return None;
    }
    let path = target
        .iter()
        .position(|b| *b == b'?')
        .unwrap_or(target.len());
    Some(if path * 2 >= target.len() {
        KEY_TOO_LONG
    } else {
        URI_TOO_LONG
    })
}

/// The size of a chunk-size line (`hex[;extensions]`).
fn chunk_size(line: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(line).ok()?;
    let hex = text.split(';').next()?.trim();
    if hex.is_empty() || hex.len() > 15 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Feeds `input` in pieces of `step` bytes, as reads would bring it.
#[cfg(test)]
pub(crate) fn feed_in_steps(
    framing: &mut RequestFraming,
    input: &[u8],
    step: usize,
) -> (Vec<u8>, Vec<&'static str>) {
    let mut pending = BytesMut::new();
    let mut out = BytesMut::new();
    let mut refused = Vec::new();
    for piece in input.chunks(step) {
        pending.put_slice(piece);
        refused.extend(framing.feed(&mut pending, &mut out));
    }
    (out.to_vec(), refused)
}
