//! PostObject's pieces below its handler (`handlers::post_object`): the
//! streamed `multipart/form-data` body ([`form`]), the POST policy and
//! its conditions ([`post_policy`]), the policy's signature ([`signature`]),
//! and the fields turned into the headers a PutObject would carry
//! ([`headers`]), so the upload is authorized and written as one.

pub(crate) mod form;
pub(crate) mod headers;
pub(crate) mod post_policy;
pub(crate) mod signature;
#[cfg(test)]
mod tests;
