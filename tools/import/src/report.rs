//! What an import did: per key, per bucket and in all (the summary, as a
//! table or JSON), and the progress line a terminal shows meanwhile.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use predastore::client::{bytes, table};

/// Something not carried, or a call that failed, and where.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub(super) struct Problem {
    /// The bucket.
    pub(super) bucket: String,
    /// The key, if it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) key: Option<String>,
    /// The source's version id, if it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) version_id: Option<String>,
    /// Why.
    pub(super) reason: String,
}

impl Problem {
    /// About a bucket (one of its settings).
    pub(super) fn of_bucket(bucket: &str, reason: String) -> Self {
        Self {
            bucket: bucket.to_string(),
            key: None,
            version_id: None,
            reason,
        }
    }

    /// About a key.
    pub(super) fn of_key(bucket: &str, key: &str, reason: String) -> Self {
        Self {
            key: Some(key.to_string()),
            ..Self::of_bucket(bucket, reason)
        }
    }

    /// About one version of a key.
    pub(super) fn of_version(bucket: &str, key: &str, version_id: &str, reason: String) -> Self {
        Self {
            version_id: Some(version_id.to_string()),
            ..Self::of_key(bucket, key, reason)
        }
    }
}

/// What carrying one key did.
#[derive(Debug, Default)]
pub(super) struct KeyReport {
    /// The key.
    pub(super) key: String,
    /// Versions written here.
    pub(super) versions: u64,
    /// Delete markers written here.
    pub(super) delete_markers: u64,
    /// Bytes of the versions written.
    pub(super) bytes: u64,
    /// Versions found already here (a rerun).
    pub(super) already_here: u64,
    /// Versions the source would not give.
    pub(super) not_carried: Vec<Problem>,
    /// The call that stopped this key.
    pub(super) failed: Vec<Problem>,
}

impl KeyReport {
    /// Nothing done yet for `key`.
    pub(super) fn new(key: &str) -> Self {
        Self {
            key: key.to_string(),
            ..Self::default()
        }
    }
}

/// One bucket's part of the summary.
#[derive(Serialize, Debug, Default)]
pub(super) struct BucketReport {
    /// The bucket.
    pub(super) name: String,
    /// Versions written here.
    pub(super) versions: u64,
    /// Delete markers written here.
    pub(super) delete_markers: u64,
    /// Bytes written.
    pub(super) bytes: u64,
    /// Versions found already here (carried by an earlier run).
    pub(super) already_here: u64,
    /// Settings carried (`versioning`, `policy`, …).
    pub(super) settings: Vec<String>,
    /// Carried in full by an earlier run: nothing was done.
    pub(super) already_done: bool,
}

impl BucketReport {
    /// Adds a key's figures.
    pub(super) fn add(&mut self, key: &KeyReport) {
        self.versions += key.versions;
        self.delete_markers += key.delete_markers;
        self.bytes += key.bytes;
        self.already_here += key.already_here;
    }
}

/// The whole import's answer.
#[derive(Serialize, Debug, Default)]
pub(super) struct Summary {
    /// Per bucket, in the order carried.
    pub(super) buckets: Vec<BucketReport>,
    /// Versions written here in all.
    pub(super) versions: u64,
    /// Delete markers written here in all.
    pub(super) delete_markers: u64,
    /// Bytes written in all.
    pub(super) bytes: u64,
    /// Seconds the run took.
    pub(super) seconds: f64,
    /// What the source holds that has no place here, or that it would
    /// not give, with why.
    pub(super) not_carried: Vec<Problem>,
    /// Calls that failed: a rerun takes these up (exit code 1).
    pub(super) failed: Vec<Problem>,
}

impl Summary {
    /// Adds a bucket's figures.
    pub(super) fn add(&mut self, bucket: BucketReport) {
        self.versions += bucket.versions;
        self.delete_markers += bucket.delete_markers;
        self.bytes += bucket.bytes;
        self.buckets.push(bucket);
    }
}

/// The summary for people.
pub(super) fn render(summary: &serde_json::Value) -> String {
    let number = |v: &serde_json::Value| v.as_u64().unwrap_or_default();
    let rows: Vec<Vec<String>> = summary["buckets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|b| {
            let settings: Vec<&str> = b["settings"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.as_str())
                .collect();
            vec![
                b["name"].as_str().unwrap_or_default().to_string(),
                number(&b["versions"]).to_string(),
                number(&b["delete_markers"]).to_string(),
                bytes(number(&b["bytes"])),
                if b["already_done"].as_bool() == Some(true) {
                    "all (earlier run)".to_string()
                } else {
                    number(&b["already_here"]).to_string()
                },
                settings.join(", "),
            ]
        })
        .collect();
    let mut out = table(
        &[
            "BUCKET",
            "VERSIONS",
            "DELETE MARKERS",
            "BYTES",
            "ALREADY HERE",
            "SETTINGS",
        ],
        &rows,
    );
    out.push_str(&format!(
        "carried {} versions and {} delete markers ({}) in {:.1} s\n",
        number(&summary["versions"]),
        number(&summary["delete_markers"]),
        bytes(number(&summary["bytes"])),
        summary["seconds"].as_f64().unwrap_or_default()
    ));
    for (title, list) in [("not carried", "not_carried"), ("failed", "failed")] {
        let problems = summary[list]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if !problems.is_empty() {
            out.push_str(&format!("{title}:\n"));
        }
        for p in problems {
            let mut at = p["bucket"].as_str().unwrap_or_default().to_string();
            if let Some(key) = p["key"].as_str() {
                at = format!("{at}/{key}");
            }
            if let Some(version) = p["version_id"].as_str() {
                at = format!("{at} (version {version})");
            }
            out.push_str(&format!(
                "  {at}: {}\n",
                p["reason"].as_str().unwrap_or_default()
            ));
        }
    }
    out
}

/// Counters of work done and to do, shared by the workers.
#[derive(Clone, Default)]
pub(super) struct Progress {
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    versions_done: AtomicU64,
    bytes_done: AtomicU64,
    versions_total: AtomicU64,
    bytes_total: AtomicU64,
}

impl Progress {
    /// A version handled (written, found here or given up on).
    pub(super) fn done(&self, bytes: u64) {
        self.counters.versions_done.fetch_add(1, Ordering::Relaxed);
        self.counters.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }

    /// More work found (a bucket counted before it is carried).
    pub(super) fn to_do(&self, versions: u64, bytes: u64) {
        self.counters
            .versions_total
            .fetch_add(versions, Ordering::Relaxed);
        self.counters
            .bytes_total
            .fetch_add(bytes, Ordering::Relaxed);
    }

    /// The progress line: done of total, rate and time left.
    fn line(&self, elapsed: Duration) -> String {
        let c = &self.counters;
        let (versions, done) = (
            c.versions_done.load(Ordering::Relaxed),
            c.bytes_done.load(Ordering::Relaxed),
        );
        let total = c.bytes_total.load(Ordering::Relaxed);
        let rate = done as f64 / elapsed.as_secs_f64().max(0.001);
        let eta = if rate > 0.0 && total > done {
            let secs = ((total - done) as f64 / rate) as u64;
            format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
        } else {
            "-".to_string()
        };
        format!(
            "{versions}/{} versions  {}/{}  {}/s  ETA {eta}",
            c.versions_total.load(Ordering::Relaxed),
            bytes(done),
            bytes(total),
            bytes(rate as u64),
        )
    }

    /// Redraws the progress line on stderr every half second until the
    /// returned guard is dropped (which clears it).
    pub(super) fn show(&self) -> ProgressLine {
        let progress = self.clone();
        let start = Instant::now();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{}", progress.line(start.elapsed()));
                let _ = err.flush();
            }
        });
        ProgressLine(task)
    }
}

/// The redrawing task of [`Progress::show`].
pub(super) struct ProgressLine(tokio::task::JoinHandle<()>);

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.0.abort();
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_lists_buckets_totals_and_problems() {
        let mut summary = Summary::default();
        let mut photos = BucketReport {
            name: "photos".into(),
            settings: vec!["versioning".into(), "policy".into()],
            ..BucketReport::default()
        };
        photos.add(&KeyReport {
            versions: 3,
            delete_markers: 1,
            bytes: 2048,
            ..KeyReport::default()
        });
        summary.add(photos);
        summary
            .not_carried
            .push(Problem::of_version("photos", "a", "v1", "SSE-C".into()));
        let text = render(&serde_json::to_value(&summary).expect("json"));
        assert!(text.contains("photos"), "{text}");
        assert!(text.contains("versioning, policy"), "{text}");
        assert!(
            text.contains("carried 3 versions and 1 delete markers (2.0 KiB)"),
            "{text}"
        );
        assert!(text.contains("photos/a (version v1): SSE-C"), "{text}");
        assert!(!text.contains("failed:"), "{text}");
    }

    #[test]
    fn the_progress_line_tells_rate_and_time_left() {
        let progress = Progress::default();
        progress.to_do(4, 4096);
        progress.done(1024);
        let line = progress.line(Duration::from_secs(1));
        assert!(
            line.starts_with("1/4 versions  1.0 KiB/4.0 KiB  1.0 KiB/s  ETA 0:00:03"),
            "{line}"
        );
    }
}
