//! How every fjall store of a node is opened: the shard index, the Raft
//! log and the metadata share one memory budget and one persist mode.

/// Block cache of each fjall store of a node (it has up to three: shard
/// index, Raft log, metadata); fjall's default is 32 MiB each.
const FJALL_CACHE_BYTES: u64 = 16 << 20;

/// Size a keyspace's memtable reaches before it is flushed (fjall's
/// default is 64 MiB). Small objects kept inline pass through both the
/// Raft log and the object keyspace, so large memtables would hold
/// hundreds of MiB of them in memory.
const FJALL_MEMTABLE_BYTES: u64 = 8 << 20;

/// Journal bytes a fjall store keeps at most (fjall's default is 512 MiB,
/// its least 64 MiB). A journal file goes only once every keyspace's
/// memtable holding its writes is flushed; keyspaces written a little at
/// a time (usage, applied ops) keep old journals alive until this bound
/// forces their flush, so it is disk the node holds for nothing.
const FJALL_JOURNAL_BYTES: u64 = 64 << 20;

/// Opens a fjall store within the node's memory budget, with one
/// background worker (flush and compaction). With more than one, fjall
/// 3.1's first worker hands compaction requests back to the shared queue
/// and, while the others are busy, takes them again at once: a busy loop
/// that cost a fifth of the CPU under sustained small PUTs.
pub(crate) fn fjall_builder(dir: &std::path::Path) -> fjall::DatabaseBuilder<fjall::Database> {
    fjall::Database::builder(dir)
        .cache_size(FJALL_CACHE_BYTES)
        .max_journaling_size(FJALL_JOURNAL_BYTES)
        .worker_threads(1)
}

/// Options of every keyspace predastore creates. Every level's blocks
/// are LZ4-compressed (fjall's default leaves the first two plain, and
/// below some hundred million records that is nearly all the data):
/// records repeat their bucket, owner and header names, and keys share
/// prefixes, at a cost of some microseconds per 4 KiB block read.
/// A keyspace keeps the options it was created with.
pub(crate) fn keyspace_options() -> fjall::KeyspaceCreateOptions {
    use fjall::config::CompressionPolicy;
    use fjall::CompressionType;
    fjall::KeyspaceCreateOptions::default()
        .max_memtable_size(FJALL_MEMTABLE_BYTES)
        .data_block_compression_policy(CompressionPolicy::all(CompressionType::Lz4))
}

/// fjall's persist mode for "make it durable" (`sync`) or "hand it to the
/// OS" (`!sync`), shared by every fjall store of the node.
pub(crate) fn persist_mode(sync: bool) -> fjall::PersistMode {
    if sync {
        fjall::PersistMode::SyncData
    } else {
        fjall::PersistMode::Buffer
    }
}
