//! Process configuration, read from `PREDASTORE_*` environment variables.
//!
//! Every setting has a default that works on a laptop; README's
//! configuration table lists them all. A bad value stops start-up with a
//! message naming the variable: settings written as text are parsed into
//! their types (`values`) as they load, and checks across settings run
//! right after (`validate`), so the accessors of the parsed settings
//! cannot fail.
//!
//! One file per concern, each with its section of [`Config`]: [`http`]
//! (the S3 listener), [`wal`] (volumes and syncing), [`transport`] (QUIC),
//! [`cluster`] (members, metadata timing), [`objects`] (erasure coding and
//! limits), [`upkeep`] (scrub, repair, rebalance), [`tls`] (certificates),
//! [`console`] (the web console), [`log`] (the default log filter);
//! `load` holds [`Config`] itself and reads the environment.

pub mod cluster;
pub mod console;
mod error;
pub mod http;
mod load;
pub mod log;
pub mod objects;
pub mod tls;
pub mod transport;
pub mod upkeep;
mod validate;
pub(crate) mod values;
pub mod wal;

#[cfg(test)]
mod tests;

pub use console::ConsoleListen;
pub use error::ConfigError;
pub use load::Config;
pub use log::{is_raft_peer_noise, DEFAULT_LOG};
pub use objects::MAX_INLINE_BYTES;
pub use tls::TlsSource;
pub use values::{ErasureSpec, HumanDuration, NodeList, Roles, Volumes};
