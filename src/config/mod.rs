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
//! [`console`] (the web console), [`encryption`] (master keys, SSE-C), [`identity`] (OpenID providers' keys), [`log`] (the default log filter);
//! `load` holds [`Config`] itself and reads the environment.

pub(crate) mod cluster;
pub(crate) mod console;
pub(crate) mod encryption;
mod error;
pub(crate) mod http;
pub(crate) mod identity;
mod load;
pub(crate) mod log;
pub(crate) mod objects;
pub(crate) mod tls;
pub(crate) mod transport;
pub(crate) mod upkeep;
mod validate;
pub(crate) mod values;
pub(crate) mod wal;

#[cfg(test)]
mod tests;

pub(crate) use console::ConsoleListen;
pub(crate) use error::ConfigError;
pub(crate) use http::NewBucketDefaults;
pub use load::Config;
pub(crate) use log::is_raft_peer_noise;
pub(crate) use tls::TlsSource;
