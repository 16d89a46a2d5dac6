//! The RPCs over QUIC streams: the stream plumbing both sides share, and
//! the client calls of the node's messages and health (each shard
//! operation's call is in its file under `shard`; the server loop is in
//! `server.rs`).
//!
//! One request per bidirectional stream. Both halves of every stream are
//! closed on every path: a sender finishes after its last byte and resets
//! on any other way out (error, timeout, a dropped future — see
//! [`Sender`]); a reader consumes the end of the stream, or stops it by
//! dropping it half-read (s2n-quic sends STOP_SENDING on drop). Every wait
//! on the peer is bounded by an idle deadline, so a stalled peer costs a
//! timeout, never a hang. [`StreamGauge`] keeps
//! `predastore_quic_streams_open` true.

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::Stream;
use s2n_quic::connection::Handle as ConnectionHandle;
use s2n_quic::stream::{ReceiveStream, SendStream};

use super::frame::{self, Channel, ErrorKind, Request, Response};
use super::NetError;
use crate::metrics;

/// Application error code for a stream reset because the body failed or
/// the sender gave up mid-way: the reader must not use what it got.
const RESET_ABANDONED: u32 = 1;

/// How long a peer may keep us waiting on a single step (a chunk, a
/// header, flow-control credit) before the request fails.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Idle(pub Duration);

impl Idle {
    async fn bound<T>(
        self,
        step: impl Future<Output = Result<T, NetError>>,
    ) -> Result<T, NetError> {
        tokio::time::timeout(self.0, step)
            .await
            .map_err(|_| NetError::Timeout(self.0))?
    }
}

/// Counts a stream from open to drop, per side.
pub(crate) struct StreamGauge(&'static str);

impl StreamGauge {
    /// A stream opened on `side` (`client` or `server`).
    pub(crate) fn open(side: &'static str) -> Self {
        metrics::QUIC_STREAMS_OPEN.with_label_values(&[side]).inc();
        metrics::QUIC_STREAMS.with_label_values(&[side]).inc();
        Self(side)
    }
}

impl Drop for StreamGauge {
    fn drop(&mut self) {
        metrics::QUIC_STREAMS_OPEN
            .with_label_values(&[self.0])
            .dec();
    }
}

fn stream_err(e: s2n_quic::stream::Error) -> NetError {
    match e {
        // The connection under the stream is gone: the pool must drop it.
        s2n_quic::stream::Error::ConnectionError { .. } => NetError::Connection {
            addr: ([0, 0, 0, 0], 0).into(),
            message: e.to_string(),
        },
        _ => NetError::Stream(e.to_string()),
    }
}

/// The sending half of a stream. It ends cleanly only through
/// [`Sender::finish`]; dropped any other way it resets the stream, so the
/// peer never takes a cut-short message for a whole one.
pub(crate) struct Sender {
    tx: Option<SendStream>,
    idle: Idle,
}

impl Sender {
    pub(super) fn new(tx: SendStream, idle: Idle) -> Self {
        Self { tx: Some(tx), idle }
    }

    pub(super) async fn send(&mut self, data: Bytes) -> Result<(), NetError> {
        let n = data.len() as u64;
        let tx = self
            .tx
            .as_mut()
            .ok_or_else(|| NetError::Stream("already finished".into()))?;
        self.idle
            .bound(async { tx.send(data).await.map_err(stream_err) })
            .await?;
        metrics::QUIC_BYTES_SENT.inc_by(n);
        Ok(())
    }

    /// Abandons the message: the peer sees a reset, not an end.
    pub(super) fn reset(&mut self) {
        if let Some(mut tx) = self.tx.take() {
            let _ = tx.reset(RESET_ABANDONED.into());
        }
    }

    pub(super) fn finish(&mut self) -> Result<(), NetError> {
        match self.tx.take() {
            Some(mut tx) => tx.finish().map_err(stream_err),
            None => Ok(()),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.reset();
    }
}

async fn receive(rx: &mut ReceiveStream, idle: Idle) -> Result<Option<Bytes>, NetError> {
    let chunk = idle
        .bound(async { rx.receive().await.map_err(stream_err) })
        .await?;
    if let Some(c) = &chunk {
        metrics::QUIC_BYTES_RECEIVED.inc_by(c.len() as u64);
    }
    Ok(chunk)
}

/// Reads one header frame; bytes after it stay in `buf`.
pub(super) async fn read_header<T: for<'de> serde::Deserialize<'de>>(
    rx: &mut ReceiveStream,
    buf: &mut BytesMut,
    idle: Idle,
) -> Result<T, NetError> {
    loop {
        if let Some(header) = frame::decode(buf)? {
            return Ok(header);
        }
        match receive(rx, idle).await? {
            Some(chunk) => buf.extend_from_slice(&chunk),
            None => return Err(frame::FrameError::Truncated.into()),
        }
    }
}

/// Reads the end of a stream that must carry nothing more, so it closes
/// cleanly instead of being stopped on drop.
pub(super) async fn expect_end(
    rx: &mut ReceiveStream,
    buf: &BytesMut,
    idle: Idle,
) -> Result<(), NetError> {
    let trailing = frame::FrameError::Malformed("bytes after the end of a message".into());
    if !buf.is_empty() {
        return Err(trailing.into());
    }
    match receive(rx, idle).await? {
        None => Ok(()),
        Some(_) => Err(trailing.into()),
    }
}

/// A body of known length arriving on a stream: what followed the header
/// in the first read, then the stream's own chunks, checked against the
/// declared length, each within the idle deadline.
pub struct Body {
    rx: ReceiveStream,
    first: Option<Bytes>,
    remaining: u64,
    len: u64,
    ended: bool,
    idle: Idle,
    _gauge: Option<StreamGauge>,
}

impl Body {
    pub(super) fn new(
        rx: ReceiveStream,
        first: BytesMut,
        len: u64,
        idle: Idle,
        gauge: Option<StreamGauge>,
    ) -> Self {
        Self {
            rx,
            first: (!first.is_empty()).then(|| first.freeze()),
            remaining: len,
            len,
            ended: false,
            idle,
            _gauge: gauge,
        }
    }

    /// Declared length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next piece, `None` at the end; a stream that ends early, runs
    /// long, or stalls past the idle deadline is an error.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, NetError>> {
        let chunk = match self.first.take() {
            Some(first) => first,
            None if self.remaining == 0 => {
                if self.ended {
                    return None;
                }
                // Consume the end of the stream: a clean close, and proof
                // nothing follows the declared bytes.
                self.ended = true;
                return expect_end(&mut self.rx, &BytesMut::new(), self.idle)
                    .await
                    .err()
                    .map(Err);
            }
            None => match receive(&mut self.rx, self.idle).await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => {
                    self.remaining = 0;
                    self.ended = true;
                    return Some(Err(NetError::Body(
                        "stream ended before the declared length".into(),
                    )));
                }
                Err(e) => {
                    self.remaining = 0;
                    self.ended = true;
                    return Some(Err(e));
                }
            },
        };
        if chunk.len() as u64 > self.remaining {
            self.remaining = 0;
            self.ended = true;
            return Some(Err(NetError::Body("more bytes than declared".into())));
        }
        self.remaining -= chunk.len() as u64;
        Some(Ok(chunk))
    }

    /// The whole body in one buffer; a body declared larger than `max`
    /// is refused before anything is read.
    pub async fn collect(mut self, max: u64) -> Result<Bytes, NetError> {
        if self.len > max {
            return Err(NetError::Body(format!(
                "a body of {} bytes is over the {max}-byte limit",
                self.len
            )));
        }
        let mut out = BytesMut::with_capacity(self.len as usize);
        while let Some(chunk) = self.next_chunk().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// The body as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, NetError>> + Send + 'static {
        futures::stream::unfold(self, |mut body| async move {
            let chunk = body.next_chunk().await?;
            Some((chunk, body))
        })
    }
}

pub(super) fn remote(kind: ErrorKind, message: String) -> NetError {
    NetError::Remote { kind, message }
}

/// The error a response other than the one expected stands for: the
/// peer's refusal, or a protocol error.
pub(super) fn unexpected(r: Response) -> NetError {
    match r {
        Response::Error { kind, message } => remote(kind, message),
        other => NetError::Protocol(frame::FrameError::Malformed(format!(
            "unexpected response {other:?}"
        ))),
    }
}

/// A freshly opened request stream (nothing sent yet).
pub(crate) struct OpenStream {
    pub(super) rx: ReceiveStream,
    pub(super) tx: Sender,
    pub(super) idle: Idle,
    pub(super) gauge: StreamGauge,
}

impl OpenStream {
    /// Lets the peer take up to `idle` for each part of its answer.
    pub(crate) fn answer_within(mut self, idle: Idle) -> Self {
        self.idle = idle;
        self
    }
}

/// Opens a request stream on a connection; fails at once when the
/// connection is closed (so the caller may retry on a new one).
pub(crate) async fn open(conn: &mut ConnectionHandle, idle: Idle) -> Result<OpenStream, NetError> {
    let addr = conn
        .remote_addr()
        .unwrap_or_else(|_| ([0, 0, 0, 0], 0).into());
    let stream = idle
        .bound(async {
            conn.open_bidirectional_stream()
                .await
                .map_err(|e| NetError::Connection {
                    addr: addr.into(),
                    message: e.to_string(),
                })
        })
        .await?;
    let gauge = StreamGauge::open("client");
    let (rx, tx) = stream.split();
    Ok(OpenStream {
        rx,
        tx: Sender::new(tx, idle),
        idle,
        gauge,
    })
}

/// A request without a body, answered by a response without one.
pub(super) async fn call(
    conn: &mut ConnectionHandle,
    request: &Request,
    idle: Idle,
) -> Result<Response, NetError> {
    let mut s = open(conn, idle).await?;
    s.tx.send(frame::encode(request)?).await?;
    s.tx.finish()?;
    let mut buf = BytesMut::new();
    let response = read_header(&mut s.rx, &mut buf, idle).await?;
    expect_end(&mut s.rx, &buf, idle).await?;
    Ok(response)
}

/// Largest [`Request::Message`] body or reply: Raft sends snapshots in
/// chunks well below this, and entries are capped in size.
pub(crate) const MAX_MESSAGE_BYTES: u64 = 64 << 20;

/// Sends `body` to the peer's `channel` service over an opened stream and
/// returns its reply. Nothing is retried here: a message may not be
/// idempotent.
pub(crate) async fn message(
    mut s: OpenStream,
    channel: Channel,
    body: Bytes,
) -> Result<Bytes, NetError> {
    let idle = s.idle;
    let len = body.len() as u64;
    s.tx.send(frame::encode(&Request::Message { channel, len })?)
        .await?;
    s.tx.send(body).await?;
    s.tx.finish()?;
    let mut buf = BytesMut::new();
    match read_header(&mut s.rx, &mut buf, idle).await? {
        Response::Body { len } => {
            Body::new(s.rx, buf, len, idle, Some(s.gauge))
                .collect(MAX_MESSAGE_BYTES)
                .await
        }
        other => Err(unexpected(other)),
    }
}

/// Asks whether the peer is up.
pub(crate) async fn health(conn: &mut ConnectionHandle, idle: Idle) -> Result<(), NetError> {
    match call(conn, &Request::Health, idle).await? {
        Response::Healthy => Ok(()),
        other => Err(unexpected(other)),
    }
}
