//! Where an import stands, kept in a file so a killed import goes on where
//! it was instead of starting over or writing a version twice.
//!
//! Per bucket it keeps two keys: the `watermark`, up to which every key
//! was carried whole, and the `frontier`, the last key any work was started
//! on (written *before* that work starts). On a rerun keys up to the
//! watermark are skipped without a request, keys after the frontier are
//! new, and the keys between are checked against this store: their
//! versions already here are not written again.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ImportError;

/// The state file's format version.
const STATE_VERSION: u8 = 1;

/// One bucket's position.
#[derive(Serialize, Deserialize, Debug, Default, Clone, PartialEq)]
pub(super) struct BucketPosition {
    /// Every version of every key up to this one is here.
    #[serde(default)]
    pub(super) watermark: Option<String>,
    /// No key after this one was touched.
    #[serde(default)]
    pub(super) frontier: Option<String>,
    /// Objects and settings carried in full: a rerun skips the bucket.
    #[serde(default)]
    pub(super) done: bool,
}

/// The whole file.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct StateFile {
    /// [`STATE_VERSION`].
    version: u8,
    /// The source endpoint: a file of another source is refused.
    source: String,
    /// Positions by bucket name.
    buckets: BTreeMap<String, BucketPosition>,
}

/// The state of one import, written through to its file.
pub(super) struct ImportState {
    path: PathBuf,
    file: StateFile,
}

impl ImportState {
    /// Reads `path`, or starts afresh if there is none. A file that cannot
    /// be read, of another format version or of another source is refused
    /// (going on from a wrong position could write versions twice).
    pub(super) fn load(path: &Path, source: &str) -> Result<Self, ImportError> {
        let refuse = |message: String| ImportError::State {
            path: path.display().to_string(),
            message,
        };
        let file = match std::fs::read(path) {
            Ok(bytes) => parse(&bytes, source).map_err(refuse)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile {
                version: STATE_VERSION,
                source: source.to_string(),
                buckets: BTreeMap::new(),
            },
            Err(e) => return Err(refuse(e.to_string())),
        };
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Where `bucket` stands (nothing done yet if it is new).
    pub(super) fn position(&self, bucket: &str) -> BucketPosition {
        self.file.buckets.get(bucket).cloned().unwrap_or_default()
    }

    /// Records `bucket`'s position and writes the file (a new file synced,
    /// then renamed over the old: a kill leaves one or the other whole).
    pub(super) fn save(
        &mut self,
        bucket: &str,
        position: BucketPosition,
    ) -> Result<(), ImportError> {
        self.file.buckets.insert(bucket.to_string(), position);
        let refuse = |e: std::io::Error| ImportError::State {
            path: self.path.display().to_string(),
            message: e.to_string(),
        };
        let bytes = serde_json::to_vec_pretty(&self.file).map_err(|e| refuse(e.into()))?;
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".new");
        let temporary = PathBuf::from(temporary);
        let mut f = std::fs::File::create(&temporary).map_err(refuse)?;
        f.write_all(&bytes).map_err(refuse)?;
        f.sync_all().map_err(refuse)?;
        std::fs::rename(&temporary, &self.path).map_err(refuse)
    }
}

/// A state file's bytes, checked.
fn parse(bytes: &[u8], source: &str) -> Result<StateFile, String> {
    let file: StateFile = serde_json::from_slice(bytes)
        .map_err(|e| format!("not an import state file ({e}); remove it to start over"))?;
    if file.version != STATE_VERSION {
        return Err(format!(
            "format version {} (this release reads {STATE_VERSION})",
            file.version
        ));
    }
    if file.source != source {
        return Err(format!(
            "kept for the source {}, not {source}: give another --state",
            file.source
        ));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "http://127.0.0.1:9000";

    #[test]
    fn a_position_written_reads_back_from_the_file() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("import.json");
        let mut state = ImportState::load(&path, SOURCE).expect("a new state");
        assert_eq!(state.position("photos"), BucketPosition::default());
        let position = BucketPosition {
            watermark: Some("a/b".into()),
            frontier: Some("c".into()),
            done: false,
        };
        state.save("photos", position.clone()).expect("saved");
        let again = ImportState::load(&path, SOURCE).expect("read back");
        assert_eq!(again.position("photos"), position);
        assert_eq!(again.position("other"), BucketPosition::default());
    }

    #[test]
    fn a_corrupt_file_another_version_or_another_source_is_refused() {
        assert!(parse(b"{\"version\":1,\"sour", SOURCE)
            .expect_err("cut")
            .contains("not an import state file"));
        let other_version = format!("{{\"version\":2,\"source\":\"{SOURCE}\",\"buckets\":{{}}}}");
        assert!(parse(other_version.as_bytes(), SOURCE)
            .expect_err("version 2")
            .contains("format version 2"));
        let other_source = "{\"version\":1,\"source\":\"http://minio:9000\",\"buckets\":{}}";
        assert!(parse(other_source.as_bytes(), SOURCE)
            .expect_err("another source")
            .contains("another --state"));
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("import.json");
        std::fs::write(&path, b"\xff\x00garbage").expect("written");
        assert!(matches!(
            ImportState::load(&path, SOURCE),
            Err(ImportError::State { .. })
        ));
    }
}
