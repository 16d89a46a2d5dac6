//! The web console's settings: where it listens (by role and choice) and
//! the links it shows.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::values::Roles;

/// Where the web console listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleListen {
    /// No console.
    Off,
    /// The default address: a taken port is a warning, not an error.
    Default(SocketAddr),
    /// The address asked for: a taken port stops start-up.
    At(SocketAddr),
}

/// The console's address and links, as written.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsoleConfig {
    /// `PREDASTORE_CONSOLE_LISTEN`: the web console's TCP address, or `off`.
    /// Default unset: `127.0.0.1:9001` for the `all` role (skipped with a
    /// warning when that port is taken), off for the other roles.
    pub console_listen: Option<String>,
    /// `PREDASTORE_CONSOLE_S3_URL`: the S3 endpoint as browsers reach it
    /// (`scheme://host:port`), for the console's share links. Default
    /// unset: the console's own host name with the S3 listener's port.
    pub console_s3_url: Option<String>,
    /// `PREDASTORE_GRAFANA_URL`: a Grafana the console links to. Default
    /// unset: no link.
    pub grafana_url: Option<String>,
}

impl ConsoleConfig {
    /// Where the web console listens for a process of these roles (only a
    /// gateway serves one).
    pub fn listen(&self, role: Roles) -> Result<ConsoleListen, ConfigError> {
        let value = self.console_listen.as_deref().map(str::trim);
        match value {
            _ if !role.gateway => Ok(ConsoleListen::Off),
            Some("off") => Ok(ConsoleListen::Off),
            Some(v) if !v.is_empty() => v.parse().map(ConsoleListen::At).map_err(|_| {
                ConfigError(format!(
                    "PREDASTORE_CONSOLE_LISTEN: {v:?} is neither an address (host:port) nor off"
                ))
            }),
            _ if role == Roles::ALL => Ok(ConsoleListen::Default(SocketAddr::from((
                [127, 0, 0, 1],
                9001,
            )))),
            _ => Ok(ConsoleListen::Off),
        }
    }

    /// `PREDASTORE_CONSOLE_S3_URL` and `PREDASTORE_GRAFANA_URL`, empty
    /// values as none.
    pub fn links(&self) -> (Option<String>, Option<String>) {
        let set = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        (set(&self.console_s3_url), set(&self.grafana_url))
    }
}
