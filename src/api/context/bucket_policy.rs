//! Each bucket's policy kept parsed by the gateway: a policy is parsed
//! once per change, not once per request. A stored policy that cannot be
//! parsed is kept as unreadable, which denies (fail closed): its Deny
//! statements must not vanish with it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::policy::Policy;
use crate::storage::meta::BucketRecord;

/// A bucket's policy, parsed, and whether it makes the bucket public
/// (`RestrictPublicBuckets` then lets only the owner in through it).
pub(crate) struct BucketPolicy {
    /// The parsed document; `None`: the stored text does not parse, and
    /// every request is denied but the owner's policy calls (so the owner
    /// can put a readable one).
    pub policy: Option<Policy>,
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
    /// policy that does not parse (it is checked when put) is answered
    /// unreadable, logged once per text and counted in
    /// `predastore_bucket_policies_unreadable`.
    pub(crate) fn of(&self, bucket: &BucketRecord) -> Option<Arc<BucketPolicy>> {
        let Some(text) = bucket.access.policy.as_deref() else {
            if crate::metrics::BUCKET_POLICIES_UNREADABLE.get() > 0 {
                self.forget_unreadable(&bucket.name);
            }
            return None;
        };
        if let Ok(parsed) = self.parsed.lock() {
            if let Some((seen, policy)) = parsed.get(&bucket.name) {
                if seen == text {
                    return Some(policy.clone());
                }
            }
        }
        let policy = Arc::new(match Policy::parse(text, &bucket.name) {
            Ok(p) => BucketPolicy {
                public: p.is_public(),
                policy: Some(p),
            },
            Err(e) => {
                tracing::error!(bucket = %bucket.name, error = %e, "stored bucket policy does not parse: every request to the bucket is denied until its owner puts a readable one");
                BucketPolicy {
                    policy: None,
                    public: false,
                }
            }
        });
        if let Ok(mut parsed) = self.parsed.lock() {
            if parsed.len() >= Self::MAX {
                parsed.clear();
            }
            parsed.insert(bucket.name.clone(), (text.to_string(), policy.clone()));
            let unreadable = parsed.values().filter(|(_, p)| p.policy.is_none()).count();
            crate::metrics::BUCKET_POLICIES_UNREADABLE.set(unreadable as i64);
        }
        Some(policy)
    }

    /// Forgets `bucket`'s policy, now gone, if it was an unreadable one.
    fn forget_unreadable(&self, bucket: &str) {
        if let Ok(mut parsed) = self.parsed.lock() {
            if parsed.get(bucket).is_some_and(|(_, p)| p.policy.is_none()) {
                parsed.remove(bucket);
                let unreadable = parsed.values().filter(|(_, p)| p.policy.is_none()).count();
                crate::metrics::BUCKET_POLICIES_UNREADABLE.set(unreadable as i64);
            }
        }
    }
}
