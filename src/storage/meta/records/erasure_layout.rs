//! How an object's (or part's) bytes are erasure coded: the shape format
//! 2 first wrote, still today's.

use serde::{Deserialize, Serialize};

/// How an object's (or part's) bytes are erasure coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureLayout {
    /// Data shards per stripe (k): any k shards of a stripe rebuild it.
    pub data: u8,
    /// Parity shards per stripe (m): how many shards a stripe may lose.
    pub parity: u8,
    /// Bytes of object data per stripe, split over the `data` shards.
    pub stripe_bytes: u32,
}
