//! The object service (for gateways and for repair on meta nodes), the
//! S3 gateway over it, and the admin service beside it.

use std::sync::Arc;
use std::time::Duration;

use actix::Actor;
use actix_web::web;

use crate::actors::core::consensus::ConsensusClient;
use crate::actors::core::pool::PeerClient;
use crate::actors::core::ring::Ring;
use crate::actors::core::wal::node::StorageNode;
use crate::admin::api::AdminApi;
use crate::admin::service::AdminService;
use crate::api::Gateway;
use crate::clock::now_ms;
use crate::cluster::layout::{layout_members, seed_layout};
use crate::config::{Config, ConfigError};
use crate::error::Error;
use crate::object::sse::Sse;
use crate::object::{ObjectCoordinator, ObjectLimits, ObjectService};
use crate::storage::meta::{AccessKey, ClusterLayout, MetaOp};

/// The object service over this node's storage and the storage nodes
/// listed: what the S3 gateway and repair both drive.
pub(super) fn start_objects(
    cfg: &Config,
    consensus: ConsensusClient,
    node: Option<&StorageNode>,
    peers: PeerClient,
) -> Result<Arc<ObjectService>, Error> {
    let layout = cfg.erasure();
    // The configured storage nodes seed the first layout; from then on the
    // layout in Raft decides (the ring follows it).
    let (seed, single_store) = first_layout(cfg, node.is_some());
    let members = seed.as_ref().map(layout_members).unwrap_or_default();
    let config_error = |e: String| {
        Error::Config(ConfigError(format!(
            "PREDASTORE_EC / PREDASTORE_STORAGE_NODES: {e}"
        )))
    };
    let (ring, ring_view) = Ring::new(members).map_err(|e| config_error(e.to_string()))?;
    ring.follow(
        consensus.clone(),
        seed,
        peers.clone(),
        cfg.own_addr(),
        single_store,
    )
    .start();
    let coordinator = ObjectCoordinator::new(node.cloned(), cfg.node_id, ring_view, peers, layout)
        .map_err(|e| config_error(e.to_string()))?;
    let limits = ObjectLimits {
        max_object_bytes: cfg.objects.max_object_bytes,
        inline_bytes: cfg.inline_bytes()?,
        drop_grace: Duration::from_millis(cfg.objects.drop_grace_ms),
        lifecycle_day_ms: cfg.upkeep.lifecycle_day_ms(),
    };
    let keys = cfg.encryption.master_keys()?;
    tracing::info!(keys = ?keys, "master keys of encryption at rest");
    let sse = Sse::new(Arc::new(keys));
    let objects = Arc::new(ObjectService::new(consensus, coordinator, limits, sse));
    objects.start_drops();
    Ok(objects)
}

/// The layout to seed Raft with if it has none: the storage nodes
/// configured, or, for a process that is its own storage node and alone in
/// its metadata group (the `all` role), this node alone, so that the
/// store can take more nodes later; and whether it is that single store.
/// A process that joins a group learns the layout from it.
fn first_layout(cfg: &Config, own_storage: bool) -> (Option<ClusterLayout>, bool) {
    let storage_nodes = cfg.storage_nodes();
    if !storage_nodes.is_empty() {
        return (Some(seed_layout(storage_nodes)), false);
    }
    let single_store = own_storage && cfg.roles().meta && cfg.meta_peers().is_empty();
    let own = single_store.then(|| seed_layout([(cfg.node_id, cfg.own_addr())]));
    (own, single_store)
}

/// The S3 gateway over `objects`; the configured access key is recorded
/// in metadata in the background.
pub(super) fn start_gateway(
    cfg: &Config,
    consensus: ConsensusClient,
    objects: Arc<ObjectService>,
) -> Gateway {
    let http = &cfg.http;
    // The configured key's user (the first admin) is named by its id.
    let key = AccessKey {
        access_key_id: http.access_key.clone(),
        secret: http.secret_key.clone(),
        created_ms: now_ms(),
        user_id: http.access_key.clone(),
        display_name: http.access_key.clone(),
        email: None,
    };
    actix_web::rt::spawn(async move {
        match consensus.submit(MetaOp::PutAccessKey { key }).await {
            Ok(Ok(_)) => {}
            other => {
                tracing::warn!(result = ?other.map(|r| r.map(|_| ())), "could not record the access key in metadata")
            }
        }
    });
    tracing::info!(ec = %cfg.objects.ec, access_key = %http.access_key, "S3 gateway ready");
    let identities = crate::identity::Identities::new(objects.clone());
    identities.uses.clone().write_periodically(objects.clone());
    Gateway {
        identities,
        // Checked when the configuration loaded.
        provider_keys: crate::identity::oidc::ProviderKeys::new(
            cfg.identity.key_sources().unwrap_or_default(),
        ),
        objects,
        access_key: http.access_key.clone(),
        secret_key: http.secret_key.clone(),
        domain: http.domain.clone(),
        region: http.region.clone(),
        body_idle: Duration::from_millis(http.body_idle_timeout_ms),
        policies: Default::default(),
        new_bucket_defaults: http.new_bucket_defaults,
        unchecked_policies: http.test_unchecked_policies,
        sse_c_over_http: cfg.encryption.sse_c_allow_http,
        test_clock_offset_ms: cfg.cluster.test_clock_offset_ms,
    }
}

/// The admin API beside `gateway`; without `PREDASTORE_ADMIN_TOKEN` every
/// call to it is refused.
pub(super) fn start_admin(
    cfg: &Config,
    gateway: &Gateway,
    consensus: ConsensusClient,
    peers: PeerClient,
) -> web::Data<AdminApi> {
    if cfg.admin_token().is_none() {
        tracing::info!("admin API off: PREDASTORE_ADMIN_TOKEN is not set");
    }
    web::Data::new(AdminApi {
        token: cfg.admin_token().map(str::to_string),
        service: Arc::new(AdminService::new(
            gateway.objects.clone(),
            consensus,
            peers,
            cfg.http.access_key.clone(),
        )),
    })
}
