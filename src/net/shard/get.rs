//! GetShard: a shard, or a range of it, streamed back from the node that
//! holds it ([`Request::GetShard`], answered [`Response::Body`]).

use std::ops::Range;

use bytes::BytesMut;
use s2n_quic::connection::Handle as ConnectionHandle;

use super::service::ShardService;
use crate::net::frame::{self, Request, Response};
use crate::net::rpc::{open, read_header, unexpected, Body, Idle, Sender};
use crate::net::service::{error_response, respond, send_body};
use crate::net::NetError;
use crate::storage::ShardKey;

/// Starts reading a shard (or `range` of it) from the peer.
pub(crate) async fn get_shard(
    conn: &mut ConnectionHandle,
    key: ShardKey,
    range: Option<Range<u64>>,
    idle: Idle,
) -> Result<Body, NetError> {
    let mut s = open(conn, idle).await?;
    let request = Request::GetShard {
        key,
        range: range.clone().map(|r| (r.start, r.end)),
    };
    s.tx.send(frame::encode(&request)?).await?;
    s.tx.finish()?;
    let mut buf = BytesMut::new();
    match read_header(&mut s.rx, &mut buf, idle).await? {
        Response::Body { len } => {
            if let Some(r) = range {
                if len != r.end.saturating_sub(r.start) {
                    return Err(NetError::Body(format!(
                        "range of {} bytes answered with {len}",
                        r.end - r.start
                    )));
                }
            }
            Ok(Body::new(s.rx, buf, len, idle, Some(s.gauge)))
        }
        other => Err(unexpected(other)),
    }
}

/// Streams the shard (or `range` of it) back.
pub(super) async fn serve(
    shards: &dyn ShardService,
    key: ShardKey,
    range: Option<(u64, u64)>,
    tx: &mut Sender,
) -> Result<(), NetError> {
    match shards.get_shard(key, range.map(|(a, b)| a..b)).await {
        Ok((len, body)) => send_body(tx, len, body).await,
        Err(e) => respond(tx, &error_response(e)).await,
    }
}
