//! Any bytes in a segment file are scanned without a panic.
#![no_main]

use std::os::unix::fs::FileExt;

use libfuzzer_sys::fuzz_target;
use predastore::storage::segment::{create_segment, scan_segment, wal_dir};

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile_dir() else { return };
    let _ = std::fs::create_dir_all(wal_dir(&dir));
    if let Ok(file) = create_segment(&dir, 1, 0) {
        let _ = file.write_all_at(data, 32);
        let _ = scan_segment(&file, 1, 0);
    }
    let _ = std::fs::remove_dir_all(&dir);
});

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("predastore-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
