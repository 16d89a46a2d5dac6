//! Disk damage: segment files of a store's volumes, and garbage written
//! into them.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Every `*.seg` file under `dir` (recursively).
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(segment_files(&path));
        } else if path.extension().is_some_and(|e| e == "seg") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Overwrites bytes with garbage in every 64 KiB window of every segment
/// file under `volume_dir` that holds any data: 64 bytes at offset
/// 37 KiB into the window, each XORed with a non-zero byte so every one
/// changes. The first 4 KiB of a segment (its header) are left alone.
/// Returns the number of windows damaged.
pub fn corrupt_segments(volume_dir: &Path) -> usize {
    const WINDOW: u64 = 64 * 1024;
    const AT: u64 = 37 * 1024;
    const LEN: usize = 64;
    let mut damaged = 0;
    for path in segment_files(volume_dir) {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let size = file.metadata().expect("segment metadata").len();
        let mut window = vec![0u8; WINDOW as usize];
        let mut start = 0;
        while start + AT + LEN as u64 <= size {
            let n = file.read_at(&mut window, start).expect("read segment");
            if window[..n].iter().any(|&b| b != 0) {
                let mut garbage = [0u8; LEN];
                file.read_exact_at(&mut garbage, start + AT)
                    .expect("read segment");
                for (i, b) in garbage.iter_mut().enumerate() {
                    *b ^= 0x5a ^ (i as u8 & 0x0f);
                }
                file.write_all_at(&garbage, start + AT)
                    .expect("damage segment");
                damaged += 1;
            }
            start += WINDOW;
        }
        file.sync_all().expect("sync damaged segment");
    }
    damaged
}
