//! PutShard: a shard's bytes streamed to the node that stores it
//! ([`Request::PutShard`], answered [`Response::Stored`] once durable).

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

use super::service::ShardService;
use crate::net::frame::{self, Request, Response};
use crate::net::rpc::{
    expect_end, read_header, remote, unexpected, Body, Idle, OpenStream, Sender,
};
use crate::net::service::answer_with;
use crate::net::NetError;
use crate::storage::ShardKey;

/// Stores a shard of `len` bytes on the peer over an opened stream;
/// answers its CRC32C. A body that fails, runs long or short resets the
/// stream; a refusal by the peer comes back as its error.
pub(crate) async fn put_shard<S>(
    mut s: OpenStream,
    key: ShardKey,
    len: u64,
    body: S,
) -> Result<u32, NetError>
where
    S: Stream<Item = Result<Bytes, NetError>>,
{
    let sent = send_put(&mut s, key, len, body).await;
    if let Err(e) = sent {
        s.tx.reset();
        // The peer may have refused early (busy, too large): its answer
        // says more than our failed send.
        let mut buf = BytesMut::new();
        return match read_header(&mut s.rx, &mut buf, Idle(Duration::from_secs(1))).await {
            Ok(Response::Error { kind, message }) => Err(remote(kind, message)),
            _ => Err(e),
        };
    }
    stored(s).await
}

async fn send_put<S>(s: &mut OpenStream, key: ShardKey, len: u64, body: S) -> Result<(), NetError>
where
    S: Stream<Item = Result<Bytes, NetError>>,
{
    s.tx.send(frame::encode(&Request::PutShard { key, len })?)
        .await?;
    let mut body = std::pin::pin!(body);
    let mut sent = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        sent += chunk.len() as u64;
        if sent > len {
            return Err(NetError::Body(format!(
                "body runs past the declared {len} bytes"
            )));
        }
        s.tx.send(chunk).await?;
    }
    if sent != len {
        return Err(NetError::Body(format!(
            "body is {sent} bytes, {len} declared"
        )));
    }
    s.tx.finish()
}

/// The answer to a shard write: its CRC32C, or the peer's refusal.
pub(super) async fn stored(mut s: OpenStream) -> Result<u32, NetError> {
    let mut buf = BytesMut::new();
    let response = read_header(&mut s.rx, &mut buf, s.idle).await?;
    expect_end(&mut s.rx, &buf, s.idle).await?;
    match response {
        Response::Stored { crc } => Ok(crc),
        other => Err(unexpected(other)),
    }
}

/// Stores the shard whose `len` bytes `body` brings, and answers.
pub(super) async fn serve(
    shards: &dyn ShardService,
    key: ShardKey,
    len: u64,
    body: Body,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let stored = shards.put_shard(key, len, body).await;
    answer_with(tx, stored.map(|crc| Response::Stored { crc })).await
}
