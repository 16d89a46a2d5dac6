//! Step 4 of the `scale` phase: whole-bucket walks with ListObjectsV2 and
//! ListObjectVersions, every page checked against the keys stored.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::{ms, scale_key, Retry, Scale, Shower, ERRORS_SHOWN, PREFIX, RETRY_FOR};
use crate::lifecycle::ratio;
use crate::report::{describe, percentile, result};
use crate::BoxError;

/// Which listing walks the bucket.
#[derive(Clone, Copy)]
pub(super) enum Listing {
    /// ListObjectsV2 (`scale_list_*`).
    V2,
    /// ListObjectVersions (`scale_list_versions_*`).
    Versions,
}

impl Listing {
    /// Its name in progress lines.
    fn name(self) -> &'static str {
        match self {
            Listing::V2 => "ListObjectsV2",
            Listing::Versions => "ListObjectVersions",
        }
    }

    /// The start of its RESULT names.
    fn result_name(self) -> &'static str {
        match self {
            Listing::V2 => "scale_list",
            Listing::Versions => "scale_list_versions",
        }
    }
}

/// Where a listing's next page starts.
enum Cursor {
    /// At the start (or, after a page, nowhere: it was the last).
    Start,
    /// ListObjectsV2's continuation token.
    Token(String),
    /// ListObjectVersions' key and version markers.
    Markers(String, Option<String>),
    /// A truncated page named no next page.
    Broken,
}

/// A listing page: its keys, in order, and where the next one starts.
struct Page {
    keys: Vec<String>,
    next: Cursor,
}

impl Scale {
    /// Step 4: lists `scale/` to its end with `listing`; the number of
    /// errors (a page that failed every try, keys missing, extra or out of
    /// order).
    pub(super) async fn list_walk(&self, listing: Listing) -> Result<u64, BoxError> {
        let mut expected = 0..self.s.objects;
        let pages = Arc::new(AtomicU64::new(0));
        let keys = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let shower = {
            let (pages, keys) = (pages.clone(), keys.clone());
            Shower::start(move || {
                format!(
                    "[scale] {}: {:.0} s, {} pages, {} keys",
                    listing.name(),
                    started.elapsed().as_secs_f64(),
                    pages.load(Ordering::Relaxed),
                    keys.load(Ordering::Relaxed)
                )
            })
        };
        let (mut latencies, mut cursor, mut errors) = (Vec::new(), Cursor::Start, 0u64);
        let mut wrong = 0u64;
        loop {
            let mut answer = None;
            let mut retry = Retry::new();
            for attempt in 1.. {
                match self.list_page(listing, &cursor).await {
                    Ok(page) => {
                        latencies.push(retry.started.elapsed());
                        answer = Some(page);
                        break;
                    }
                    Err(e) => eprintln!(
                        "[scale] {} page {} (try {attempt}): {e}",
                        listing.name(),
                        pages.load(Ordering::Relaxed) + 1,
                    ),
                }
                if !retry.wait().await {
                    break;
                }
            }
            let Some(page) = answer else {
                errors += 1;
                eprintln!(
                    "[scale] error: the listing stopped after {} s of failed tries",
                    RETRY_FOR.as_secs()
                );
                break;
            };
            pages.fetch_add(1, Ordering::Relaxed);
            for key in &page.keys {
                keys.fetch_add(1, Ordering::Relaxed);
                let want = expected.next().map(scale_key);
                if Some(key.as_str()) != want.as_deref() {
                    wrong += 1;
                    if wrong <= ERRORS_SHOWN {
                        eprintln!("[scale] error: listed {key:?} where {want:?} was expected");
                    }
                }
            }
            match page.next {
                Cursor::Start => break,
                Cursor::Broken => {
                    errors += 1;
                    eprintln!("[scale] error: a truncated page without its next marker");
                    break;
                }
                next => cursor = next,
            }
        }
        let walk = started.elapsed();
        drop(shower);
        let missing = expected.count() as u64;
        if missing > 0 {
            eprintln!("[scale] error: {missing} stored keys were not listed");
        }
        let (pages, keys) = (pages.load(Ordering::Relaxed), keys.load(Ordering::Relaxed));
        latencies.sort_unstable();
        let secs = walk.as_secs_f64();
        let name = listing.result_name();
        eprintln!(
            "[scale] {} listed {keys} keys in {pages} pages in {secs:.2} s",
            listing.name()
        );
        result(&format!("{name}_walk_s"), secs, "s");
        let per_s = |n: u64| ratio(n as f64, secs);
        result(&format!("{name}_pages_s"), per_s(pages), "pages/s");
        result(&format!("{name}_keys_s"), per_s(keys), "keys/s");
        println!("RESULT {name}_keys {keys} count");
        for (p, label) in [(50.0, "p50"), (99.0, "p99")] {
            let latency = ms(percentile(&latencies, p));
            result(&format!("{name}_page_{label}_ms"), latency, "ms");
        }
        Ok(errors + wrong + missing)
    }

    /// One page of `listing` from `cursor`: its keys, and where the next
    /// one starts ([`Cursor::Start`] after the last page).
    async fn list_page(&self, listing: Listing, cursor: &Cursor) -> Result<Page, String> {
        match listing {
            Listing::V2 => {
                let token = match cursor {
                    Cursor::Token(t) => Some(t.clone()),
                    _ => None,
                };
                let out = self
                    .client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(PREFIX)
                    .set_continuation_token(token)
                    .send()
                    .await
                    .map_err(|e| describe(&e))?;
                let next = match (out.is_truncated(), out.next_continuation_token()) {
                    (Some(true), Some(t)) => Cursor::Token(t.to_owned()),
                    (Some(true), None) => Cursor::Broken,
                    _ => Cursor::Start,
                };
                let keys = out.contents().iter().filter_map(|o| o.key());
                Ok(Page {
                    keys: keys.map(str::to_owned).collect(),
                    next,
                })
            }
            Listing::Versions => {
                let (key, version) = match cursor {
                    Cursor::Markers(k, v) => (Some(k.clone()), v.clone()),
                    _ => (None, None),
                };
                let out = self
                    .client
                    .list_object_versions()
                    .bucket(&self.bucket)
                    .prefix(PREFIX)
                    .set_key_marker(key)
                    .set_version_id_marker(version)
                    .send()
                    .await
                    .map_err(|e| describe(&e))?;
                let next = match (out.is_truncated(), out.next_key_marker()) {
                    (Some(true), Some(k)) => Cursor::Markers(
                        k.to_owned(),
                        out.next_version_id_marker().map(str::to_owned),
                    ),
                    (Some(true), None) => Cursor::Broken,
                    _ => Cursor::Start,
                };
                // Nothing was overwritten or deleted: one version per key,
                // and a delete marker is a wrong key.
                let versions = out.versions().iter().filter_map(|v| v.key());
                let mut keys: Vec<String> = versions.map(str::to_owned).collect();
                let markers = out.delete_markers().iter().filter_map(|m| m.key());
                keys.extend(markers.map(|k| format!("delete marker {k}")));
                Ok(Page { keys, next })
            }
        }
    }
}
