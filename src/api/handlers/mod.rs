//! The S3 operations' handlers, one file per group of operations: each
//! gets an authorized [`S3Request`](crate::api::context::S3Request) and
//! its typed arguments from the router, and answers. Handlers import the
//! request context, the access helpers and each other's shared pieces,
//! never the dispatcher above them.

pub(crate) mod acl;
pub(crate) mod attributes;
pub(crate) mod body;
pub(crate) mod bucket;
pub(crate) mod bucket_access;
pub(crate) mod cors;
pub(crate) mod encryption;
pub(crate) mod lifecycle;
pub(crate) mod list;
pub(crate) mod multipart;
pub(crate) mod notification;
pub(crate) mod object;
pub(crate) mod object_lock;
pub(crate) mod part_checksum;
pub(crate) mod post_object;
pub(crate) mod select;
pub(crate) mod tagging;
pub(crate) mod versioning;
