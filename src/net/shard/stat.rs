//! StatShards: what a node holds under each of a batch of keys (present
//! with its length, missing, corrupt; [`Request::StatShards`], answered
//! [`Response::ShardStates`]).

use s2n_quic::connection::Handle as ConnectionHandle;

use super::service::{too_many, ShardService};
use crate::net::frame::{self, ErrorKind, Request, Response};
use crate::net::rpc::{call, unexpected, Idle, Sender};
use crate::net::service::{answer_with, ServiceError};
use crate::net::NetError;
use crate::storage::{ShardKey, ShardState};

/// What `addr` holds under each of `keys` (at most
/// [`frame::MAX_INVENTORY_KEYS`]), in their order.
pub(crate) async fn stat_shards(
    conn: &mut ConnectionHandle,
    keys: Vec<ShardKey>,
    idle: Idle,
) -> Result<Vec<ShardState>, NetError> {
    let n = keys.len();
    match call(conn, &Request::StatShards { keys }, idle).await? {
        Response::ShardStates { states } if states.len() == n => Ok(states),
        other => Err(unexpected(other)),
    }
}

/// Answers one state per key, in their order (at most
/// [`frame::MAX_INVENTORY_KEYS`] keys).
pub(super) async fn serve(
    shards: &dyn ShardService,
    keys: Vec<ShardKey>,
    tx: &mut Sender,
) -> Result<(), NetError> {
    let n = keys.len();
    let states = if n > frame::MAX_INVENTORY_KEYS {
        Err(too_many(n))
    } else {
        match shards.stat_shards(keys).await {
            Ok(states) if states.len() != n => Err(ServiceError {
                kind: ErrorKind::Internal,
                message: "one state per key was not answered".into(),
            }),
            other => other,
        }
    };
    answer_with(tx, states.map(|states| Response::ShardStates { states })).await
}
