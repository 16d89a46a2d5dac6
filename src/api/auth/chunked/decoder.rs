//! The push-style decoder: framing, chunk signatures and trailers.

use std::fmt;

use bytes::{Buf, Bytes, BytesMut};
use sha2::{Digest, Sha256};

use super::error::{ChunkedError, FramingError, TrailerError};
use super::format::{
    ChunkedMode, CHUNK_SIGNATURE_EXT, MAX_LINE_LEN, MAX_TRAILERS, TRAILER_SIGNATURE_HEADER,
};
use super::signer::{push_canonical_trailer, trim, ChunkSigner};
use crate::api::auth::sigv4::AuthContext;

/// What is left once the whole body has been decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Trailers {
    /// Trailing headers as `(lower-case name, trimmed value)`, without
    /// `x-amz-trailer-signature`.
    pub headers: Vec<(String, String)>,
    /// Total decoded payload length, to compare with
    /// `x-amz-decoded-content-length`.
    pub decoded_len: u64,
}

impl Trailers {
    /// The value of trailer `name` (case-insensitive), if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Expecting a chunk header line.
    ChunkHeader,
    /// Inside chunk data, `remaining` bytes to go.
    Data { remaining: u64 },
    /// Expecting the CRLF after chunk data (`last` after the final chunk).
    DataEnd { last: bool },
    /// Reading trailer lines up to the empty line.
    Trailers,
    /// The body is complete.
    Done,
}

/// Push-style aws-chunked decoder; see the module documentation.
pub(crate) struct ChunkedDecoder {
    mode: ChunkedMode,
    signer: Option<ChunkSigner>,
    state: State,
    /// Bytes at the front of the input already searched for a line end.
    scanned: usize,
    chunk_hasher: Sha256,
    claimed: [u8; 32],
    decoded_len: u64,
    trailers: Vec<(String, String)>,
    canonical_trailers: Vec<u8>,
    trailer_signed: bool,
    failed: Option<ChunkedError>,
}

impl fmt::Debug for ChunkedDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkedDecoder")
            .field("mode", &self.mode)
            .field("state", &self.state)
            .field("decoded_len", &self.decoded_len)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl ChunkedDecoder {
    /// A decoder for `mode`; signed modes need the request's [`ChunkSigner`].
    pub(crate) fn new(
        mode: ChunkedMode,
        signer: Option<ChunkSigner>,
    ) -> Result<Self, ChunkedError> {
        if mode.is_signed() && signer.is_none() {
            return Err(ChunkedError::MissingSigner);
        }
        Ok(ChunkedDecoder {
            mode,
            signer,
            state: State::ChunkHeader,
            scanned: 0,
            chunk_hasher: Sha256::new(),
            claimed: [0; 32],
            decoded_len: 0,
            trailers: Vec::new(),
            canonical_trailers: Vec::new(),
            trailer_signed: false,
            failed: None,
        })
    }

    /// The decoder an authenticated request needs, `None` if not chunked.
    pub(crate) fn for_auth(ctx: &AuthContext) -> Result<Option<Self>, ChunkedError> {
        match ChunkedMode::from_payload_mode(&ctx.payload) {
            None => Ok(None),
            Some(mode) => {
                let signer = if mode.is_signed() {
                    Some(ChunkSigner::from_auth(ctx)?)
                } else {
                    None
                };
                Self::new(mode, signer).map(Some)
            }
        }
    }

    /// Decodes as much of `input` as possible and returns the payload pieces.
    ///
    /// Consumed bytes are removed from `input`; an incomplete line stays at
    /// its front, so the caller appends the next received bytes to the same
    /// buffer and calls `push` again. Pieces are zero-copy slices of `input`.
    /// After an error the decoder stays failed and returns that error.
    pub(crate) fn push(&mut self, input: &mut BytesMut) -> Result<Vec<Bytes>, ChunkedError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let mut out = Vec::new();
        match self.decode(input, &mut out) {
            Ok(()) => Ok(out),
            Err(err) => {
                self.failed = Some(err);
                Err(err)
            }
        }
    }

    /// Ends decoding: the body must be complete; returns trailers and length.
    pub(crate) fn finish(self) -> Result<Trailers, ChunkedError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        if self.state != State::Done {
            return Err(ChunkedError::Incomplete);
        }
        Ok(Trailers {
            headers: self.trailers,
            decoded_len: self.decoded_len,
        })
    }

    fn decode(&mut self, input: &mut BytesMut, out: &mut Vec<Bytes>) -> Result<(), ChunkedError> {
        loop {
            match self.state {
                State::ChunkHeader => {
                    let err = ChunkedError::Framing(FramingError::HeaderLine);
                    match self.take_line(input, err)? {
                        Some(line) => self.on_chunk_header(&line)?,
                        None => return Ok(()),
                    }
                }
                State::Data { remaining } => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    let n = usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
                    let piece = input.split_to(n).freeze();
                    if self.mode.is_signed() {
                        self.chunk_hasher.update(&piece);
                    }
                    // Cannot overflow: the chunk size was added to the total
                    // with a checked addition when its header was read.
                    self.decoded_len = self.decoded_len.saturating_add(n as u64);
                    let remaining = remaining.saturating_sub(n as u64);
                    out.push(piece);
                    if remaining == 0 {
                        self.verify_chunk()?;
                        self.state = State::DataEnd { last: false };
                    } else {
                        self.state = State::Data { remaining };
                    }
                }
                State::DataEnd { last } => {
                    let missing = ChunkedError::Framing(FramingError::MissingCrlf);
                    match input.first() {
                        None => return Ok(()),
                        Some(b'\r') => {}
                        Some(_) => return Err(missing),
                    }
                    match input.get(1) {
                        None => return Ok(()),
                        Some(b'\n') => {}
                        Some(_) => return Err(missing),
                    }
                    input.advance(2);
                    self.state = if last {
                        State::Done
                    } else {
                        State::ChunkHeader
                    };
                }
                State::Trailers => {
                    let err = ChunkedError::Trailer(TrailerError::Line);
                    match self.take_line(input, err)? {
                        Some(line) => self.on_trailer_line(&line)?,
                        None => return Ok(()),
                    }
                }
                State::Done => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    return Err(ChunkedError::Framing(FramingError::DataAfterEnd));
                }
            }
        }
    }

    /// Splits one CRLF-terminated line off `input` (CRLF removed), or
    /// returns `None` and leaves the partial line in place.
    fn take_line(
        &mut self,
        input: &mut BytesMut,
        err: ChunkedError,
    ) -> Result<Option<BytesMut>, ChunkedError> {
        let start = if self.scanned <= input.len() {
            self.scanned
        } else {
            0
        };
        let limit = input.len().min(MAX_LINE_LEN + 2);
        let found = input
            .get(start..limit)
            .and_then(|window| window.iter().position(|&b| b == b'\n'));
        match found {
            Some(rel) => {
                let pos = start + rel;
                if pos == 0 || input.get(pos - 1) != Some(&b'\r') {
                    return Err(err);
                }
                let mut line = input.split_to(pos + 1);
                line.truncate(pos - 1);
                self.scanned = 0;
                Ok(Some(line))
            }
            None if input.len() >= MAX_LINE_LEN + 2 => Err(err),
            None => {
                self.scanned = limit;
                Ok(None)
            }
        }
    }

    fn on_chunk_header(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        let (size_part, extension) = match line.iter().position(|&b| b == b';') {
            Some(i) => line.split_at(i),
            None => (line, &[][..]),
        };
        let size = parse_hex_size(size_part).ok_or(ChunkedError::Framing(FramingError::Size))?;
        if self.mode.is_signed() {
            let sig = extension
                .strip_prefix(CHUNK_SIGNATURE_EXT)
                .ok_or(ChunkedError::Framing(FramingError::MissingSignature))?;
            if sig.len() != 64 || hex::decode_to_slice(sig, &mut self.claimed).is_err() {
                return Err(ChunkedError::Framing(FramingError::Signature));
            }
        } else if !extension.is_empty() {
            return Err(ChunkedError::Framing(FramingError::UnexpectedExtension));
        }
        if self.decoded_len.checked_add(size).is_none() {
            return Err(ChunkedError::Framing(FramingError::TooLarge));
        }
        self.chunk_hasher = Sha256::new();
        if size == 0 {
            self.verify_chunk()?;
            self.state = if self.mode.has_trailer() {
                State::Trailers
            } else {
                State::DataEnd { last: true }
            };
        } else {
            self.state = State::Data { remaining: size };
        }
        Ok(())
    }

    /// Verifies the signature of the chunk whose data was just hashed.
    fn verify_chunk(&mut self) -> Result<(), ChunkedError> {
        if !self.mode.is_signed() {
            return Ok(());
        }
        let signer = self.signer.as_mut().ok_or(ChunkedError::MissingSigner)?;
        let hash: [u8; 32] = std::mem::take(&mut self.chunk_hasher).finalize().into();
        let expected = signer.expected_chunk(&hash);
        if signer.check(expected, &self.claimed) {
            Ok(())
        } else {
            Err(ChunkedError::ChunkSignatureMismatch)
        }
    }

    fn on_trailer_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        let malformed = ChunkedError::Trailer;
        if line.is_empty() {
            if self.mode.is_signed() && !self.trailer_signed && !self.trailers.is_empty() {
                return Err(malformed(TrailerError::MissingSignature));
            }
            self.state = State::Done;
            return Ok(());
        }
        if self.trailer_signed {
            return Err(malformed(TrailerError::AfterSignature));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(malformed(TrailerError::NoColon))?;
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(malformed(TrailerError::Name));
        }
        if !value
            .iter()
            .all(|&b| b == b'\t' || (b' '..0x7f).contains(&b))
        {
            return Err(malformed(TrailerError::Value));
        }
        // Both checked to be ASCII above, so these conversions cannot fail.
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let value = trim(&String::from_utf8_lossy(value)).to_owned();

        if name == TRAILER_SIGNATURE_HEADER {
            if !self.mode.is_signed() {
                return Err(malformed(TrailerError::SignatureInUnsignedBody));
            }
            let mut claimed = [0u8; 32];
            if value.len() != 64 || hex::decode_to_slice(&value, &mut claimed).is_err() {
                return Err(malformed(TrailerError::Signature));
            }
            let signer = self.signer.as_mut().ok_or(ChunkedError::MissingSigner)?;
            let expected = signer.expected_trailer(&self.canonical_trailers);
            if !signer.check(expected, &claimed) {
                return Err(ChunkedError::TrailerSignatureMismatch);
            }
            self.trailer_signed = true;
            return Ok(());
        }
        if self.trailers.len() >= MAX_TRAILERS {
            return Err(malformed(TrailerError::TooMany));
        }
        push_canonical_trailer(&mut self.canonical_trailers, &name, &value);
        self.trailers.push((name, value));
        Ok(())
    }
}

/// Parses 1 to 16 hex digits into a chunk size.
fn parse_hex_size(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    digits.iter().try_fold(0u64, |acc, &b| {
        let d = char::from(b).to_digit(16)?;
        Some((acc << 4) | u64::from(d))
    })
}

/// RFC 9110 token characters, allowed in trailer names.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}
