//! Each bucket's policy kept parsed by the gateway: a policy is parsed
//! once per change, not once per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::policy::Policy;
use crate::storage::meta::BucketRecord;

/// A bucket's policy, parsed, and whether it makes the bucket public
/// (`RestrictPublicBuckets` then lets only the owner in through it).
pub(crate) struct BucketPolicy {
    /// The parsed document.
    pub policy: Policy,
    /// [`Policy::is_public`], computed once.
    pub public: bool,
}

/// Each bucket's parsed policy, by bucket name, with the text it was
/// parsed from (a changed text is parsed again).
#[derive(Default)]
pub(crate) struct PolicyCache {
    parsed: Mutex<HashMap<String, (String, Arc<BucketPolicy>)>>,
}

impl PolicyCache {
    /// Parsed policies kept before the map is cleared.
    const MAX: usize = 4096;

    /// The bucket's parsed policy; `None` when it has none. A stored
    /// policy that no longer parses (it was checked when put) counts as
    /// none and is logged.
    pub(crate) fn of(&self, bucket: &BucketRecord) -> Option<Arc<BucketPolicy>> {
        let text = bucket.access.policy.as_deref()?;
        if let Ok(parsed) = self.parsed.lock() {
            if let Some((seen, policy)) = parsed.get(&bucket.name) {
                if seen == text {
                    return Some(policy.clone());
                }
            }
        }
        let policy = match Policy::parse(text, &bucket.name) {
            Ok(p) => Arc::new(BucketPolicy {
                public: p.is_public(),
                policy: p,
            }),
            Err(e) => {
                tracing::warn!(bucket = %bucket.name, error = %e, "stored bucket policy does not parse; ignored");
                return None;
            }
        };
        if let Ok(mut parsed) = self.parsed.lock() {
            if parsed.len() >= Self::MAX {
                parsed.clear();
            }
            parsed.insert(bucket.name.clone(), (text.to_string(), policy.clone()));
        }
        Some(policy)
    }
}
