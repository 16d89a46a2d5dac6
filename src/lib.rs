//! predastore: a distributed, S3-compatible object store.
//!
//! Dependency direction: `api → actors → {storage, net, cluster}`. Only
//! `api` and `actors` use actix; the plain modules are tested without it.

pub mod actors;
pub mod admin;
pub mod api;
pub mod cluster;
pub mod config;
pub mod console;
pub mod error;
// Entry points of the cargo-fuzz targets in fuzz/; not an API.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod metrics;
pub mod net;
pub mod node;
pub mod object;
pub mod storage;
