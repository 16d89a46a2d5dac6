//! The process's log: `PREDASTORE_LOG` as the filter, minus openraft's
//! per-retry noise and clients' own HTTP errors (which the client-error
//! layer counts and samples instead).

use std::io::IsTerminal;

use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

use crate::api::client_errors::{is_http_client_error, ClientErrorLayer};
use crate::config::{is_raft_peer_noise, Config};

/// Installs the global subscriber; a filter that does not parse falls back
/// to `info`.
pub fn init(cfg: &Config) {
    let filter = EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                // Colours only for a person at a terminal, never in files
                // or log collectors.
                .with_ansi(std::io::stdout().is_terminal())
                .with_filter(filter.and(filter_fn(|m| {
                    !is_raft_peer_noise(m) && !is_http_client_error(m)
                }))),
        )
        // Filtered to the events it counts: a layer without a filter makes
        // every callsite of every crate live at every level, so each
        // `debug!` and `trace!` (openraft's per-message summaries, spans)
        // would be built and dispatched only to be dropped.
        .with(ClientErrorLayer.with_filter(filter_fn(is_http_client_error)))
        .init();
}
