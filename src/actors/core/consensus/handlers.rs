//! How the Consensus actor answers each message: ops are queued for the
//! next entry, reads go to the leader, forwarded traffic is served here.

use crate::net::PeerAddr;
use std::time::Instant;

use actix::prelude::*;
use tokio::sync::oneshot;

use super::actor::Consensus;
use super::error::ConsensusError;
use super::messages::*;
use super::reads::moved_from;
use super::types::*;
use super::wire::{self, MetaCall, MetaReply};
use crate::actors::core::pool::PeerClient;
use crate::net::Channel;
use crate::storage::meta::{MetaRead, MetaReadResult, MetaResult};

async fn wait(
    rx: Result<oneshot::Receiver<Result<MetaResult, ConsensusError>>, ConsensusError>,
) -> Result<MetaResult, ConsensusError> {
    rx?.await
        .unwrap_or_else(|_| Err(ConsensusError::Failed("consensus stopped".into())))
}

impl Handler<Submit> for Consensus {
    type Result = ResponseFuture<Result<MetaResult, ConsensusError>>;

    fn handle(&mut self, msg: Submit, ctx: &mut Self::Context) -> Self::Result {
        self.handle(
            SubmitOnce {
                id: rand::random(),
                op: msg.0,
            },
            ctx,
        )
    }
}

impl Handler<SubmitOnce> for Consensus {
    type Result = ResponseFuture<Result<MetaResult, ConsensusError>>;

    fn handle(&mut self, msg: SubmitOnce, ctx: &mut Self::Context) -> Self::Result {
        let rx = self.enqueue(msg.id, msg.op, false);
        if !self.turn_pending {
            self.flush(ctx);
        }
        Box::pin(wait(rx))
    }
}

impl Handler<LeaderMaybeChanged> for Consensus {
    type Result = ();

    fn handle(&mut self, _: LeaderMaybeChanged, ctx: &mut Self::Context) {
        self.flush(ctx);
    }
}

impl Handler<SubmitForwarded> for Consensus {
    type Result = ResponseFuture<Vec<Result<MetaResult, ConsensusError>>>;

    fn handle(&mut self, msg: SubmitForwarded, ctx: &mut Self::Context) -> Self::Result {
        let rxs: Vec<_> = msg
            .0
            .into_iter()
            .map(|(id, op)| self.enqueue(id, op, true))
            .collect();
        if !self.turn_pending {
            self.flush(ctx);
        }
        Box::pin(futures::future::join_all(rxs.into_iter().map(wait)))
    }
}

impl Handler<ReadForwarded> for Consensus {
    type Result = ResponseFuture<Result<MetaReadResult, ConsensusError>>;

    fn handle(&mut self, msg: ReadForwarded, _: &mut Self::Context) -> Self::Result {
        match self.route() {
            Route::Local => self.read_local(msg.0),
            Route::Remote(id, _) => {
                Box::pin(async move { Err(ConsensusError::NotLeader(Some(id))) })
            }
            Route::Unknown => Box::pin(async { Err(ConsensusError::NotLeader(None)) }),
        }
    }
}

impl Handler<Read> for Consensus {
    type Result = ResponseFuture<Result<MetaReadResult, ConsensusError>>;

    fn handle(&mut self, msg: Read, ctx: &mut Self::Context) -> Self::Result {
        let attempt = ReadAttempt {
            read: msg.0,
            deadline: Instant::now() + self.cfg.op_timeout,
        };
        self.handle(attempt, ctx)
    }
}

impl Handler<ReadAttempt> for Consensus {
    type Result = ResponseFuture<Result<MetaReadResult, ConsensusError>>;

    fn handle(&mut self, msg: ReadAttempt, ctx: &mut Self::Context) -> Self::Result {
        let me = ctx.address();
        let (route, routes) = self.read_route(ctx);
        let (peers, local) = (self.peers.clone(), self.read_local(msg.read.clone()));
        let reads = self.remote_reads.clone();
        Box::pin(async move {
            let ReadAttempt { read, deadline } = msg;
            let (asked, result) = match (route, peers) {
                (Route::Local, _) => (None, local.await),
                (Route::Remote(id, addr), Some(peers)) => {
                    let _counted = reads.start();
                    // A leader that dies with the read in flight is not
                    // waited for: once another leads, ask it.
                    let result = tokio::select! {
                        r = read_remote(&peers, addr, &read) => r,
                        () = moved_from(routes, route) => Err(ConsensusError::Indeterminate(
                            "the leader changed with the read in flight".into(),
                        )),
                    };
                    (Some(id), result)
                }
                // No reachable leader known: move on to the next member.
                _ => (Some(NO_PEER), Err(ConsensusError::NotLeader(None))),
            };
            let hint = match &result {
                Err(ConsensusError::NotLeader(h)) => *h,
                Err(ConsensusError::Indeterminate(_)) => None,
                _ => return result,
            };
            if let Some(asked) = asked {
                me.do_send(LeaderHint {
                    asked,
                    leader: hint,
                });
            }
            if Instant::now() >= deadline {
                return Err(ConsensusError::Unavailable(
                    "no leader answered the read in time".into(),
                ));
            }
            tokio::time::sleep(RETRY_DELAY).await;
            me.send(ReadAttempt { read, deadline })
                .await
                .unwrap_or_else(|_| Err(ConsensusError::Failed("consensus stopped".into())))
        })
    }
}

/// A read at the leader `addr`; any transport failure is retryable
/// (`Indeterminate`), reads change nothing.
async fn read_remote(
    peers: &PeerClient,
    addr: PeerAddr,
    read: &MetaRead,
) -> Result<MetaReadResult, ConsensusError> {
    let indeterminate = |e: String| ConsensusError::Indeterminate(e);
    let body = wire::encode(&MetaCall::Read(read.clone()))
        .map_err(|e| ConsensusError::Failed(e.to_string()))?;
    let reply = peers
        .message(addr, Channel::Meta, body)
        .await
        .map_err(|f| indeterminate(f.error.to_string()))?;
    match wire::decode::<MetaReply>(&reply).map_err(|e| indeterminate(e.to_string()))? {
        MetaReply::Read(r) => *r,
        _ => Err(indeterminate("reply does not match".into())),
    }
}

impl Handler<WhoLeads> for Consensus {
    type Result = Option<u64>;

    fn handle(&mut self, _: WhoLeads, _: &mut Self::Context) -> Option<u64> {
        self.local.as_ref()?.raft.metrics().borrow().current_leader
    }
}

impl Handler<LeaderHint> for Consensus {
    type Result = ();

    fn handle(&mut self, msg: LeaderHint, ctx: &mut Self::Context) {
        self.note_leader(msg.asked, msg.leader);
        self.flush(ctx);
    }
}
