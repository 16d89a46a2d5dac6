//! Disk space of segment files: what is allocated, and when.
//!
//! A segment file is created sparse at its full size; the blocks a shard's
//! records need are allocated when the shard reserves them (so a full disk
//! fails the shard before any byte is streamed, not half way), and the
//! payload blocks of a write that is given up are punched out at once (its
//! records stay, their headers intact, for recovery to step over). So the
//! space a volume takes on disk follows what it holds, as an operator
//! watching `df` expects, and not a segment size per volume.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;

use rustix::fs::{fallocate, FallocateFlags};
use rustix::io::Errno;

/// A byte range of a segment file: the payload blocks of one record.
#[derive(Clone, Debug)]
pub(super) struct Region {
    pub(super) file: std::sync::Arc<File>,
    pub(super) offset: u64,
    pub(super) len: u64,
}

/// Whether `e` says the filesystem cannot do this kind of `fallocate`
/// (then files are simply sparse, as without this module).
fn unsupported(e: Errno) -> bool {
    e == Errno::OPNOTSUPP || e == Errno::NOSYS
}

/// Allocates the blocks of `region` without changing the file's size or
/// content; a full disk is an error, a filesystem without `fallocate` is not.
pub(super) fn allocate(region: &Region) -> io::Result<()> {
    if region.len == 0 {
        return Ok(());
    }
    match fallocate(
        &*region.file,
        FallocateFlags::KEEP_SIZE,
        region.offset,
        region.len,
    ) {
        Err(e) if !unsupported(e) => Err(e.into()),
        _ => Ok(()),
    }
}

/// Gives the blocks of `region` back to the filesystem (they read as
/// zeros from then on); best effort: where holes cannot be punched, the
/// space comes back when compaction deletes the segment.
pub(super) fn release(region: &Region) {
    if region.len == 0 {
        return;
    }
    let flags = FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE;
    if let Err(e) = fallocate(&*region.file, flags, region.offset, region.len) {
        if !unsupported(e) {
            tracing::warn!(error = %e, "could not give an abandoned write's space back");
        }
    }
}

/// Bytes the filesystem has allocated to `file` (what `du` counts).
pub(super) fn allocated_bytes(file: &File) -> u64 {
    file.metadata().map_or(0, |m| m.blocks() * 512)
}
