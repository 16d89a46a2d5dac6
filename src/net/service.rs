//! What a node's services answer with: the error a service reports to
//! the peer, the body it streams back, and the writing of an answer on a
//! request's stream (shared by the shard operations and the message
//! channels the server loop serves).

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::frame::{self, ErrorKind, Response};
use super::rpc::Sender;
use super::NetError;

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

/// A service's error, as the peer reads it: `Unavailable` for a service
/// this node does not run.
pub(crate) fn not_served(what: &str) -> ServiceError {
    ServiceError {
        kind: ErrorKind::Unavailable,
        message: format!("this node does not serve {what}"),
    }
}

/// Sends `response` as the whole answer.
pub(crate) async fn respond(tx: &mut Sender, response: &Response) -> Result<(), NetError> {
    tx.send(frame::encode(response)?).await?;
    tx.finish()
}

/// The response a service's error is sent as.
pub(crate) fn error_response(e: ServiceError) -> Response {
    Response::Error {
        kind: e.kind,
        message: e.message,
    }
}

/// Sends the response a service's result stands for: `ok`'s, or its
/// error.
pub(crate) async fn answer_with(
    tx: &mut Sender,
    result: Result<Response, ServiceError>,
) -> Result<(), NetError> {
    let response = result.unwrap_or_else(error_response);
    respond(tx, &response).await
}

/// Sends a body; a failure mid-way leaves `tx` unfinished, so the stream
/// is reset and the reader sees an error, not a short body.
pub(crate) async fn send_body(
    tx: &mut Sender,
    len: u64,
    mut body: ServiceBody,
) -> Result<(), NetError> {
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
