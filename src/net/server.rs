//! The server side of the RPCs: the loop that answers every stream of a
//! connection, and the services it calls (shard storage, Raft and metadata
//! messages). Built on the stream plumbing of [`super::rpc`].

use std::net::SocketAddr;
use std::ops::Range;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::StreamExt;
use s2n_quic::stream::BidirectionalStream;
use s2n_quic::Server;

use super::frame::{self, Channel, ErrorKind, Request, Response};
use super::rpc::{expect_end, read_header, Body, Idle, Sender, StreamGauge, MAX_MESSAGE_BYTES};
use super::NetError;
use crate::metrics;
use crate::storage::{NodeStats, ShardKey, ShardState};

/// An error a service reports to the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServiceError {
    /// Category.
    pub kind: ErrorKind,
    /// Detail.
    pub message: String,
}

/// A shard body a service streams back.
pub(crate) type ServiceBody = BoxStream<'static, Result<Bytes, ServiceError>>;

/// What a node does with each RPC; the storage node implements it.
pub(crate) trait ShardService: Send + Sync + 'static {
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
    /// Store a shard of `len` bytes read from the storage node at `from`;
    /// its CRC32C once durable.
    fn copy_shard(
        &self,
        key: ShardKey,
        len: u64,
        from: SocketAddr,
    ) -> BoxFuture<'static, Result<u32, ServiceError>> {
        let _ = (key, len, from);
        Box::pin(async { Err(not_served("shard copies")) })
    }
    /// What the node holds under each key, in order (at most
    /// [`frame::MAX_INVENTORY_KEYS`] keys, checked before this is called).
    fn stat_shards(
        &self,
        keys: Vec<ShardKey>,
    ) -> BoxFuture<'static, Result<Vec<ShardState>, ServiceError>> {
        let _ = keys;
        Box::pin(async { Err(not_served("shard inventory")) })
    }
    /// Shard keys in key order strictly after `after`, at most `limit`
    /// (at most [`frame::MAX_INVENTORY_KEYS`], checked before this is called).
    fn list_shards(
        &self,
        after: Option<ShardKey>,
        limit: usize,
    ) -> BoxFuture<'static, Result<Vec<ShardKey>, ServiceError>> {
        let _ = (after, limit);
        Box::pin(async { Err(not_served("shard inventory")) })
    }
    /// The node's totals.
    fn node_stats(&self) -> BoxFuture<'static, Result<NodeStats, ServiceError>> {
        Box::pin(async { Err(not_served("node stats")) })
    }
}

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

fn not_served(what: &str) -> ServiceError {
    ServiceError {
        kind: ErrorKind::Unavailable,
        message: format!("this node does not serve {what}"),
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

async fn respond(tx: &mut Sender, response: &Response) -> Result<(), NetError> {
    tx.send(frame::encode(response)?).await?;
    tx.finish()
}

fn error_response(e: ServiceError) -> Response {
    Response::Error {
        kind: e.kind,
        message: e.message,
    }
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
            let stored = match &services.shards {
                Some(shards) => shards.put_shard(key, len, body).await,
                None => Err(not_served("shards")),
            };
            let response = match stored {
                Ok(crc) => Response::Stored { crc },
                Err(e) => error_response(e),
            };
            respond(&mut tx, &response).await
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
        other => match expect_end(&mut rx, &buf, idle).await {
            Err(e) => Err(e),
            Ok(()) => answer(other, &services, &mut tx).await,
        },
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "stream ended early");
    }
}

/// Answers a request that has no body.
async fn answer(request: Request, services: &Services, tx: &mut Sender) -> Result<(), NetError> {
    let shards = match (&request, &services.shards) {
        (Request::Health, _) => return respond(tx, &Response::Healthy).await,
        (_, Some(shards)) => shards,
        (_, None) => return respond(tx, &error_response(not_served("shards"))).await,
    };
    match request {
        Request::GetShard { key, range } => {
            match shards.get_shard(key, range.map(|(a, b)| a..b)).await {
                Ok((len, body)) => send_body(tx, len, body).await,
                Err(e) => respond(tx, &error_response(e)).await,
            }
        }
        Request::CopyShard { key, len, from } => {
            let response = match shards.copy_shard(key, len, from).await {
                Ok(crc) => Response::Stored { crc },
                Err(e) => error_response(e),
            };
            respond(tx, &response).await
        }
        Request::DeleteShard { key } => {
            let response = match shards.delete_shard(key).await {
                Ok(existed) => Response::Deleted { existed },
                Err(e) => error_response(e),
            };
            respond(tx, &response).await
        }
        Request::StatShards { keys } => {
            let response = if keys.len() > frame::MAX_INVENTORY_KEYS {
                error_response(too_many(keys.len()))
            } else {
                let n = keys.len();
                match shards.stat_shards(keys).await {
                    Ok(states) if states.len() == n => Response::ShardStates { states },
                    Ok(_) => error_response(ServiceError {
                        kind: ErrorKind::Internal,
                        message: "one state per key was not answered".into(),
                    }),
                    Err(e) => error_response(e),
                }
            };
            respond(tx, &response).await
        }
        Request::ListShards { after, limit } => {
            let response = if limit as usize > frame::MAX_INVENTORY_KEYS {
                error_response(too_many(limit as usize))
            } else {
                match shards.list_shards(after, limit as usize).await {
                    Ok(keys) => Response::ShardKeys { keys },
                    Err(e) => error_response(e),
                }
            };
            respond(tx, &response).await
        }
        Request::NodeStats => {
            let response = match shards.node_stats().await {
                Ok(stats) => Response::NodeStats { stats },
                Err(e) => error_response(e),
            };
            respond(tx, &response).await
        }
        _ => {
            let bad = ServiceError {
                kind: ErrorKind::BadRequest,
                message: "request needs a body".into(),
            };
            respond(tx, &error_response(bad)).await
        }
    }
}

fn too_many(n: usize) -> ServiceError {
    ServiceError {
        kind: ErrorKind::BadRequest,
        message: format!(
            "{n} keys asked for; at most {} per request",
            frame::MAX_INVENTORY_KEYS
        ),
    }
}

/// Sends a body; a failure mid-way leaves `tx` unfinished, so the stream
/// is reset and the reader sees an error, not a short body.
async fn send_body(tx: &mut Sender, len: u64, mut body: ServiceBody) -> Result<(), NetError> {
    tx.send(frame::encode(&Response::Body { len })?).await?;
    let mut sent = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| NetError::Body(e.message))?;
        sent += chunk.len() as u64;
        if sent > len {
            return Err(NetError::Body("service body ran past its length".into()));
        }
        tx.send(chunk).await?;
    }
    if sent != len {
        return Err(NetError::Body("service body ended short".into()));
    }
    tx.finish()
}
