//! Incremental decoder for `Content-Encoding: aws-chunked` request bodies.
//!
//! S3 clients stream uploads in the aws-chunked framing when
//! `x-amz-content-sha256` is one of the `STREAMING-*` values:
//!
//! ```text
//! signed:    <hex-size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n\r\n
//! + trailer: ... 0;chunk-signature=<sig>\r\n<name>:<value>\r\n x-amz-trailer-signature:<sig>\r\n\r\n
//! unsigned:  <hex-size>\r\n<data>\r\n ... 0\r\n<name>:<value>\r\n\r\n
//! ```
//!
//! Each chunk signature is the HMAC, under the request's signing key, of
//! `AWS4-HMAC-SHA256-PAYLOAD\n<amz-date>\n<scope>\n<previous-signature>\n
//! <sha256("")>\n<sha256(chunk-data)>`, chained from the request (seed)
//! signature; the trailer signature uses `AWS4-HMAC-SHA256-TRAILER` and the
//! hash of the canonical trailers (`name:value\n` each).
//!
//! [`ChunkedDecoder`] is push-style and works with input split at any byte.
//! It never copies payload: data comes out as `Bytes` slices of the caller's
//! buffer. Only an incomplete header or trailer line is left in that buffer
//! (bounded by [`MAX_LINE_LEN`]). Because data is handed out before the end
//! of its chunk is reached, a chunk is only known to be authentic once a
//! later `push` (or [`ChunkedDecoder::finish`]) has returned `Ok`: callers
//! must not commit an object before `finish` succeeds.

use std::fmt;

use bytes::{Buf, Bytes, BytesMut};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::sigv4::{AuthContext, PayloadMode, SigningKey, EMPTY_SHA256};

/// Longest chunk header or trailer line accepted, without its CRLF.
pub const MAX_LINE_LEN: usize = 4096;

/// Most trailing headers accepted in one body.
pub const MAX_TRAILERS: usize = 32;

/// Name of the trailer carrying the trailer signature.
pub const TRAILER_SIGNATURE_HEADER: &str = "x-amz-trailer-signature";

const CHUNK_SIGNATURE_EXT: &[u8] = b";chunk-signature=";

/// The aws-chunked variant, from `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkedMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailers.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and trailers.
    SignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks, unsigned trailers.
    UnsignedTrailer,
}

impl ChunkedMode {
    /// The chunked mode of a payload mode, `None` when the body is not chunked.
    pub fn from_payload_mode(mode: &PayloadMode) -> Option<Self> {
        match mode {
            PayloadMode::StreamingSigned => Some(ChunkedMode::Signed),
            PayloadMode::StreamingSignedTrailer => Some(ChunkedMode::SignedTrailer),
            PayloadMode::StreamingUnsignedTrailer => Some(ChunkedMode::UnsignedTrailer),
            PayloadMode::Sha256(_) | PayloadMode::Unsigned => None,
        }
    }

    /// True when chunks carry signatures that must be verified.
    pub fn is_signed(self) -> bool {
        matches!(self, ChunkedMode::Signed | ChunkedMode::SignedTrailer)
    }

    /// True when trailing headers may follow the final chunk.
    pub fn has_trailer(self) -> bool {
        matches!(
            self,
            ChunkedMode::SignedTrailer | ChunkedMode::UnsignedTrailer
        )
    }
}

/// Why an aws-chunked body was rejected; each variant is one S3 error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkedError {
    /// A chunk or trailer signature does not verify.
    SignatureDoesNotMatch(&'static str),
    /// The body ended before the final chunk and trailers were complete.
    IncompleteBody,
    /// The chunk framing is malformed (size, CRLF, extension, line length).
    InvalidRequest(&'static str),
    /// The trailing headers are malformed.
    MalformedTrailerError(&'static str),
    /// The decoder was set up wrongly by the server (e.g. no signer).
    InternalError(&'static str),
}

impl ChunkedError {
    /// The S3 error code to put in the `Code` element of the error response.
    pub fn s3_code(&self) -> &'static str {
        match self {
            ChunkedError::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            ChunkedError::IncompleteBody => "IncompleteBody",
            ChunkedError::InvalidRequest(_) => "InvalidRequest",
            ChunkedError::MalformedTrailerError(_) => "MalformedTrailerError",
            ChunkedError::InternalError(_) => "InternalError",
        }
    }

    /// The HTTP status S3 answers with for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            ChunkedError::SignatureDoesNotMatch(_) => 403,
            ChunkedError::IncompleteBody
            | ChunkedError::InvalidRequest(_)
            | ChunkedError::MalformedTrailerError(_) => 400,
            ChunkedError::InternalError(_) => 500,
        }
    }

    /// Human-readable message for the `Message` element of the error response.
    pub fn message(&self) -> &'static str {
        match self {
            ChunkedError::IncompleteBody => {
                "You did not provide the number of bytes specified by the Content-Length HTTP header."
            }
            ChunkedError::SignatureDoesNotMatch(m)
            | ChunkedError::InvalidRequest(m)
            | ChunkedError::MalformedTrailerError(m)
            | ChunkedError::InternalError(m) => m,
        }
    }
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.s3_code(), self.message())
    }
}

impl std::error::Error for ChunkedError {}

/// The chunk-signature chain of one request: key, scope and last signature.
#[derive(Clone, Debug)]
pub struct ChunkSigner {
    key: SigningKey,
    amz_date: String,
    scope: String,
    previous: [u8; 32],
}

impl ChunkSigner {
    /// Starts a chain from the request's seed signature (64 hex digits).
    pub fn new(
        key: SigningKey,
        amz_date: &str,
        scope: &str,
        seed_signature: &str,
    ) -> Result<Self, ChunkedError> {
        let mut previous = [0u8; 32];
        hex::decode_to_slice(seed_signature, &mut previous)
            .map_err(|_| ChunkedError::InternalError("seed signature is not 64 hex digits"))?;
        Ok(ChunkSigner {
            key,
            amz_date: amz_date.to_owned(),
            scope: scope.to_owned(),
            previous,
        })
    }

    /// Starts the chain of an authenticated request.
    pub fn from_auth(ctx: &AuthContext) -> Result<Self, ChunkedError> {
        Self::new(
            ctx.signing_key.clone(),
            &ctx.amz_date,
            &ctx.scope,
            &ctx.seed_signature,
        )
    }

    /// Signs the next chunk and advances the chain (for encoders and tests).
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        let sig = self.expected_chunk(&Sha256::digest(data).into());
        self.previous = sig;
        hex::encode(sig)
    }

    /// Signs trailing headers and advances the chain (for encoders and tests).
    pub fn sign_trailers(&mut self, trailers: &[(&str, &str)]) -> String {
        let mut canonical = Vec::new();
        for (name, value) in trailers {
            push_canonical_trailer(&mut canonical, &name.to_ascii_lowercase(), trim(value));
        }
        let sig = self.expected_trailer(&canonical);
        self.previous = sig;
        hex::encode(sig)
    }

    fn expected_chunk(&self, data_sha256: &[u8; 32]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            hex::encode(self.previous),
            EMPTY_SHA256,
            hex::encode(data_sha256)
        );
        self.key.sign(sts.as_bytes())
    }

    fn expected_trailer(&self, canonical_trailers: &[u8]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            hex::encode(self.previous),
            hex::encode(Sha256::digest(canonical_trailers))
        );
        self.key.sign(sts.as_bytes())
    }

    /// Checks `claimed` as the next link and advances the chain on success.
    fn check(&mut self, expected: [u8; 32], claimed: &[u8; 32]) -> bool {
        let ok = bool::from(expected.ct_eq(claimed));
        if ok {
            self.previous = expected;
        }
        ok
    }
}

/// What is left once the whole body has been decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers {
    /// Trailing headers as `(lower-case name, trimmed value)`, without
    /// `x-amz-trailer-signature`.
    pub headers: Vec<(String, String)>,
    /// Total decoded payload length, to compare with
    /// `x-amz-decoded-content-length`.
    pub decoded_len: u64,
}

impl Trailers {
    /// The value of trailer `name` (case-insensitive), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
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
pub struct ChunkedDecoder {
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
    pub fn new(mode: ChunkedMode, signer: Option<ChunkSigner>) -> Result<Self, ChunkedError> {
        if mode.is_signed() && signer.is_none() {
            return Err(ChunkedError::InternalError(
                "a signed aws-chunked body needs a chunk signer",
            ));
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
    pub fn for_auth(ctx: &AuthContext) -> Result<Option<Self>, ChunkedError> {
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
    pub fn push(&mut self, input: &mut BytesMut) -> Result<Vec<Bytes>, ChunkedError> {
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
    pub fn finish(self) -> Result<Trailers, ChunkedError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        if self.state != State::Done {
            return Err(ChunkedError::IncompleteBody);
        }
        Ok(Trailers {
            headers: self.trailers,
            decoded_len: self.decoded_len,
        })
    }

    /// Payload bytes handed out so far.
    pub fn decoded_len(&self) -> u64 {
        self.decoded_len
    }

    /// True once the final chunk (and trailers) have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn decode(&mut self, input: &mut BytesMut, out: &mut Vec<Bytes>) -> Result<(), ChunkedError> {
        loop {
            match self.state {
                State::ChunkHeader => {
                    let err =
                        ChunkedError::InvalidRequest("malformed aws-chunked chunk header line");
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
                    let missing = ChunkedError::InvalidRequest("chunk data not followed by CRLF");
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
                    let err = ChunkedError::MalformedTrailerError("malformed trailer line");
                    match self.take_line(input, err)? {
                        Some(line) => self.on_trailer_line(&line)?,
                        None => return Ok(()),
                    }
                }
                State::Done => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    return Err(ChunkedError::InvalidRequest(
                        "data after the end of the aws-chunked body",
                    ));
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
        let size = parse_hex_size(size_part).ok_or(ChunkedError::InvalidRequest(
            "invalid aws-chunked chunk size",
        ))?;
        if self.mode.is_signed() {
            let sig =
                extension
                    .strip_prefix(CHUNK_SIGNATURE_EXT)
                    .ok_or(ChunkedError::InvalidRequest(
                        "chunk header lacks a chunk-signature",
                    ))?;
            if sig.len() != 64 || hex::decode_to_slice(sig, &mut self.claimed).is_err() {
                return Err(ChunkedError::InvalidRequest("malformed chunk-signature"));
            }
        } else if !extension.is_empty() {
            return Err(ChunkedError::InvalidRequest(
                "unexpected chunk extension in an unsigned aws-chunked body",
            ));
        }
        if self.decoded_len.checked_add(size).is_none() {
            return Err(ChunkedError::InvalidRequest("aws-chunked body too large"));
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
        let signer = self
            .signer
            .as_mut()
            .ok_or(ChunkedError::InternalError("missing chunk signer"))?;
        let hash: [u8; 32] = std::mem::take(&mut self.chunk_hasher).finalize().into();
        let expected = signer.expected_chunk(&hash);
        if signer.check(expected, &self.claimed) {
            Ok(())
        } else {
            Err(ChunkedError::SignatureDoesNotMatch(
                "The chunk signature we calculated does not match the signature you provided.",
            ))
        }
    }

    fn on_trailer_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        let malformed = ChunkedError::MalformedTrailerError;
        if line.is_empty() {
            if self.mode.is_signed() && !self.trailer_signed && !self.trailers.is_empty() {
                return Err(malformed("trailing headers lack x-amz-trailer-signature"));
            }
            self.state = State::Done;
            return Ok(());
        }
        if self.trailer_signed {
            return Err(malformed("trailer after x-amz-trailer-signature"));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(malformed("trailer line lacks ':'"))?;
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(malformed("invalid trailer name"));
        }
        if !value
            .iter()
            .all(|&b| b == b'\t' || (b' '..0x7f).contains(&b))
        {
            return Err(malformed("invalid trailer value"));
        }
        // Both checked to be ASCII above, so these conversions cannot fail.
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let value = trim(&String::from_utf8_lossy(value)).to_owned();

        if name == TRAILER_SIGNATURE_HEADER {
            if !self.mode.is_signed() {
                return Err(malformed("x-amz-trailer-signature in an unsigned body"));
            }
            let mut claimed = [0u8; 32];
            if value.len() != 64 || hex::decode_to_slice(&value, &mut claimed).is_err() {
                return Err(malformed("malformed x-amz-trailer-signature"));
            }
            let signer = self
                .signer
                .as_mut()
                .ok_or(ChunkedError::InternalError("missing chunk signer"))?;
            let expected = signer.expected_trailer(&self.canonical_trailers);
            if !signer.check(expected, &claimed) {
                return Err(ChunkedError::SignatureDoesNotMatch(
                    "The trailer signature we calculated does not match the signature you provided.",
                ));
            }
            self.trailer_signed = true;
            return Ok(());
        }
        if self.trailers.len() >= MAX_TRAILERS {
            return Err(malformed("too many trailing headers"));
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

fn trim(value: &str) -> &str {
    value.trim_matches(|c| c == ' ' || c == '\t')
}

fn push_canonical_trailer(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::super::sigv4::{verify, RequestParts};
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20130524T000000Z";
    const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
    const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const TRAILER_SEED: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";

    fn signer(seed: &str) -> ChunkSigner {
        let key = SigningKey::derive(SECRET, "20130524", "us-east-1", "s3");
        ChunkSigner::new(key, DATE, SCOPE, seed).unwrap()
    }

    fn signer_for(mode: ChunkedMode) -> Option<ChunkSigner> {
        mode.is_signed().then(|| signer(SEED))
    }

    /// Test-side encoder: splits `payload` into chunks of the given sizes.
    fn encode(
        mode: ChunkedMode,
        payload: &[u8],
        sizes: &[usize],
        trailers: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut signer = signer_for(mode);
        let mut out = Vec::new();
        let mut rest = payload;
        let mut i = 0;
        let mut last = false;
        while !last {
            let size = if rest.is_empty() {
                0
            } else {
                sizes[i % sizes.len()].clamp(1, rest.len())
            };
            i += 1;
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            last = size == 0;
            out.extend_from_slice(format!("{size:x}").as_bytes());
            if let Some(s) = signer.as_mut() {
                out.extend_from_slice(b";chunk-signature=");
                out.extend_from_slice(s.sign_chunk(chunk).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            if !last || !mode.has_trailer() {
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
        }
        if mode.has_trailer() {
            for (name, value) in trailers {
                out.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
            }
            if let Some(s) = signer.as_mut() {
                let sig = s.sign_trailers(trailers);
                out.extend_from_slice(format!("x-amz-trailer-signature:{sig}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Feeds `encoded` split at `cuts`, asserting the buffering bound.
    fn decode_split(
        mode: ChunkedMode,
        encoded: &[u8],
        cuts: &[usize],
    ) -> Result<(Vec<u8>, Trailers), ChunkedError> {
        let mut decoder = ChunkedDecoder::new(mode, signer_for(mode))?;
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (encoded.len() + 1)).collect();
        cuts.push(encoded.len());
        cuts.sort_unstable();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        let mut prev = 0;
        for cut in cuts {
            buf.extend_from_slice(&encoded[prev..cut]);
            prev = cut;
            for piece in decoder.push(&mut buf)? {
                out.extend_from_slice(&piece);
            }
            assert!(buf.len() <= MAX_LINE_LEN + 1, "kept {} bytes", buf.len());
        }
        let trailers = decoder.finish()?;
        Ok((out, trailers))
    }

    fn aws_example_body(sigs: [&str; 3]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(format!("10000;chunk-signature={}\r\n", sigs[0]).as_bytes());
        body.extend_from_slice(&[b'a'; 65536]);
        body.extend_from_slice(format!("\r\n400;chunk-signature={}\r\n", sigs[1]).as_bytes());
        body.extend_from_slice(&[b'a'; 1024]);
        body.extend_from_slice(format!("\r\n0;chunk-signature={}\r\n", sigs[2]).as_bytes());
        body
    }

    const EXAMPLE_SIGS: [&str; 3] = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];

    #[test]
    fn aws_example_chunked_upload() {
        // Request of the documented example; its signature is the seed.
        let headers: Vec<(String, String)> = [
            ("host", "s3.amazonaws.com"),
            ("x-amz-date", DATE),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
                 SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
                 x-amz-decoded-content-length;x-amz-storage-class,Signature=\
                 4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
            ),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("content-length", "66824"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        let parts = RequestParts {
            method: "PUT",
            path: "/examplebucket/chunkObject.txt",
            query: "",
            headers: &headers,
        };
        let now = super::super::sigv4::parse_amz_date(DATE).unwrap();
        let ctx = verify(
            &parts,
            |ak| (ak == "AKIAIOSFODNN7EXAMPLE").then(|| SECRET.to_owned()),
            now,
        )
        .unwrap();
        assert_eq!(ctx.seed_signature, SEED);
        assert_eq!(ctx.payload, PayloadMode::StreamingSigned);

        // Our own signer reproduces the documented chunk signatures.
        let mut s = ChunkSigner::from_auth(&ctx).unwrap();
        assert_eq!(s.sign_chunk(&[b'a'; 65536]), EXAMPLE_SIGS[0]);
        assert_eq!(s.sign_chunk(&[b'a'; 1024]), EXAMPLE_SIGS[1]);
        assert_eq!(s.sign_chunk(&[]), EXAMPLE_SIGS[2]);

        let mut body = aws_example_body(EXAMPLE_SIGS);
        body.extend_from_slice(b"\r\n");
        assert_eq!(body.len(), 66824, "Content-Length of the example");

        let mut decoder = ChunkedDecoder::for_auth(&ctx).unwrap().unwrap();
        let mut buf = BytesMut::from(&body[..]);
        let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
        let pieces = decoder.push(&mut buf).unwrap();
        assert!(buf.is_empty());
        let mut decoded = Vec::new();
        for piece in &pieces {
            // Zero-copy: every piece points into the input buffer.
            assert!(range.contains(&(piece.as_ptr() as usize)));
            decoded.extend_from_slice(piece);
        }
        assert_eq!(decoded, vec![b'a'; 66560]);
        let trailers = decoder.finish().unwrap();
        assert_eq!(trailers.decoded_len, 66560);
        assert!(trailers.headers.is_empty());

        // Same body, one byte at a time.
        let (out, _) = decode_split(
            ChunkedMode::Signed,
            &body,
            &(0..body.len()).collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(out, vec![b'a'; 66560]);
    }

    #[test]
    fn aws_example_chunked_upload_with_signed_trailer() {
        let sigs = [
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        ];
        let trailer_sig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
        let mut body = aws_example_body(sigs);
        body.extend_from_slice(b"x-amz-checksum-crc32c:sOO8/Q==\r\n");
        body.extend_from_slice(format!("x-amz-trailer-signature:{trailer_sig}\r\n\r\n").as_bytes());

        let mut decoder =
            ChunkedDecoder::new(ChunkedMode::SignedTrailer, Some(signer(TRAILER_SEED))).unwrap();
        let mut buf = BytesMut::from(&body[..]);
        let decoded: Vec<u8> = decoder
            .push(&mut buf)
            .unwrap()
            .iter()
            .flat_map(|b| b.iter().copied())
            .collect();
        assert_eq!(decoded, vec![b'a'; 66560]);
        let trailers = decoder.finish().unwrap();
        assert_eq!(trailers.get("x-amz-checksum-crc32c"), Some("sOO8/Q=="));
        assert_eq!(trailers.headers.len(), 1);
        assert_eq!(trailers.decoded_len, 66560);

        // A different checksum value breaks the trailer signature.
        let tampered = String::from_utf8_lossy(&body).replace("sOO8/Q==", "sOO8/Q=A");
        let mut decoder =
            ChunkedDecoder::new(ChunkedMode::SignedTrailer, Some(signer(TRAILER_SEED))).unwrap();
        let mut buf = BytesMut::from(tampered.as_bytes());
        assert_eq!(
            decoder.push(&mut buf).unwrap_err(),
            ChunkedError::SignatureDoesNotMatch(
                "The trailer signature we calculated does not match the signature you provided."
            )
        );
    }

    #[test]
    fn unsigned_trailer_mode_returns_trailer() {
        let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32c:yZRlqg==\r\n\r\n";
        let cuts: Vec<usize> = (0..body.len()).step_by(3).collect();
        let (out, trailers) = decode_split(ChunkedMode::UnsignedTrailer, body, &cuts).unwrap();
        assert_eq!(out, b"hello world");
        assert_eq!(trailers.decoded_len, 11);
        assert_eq!(
            trailers.headers,
            vec![("x-amz-checksum-crc32c".to_owned(), "yZRlqg==".to_owned())]
        );
        // No trailer at all is fine too.
        let (out, trailers) =
            decode_split(ChunkedMode::UnsignedTrailer, b"2\r\nhi\r\n0\r\n\r\n", &[]).unwrap();
        assert_eq!(out, b"hi");
        assert!(trailers.headers.is_empty());
    }

    fn err_of(mode: ChunkedMode, body: &[u8]) -> ChunkedError {
        decode_split(mode, body, &[]).map(|_| ()).unwrap_err()
    }

    #[test]
    fn framing_errors() {
        use ChunkedMode::*;
        let cases: &[(ChunkedMode, &[u8], &str)] = &[
            (
                UnsignedTrailer,
                b"zz\r\nhello\r\n0\r\n\r\n",
                "InvalidRequest",
            ),
            (UnsignedTrailer, b"\r\n", "InvalidRequest"),
            (UnsignedTrailer, b"-1\r\n", "InvalidRequest"),
            (UnsignedTrailer, b"10000000000000000\r\n", "InvalidRequest"),
            (UnsignedTrailer, b"5\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            (
                UnsignedTrailer,
                b"5\r\nhelloX\r\n0\r\n\r\n",
                "InvalidRequest",
            ),
            (UnsignedTrailer, b"5\r\nhello\n0\r\n\r\n", "InvalidRequest"),
            (
                UnsignedTrailer,
                b"5;x=y\r\nhello\r\n0\r\n\r\n",
                "InvalidRequest",
            ),
            (UnsignedTrailer, b"0\r\n\r\nextra", "InvalidRequest"),
            (UnsignedTrailer, b"5\r\nhello\r\n", "IncompleteBody"),
            (UnsignedTrailer, b"5\r\nhel", "IncompleteBody"),
            (
                UnsignedTrailer,
                b"0\r\nx-amz-checksum-crc32c:AA==\r\n",
                "IncompleteBody",
            ),
            (
                UnsignedTrailer,
                b"0\r\nno-colon\r\n\r\n",
                "MalformedTrailerError",
            ),
            (
                UnsignedTrailer,
                b"0\r\n:empty-name\r\n\r\n",
                "MalformedTrailerError",
            ),
            (
                UnsignedTrailer,
                b"0\r\nbad name:v\r\n\r\n",
                "MalformedTrailerError",
            ),
            (
                UnsignedTrailer,
                b"0\r\nname:v\x01\r\n\r\n",
                "MalformedTrailerError",
            ),
            (
                UnsignedTrailer,
                b"0\r\nx-amz-trailer-signature:00\r\n\r\n",
                "MalformedTrailerError",
            ),
            (Signed, b"5\r\nhello\r\n", "InvalidRequest"),
            (
                Signed,
                b"5;chunk-signature=abc\r\nhello\r\n",
                "InvalidRequest",
            ),
            (Signed, b"0;chunk-signatur=00\r\n", "InvalidRequest"),
        ];
        for (mode, body, code) in cases {
            let err = err_of(*mode, body);
            assert_eq!(err.s3_code(), *code, "{:?}", String::from_utf8_lossy(body));
            assert!(err.http_status() == 400 || err.http_status() == 403);
        }
        assert_eq!(ChunkedError::IncompleteBody.http_status(), 400);
    }

    #[test]
    fn long_lines_are_rejected_without_unbounded_buffering() {
        let mut decoder = ChunkedDecoder::new(ChunkedMode::UnsignedTrailer, None).unwrap();
        let mut buf = BytesMut::new();
        let mut result = Ok(Vec::new());
        for _ in 0..(MAX_LINE_LEN + 2) {
            buf.extend_from_slice(b"0");
            result = decoder.push(&mut buf);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result.unwrap_err().s3_code(), "InvalidRequest");
        assert!(buf.len() <= MAX_LINE_LEN + 2);
        // The decoder stays failed.
        assert!(decoder.push(&mut BytesMut::from(&b"0\r\n"[..])).is_err());
        assert!(decoder.finish().is_err());

        let mut trailer = b"0\r\nx-amz-meta-a:".to_vec();
        trailer.extend(std::iter::repeat_n(b'v', MAX_LINE_LEN));
        trailer.extend_from_slice(b"\r\n\r\n");
        assert_eq!(
            err_of(ChunkedMode::UnsignedTrailer, &trailer).s3_code(),
            "MalformedTrailerError"
        );
    }

    #[test]
    fn too_many_trailers_are_rejected() {
        let mut body = b"0\r\n".to_vec();
        for i in 0..=MAX_TRAILERS {
            body.extend_from_slice(format!("x-amz-meta-{i}:v\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        assert_eq!(
            err_of(ChunkedMode::UnsignedTrailer, &body).s3_code(),
            "MalformedTrailerError"
        );
    }

    #[test]
    fn signature_errors() {
        let payload = b"some payload bytes";
        let good = encode(ChunkedMode::Signed, payload, &[7], &[]);
        assert_eq!(
            decode_split(ChunkedMode::Signed, &good, &[]).unwrap().0,
            payload
        );

        // Wrong seed (another request) fails on the first chunk.
        let mut decoder =
            ChunkedDecoder::new(ChunkedMode::Signed, Some(signer(TRAILER_SEED))).unwrap();
        let err = decoder.push(&mut BytesMut::from(&good[..])).unwrap_err();
        assert_eq!(err.s3_code(), "SignatureDoesNotMatch");
        assert_eq!(err.http_status(), 403);

        // Reordering two chunks breaks the chain.
        let two = encode(ChunkedMode::Signed, b"aaaabbbb", &[4], &[]);
        let text = String::from_utf8(two).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        let swapped = [
            lines[2], lines[3], lines[0], lines[1], lines[4], lines[5], "",
        ]
        .join("\r\n");
        assert_eq!(
            err_of(ChunkedMode::Signed, swapped.as_bytes()).s3_code(),
            "SignatureDoesNotMatch"
        );

        // Dropping the final chunk is an incomplete body, even if cut cleanly.
        let no_final = text.split("0;chunk-signature").next().unwrap();
        assert_eq!(
            err_of(ChunkedMode::Signed, no_final.as_bytes()).s3_code(),
            "IncompleteBody"
        );

        // Signed trailers without their signature are rejected.
        let with_trailer = encode(
            ChunkedMode::SignedTrailer,
            payload,
            &[5],
            &[("x-amz-checksum-crc32c", "AAAAAA==")],
        );
        let text = String::from_utf8(with_trailer).unwrap();
        let stripped: String = text
            .split_inclusive("\r\n")
            .filter(|l| !l.starts_with("x-amz-trailer-signature"))
            .collect();
        assert_eq!(
            err_of(ChunkedMode::SignedTrailer, stripped.as_bytes()).s3_code(),
            "MalformedTrailerError"
        );
        // A trailer injected after the signature is rejected.
        let injected = format!("{}x-amz-meta-x:1\r\n\r\n", &text[..text.len() - 2]);
        assert_eq!(
            err_of(ChunkedMode::SignedTrailer, injected.as_bytes()).s3_code(),
            "MalformedTrailerError"
        );

        assert_eq!(
            ChunkedDecoder::new(ChunkedMode::Signed, None)
                .unwrap_err()
                .http_status(),
            500
        );
    }

    fn any_mode() -> impl Strategy<Value = ChunkedMode> {
        prop_oneof![
            Just(ChunkedMode::Signed),
            Just(ChunkedMode::SignedTrailer),
            Just(ChunkedMode::UnsignedTrailer),
        ]
    }

    fn any_trailers() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::vec(("x-amz-[a-z0-9-]{1,12}", "[A-Za-z0-9+/=]{0,24}"), 0..3)
    }

    fn as_refs(trailers: &[(String, String)]) -> Vec<(&str, &str)> {
        trailers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_output(
            mode in any_mode(),
            payload in prop::collection::vec(any::<u8>(), 0..1500),
            sizes in prop::collection::vec(1usize..400, 1..4),
            trailers in any_trailers(),
            cuts in prop::collection::vec(any::<usize>(), 0..24),
        ) {
            let trailers_ref = as_refs(&trailers);
            let encoded = encode(mode, &payload, &sizes, &trailers_ref);
            let (whole, whole_trailers) = decode_split(mode, &encoded, &[]).unwrap();
            prop_assert_eq!(&whole, &payload);
            prop_assert_eq!(whole_trailers.decoded_len, payload.len() as u64);
            if mode.has_trailer() {
                prop_assert_eq!(&whole_trailers.headers, &trailers);
            }
            let (split, split_trailers) = decode_split(mode, &encoded, &cuts).unwrap();
            prop_assert_eq!(split, whole);
            prop_assert_eq!(split_trailers, whole_trailers);
        }

        #[test]
        fn any_truncation_fails(
            mode in any_mode(),
            payload in prop::collection::vec(any::<u8>(), 0..600),
            sizes in prop::collection::vec(1usize..200, 1..3),
            trailers in any_trailers(),
            cut in any::<usize>(),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
        ) {
            let encoded = encode(mode, &payload, &sizes, &as_refs(&trailers));
            let truncated = &encoded[..cut % encoded.len()];
            let result = decode_split(mode, truncated, &cuts);
            prop_assert!(result.is_err());
        }

        #[test]
        fn any_corruption_of_a_signed_body_fails(
            trailer in any::<bool>(),
            payload in prop::collection::vec(any::<u8>(), 0..600),
            sizes in prop::collection::vec(1usize..200, 1..3),
            trailers in any_trailers(),
            at in any::<usize>(),
        ) {
            let mode = if trailer { ChunkedMode::SignedTrailer } else { ChunkedMode::Signed };
            let mut encoded = encode(mode, &payload, &sizes, &as_refs(&trailers));
            let i = at % encoded.len();
            encoded[i] ^= 1;
            prop_assert!(decode_split(mode, &encoded, &[]).is_err());
        }

        #[test]
        fn garbage_never_panics(
            mode in any_mode(),
            prefix_len in 0usize..64,
            garbage in prop::collection::vec(any::<u8>(), 0..2000),
            cuts in prop::collection::vec(any::<usize>(), 0..16),
        ) {
            // Start with a valid prefix sometimes, so deeper states get garbage too.
            let valid = encode(mode, b"0123456789abcdef", &[5], &[("x-amz-a", "b")]);
            let mut input = valid[..prefix_len.min(valid.len())].to_vec();
            input.extend_from_slice(&garbage);
            let _ = decode_split(mode, &input, &cuts);
        }
    }
}
