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
///
/// The journal is written plain: fjall compresses each value of 4 KiB or
/// more in it by default, on every replica for every small object kept
/// inline, though a journal file is deleted once its memtables are
/// flushed (the tables and blob files keep their compression). Each
/// journal item names its compression, so journals written before read
/// as they are.
pub(crate) fn fjall_builder(dir: &std::path::Path) -> fjall::DatabaseBuilder<fjall::Database> {
    fjall::Database::builder(dir)
        .cache_size(FJALL_CACHE_BYTES)
        .max_journaling_size(FJALL_JOURNAL_BYTES)
        .journal_compression(fjall::CompressionType::None)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A node restarting after an upgrade recovers a journal written
    /// compressed (fjall's default before) by a build that writes it plain.
    #[test]
    fn a_journal_written_compressed_is_recovered_by_a_plain_writer() -> Result<(), fjall::Error> {
        let dir = tempfile::tempdir().map_err(fjall::Error::from)?;
        let value = vec![b'a'; 16 << 10];
        {
            let db = fjall::Database::builder(dir.path())
                .journal_compression(fjall::CompressionType::Lz4)
                .open()?;
            let ks = db.keyspace("objects", keyspace_options)?;
            ks.insert("big", &value)?;
            ks.insert("small", "x")?;
            db.persist(fjall::PersistMode::SyncAll)?;
        }
        let db = fjall_builder(dir.path()).open()?;
        let ks = db.keyspace("objects", keyspace_options)?;
        assert_eq!(ks.get("big")?.as_deref(), Some(&value[..]));
        assert_eq!(ks.get("small")?.as_deref(), Some(&b"x"[..]));
        ks.insert("after", &value)?;
        assert_eq!(ks.get("after")?.as_deref(), Some(&value[..]));
        Ok(())
    }
}
