//! Metadata group membership: who votes, who learns, and changing that
//! through openraft (`add_learner`, then `change_membership`), so a meta
//! host can be replaced without downtime.
//!
//! A change runs on the leader; any other process forwards it there over
//! the cluster transport, following leader hints like a forwarded read.
//! Adding a node makes it a learner first and waits (bounded) until it has
//! caught up, so a node that cannot be reached never becomes a voter the
//! group must wait on; it is taken out again and the change refused.
//!
//! Processes outside the group learn the members from the answers they
//! see and from a refresh every [`REFRESH_EVERY`], so a gateway started
//! with `PREDASTORE_META_PEERS=1,2,3` keeps finding the leader after node 4
//! joined and node 1 left.

use crate::net::PeerAddr;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use actix::prelude::*;
use openraft::error::{ClientWriteError, RaftError};
use openraft::{BasicNode, ChangeMembers};

use super::actor::Consensus;
use super::members::{MembershipError, MetaChange, MetaMember, MetaMembers};
use super::messages::{ChangeMeta, GetMetaMembers, LeaderHint, MembershipForwarded};
use super::types::{ForwardHint, LocalRaft, Route, NO_PEER, RETRY_DELAY};
use super::wire::{self, MetaCall, MetaReply};
use crate::actors::core::pool::PeerClient;
use crate::net::Channel;

/// How long a new member may take to catch up as a learner: as long as
/// a snapshot chunk's answer may take, since a large store's snapshot is
/// exported, sent and imported in that time (a store of ten million
/// objects: 4.7 GB, some two minutes on the development VM). A node that
/// is not running at the address given is refused only after it.
const CATCH_UP: Duration = Duration::from_secs(10 * 60);

/// How long a membership change may take, looking for a leader and
/// waiting for a new member to catch up.
const CHANGE_DEADLINE: Duration = Duration::from_secs(CATCH_UP.as_secs() + 45);

/// How often a process outside the group asks for the members.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// One more try of a membership request, until `deadline`.
#[derive(Message)]
#[rtype(result = "Result<MetaMembers, MembershipError>")]
struct MembershipAttempt {
    change: Option<MetaChange>,
    deadline: Instant,
    /// An earlier try may have gone through (its answer was lost).
    retried: bool,
}

/// Members seen in an answer: remember their addresses.
#[derive(Message)]
#[rtype(result = "()")]
struct LearnMembers(MetaMembers);

/// The members as `local`'s Raft sees them.
fn members_of(local: &LocalRaft) -> MetaMembers {
    let metrics = local.raft.metrics();
    let m = metrics.borrow();
    let membership = m.membership_config.membership();
    let voters: BTreeSet<u64> = membership.voter_ids().collect();
    let (mut v, mut l) = (Vec::new(), Vec::new());
    for (id, node) in membership.nodes() {
        let member = MetaMember {
            id: *id,
            addr: node.addr.clone(),
        };
        if voters.contains(id) {
            v.push(member);
        } else {
            l.push(member);
        }
    }
    MetaMembers {
        leader: m.current_leader,
        voters: v,
        learners: l,
    }
}

fn raft_error(e: impl std::fmt::Display) -> MembershipError {
    MembershipError::Unavailable(e.to_string())
}

/// Adds `id` as a learner (unless it is one already) and waits until it
/// holds the log up to the entry that added it. (openraft's own wait counts
/// a learner within `replication_lag_threshold` entries as caught up: one
/// that holds nothing yet passes while the log is short.)
///
/// A request sent again while the first still waits (its caller timed
/// out) finds the learner there and only waits: adding it again would
/// restart its replication, and with it a snapshot half sent, so a learner
/// needing a large snapshot would never catch up.
async fn caught_up(
    local: &LocalRaft,
    id: u64,
    node: BasicNode,
    already_learner: bool,
) -> Result<(), RaftError<u64, ClientWriteError<u64, BasicNode>>> {
    let joined = if already_learner {
        let metrics = local.raft.metrics();
        let index = metrics
            .borrow()
            .membership_config
            .log_id()
            .map_or(0, |l| l.index);
        index
    } else {
        local.raft.add_learner(id, node, false).await?.log_id.index
    };
    let mut metrics = local.raft.metrics();
    loop {
        let matched = metrics
            .borrow_and_update()
            .replication
            .as_ref()
            .and_then(|r| r.get(&id).cloned().flatten());
        if matched.is_some_and(|m| m.index >= joined) {
            return Ok(());
        }
        if metrics.changed().await.is_err() {
            // Raft stopped: the membership change that follows says so.
            return Ok(());
        }
    }
}

/// Makes `change` on this node, which must lead.
async fn change_here(local: LocalRaft, change: MetaChange) -> Result<MetaMembers, MembershipError> {
    let before = members_of(&local);
    match change {
        MetaChange::Add { id, addr } => {
            if id == 0 {
                return Err(MembershipError::InvalidId);
            }
            let addr = addr.to_string();
            let known = before.voters.iter().chain(&before.learners);
            if let Some(m) = known.clone().find(|m| m.id == id) {
                if m.addr != addr {
                    return Err(MembershipError::AlreadyMember(id, m.addr.clone()));
                }
                if before.voters.iter().any(|m| m.id == id) {
                    return Ok(before);
                }
            }
            let already_learner = before.learners.iter().any(|m| m.id == id);
            let learner = caught_up(&local, id, BasicNode::new(addr.clone()), already_learner);
            match tokio::time::timeout(CATCH_UP, learner).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(forward_or(e, raft_error)),
                Err(_) => {
                    let remove = ChangeMembers::RemoveNodes(BTreeSet::from([id]));
                    let _ = local.raft.change_membership(remove, false).await;
                    return Err(MembershipError::NotReachable(
                        id,
                        format!("{addr}, {} s", CATCH_UP.as_secs()),
                    ));
                }
            }
            let add = ChangeMembers::AddVoterIds(BTreeSet::from([id]));
            local
                .raft
                .change_membership(add, false)
                .await
                .map_err(|e| forward_or(e, raft_error))?;
            tracing::info!(node = id, addr = %addr, "metadata member added");
        }
        MetaChange::Remove { id } => {
            let voter = before.voters.iter().any(|m| m.id == id);
            let learner = before.learners.iter().any(|m| m.id == id);
            let change = match (voter, learner) {
                (true, _) if before.voters.len() == 1 => {
                    return Err(MembershipError::LastVoter(id))
                }
                (true, _) => ChangeMembers::RemoveVoters(BTreeSet::from([id])),
                (false, true) => ChangeMembers::RemoveNodes(BTreeSet::from([id])),
                (false, false) => return Err(MembershipError::UnknownMember(id)),
            };
            local
                .raft
                .change_membership(change, false)
                .await
                .map_err(|e| forward_or(e, raft_error))?;
            tracing::info!(node = id, "metadata member removed");
        }
    }
    Ok(members_of(&local))
}

/// A Raft error that means "ask the leader" becomes `NotLeader`; others
/// go through `other`.
fn forward_or<E>(
    e: openraft::error::RaftError<u64, E>,
    other: impl Fn(openraft::error::RaftError<u64, E>) -> MembershipError,
) -> MembershipError
where
    E: std::error::Error + ForwardHint,
{
    match &e {
        openraft::error::RaftError::APIError(api) => match api.forward_to() {
            Some(leader) => MembershipError::NotLeader(leader),
            None => other(e),
        },
        openraft::error::RaftError::Fatal(_) => other(e),
    }
}

/// A membership request at the node at `addr`.
async fn at_peer(
    peers: &PeerClient,
    addr: PeerAddr,
    change: Option<MetaChange>,
) -> Result<MetaMembers, MembershipError> {
    let unavailable = |e: String| MembershipError::Unavailable(e);
    let body =
        wire::encode(&MetaCall::Membership(change)).map_err(|e| unavailable(e.to_string()))?;
    let reply = peers
        .message_waiting(addr, Channel::Meta, body, CHANGE_DEADLINE)
        .await
        .map_err(|f| unavailable(f.error.to_string()))?;
    match wire::decode::<MetaReply>(&reply).map_err(|e| unavailable(e.to_string()))? {
        MetaReply::Membership(r) => r,
        _ => Err(unavailable("reply does not match".into())),
    }
}

impl Consensus {
    /// Remembers the addresses of `members` (for a process outside the
    /// group: where to find a leader) and has the failure detector watch
    /// the new ones.
    fn learn_members(&mut self, members: &MetaMembers) {
        if self.local.is_some() {
            return; // Raft's own membership is used.
        }
        let mut new = Vec::new();
        for m in members.voters.iter().chain(&members.learners) {
            let Ok(addr) = m.addr.parse::<PeerAddr>() else {
                continue;
            };
            match self.meta_peers.iter_mut().find(|(id, _)| *id == m.id) {
                Some((_, known)) if *known == addr => {}
                Some((_, known)) => *known = addr,
                None => {
                    self.meta_peers.push((m.id, addr));
                    new.push(addr);
                }
            }
        }
        // Members that left: keep asking only those that remain, once a
        // member list is known at all.
        let current: BTreeMap<u64, ()> = members
            .voters
            .iter()
            .chain(&members.learners)
            .map(|m| (m.id, ()))
            .collect();
        if !current.is_empty() {
            self.meta_peers.retain(|(id, _)| current.contains_key(id));
        }
        // A hint must name a node this process can reach.
        let known = |id: u64| self.meta_peers.iter().any(|(p, _)| *p == id);
        if self.leader_hint.is_some_and(|h| !known(h)) {
            self.leader_hint = None;
        }
        if let Some(leader) = members.leader.filter(|&l| known(l)) {
            self.leader_hint = Some(leader);
        }
        if let (Some(peers), false) = (&self.peers, new.is_empty()) {
            peers.watch(new);
        }
    }

    /// Starts the member refresh of a process outside the group.
    pub(super) fn refresh_members(&mut self, ctx: &mut Context<Self>) {
        if self.local.is_some() {
            return;
        }
        ctx.run_interval(REFRESH_EVERY, |act, ctx| {
            let (Some(peers), n) = (act.peers.clone(), act.meta_peers.len()) else {
                return;
            };
            if n == 0 {
                return;
            }
            act.probe_turn = act.probe_turn.wrapping_add(1);
            let (_, addr) = act.meta_peers[act.probe_turn % n];
            let me = ctx.address();
            actix::spawn(async move {
                if let Ok(members) = at_peer(&peers, addr, None).await {
                    me.do_send(LearnMembers(members));
                }
            });
        });
    }
}

impl Handler<LearnMembers> for Consensus {
    type Result = ();

    fn handle(&mut self, msg: LearnMembers, _: &mut Self::Context) {
        self.learn_members(&msg.0);
    }
}

impl Handler<ChangeMeta> for Consensus {
    type Result = ResponseFuture<Result<MetaMembers, MembershipError>>;

    fn handle(&mut self, msg: ChangeMeta, ctx: &mut Self::Context) -> Self::Result {
        let attempt = MembershipAttempt {
            change: Some(msg.0),
            deadline: Instant::now() + CHANGE_DEADLINE,
            retried: false,
        };
        self.handle(attempt, ctx)
    }
}

impl Handler<GetMetaMembers> for Consensus {
    type Result = ResponseFuture<Result<MetaMembers, MembershipError>>;

    fn handle(&mut self, _: GetMetaMembers, ctx: &mut Self::Context) -> Self::Result {
        if let Some(local) = &self.local {
            let members = members_of(local);
            return Box::pin(async move { Ok(members) });
        }
        let attempt = MembershipAttempt {
            change: None,
            deadline: Instant::now() + self.cfg.op_timeout,
            retried: false,
        };
        self.handle(attempt, ctx)
    }
}

impl Handler<MembershipForwarded> for Consensus {
    type Result = ResponseFuture<Result<MetaMembers, MembershipError>>;

    fn handle(&mut self, msg: MembershipForwarded, _: &mut Self::Context) -> Self::Result {
        let Some(local) = self.local.clone() else {
            return Box::pin(async { Err(MembershipError::NotLeader(None)) });
        };
        match (msg.0, self.route()) {
            (None, _) => {
                let members = members_of(&local);
                Box::pin(async move { Ok(members) })
            }
            (Some(change), Route::Local) => Box::pin(change_here(local, change)),
            (Some(_), Route::Remote(id, _)) => {
                Box::pin(async move { Err(MembershipError::NotLeader(Some(id))) })
            }
            (Some(_), Route::Unknown) => Box::pin(async { Err(MembershipError::NotLeader(None)) }),
        }
    }
}

impl Handler<MembershipAttempt> for Consensus {
    type Result = ResponseFuture<Result<MetaMembers, MembershipError>>;

    fn handle(&mut self, msg: MembershipAttempt, ctx: &mut Self::Context) -> Self::Result {
        let me = ctx.address();
        let route = self.route();
        let sent = route != Route::Unknown;
        let (peers, local) = (self.peers.clone(), self.local.clone());
        Box::pin(async move {
            let MembershipAttempt {
                change,
                deadline,
                retried,
            } = msg;
            let (asked, result) = match (route, peers, local, change.clone()) {
                (Route::Local, _, Some(local), Some(change)) => {
                    (None, change_here(local, change).await)
                }
                (Route::Local, _, Some(local), None) => (None, Ok(members_of(&local))),
                (Route::Remote(id, addr), Some(peers), _, change) => {
                    (Some(id), at_peer(&peers, addr, change).await)
                }
                // No reachable leader known: move on to the next member.
                _ => (Some(NO_PEER), Err(MembershipError::NotLeader(None))),
            };
            let hint = match &result {
                Ok(members) => {
                    me.do_send(LearnMembers(members.clone()));
                    return result;
                }
                Err(MembershipError::NotLeader(h)) => *h,
                Err(MembershipError::Unavailable(_)) => None,
                // A removal whose first answer was lost finds the node
                // gone: it did go through.
                Err(MembershipError::UnknownMember(_))
                    if retried && matches!(change, Some(MetaChange::Remove { .. })) =>
                {
                    return me.send(GetMetaMembers).await.unwrap_or_else(|_| {
                        Err(MembershipError::Unavailable("consensus stopped".into()))
                    });
                }
                Err(_) => return result,
            };
            if let Some(asked) = asked {
                me.do_send(LeaderHint {
                    asked,
                    leader: hint,
                });
            }
            if Instant::now() >= deadline {
                return Err(MembershipError::Unavailable(
                    "no leader answered in time".into(),
                ));
            }
            tokio::time::sleep(RETRY_DELAY).await;
            let retried = retried || sent;
            me.send(MembershipAttempt {
                change,
                deadline,
                retried,
            })
            .await
            .unwrap_or_else(|_| Err(MembershipError::Unavailable("consensus stopped".into())))
        })
    }
}
