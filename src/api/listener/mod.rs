//! The HTTP listener of the S3 endpoint: actix-web's app behind our own
//! connection handling, so every request head is seen before the HTTP
//! layer parses it ([`framing`]): a pipelined HEAD can no longer cost the
//! requests around it their answers, and a header section over AWS's limit
//! gets an S3 XML error in order ([`head`]). With a certificate, the
//! listener speaks HTTPS ([`https`]).

mod connection;
mod expect;
mod framing;
mod head;
mod https;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_http::body::MessageBody;
use actix_http::error::DispatchError;
use actix_http::{HttpService, Protocol, Request};
use actix_service::{
    fn_service, map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt,
};
use actix_web::dev::{AppConfig, Response, Service};
use actix_web::rt::net::TcpStream;
use actix_web::web;
use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::api::context::Transport;
pub(crate) use expect::Vetted;
pub(crate) use head::restore_head;
pub(crate) use https::{HttpsError, HttpsIdentity};

use crate::api::client_errors::count_malformed;
use crate::api::context::Gateway;
use connection::Connection;
use framing::{RequestFraming, HEAD_TIMEOUT};

/// How long the rest of an unread request body is read and dropped after
/// the answer, before the connection closes.
const UNREAD_BODY_LINGER: Duration = Duration::from_secs(3);

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 64 << 10;

/// How much later than the listener's own head timer (see [`HeadWatch`])
/// the HTTP layer's timer for a connection's first head runs out with a
/// bare `408`: the listener's answer must come first (the HTTP layer's
/// clock may run up to half a second early). It stays as the only timer
/// on a first head the framing passes through unread (see
/// [`framing`]: garbage, bare-LF line ends, an upgrade).
const PARTIAL_HEAD_GRACE: Duration = Duration::from_secs(2);

/// How the listener serves connections.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListenerConfig {
    /// Worker threads (each one runs the app).
    pub workers: usize,
    /// A request head must be complete this long after its first byte (the
    /// connection's first head: after the connection opened), see
    /// [`HeadWatch`].
    pub head_timeout: Duration,
}

/// Serves `app` on `listener` (see the module documentation). The app must
/// be wrapped in [`restore_head`]; with a `gateway`, requests that expect
/// `100 Continue` are checked first ([`expect`]); with an `https` identity,
/// connections are TLS.
pub(crate) fn serve<F, I, S, B>(
    listener: TcpListener,
    config: ListenerConfig,
    (gateway, https): (Option<web::Data<Gateway>>, Option<Arc<HttpsIdentity>>),
    app: F,
) -> io::Result<actix_server::Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    B: MessageBody + 'static,
{
    actix_server::Server::build()
        .workers(config.workers)
        // Our own signal handling stops the server (the storage node has
        // a last sync to make first).
        .disable_signals()
        .listen("s3", listener, move || {
            let app = app().into_factory().map_err(|e| e.into().error_response());
            let gateway = gateway.clone();
            let secure = https.is_some();
            let http = HttpService::build()
                .on_connect_ext(move |_, data| {
                    data.insert(Transport { secure });
                })
                .client_request_timeout(config.head_timeout + PARTIAL_HEAD_GRACE)
                // A request answered before its body was read (refused
                // credentials, a missing bucket) has the rest of its body
                // read and dropped for a while before the connection
                // closes, so the client, still sending, gets the answer
                // instead of a broken pipe.
                .client_disconnect_timeout(UNREAD_BODY_LINGER)
                .expect(fn_service(move |req: Request| {
                    expect::check_expect(req, gateway.clone())
                }))
                .finish(map_config(app, |_| AppConfig::default()));
            let https = https.clone();
            fn_service(move |io: TcpStream| {
                let https = https.clone();
                async move {
                    // Small responses go out as headers then body: without
                    // TCP_NODELAY the body waits out the client's delayed ACK.
                    if let Err(e) = io.set_nodelay(true) {
                        tracing::debug!(error = %e, "TCP_NODELAY not set");
                    }
                    let peer = io.peer_addr().ok();
                    let io = match https {
                        None => Connection::Plain(io),
                        Some(identity) => {
                            let handshake = identity.acceptor().accept(io);
                            match tokio::time::timeout(config.head_timeout, handshake).await {
                                Ok(Ok(tls)) => Connection::Tls(Box::new(tls)),
                                Ok(Err(e)) => {
                                    count_malformed("tls_handshake");
                                    return Err(DispatchError::Io(e));
                                }
                                Err(_) => {
                                    count_malformed("tls_handshake");
                                    return Err(DispatchError::SlowRequestTimeout);
                                }
                            }
                        }
                    };
                    Ok((
                        FramedStream::new(io, config.head_timeout),
                        Protocol::Http1,
                        peer,
                    ))
                }
            })
            .and_then(http)
        })
        .map(|b| b.run())
}

/// A connection whose incoming bytes pass through [`RequestFraming`].
struct FramedStream<T> {
    io: T,
    framing: RequestFraming,
    /// Read from the socket, not framed yet (an unfinished head).
    input: BytesMut,
    /// Framed, not yet handed to the HTTP layer.
    out: BytesMut,
    /// The socket has no more to read.
    eof: bool,
    /// The head timer (see [`HeadWatch`]).
    deadline: Pin<Box<tokio::time::Sleep>>,
    /// What the head timer is watching, if anything.
    watch: HeadWatch,
    /// How long a head may take.
    head_timeout: Duration,
}

/// What happens when a connection's head timer runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HeadWatch {
    /// Nothing has arrived since the connection opened: it is closed
    /// without an answer. A client's pool may hold a connection it opened
    /// and never used; an unasked-for answer on it would be read as the
    /// answer to the request the client sends next, while a plain close is
    /// the idle close every client retries on a new connection.
    Silent,
    /// A head has begun and is unfinished: it is answered `RequestTimeout`
    /// and the connection closed, as AWS does. This holds for every head
    /// on a connection (the HTTP layer's own timer covers only the first).
    Head,
    /// A request is being read or answered, or the connection is idle
    /// between requests (the HTTP layer's keep-alive timer covers that).
    Off,
}

impl<T> FramedStream<T> {
    fn new(io: T, head_timeout: Duration) -> Self {
        FramedStream {
            io,
            framing: RequestFraming::default(),
            input: BytesMut::new(),
            out: BytesMut::new(),
            eof: false,
            deadline: Box::pin(tokio::time::sleep(head_timeout)),
            watch: HeadWatch::Silent,
            head_timeout,
        }
    }

    /// Follows the head in progress after a read was framed into `out`
    /// (empty before it): a head that began after something else in this
    /// read, or after a request, gets the whole timeout from now; the
    /// connection's first head counts from the connection's start.
    fn follow_head(&mut self) {
        let unfinished = self.framing.in_head() && !self.input.is_empty();
        let new_head = !self.out.is_empty() || self.watch == HeadWatch::Off;
        self.watch = match (unfinished, new_head) {
            (false, _) => HeadWatch::Off,
            (true, false) => HeadWatch::Head,
            (true, true) => {
                let deadline = tokio::time::Instant::now() + self.head_timeout;
                self.deadline.as_mut().reset(deadline);
                HeadWatch::Head
            }
        };
    }

    /// Acts on the head timer when it has run out: `true` when the
    /// connection's input ends here.
    fn head_timer_ran_out(&mut self, cx: &mut Context<'_>) -> bool {
        if self.watch == HeadWatch::Off || self.deadline.as_mut().poll(cx).is_pending() {
            return false;
        }
        if self.watch == HeadWatch::Head {
            let reason = self
                .framing
                .refuse(&mut self.input, &mut self.out, HEAD_TIMEOUT);
            count_malformed(reason);
        }
        self.watch = HeadWatch::Off;
        true
    }
}

/// A connection closed by the server while a head was still unfinished:
/// the client was too slow with it.
impl<T> Drop for FramedStream<T> {
    fn drop(&mut self) {
        if !self.eof && !self.input.is_empty() {
            count_malformed("head_timeout");
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FramedStream<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.out.is_empty() {
                let n = this.out.len().min(buf.remaining());
                buf.put_slice(&this.out.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                // An unfinished head goes as it is: the HTTP layer answers.
                if this.input.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                this.out = this.input.split();
                continue;
            }
            this.input.reserve(READ_CHUNK);
            let read = tokio_util::io::poll_read_buf(Pin::new(&mut this.io), cx, &mut this.input);
            match read {
                Poll::Pending => {
                    if !this.head_timer_ran_out(cx) {
                        return Poll::Pending;
                    }
                    this.eof = true;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(0)) => this.eof = true,
                Poll::Ready(Ok(_)) => {
                    if let Some(reason) = this.framing.feed(&mut this.input, &mut this.out) {
                        count_malformed(reason);
                    }
                    if this.framing.is_closed() {
                        this.input.clear();
                        this.eof = true;
                    }
                    this.follow_head();
                }
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FramedStream<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
