//! Whether a volume's directory can take writes now: a small file written,
//! synced and removed in it. A directory that is gone (a disk unmounted, a
//! directory moved away) fails the probe and is never created again here,
//! so a lost disk is not silently replaced by an empty directory on
//! whatever disk is underneath.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The file a probe writes and removes.
pub(crate) const PROBE_FILE: &str = ".predastore-probe";

/// Bytes a probe writes: one filesystem block.
const PROBE_BYTES: usize = 4096;

/// Writes, syncs and removes a probe file in `dir`; the I/O error that
/// stopped it (`NotFound` for a directory that is gone).
pub(crate) fn probe_volume(dir: &Path) -> io::Result<()> {
    if !fs::metadata(dir)?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            "the volume path is not a directory",
        ));
    }
    let path = dir.join(PROBE_FILE);
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)?;
    file.write_all(&[0u8; PROBE_BYTES])?;
    file.sync_all()?;
    drop(file);
    fs::remove_file(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writable_directory_passes_and_keeps_nothing() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        probe_volume(dir.path())?;
        assert_eq!(fs::read_dir(dir.path())?.count(), 0);
        Ok(())
    }

    #[test]
    fn a_directory_that_is_gone_fails_and_is_not_created() -> io::Result<()> {
        let parent = tempfile::tempdir()?;
        let gone = parent.path().join("vol0");
        let err = probe_volume(&gone).expect_err("no directory");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!gone.exists(), "the probe must not create the volume");
        Ok(())
    }

    #[test]
    fn a_file_in_place_of_the_directory_fails() -> io::Result<()> {
        let parent = tempfile::tempdir()?;
        let file = parent.path().join("vol0");
        fs::write(&file, b"not a volume")?;
        assert!(probe_volume(&file).is_err());
        Ok(())
    }
}
