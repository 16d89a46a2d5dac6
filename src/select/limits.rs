//! S3 Select's limits, as AWS sets them.

/// The longest record read (1 MiB).
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;

/// The longest expression taken (256 KiB).
pub(crate) const MAX_EXPRESSION_BYTES: usize = 256 * 1024;
