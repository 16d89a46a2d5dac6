//! When each access key was last used (IAM's GetAccessKeyLastUsed). A
//! gateway notes every authenticated request's key in memory, which
//! costs a map update, and writes what it noted through Raft once per
//! [`FLUSH_EVERY`] as one entry: a key in constant use adds one small
//! write per gateway per period, never one per request. A gateway's own
//! notes answer at once; another gateway's after its next batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::now_ms;
use crate::object::ObjectService;
use crate::storage::meta::iam::KeyUse;
use crate::storage::meta::MetaOp;

/// How often a gateway writes the uses it noted.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// Keys noted between two batches at most; more wait for the next
/// period (a key used again is noted then).
const MAX_NOTED: usize = 100_000;

/// Uses per Raft entry (the state machine's bound).
const PER_ENTRY: usize = crate::storage::meta::iam::state::MAX_KEY_USES;

/// Uses noted since the last batch, by access key id.
#[derive(Default)]
pub(crate) struct KeyUses {
    noted: Mutex<HashMap<String, KeyUse>>,
}

impl KeyUses {
    /// Notes that `access_key_id` signed a request for `service` in
    /// `region` now.
    pub(crate) fn note(&self, access_key_id: &str, service: &str, region: &str) {
        let Ok(mut noted) = self.noted.lock() else {
            return;
        };
        let at_ms = now_ms();
        let full = noted.len() >= MAX_NOTED;
        match noted.get_mut(access_key_id) {
            Some(u) => {
                u.at_ms = u.at_ms.max(at_ms);
                if u.service != service || u.region != region {
                    u.service = service.to_string();
                    u.region = region.to_string();
                }
            }
            None if !full => {
                let u = KeyUse {
                    at_ms,
                    service: service.to_string(),
                    region: region.to_string(),
                };
                noted.insert(access_key_id.to_string(), u);
            }
            None => {}
        }
    }

    /// The use of `access_key_id` noted here and not written yet.
    pub(crate) fn unwritten(&self, access_key_id: &str) -> Option<KeyUse> {
        self.noted.lock().ok()?.get(access_key_id).cloned()
    }

    /// Takes every noted use.
    fn take(&self) -> Vec<(String, KeyUse)> {
        match self.noted.lock() {
            Ok(mut noted) => noted.drain().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Writes the noted uses every [`FLUSH_EVERY`], for as long as the
    /// gateway runs. A batch that cannot be written is dropped (the next
    /// use notes the key again); a lost batch costs freshness, nothing
    /// else.
    pub(crate) fn write_periodically(self: Arc<Self>, objects: Arc<ObjectService>) {
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(FLUSH_EVERY);
            let mut failing = false;
            loop {
                tick.tick().await;
                let mut uses = self.take().into_iter().peekable();
                let mut failed = false;
                while uses.peek().is_some() {
                    let batch = uses.by_ref().take(PER_ENTRY).collect();
                    let op = MetaOp::KeysUsed { uses: batch };
                    failed |= objects.submit(op).await.is_err();
                }
                if failed != failing {
                    if failed {
                        tracing::warn!("access keys' last use could not be recorded; retried with the next uses");
                    } else {
                        tracing::info!("access keys' last use recorded again");
                    }
                    failing = failed;
                }
            }
        });
    }
}
