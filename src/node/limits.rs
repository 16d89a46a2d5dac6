//! The process limits a node depends on, raised where it may.

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Open files below which the start warns. Every WAL segment keeps its
/// file open (256 MiB of shards by default), as do fjall's tables and
/// every connection: a shell's or a container runtime's usual soft limit
/// of 1,024 stops a node holding a quarter of a TiB with "too many open
/// files"; this many serves about 4 TiB.
const OPEN_FILES_WANTED: u64 = 16_384;

/// Linux's own ceiling on open files (`fs.nr_open`'s default), for a hard
/// limit that reads as unlimited.
const OPEN_FILES_CEILING: u64 = 1 << 20;

/// Raises the soft open-file limit to the hard one (as Go programs do at
/// start), and says once what the node runs with.
pub(crate) fn raise_open_file_limit() {
    let before = getrlimit(Resource::Nofile);
    let hard = before.maximum.unwrap_or(OPEN_FILES_CEILING);
    let soft = before.current.unwrap_or(OPEN_FILES_CEILING);
    let limit = if soft < hard {
        let raised = Rlimit {
            current: Some(hard),
            maximum: before.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => {
                tracing::info!(from = soft, to = hard, "open-file limit raised");
                hard
            }
            Err(e) => {
                tracing::warn!(limit = soft, error = %e, "open-file limit could not be raised");
                soft
            }
        }
    } else {
        soft
    };
    if limit < OPEN_FILES_WANTED {
        tracing::warn!(
            limit,
            wanted = OPEN_FILES_WANTED,
            "open-file limit is low: every WAL segment keeps its file open; \
             raise the hard limit (ulimit -Hn, docker run --ulimit nofile=)"
        );
    }
}
