//! Operating a cluster: the admin service (status, layout changes, keys,
//! buckets), the admin HTTP API that serves it behind a bearer token, and
//! `predastore admin`, the command-line client of that API.

pub(crate) mod api;
pub(crate) mod cli;
mod cli_buckets;
mod cli_iam;
mod cli_kms;
mod minio_iam;
pub(crate) mod service;
pub(crate) mod table;
