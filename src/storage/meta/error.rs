//! The metadata store's own failures ([`MetaError`]), kept apart from an
//! op's refusal (`MetaOpError` in `ops`): a refusal is the op's result and
//! the batch goes on, a `MetaError` stops the batch and the node's apply.

/// A failure of the metadata store itself, as opposed to a refused op.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// fjall failed (I/O, a full disk, a damaged journal).
    #[error("metadata store error: {0}")]
    Store(#[from] fjall::Error),
    /// Reading or writing a snapshot stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A stored key or value does not decode.
    #[error("metadata is damaged: {0}")]
    Corrupt(&'static str),
    /// A record could not be serialized (not expected to happen).
    #[error("cannot encode {0}")]
    Encode(&'static str),
    /// A batch was offered at or below the last applied log index; it was
    /// already applied (or the caller lost track), so nothing was done.
    #[error("log index {index} is not after the last applied index {last_applied}")]
    StaleLogIndex {
        /// Log index of the batch that was offered.
        index: u64,
        /// The last log index the store has applied.
        last_applied: u64,
    },
    /// A snapshot stream is malformed.
    #[error("bad metadata snapshot: {0}")]
    BadSnapshot(&'static str),
    /// A snapshot is being imported into a store that already has data.
    #[error("cannot import a snapshot into a non-empty metadata store")]
    NotEmpty,
}
