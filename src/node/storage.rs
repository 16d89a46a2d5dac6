//! The storage role: the storage node (WAL writers, syncer, shard index)
//! and its scrubber, started before anything serves it, stopped last; and
//! the reporter of its corrupt marks, once the metadata path is up.

use actix_web::web;

use crate::actors::core::consensus::ConsensusClient;
use crate::actors::core::scrub::MarkReports;
use crate::actors::core::wal::node::StorageNode;
use crate::config::Config;
use crate::error::Error;

/// Starts the storage node and its scrubber when this process has the
/// storage role.
pub(super) fn start(cfg: &Config) -> Result<Option<web::Data<StorageNode>>, Error> {
    if !cfg.roles().storage {
        return Ok(None);
    }
    let storage = cfg.storage();
    tracing::info!(volumes = storage.volumes.len(), fsync = ?storage.fsync, "starting storage node");
    let node = StorageNode::start(&storage)?;
    node.start_scrubber(cfg.scrub());
    Ok(Some(web::Data::new(node)))
}

/// Starts reporting the storage node's corrupt marks to the heal queue
/// through `consensus` (see [`MarkReports`]); stopped when dropped.
pub(super) fn report_marks(
    node: Option<&web::Data<StorageNode>>,
    consensus: Option<&ConsensusClient>,
) -> Option<MarkReports> {
    let (node, consensus) = (node?, consensus?);
    Some(MarkReports::start(
        node.get_ref().clone(),
        consensus.clone(),
    ))
}

/// Stops the storage node once nothing serves it any more: its writers
/// sync what they hold.
pub(super) async fn stop(node: Option<web::Data<StorageNode>>) -> Result<(), Error> {
    if let Some(node) = node {
        node.into_inner().as_ref().clone().shutdown().await?;
    }
    Ok(())
}
