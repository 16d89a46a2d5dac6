//! The RPCs over QUIC streams: the client calls and the server loop.
//!
//! One request per bidirectional stream. Both halves of every stream are
//! closed on every path: the sender finishes after its last byte, an error
//! resets, and dropping a half-read body sends STOP_SENDING (s2n-quic does
//! so on drop). [`StreamGauge`] keeps `predastore_quic_streams_open` true.

use std::ops::Range;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use s2n_quic::connection::Handle as ConnectionHandle;
use s2n_quic::stream::{BidirectionalStream, ReceiveStream, SendStream};
use s2n_quic::Server;

use super::frame::{self, ErrorKind, Request, Response};
use super::NetError;
use crate::metrics;
use crate::storage::ShardKey;

/// Application error code for a stream reset because the body failed
/// mid-way (e.g. a corrupt shard): the reader must not use what it got.
const RESET_BODY_FAILED: u32 = 1;
/// Application error code for a request that could not be parsed.
const RESET_BAD_REQUEST: u32 = 2;

/// Counts a stream from open to drop, per side.
pub struct StreamGauge(&'static str);

impl StreamGauge {
    /// A stream opened on `side` (`client` or `server`).
    pub fn open(side: &'static str) -> Self {
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

/// Reads the end of a stream that must carry nothing more, so it closes
/// cleanly instead of being stopped on drop.
async fn expect_end(rx: &mut ReceiveStream) -> Result<(), NetError> {
    match receive(rx).await? {
        None => Ok(()),
        Some(_) => {
            Err(frame::FrameError::Malformed("bytes after the end of a message".into()).into())
        }
    }
}

async fn send(tx: &mut SendStream, data: Bytes) -> Result<(), NetError> {
    let n = data.len() as u64;
    tx.send(data).await.map_err(stream_err)?;
    metrics::QUIC_BYTES_SENT.inc_by(n);
    Ok(())
}

async fn receive(rx: &mut ReceiveStream) -> Result<Option<Bytes>, NetError> {
    let chunk = rx.receive().await.map_err(stream_err)?;
    if let Some(c) = &chunk {
        metrics::QUIC_BYTES_RECEIVED.inc_by(c.len() as u64);
    }
    Ok(chunk)
}

/// Reads one header frame; bytes after it stay in `buf`.
async fn read_header<T: for<'de> serde::Deserialize<'de>>(
    rx: &mut ReceiveStream,
    buf: &mut BytesMut,
) -> Result<T, NetError> {
    loop {
        if let Some(header) = frame::decode(buf)? {
            return Ok(header);
        }
        match receive(rx).await? {
            Some(chunk) => buf.extend_from_slice(&chunk),
            None => return Err(frame::FrameError::Truncated.into()),
        }
    }
}

/// A body of known length arriving on a stream: what followed the header
/// in the first read, then the stream's own chunks, checked against the
/// declared length.
pub struct Body {
    rx: ReceiveStream,
    first: Option<Bytes>,
    remaining: u64,
    len: u64,
    ended: bool,
    _gauge: Option<StreamGauge>,
}

impl Body {
    fn new(rx: ReceiveStream, first: BytesMut, len: u64, gauge: Option<StreamGauge>) -> Self {
        Self {
            rx,
            first: (!first.is_empty()).then(|| first.freeze()),
            remaining: len,
            len,
            ended: false,
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

    /// The next piece, `None` at the end; a stream that ends early or runs
    /// long is an error.
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
                return expect_end(&mut self.rx).await.err().map(Err);
            }
            None => match receive(&mut self.rx).await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => {
                    return Some(Err(NetError::Body(format!(
                        "stream ended {} bytes short",
                        self.remaining
                    ))))
                }
                Err(e) => return Some(Err(e)),
            },
        };
        if chunk.len() as u64 > self.remaining {
            self.remaining = 0;
            return Some(Err(NetError::Body("more bytes than declared".into())));
        }
        self.remaining -= chunk.len() as u64;
        Some(Ok(chunk))
    }

    /// The body as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, NetError>> + Send + 'static {
        futures::stream::unfold(self, |mut body| async move {
            let chunk = body.next_chunk().await?;
            Some((chunk, body))
        })
    }
}

fn remote(kind: ErrorKind, message: String) -> NetError {
    NetError::Remote { kind, message }
}

fn unexpected(r: Response) -> NetError {
    NetError::Protocol(frame::FrameError::Malformed(format!(
        "unexpected response {r:?}"
    )))
}

async fn open(
    conn: &mut ConnectionHandle,
) -> Result<(ReceiveStream, SendStream, StreamGauge), NetError> {
    let stream = conn
        .open_bidirectional_stream()
        .await
        .map_err(|e| NetError::Connection {
            addr: conn
                .remote_addr()
                .unwrap_or_else(|_| ([0, 0, 0, 0], 0).into()),
            message: e.to_string(),
        })?;
    let gauge = StreamGauge::open("client");
    let (rx, tx) = stream.split();
    Ok((rx, tx, gauge))
}

/// A request without a body, answered by a response without one.
async fn call(conn: &mut ConnectionHandle, request: &Request) -> Result<Response, NetError> {
    let (mut rx, mut tx, _gauge) = open(conn).await?;
    send(&mut tx, frame::encode(request)?).await?;
    tx.finish().map_err(stream_err)?;
    let mut buf = BytesMut::new();
    let response = read_header(&mut rx, &mut buf).await?;
    if !buf.is_empty() {
        return Err(frame::FrameError::Malformed("bytes after a response".into()).into());
    }
    expect_end(&mut rx).await?;
    Ok(response)
}

/// Stores a shard of `len` bytes on the peer; answers its CRC32C.
pub async fn put_shard<S>(
    conn: &mut ConnectionHandle,
    key: ShardKey,
    len: u64,
    body: S,
) -> Result<u32, NetError>
where
    S: Stream<Item = Result<Bytes, NetError>>,
{
    let (mut rx, mut tx, _gauge) = open(conn).await?;
    send(&mut tx, frame::encode(&Request::PutShard { key, len })?).await?;
    let mut body = std::pin::pin!(body);
    let mut sent = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.reset(RESET_BODY_FAILED.into());
                return Err(e);
            }
        };
        sent += chunk.len() as u64;
        if sent > len {
            let _ = tx.reset(RESET_BODY_FAILED.into());
            return Err(NetError::Body(format!(
                "body runs past the declared {len} bytes"
            )));
        }
        send(&mut tx, chunk).await?;
    }
    if sent != len {
        let _ = tx.reset(RESET_BODY_FAILED.into());
        return Err(NetError::Body(format!(
            "body is {sent} bytes, {len} declared"
        )));
    }
    tx.finish().map_err(stream_err)?;
    let response = read_header(&mut rx, &mut BytesMut::new()).await?;
    expect_end(&mut rx).await?;
    match response {
        Response::Stored { crc } => Ok(crc),
        Response::Error { kind, message } => Err(remote(kind, message)),
        other => Err(unexpected(other)),
    }
}

/// Starts reading a shard (or `range` of it) from the peer.
pub async fn get_shard(
    conn: &mut ConnectionHandle,
    key: ShardKey,
    range: Option<Range<u64>>,
) -> Result<Body, NetError> {
    let (mut rx, mut tx, gauge) = open(conn).await?;
    let request = Request::GetShard {
        key,
        range: range.map(|r| (r.start, r.end)),
    };
    send(&mut tx, frame::encode(&request)?).await?;
    tx.finish().map_err(stream_err)?;
    let mut buf = BytesMut::new();
    match read_header(&mut rx, &mut buf).await? {
        Response::Body { len } => Ok(Body::new(rx, buf, len, Some(gauge))),
        Response::Error { kind, message } => Err(remote(kind, message)),
        other => Err(unexpected(other)),
    }
}

/// Deletes a shard on the peer; whether it existed.
pub async fn delete_shard(conn: &mut ConnectionHandle, key: ShardKey) -> Result<bool, NetError> {
    match call(conn, &Request::DeleteShard { key }).await? {
        Response::Deleted { existed } => Ok(existed),
        Response::Error { kind, message } => Err(remote(kind, message)),
        other => Err(unexpected(other)),
    }
}

/// Asks whether the peer is up.
pub async fn health(conn: &mut ConnectionHandle) -> Result<(), NetError> {
    match call(conn, &Request::Health).await? {
        Response::Healthy => Ok(()),
        Response::Error { kind, message } => Err(remote(kind, message)),
        other => Err(unexpected(other)),
    }
}

/// An error a service reports to the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// Category.
    pub kind: ErrorKind,
    /// Detail.
    pub message: String,
}

/// A shard body a service streams back.
pub type ServiceBody = BoxStream<'static, Result<Bytes, ServiceError>>;

/// What a node does with each RPC; the storage node implements it.
pub trait ShardService: Send + Sync + 'static {
    /// Store a shard read from `body`; answer its CRC32C once durable.
    fn put_shard(
        &self,
        key: ShardKey,
        len: u64,
        body: Body,
    ) -> BoxFuture<'static, Result<u32, ServiceError>>;
    /// Length and bytes of a shard or of `range` of it.
    fn get_shard(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> BoxFuture<'static, Result<(u64, ServiceBody), ServiceError>>;
    /// Delete a shard; whether it existed.
    fn delete_shard(&self, key: ShardKey) -> BoxFuture<'static, Result<bool, ServiceError>>;
}

/// Accepts connections and serves every stream on them until the server
/// is dropped. Runs on the endpoint's runtime.
pub fn serve(mut server: Server, service: Arc<dyn ShardService>, handle: &tokio::runtime::Handle) {
    let rt = handle.clone();
    handle.spawn(async move {
        while let Some(mut conn) = server.accept().await {
            let (service, rt2) = (service.clone(), rt.clone());
            rt.spawn(async move {
                let side = metrics::QUIC_CONNECTIONS.with_label_values(&["server"]);
                side.inc();
                while let Ok(Some(stream)) = conn.accept_bidirectional_stream().await {
                    rt2.spawn(serve_stream(stream, service.clone()));
                }
                side.dec();
            });
        }
    });
}

async fn respond(tx: &mut SendStream, response: &Response) -> Result<(), NetError> {
    send(tx, frame::encode(response)?).await?;
    tx.finish().map_err(stream_err)
}

fn error_response(e: ServiceError) -> Response {
    Response::Error {
        kind: e.kind,
        message: e.message,
    }
}

async fn serve_stream(stream: BidirectionalStream, service: Arc<dyn ShardService>) {
    let gauge = StreamGauge::open("server");
    let (mut rx, mut tx) = stream.split();
    let mut buf = BytesMut::new();
    let request = match read_header::<Request>(&mut rx, &mut buf).await {
        Ok(r) => r,
        Err(e) => {
            let bad = Response::Error {
                kind: ErrorKind::BadRequest,
                message: e.to_string(),
            };
            if respond(&mut tx, &bad).await.is_err() {
                let _ = tx.reset(RESET_BAD_REQUEST.into());
            }
            return;
        }
    };
    let result = match request {
        Request::PutShard { key, len } => {
            let body = Body::new(rx, buf, len, None);
            let response = match service.put_shard(key, len, body).await {
                Ok(crc) => Response::Stored { crc },
                Err(e) => error_response(e),
            };
            respond(&mut tx, &response).await
        }
        Request::GetShard { key, range } => {
            if let Err(e) = expect_end(&mut rx).await {
                tracing::debug!(error = %e, "get request with trailing bytes");
            }
            match service.get_shard(key, range.map(|(a, b)| a..b)).await {
                Ok((len, body)) => send_body(&mut tx, len, body).await,
                Err(e) => respond(&mut tx, &error_response(e)).await,
            }
        }
        Request::DeleteShard { key } => {
            let _ = expect_end(&mut rx).await;
            let response = match service.delete_shard(key).await {
                Ok(existed) => Response::Deleted { existed },
                Err(e) => error_response(e),
            };
            respond(&mut tx, &response).await
        }
        Request::Health => {
            let _ = expect_end(&mut rx).await;
            respond(&mut tx, &Response::Healthy).await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "stream ended early");
    }
    drop(gauge);
}

async fn send_body(tx: &mut SendStream, len: u64, mut body: ServiceBody) -> Result<(), NetError> {
    send(tx, frame::encode(&Response::Body { len })?).await?;
    let mut sent = 0u64;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(c) => {
                sent += c.len() as u64;
                send(tx, c).await?;
            }
            Err(e) => {
                tracing::warn!(error = %e.message, "shard body failed mid-stream");
                let _ = tx.reset(RESET_BODY_FAILED.into());
                return Ok(());
            }
        }
    }
    if sent != len {
        let _ = tx.reset(RESET_BODY_FAILED.into());
        return Ok(());
    }
    tx.finish().map_err(stream_err)
}
