//! One router for the S3 API: which operation a request names, decided
//! once from its head as a typed [`Endpoint`] carrying every argument the
//! operation reads (page sizes, markers, tokens, part numbers, version
//! ids), the sub-resources (`?acl`, `?uploads`, …) told apart as enum
//! values, never by string tests downstream. The dispatcher
//! and the listener's `Expect: 100-continue` check both route here;
//! handlers read the typed arguments, never the raw query.

mod args;
mod endpoint;
mod query;
mod route;
#[cfg(test)]
mod tests;

pub(crate) use args::{
    encode_bucket_token, ListArgs, ListBucketsArgs, ListPartsArgs, ListUploadsArgs, ListV1Args,
    ListV2Args, ListVersionsArgs, ReadArgs,
};
pub(crate) use endpoint::Endpoint;
#[cfg(test)]
use endpoint::RouteError;
pub(crate) use route::Target;

/// The `versionId` a request's query names, if any (`InvalidArgument` for
/// one this store could not have written): for the object operations
/// whose endpoint carries no other argument.
pub(crate) fn request_version(
    query: &[(String, String)],
) -> Result<Option<crate::storage::meta::version::VersionRef>, crate::api::error::S3Error> {
    args::version_arg(&query::Query::new(query))
}
