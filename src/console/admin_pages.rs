//! The admin pages: the cluster at a glance (refreshed in place) and the
//! access keys. Both call the [`AdminService`](crate::admin::service::AdminService)
//! the admin API calls, for admin users only.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::buckets::Confirm;
use super::context::{check_csrf, console, see_other, AdminUser, Console};
use super::error::ConsoleError;
use super::render::page;
use crate::admin::service::ClusterStatus;
use crate::storage::VolumeState;

/// Free space below this share of a node's capacity is an alert.
const NEARLY_FULL_PERCENT: u64 = 5;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/cluster", web::get().to(cluster))
        .route("/cluster/live", web::get().to(cluster_live))
        .route("/keys", web::get().to(keys))
        .route("/keys", web::post().to(create_key))
        .route("/keys/{id}/delete", web::post().to(delete_key));
}

/// A progress bar: work done of the largest backlog seen.
#[derive(Serialize)]
struct Progress {
    left: u64,
    percent: u64,
}

fn progress(peak: &mut u64, left: u64) -> Progress {
    *peak = if left == 0 { 0 } else { (*peak).max(left) };
    let percent = ((*peak - left) * 100).checked_div(*peak).unwrap_or(100);
    Progress { left, percent }
}

/// What an operator should look at now.
fn alerts(status: &ClusterStatus) -> Vec<String> {
    let mut out = Vec::new();
    match &status.meta {
        None => out.push("No metadata member answered.".to_string()),
        Some(m) if m.leader.is_none() => out.push("The metadata group has no leader.".into()),
        Some(_) => {}
    }
    for n in &status.nodes {
        if n.state == "removed" {
            continue;
        }
        if !n.up {
            out.push(format!("Storage node {} ({}) is down.", n.id, n.addr));
        }
        for v in n.volumes.iter().flatten() {
            match v.state {
                VolumeState::Failed => out.push(format!(
                    "Disk {} ({}) of storage node {} has failed: its shards are rebuilt on the node's other disks; put in a new disk and run `predastore admin node disk replace {} {}`.",
                    v.slot, v.path, n.id, n.id, v.slot
                )),
                VolumeState::Full => out.push(format!(
                    "Disk {} ({}) of storage node {} is full: it takes no new shards.",
                    v.slot, v.path, n.id
                )),
                VolumeState::Ok => {}
            }
        }
        if let (Some(free), Some(capacity)) = (n.free_bytes, n.capacity_bytes) {
            if capacity > 0 && free * 100 < capacity * NEARLY_FULL_PERCENT {
                out.push(format!(
                    "Storage node {} ({}) is nearly full: {free} of {capacity} bytes free.",
                    n.id, n.addr
                ));
            }
        }
    }
    if let Some(r) = &status.repair {
        if r.objects_below_redundancy > 0 {
            out.push(format!(
                "{} objects are below full redundancy.",
                r.objects_below_redundancy
            ));
        }
    }
    out
}

/// The values of the live part of the cluster page.
async fn live_context(console: &Console) -> Result<minijinja::Value, ConsoleError> {
    let status = console.admin.status().await?;
    let (heal, rebalance) = {
        let mut peaks = console
            .progress
            .lock()
            .map_err(|_| ConsoleError::Internal("progress lock poisoned".into()))?;
        let repair = status.repair.as_ref();
        (
            progress(&mut peaks.heal, repair.map_or(0, |r| r.heal_queue_length)),
            progress(
                &mut peaks.rebalance,
                repair.map_or(0, |r| r.rebalance_objects_left),
            ),
        )
    };
    Ok(minijinja::context! {
        alerts => alerts(&status),
        status => minijinja::Value::from_serialize(&status),
        heal => heal,
        rebalance => rebalance,
    })
}

async fn cluster(
    req: HttpRequest,
    AdminUser(session): AdminUser,
) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    Ok(page(
        "cluster.html",
        minijinja::context! {
            layout => console.layout(&session),
            live => live_context(console).await?,
        },
    ))
}

/// The live part alone, fetched by the page's script every few seconds.
async fn cluster_live(req: HttpRequest, _: AdminUser) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    Ok(page(
        "cluster_live.html",
        minijinja::context! { live => live_context(console).await? },
    ))
}

async fn keys(
    req: HttpRequest,
    AdminUser(session): AdminUser,
) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    keys_page(console, &session, None).await
}

async fn keys_page(
    console: &Console,
    session: &super::session::Session,
    created: Option<minijinja::Value>,
) -> Result<HttpResponse, ConsoleError> {
    let keys = console.admin.list_keys().await?;
    Ok(page(
        "keys.html",
        minijinja::context! {
            layout => console.layout(session),
            keys => minijinja::Value::from_serialize(&keys),
            created => created,
        },
    ))
}

/// The create form: a new user's display name and e-mail address.
#[derive(Deserialize)]
struct NewKeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

/// Creates a key and shows its secret, this once.
async fn create_key(
    req: HttpRequest,
    AdminUser(session): AdminUser,
    form: web::Form<NewKeyForm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let key = console
        .admin
        .create_key(some(&form.name), None, some(&form.email))
        .await?;
    tracing::info!(key = %key.access_key_id, by = %session.user_id, "console: access key created");
    keys_page(
        console,
        &session,
        Some(minijinja::Value::from_serialize(&key)),
    )
    .await
}

async fn delete_key(
    req: HttpRequest,
    AdminUser(session): AdminUser,
    id: web::Path<String>,
    form: web::Form<Confirm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    console.admin.delete_key(&id).await?;
    console.sessions.close_key(&id);
    tracing::info!(key = %id, by = %session.user_id, "console: access key deleted");
    Ok(see_other("/keys"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::service::NodeStatus;
    use crate::storage::VolumeStatus;

    #[test]
    fn a_failed_or_full_disk_is_an_alert_naming_it() {
        let volume = |slot, state| VolumeStatus {
            slot,
            path: format!("/srv/disk{slot}"),
            state,
            capacity_bytes: 100,
            free_bytes: 50,
            io_errors: 0,
        };
        let status = ClusterStatus {
            layout_version: 1,
            erasure: "2+1".into(),
            meta: None,
            nodes: vec![NodeStatus {
                id: 2,
                addr: "10.0.0.2:9100".into(),
                zone: String::new(),
                weight: 1,
                state: "active",
                up: true,
                shards: Some(1),
                bytes_stored: Some(1),
                capacity_bytes: Some(300),
                free_bytes: Some(150),
                recorded_volumes: Vec::new(),
                volumes: Some(vec![
                    volume(0, VolumeState::Ok),
                    volume(1, VolumeState::Failed),
                    volume(2, VolumeState::Full),
                ]),
            }],
            repair: None,
            lifecycle: Default::default(),
        };
        let alerts = alerts(&status);
        assert!(
            alerts.iter().any(
                |a| a.contains("Disk 1 (/srv/disk1) of storage node 2 has failed")
                    && a.contains("admin node disk replace 2 1")
            ),
            "{alerts:?}"
        );
        assert!(
            alerts
                .iter()
                .any(|a| a.contains("Disk 2 (/srv/disk2) of storage node 2 is full")),
            "{alerts:?}"
        );
        assert!(!alerts.iter().any(|a| a.contains("Disk 0")), "{alerts:?}");
    }

    #[test]
    fn progress_counts_down_from_the_peak() {
        let mut peak = 0;
        assert_eq!(progress(&mut peak, 0).percent, 100);
        assert_eq!(progress(&mut peak, 40).percent, 0);
        assert_eq!(progress(&mut peak, 10).percent, 75);
        assert_eq!(progress(&mut peak, 0).percent, 100);
        assert_eq!(peak, 0);
    }
}
