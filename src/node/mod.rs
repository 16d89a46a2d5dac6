//! Assembles a process from its roles (`PREDASTORE_ROLE`): which actors,
//! listeners and services start, in which order, and how they stop.
//!
//! - `storage`: the storage node, its scrubber and the reporter of its
//!   corrupt marks to the heal queue ([`storage`]), served over the
//!   cluster transport.
//! - `meta`: this node's Raft member and the Consensus actor in front of
//!   it ([`meta`]), served over the cluster transport; the object service
//!   for repair, which runs while this node leads.
//! - `gateway`: the Consensus actor (forwarding to the meta nodes), the
//!   object service, the S3 gateway and the admin API ([`gateway`]), the
//!   web console ([`console`]).
//! - every role: the cluster transport's client and pool ([`transport`]),
//!   and the HTTP listener with `/metrics` and `/health/*` ([`http`]).
//!
//! Start-up raises the open-file limit, then goes storage, transport,
//! metadata, services, HTTP; shutdown runs the other way once the HTTP
//! listener stops on SIGTERM or SIGINT.

mod console;
mod gateway;
mod http;
mod limits;
pub(crate) mod logging;
mod meta;
mod storage;
mod transport;

use std::sync::Arc;

use actix_web::web;

use crate::api::listener::HttpsIdentity;
use crate::config::Config;
use crate::error::Error;

pub use http::https_identity;

/// Runs the roles `cfg` names until a stop signal, inside an actix System.
pub async fn serve(cfg: Config, https: Option<Arc<HttpsIdentity>>) -> Result<(), Error> {
    let roles = cfg.roles();
    limits::raise_open_file_limit();
    let node = storage::start(&cfg)?;
    let transport = transport::start(&cfg)?;
    let peers = transport.peers.clone();
    // This node's member of the metadata group.
    let local = meta::start_member(&cfg, &transport).await?;
    let consensus = meta::start_consensus(&cfg, local.as_ref(), &transport);
    let mark_reports = storage::report_marks(node.as_ref(), consensus.as_ref());
    if roles.storage || roles.meta {
        transport.serve(
            &cfg,
            transport::Served {
                node: node.as_ref().map(|n| n.get_ref()),
                local: local.as_ref(),
                consensus: consensus.as_ref().filter(|_| roles.meta),
            },
        )?;
    }
    tracing::info!(listen = %cfg.http.listen, role = %cfg.role, "serving");
    // The object service, for the gateway and for repair: every meta node
    // runs it (a meta-only node learns the storage nodes from the layout
    // in Raft; until there are any, its repair has nothing to do).
    let objects = match &consensus {
        Some(consensus) if roles.gateway || roles.meta => Some(gateway::start_objects(
            &cfg,
            consensus.clone(),
            node.as_ref().map(|n| n.get_ref()),
            peers.clone(),
        )?),
        _ => None,
    };
    if let (Some(objects), Some(local)) = (&objects, &local) {
        meta::start_repair(&cfg, objects, local);
        meta::start_lifecycle(&cfg, objects, local);
    }
    let mut front = http::Front {
        node: node.clone(),
        gateway: None,
        admin: None,
        console: None,
    };
    if let (Some(objects), Some(consensus)) = (&objects, &consensus) {
        if roles.gateway {
            let gw = gateway::start_gateway(&cfg, consensus.clone(), objects.clone());
            let gw = web::Data::new(gw);
            let admin = gateway::start_admin(&cfg, &gw, consensus.clone(), peers.clone());
            front.console = console::start(&cfg, gw.clone(), admin.service.clone(), https.clone())?;
            front.gateway = Some(gw);
            front.admin = Some(admin);
        }
    }
    http::serve(&cfg, front, https).await?;
    drop(mark_reports);
    drop(consensus);
    meta::stop_member(local, &transport.quic).await;
    storage::stop(node).await?;
    drop(transport);
    tracing::info!("stopped");
    Ok(())
}
