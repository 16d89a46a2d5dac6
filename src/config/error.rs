//! The one error a setting can raise: a message that names the variable.
//!
//! Kept apart so every concern's file can return it without importing the
//! facade that re-exports them all.

/// A setting that cannot be used; the message starts with the
/// `PREDASTORE_*` variable to fix (e.g. `PREDASTORE_EC: "2x1" is not
/// data+parity`), and start-up prints it and exits.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);
