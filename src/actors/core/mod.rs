//! The actors the object service calls: the metadata group (consensus),
//! the per-volume WAL writers and their syncer, the connection pool, the
//! hash ring, and the scrubber that checks stored shards. None of them
//! uses the object service.

pub(crate) mod consensus;
pub(crate) mod pool;
pub(crate) mod ring;
pub(crate) mod scrub;
pub(crate) mod syncer;
pub(crate) mod throttle;
pub(crate) mod wal;
