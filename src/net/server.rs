//! The server side of the RPCs: the loop that answers every stream of a
//! connection, handing each shard request to its operation (`shard`) and
//! each message to its channel's service (Raft, metadata). Built on the
//! stream plumbing of [`super::rpc`].

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use futures::StreamExt;
use s2n_quic::stream::BidirectionalStream;
use s2n_quic::Server;

use super::frame::{Channel, ErrorKind, Request, Response};
use super::rpc::{expect_end, read_header, Body, Idle, Sender, StreamGauge, MAX_MESSAGE_BYTES};
use super::service::{error_response, not_served, respond, send_body, ServiceError};
use super::shard::{self, ShardService};
use crate::metrics;

/// A service answering [`Request::Message`]s of one channel: a reply for
/// each whole message body.
pub(crate) trait MessageService: Send + Sync + 'static {
    /// Handles one message; the reply goes back as the response body.
    fn call(&self, body: Bytes) -> BoxFuture<'static, Result<Bytes, ServiceError>>;
}

/// What a node serves; a request for a service it does not run is
/// answered `Unavailable`.
#[derive(Clone, Default)]
pub(crate) struct Services {
    /// Shard storage (storage role).
    pub shards: Option<Arc<dyn ShardService>>,
    /// Raft RPCs (meta role).
    pub raft: Option<Arc<dyn MessageService>>,
    /// Forwarded metadata ops and reads (meta role).
    pub meta: Option<Arc<dyn MessageService>>,
}

impl Services {
    fn channel(&self, channel: Channel) -> Option<&Arc<dyn MessageService>> {
        match channel {
            Channel::Raft => self.raft.as_ref(),
            Channel::Meta => self.meta.as_ref(),
        }
    }
}

/// Accepts connections and serves every stream on them until the server
/// is dropped. Runs on the endpoint's runtime; `idle` bounds every wait on
/// a client.
pub(crate) fn serve(
    mut server: Server,
    services: Services,
    handle: &tokio::runtime::Handle,
    idle: Idle,
) {
    let rt = handle.clone();
    handle.spawn(async move {
        while let Some(mut conn) = server.accept().await {
            let (service, rt2) = (services.clone(), rt.clone());
            rt.spawn(async move {
                let side = metrics::QUIC_CONNECTIONS.with_label_values(&["server"]);
                side.inc();
                while let Ok(Some(stream)) = conn.accept_bidirectional_stream().await {
                    rt2.spawn(serve_stream(stream, service.clone(), idle));
                }
                side.dec();
            });
        }
    });
}

async fn serve_stream(stream: BidirectionalStream, services: Services, idle: Idle) {
    let _gauge = StreamGauge::open("server");
    let (mut rx, tx) = stream.split();
    let mut tx = Sender::new(tx, idle);
    let mut buf = BytesMut::new();
    let request = match read_header::<Request>(&mut rx, &mut buf, idle).await {
        Ok(r) => r,
        Err(e) => {
            let bad = Response::Error {
                kind: ErrorKind::BadRequest,
                message: e.to_string(),
            };
            // If even that fails, dropping `tx` resets the stream.
            let _ = respond(&mut tx, &bad).await;
            return;
        }
    };
    let result = match request {
        Request::PutShard { key, len } => {
            let body = Body::new(rx, buf, len, idle, None);
            shard::serve_put(key, len, body, services.shards.as_deref(), &mut tx).await
        }
        Request::Message { channel, len } => {
            let body = Body::new(rx, buf, len, idle, None);
            match (
                services.channel(channel),
                body.collect(MAX_MESSAGE_BYTES).await,
            ) {
                (_, Err(e)) => Err(e),
                (None, Ok(_)) => {
                    respond(&mut tx, &error_response(not_served("this channel"))).await
                }
                (Some(service), Ok(body)) => match service.call(body).await {
                    Ok(reply) => {
                        let len = reply.len() as u64;
                        send_body(&mut tx, len, futures::stream::iter([Ok(reply)]).boxed()).await
                    }
                    Err(e) => respond(&mut tx, &error_response(e)).await,
                },
            }
        }
        Request::Health => match expect_end(&mut rx, &buf, idle).await {
            Err(e) => Err(e),
            Ok(()) => respond(&mut tx, &Response::Healthy).await,
        },
        other => match expect_end(&mut rx, &buf, idle).await {
            Err(e) => Err(e),
            Ok(()) => shard::serve(other, services.shards.as_deref(), &mut tx).await,
        },
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "stream ended early");
    }
}
