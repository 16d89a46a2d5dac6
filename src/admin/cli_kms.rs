//! `predastore admin kms …`: the master keys of encryption at rest, and
//! re-wrapping objects' data keys onto another one after a rotation.

use clap::Subcommand;
use serde_json::Value;

use super::table::{cell, encode, table};

/// `admin kms …`.
#[derive(Subcommand, Debug)]
pub enum KmsCommand {
    /// Lists the master key ids the gateway holds and the default one.
    List,
    /// Seals every SSE-S3 and SSE-KMS object's data key anew under a key
    /// (default: the default key), so older keys can be retired; no data
    /// is rewritten. Safe to run again, and while clients write.
    Rewrap {
        /// The key id to move data keys onto.
        #[arg(long)]
        to: Option<String>,
    },
}

/// The method, path (under `/admin/v1`) and JSON body of a kms subcommand.
pub(super) fn request(command: &KmsCommand) -> (&'static str, String, Option<Value>) {
    match command {
        KmsCommand::List => ("GET", "/kms/keys".into(), None),
        KmsCommand::Rewrap { to: None } => ("POST", "/kms/rewrap".into(), None),
        KmsCommand::Rewrap { to: Some(to) } => {
            ("POST", format!("/kms/rewrap?to={}", encode(to)), None)
        }
    }
}

/// The answer as text.
pub(super) fn render(command: &KmsCommand, a: &Value) -> String {
    match command {
        KmsCommand::List => {
            let default = a["default"].as_str();
            let rows: Vec<Vec<String>> = a["keys"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| {
                    let is_default = k.as_str() == default;
                    vec![cell(k), if is_default { "yes" } else { "" }.into()]
                })
                .collect();
            if rows.is_empty() {
                return "no master key configured (PREDASTORE_KMS_KEYS): SSE-S3 and SSE-KMS are refused\n".into();
            }
            table(&["KEY ID", "DEFAULT"], &rows)
        }
        KmsCommand::Rewrap { .. } => format!(
            "re-wrapped onto {}: {} of {} encrypted versions ({} already there, {} SSE-C left alone, {} changed meanwhile, {} failed: see the gateway's log)\n",
            cell(&a["to"]),
            cell(&a["rewrapped"]),
            cell(&a["examined"]),
            cell(&a["already"]),
            cell(&a["customer_keys"]),
            cell(&a["changed_meanwhile"]),
            cell(&a["failed"]),
        ),
    }
}
