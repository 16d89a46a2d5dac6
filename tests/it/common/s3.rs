//! What S3 tests need around a real store, in one import
//! (`use crate::common::s3::*`): the store process, SDK clients and
//! helpers, a raw HTTP client, data and digests, disk damage.

pub use super::damage::*;
pub use super::digest::*;
pub use super::http::*;
pub use super::presign::*;
pub use super::sdk::*;
pub use super::store::*;
