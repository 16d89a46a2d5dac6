//! A gateway's short memory of per-bucket values (records, rules, usage):
//! what the many requests that only need to know whether a bucket exists,
//! has rules or a quota read instead of the metadata.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Values read within the last second, by bucket name: answers to the
/// many requests that only need to know whether a bucket has rules or a
/// quota at all. A change made through this gateway is forgotten at once;
/// one made through another is seen within the TTL.
pub(super) struct Recent<T> {
    seen: Mutex<HashMap<String, (Instant, T)>>,
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Recent<T> {
    /// How long a sighting counts.
    const TTL: Duration = Duration::from_secs(1);
    /// Sightings kept before the map is cleared.
    const MAX: usize = 4096;

    pub(super) fn get(&self, name: &str) -> Option<T> {
        let seen = self.seen.lock().ok()?;
        let (at, value) = seen.get(name)?;
        (at.elapsed() < Self::TTL).then(|| value.clone())
    }

    pub(super) fn forget(&self, name: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.remove(name);
        }
    }

    pub(super) fn insert(&self, name: &str, value: T) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= Self::MAX {
                seen.clear();
            }
            seen.insert(name.to_owned(), (Instant::now(), value));
        }
    }
}
